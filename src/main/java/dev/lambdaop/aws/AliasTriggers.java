package dev.lambdaop.aws;

import java.util.List;
import java.util.Optional;

/**
 * What makes an alias a trigger target, all scoped to the alias (Qualifier = the alias name): its resource-based
 * policy statements, its function URL, its asynchronous invocation configuration and its provisioned concurrency.
 * A read answers empty when AWS has none (ResourceNotFound); a write AWS refuses is an {@code AwsFailure}.
 */
public interface AliasTriggers {
  /** The alias's policy document (JSON, as GetPolicy returns it), or empty when it has none. */
  Optional<String> policy(String region, String function, String alias);

  void addPermission(String region, String function, String alias, Permission permission);

  /** Removes one statement; false when it was already gone. */
  boolean removePermission(String region, String function, String alias, String statementId);

  /** The alias's function URL, or empty when it has none. */
  Optional<UrlConfig> url(String region, String function, String alias);

  /** Creates the alias's function URL ({@code config.url()} is ignored); returns it as AWS answered. */
  UrlConfig createUrl(String region, String function, String alias, UrlConfig config);

  /** Changes the alias's function URL ({@code config.url()} is ignored); returns it as AWS answered. */
  UrlConfig updateUrl(String region, String function, String alias, UrlConfig config);

  /** Deletes the alias's function URL; false when it was already gone. */
  boolean deleteUrl(String region, String function, String alias);

  /** The alias's asynchronous invocation configuration, or empty when it has none. */
  Optional<AsyncConfig> asyncInvoke(String region, String function, String alias);

  /** Replaces the whole asynchronous invocation configuration (an unset field is AWS's default). */
  void putAsyncInvoke(String region, String function, String alias, AsyncConfig config);

  /** Deletes it; false when it was already gone. */
  boolean deleteAsyncInvoke(String region, String function, String alias);

  /** The alias's provisioned concurrency, or empty when none is configured. */
  Optional<Provisioned> provisionedConcurrency(String region, String function, String alias);

  /** Sets the alias's provisioned concurrency; AWS allocates it in the background (IN_PROGRESS, then READY). */
  Provisioned putProvisionedConcurrency(String region, String function, String alias, int requested);

  /** Removes it; false when none was configured. */
  boolean deleteProvisionedConcurrency(String region, String function, String alias);

  /**
   * One statement as AddPermission takes it.
   *
   * @param action for example lambda:InvokeFunction
   * @param functionUrlAuthType AWS_IAM or NONE, only with lambda:InvokeFunctionUrl; else null
   */
  record Permission(String statementId, String principal, String action, String sourceArn, String sourceAccount,
      String principalOrgId, String functionUrlAuthType) {}

  /**
   * A function URL.
   *
   * @param url the URL AWS gave it (null in a request)
   * @param cors null for none
   */
  record UrlConfig(String url, String authType, String invokeMode, Cors cors) {}

  /** CORS of a function URL; empty lists and nulls mean "not set". */
  record Cors(List<String> allowOrigins, List<String> allowMethods, List<String> allowHeaders,
      List<String> exposeHeaders, Integer maxAge, Boolean allowCredentials) {}

  /**
   * An asynchronous invocation configuration; a null field is AWS's default (2 retries, 6 hours, no destination).
   *
   * @param onSuccess destination ARN, or null
   * @param onFailure destination ARN, or null
   */
  record AsyncConfig(Integer maximumRetryAttempts, Integer maximumEventAgeSeconds, String onSuccess,
      String onFailure) {}

  /** Provisioned concurrency as AWS reports it; status IN_PROGRESS, READY or FAILED. */
  record Provisioned(Integer requested, Integer available, Integer allocated, String status, String statusReason) {}
}
