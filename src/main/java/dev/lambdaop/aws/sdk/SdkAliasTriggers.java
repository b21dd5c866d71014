package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.AliasTriggers;
import dev.lambdaop.reconcile.AwsFailure;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.AddPermissionRequest;
import software.amazon.awssdk.services.lambda.model.DestinationConfig;
import software.amazon.awssdk.services.lambda.model.OnFailure;
import software.amazon.awssdk.services.lambda.model.OnSuccess;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyConfigNotFoundException;
import software.amazon.awssdk.services.lambda.model.PutFunctionEventInvokeConfigRequest;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * {@link AliasTriggers} with the AWS SDK: every request carries Qualifier = the alias. "Not found" (and, for
 * provisioned concurrency, ProvisionedConcurrencyConfigNotFoundException) reads as "none".
 */
final class SdkAliasTriggers implements AliasTriggers {
  private final AwsClients clients;
  private final AwsCalls calls;

  SdkAliasTriggers(AwsClients clients, AwsCalls calls) {
    this.clients = clients;
    this.calls = calls;
  }

  @Override
  public Optional<String> policy(String region, String function, String alias) {
    LambdaClient lambda = clients.lambda(region);
    return absent(() -> calls.read(region, "GetPolicy", function,
        () -> lambda.getPolicy(r -> r.functionName(function).qualifier(alias)).policy()));
  }

  @Override
  public void addPermission(String region, String function, String alias, Permission permission) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "AddPermission", function, () -> lambda.addPermission(addPermission(function, alias,
        permission)));
  }

  static AddPermissionRequest addPermission(String function, String alias, Permission p) {
    return AddPermissionRequest.builder().functionName(function).qualifier(alias).statementId(p.statementId())
        .principal(p.principal()).action(p.action()).sourceArn(p.sourceArn()).sourceAccount(p.sourceAccount())
        .principalOrgID(p.principalOrgId()).functionUrlAuthType(p.functionUrlAuthType()).build();
  }

  @Override
  public boolean removePermission(String region, String function, String alias, String statementId) {
    LambdaClient lambda = clients.lambda(region);
    return absent(() -> calls.write(region, "RemovePermission", function,
        () -> lambda.removePermission(r -> r.functionName(function).qualifier(alias).statementId(statementId))))
        .isPresent();
  }

  @Override
  public Optional<UrlConfig> url(String region, String function, String alias) {
    LambdaClient lambda = clients.lambda(region);
    return absent(() -> calls.read(region, "GetFunctionUrlConfig", function, () -> {
      var u = lambda.getFunctionUrlConfig(r -> r.functionName(function).qualifier(alias));
      return new UrlConfig(u.functionUrl(), u.authTypeAsString(), u.invokeModeAsString(), cors(u.cors()));
    }));
  }

  @Override
  public UrlConfig createUrl(String region, String function, String alias, UrlConfig config) {
    LambdaClient lambda = clients.lambda(region);
    return calls.write(region, "CreateFunctionUrlConfig", function, () -> {
      var u = lambda.createFunctionUrlConfig(r -> r.functionName(function).qualifier(alias)
          .authType(config.authType()).invokeMode(config.invokeMode())
          .cors(config.cors() == null ? null : cors(config.cors())));
      return new UrlConfig(u.functionUrl(), u.authTypeAsString(), u.invokeModeAsString(), cors(u.cors()));
    });
  }

  @Override
  public UrlConfig updateUrl(String region, String function, String alias, UrlConfig config) {
    LambdaClient lambda = clients.lambda(region);
    return calls.write(region, "UpdateFunctionUrlConfig", function, () -> {
      // An empty Cors clears what was set: the update replaces it.
      var u = lambda.updateFunctionUrlConfig(r -> r.functionName(function).qualifier(alias)
          .authType(config.authType()).invokeMode(config.invokeMode())
          .cors(config.cors() == null ? software.amazon.awssdk.services.lambda.model.Cors.builder().build() : cors(config.cors())));
      return new UrlConfig(u.functionUrl(), u.authTypeAsString(), u.invokeModeAsString(), cors(u.cors()));
    });
  }

  @Override
  public boolean deleteUrl(String region, String function, String alias) {
    LambdaClient lambda = clients.lambda(region);
    return absent(() -> calls.write(region, "DeleteFunctionUrlConfig", function,
        () -> lambda.deleteFunctionUrlConfig(r -> r.functionName(function).qualifier(alias)))).isPresent();
  }

  @Override
  public Optional<AsyncConfig> asyncInvoke(String region, String function, String alias) {
    LambdaClient lambda = clients.lambda(region);
    return absent(() -> calls.read(region, "GetFunctionEventInvokeConfig", function, () -> {
      var c = lambda.getFunctionEventInvokeConfig(r -> r.functionName(function).qualifier(alias));
      DestinationConfig d = c.destinationConfig();
      return new AsyncConfig(c.maximumRetryAttempts(), c.maximumEventAgeInSeconds(),
          d == null || d.onSuccess() == null ? null : d.onSuccess().destination(),
          d == null || d.onFailure() == null ? null : d.onFailure().destination());
    }));
  }

  @Override
  public void putAsyncInvoke(String region, String function, String alias, AsyncConfig config) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "PutFunctionEventInvokeConfig", function,
        () -> lambda.putFunctionEventInvokeConfig(putAsyncInvoke(function, alias, config)));
  }

  static PutFunctionEventInvokeConfigRequest putAsyncInvoke(String function, String alias, AsyncConfig config) {
    DestinationConfig.Builder destinations = DestinationConfig.builder();
    if (config.onSuccess() != null) {
      destinations.onSuccess(OnSuccess.builder().destination(config.onSuccess()).build());
    }
    if (config.onFailure() != null) {
      destinations.onFailure(OnFailure.builder().destination(config.onFailure()).build());
    }
    return PutFunctionEventInvokeConfigRequest.builder().functionName(function).qualifier(alias)
        .maximumRetryAttempts(config.maximumRetryAttempts())
        .maximumEventAgeInSeconds(config.maximumEventAgeSeconds())
        .destinationConfig(config.onSuccess() == null && config.onFailure() == null ? null : destinations.build())
        .build();
  }

  @Override
  public boolean deleteAsyncInvoke(String region, String function, String alias) {
    LambdaClient lambda = clients.lambda(region);
    return absent(() -> calls.write(region, "DeleteFunctionEventInvokeConfig", function,
        () -> lambda.deleteFunctionEventInvokeConfig(r -> r.functionName(function).qualifier(alias))))
        .isPresent();
  }

  @Override
  public Optional<Provisioned> provisionedConcurrency(String region, String function, String alias) {
    LambdaClient lambda = clients.lambda(region);
    return absent(() -> calls.read(region, "GetProvisionedConcurrencyConfig", function, () -> {
      var p = lambda.getProvisionedConcurrencyConfig(r -> r.functionName(function).qualifier(alias));
      return new Provisioned(p.requestedProvisionedConcurrentExecutions(),
          p.availableProvisionedConcurrentExecutions(), p.allocatedProvisionedConcurrentExecutions(),
          p.statusAsString(), p.statusReason());
    }));
  }

  @Override
  public Provisioned putProvisionedConcurrency(String region, String function, String alias, int requested) {
    LambdaClient lambda = clients.lambda(region);
    return calls.write(region, "PutProvisionedConcurrencyConfig", function, () -> {
      var p = lambda.putProvisionedConcurrencyConfig(r -> r.functionName(function).qualifier(alias)
          .provisionedConcurrentExecutions(requested));
      return new Provisioned(p.requestedProvisionedConcurrentExecutions(),
          p.availableProvisionedConcurrentExecutions(), p.allocatedProvisionedConcurrentExecutions(),
          p.statusAsString(), p.statusReason());
    });
  }

  @Override
  public boolean deleteProvisionedConcurrency(String region, String function, String alias) {
    LambdaClient lambda = clients.lambda(region);
    return absent(() -> calls.write(region, "DeleteProvisionedConcurrencyConfig", function,
        () -> lambda.deleteProvisionedConcurrencyConfig(r -> r.functionName(function).qualifier(alias))))
        .isPresent();
  }

  /** AWS's "none": ResourceNotFound, and for provisioned concurrency its own not-found error. */
  static <T> Optional<T> absent(Supplier<T> call) {
    try {
      return Optional.of(call.get());
    } catch (AwsFailure f) {
      if (f.getCause() instanceof ResourceNotFoundException
          || f.getCause() instanceof ProvisionedConcurrencyConfigNotFoundException) {
        return Optional.empty();
      }
      throw f;
    }
  }

  static software.amazon.awssdk.services.lambda.model.Cors cors(AliasTriggers.Cors c) {
    return software.amazon.awssdk.services.lambda.model.Cors.builder()
        .allowOrigins(orEmpty(c.allowOrigins())).allowMethods(orEmpty(c.allowMethods()))
        .allowHeaders(orEmpty(c.allowHeaders())).exposeHeaders(orEmpty(c.exposeHeaders()))
        .maxAge(c.maxAge()).allowCredentials(c.allowCredentials()).build();
  }

  static AliasTriggers.Cors cors(software.amazon.awssdk.services.lambda.model.Cors c) {
    if (c == null) {
      return null;
    }
    return new AliasTriggers.Cors(c.hasAllowOrigins() ? c.allowOrigins() : List.of(),
        c.hasAllowMethods() ? c.allowMethods() : List.of(), c.hasAllowHeaders() ? c.allowHeaders() : List.of(),
        c.hasExposeHeaders() ? c.exposeHeaders() : List.of(), c.maxAge(), c.allowCredentials());
  }

  private static List<String> orEmpty(List<String> values) {
    return values == null ? List.of() : values;
  }
}
