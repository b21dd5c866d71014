package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.AwsIdentity;
import dev.lambdaop.reconcile.Work;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryUtils;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.LambdaClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * One AWS SDK client per service, identity and region. The identity is the current {@link Work}'s
 * ({@link Work#identity()}): the operator's own credentials, or the session of the namespace's role
 * ({@link AccountSessions}), whose credentials are checked before a client is handed out, so that a role the operator
 * cannot assume fails the call as {@link AccountSessions#NOT_ASSUMABLE} before it is made. The control plane (every read and write, and the DryRun check of a
 * hook) shares one HTTP connection pool, with the SDK's retries and short timeouts. Hook invocations (the data
 * plane) have Lambda clients of their own, see {@link #hookLambda}.
 */
public final class AwsClients implements AutoCloseable {
  /** The longest a Lambda function runs (and so the longest a hook's timeout may be). */
  public static final Duration LONGEST_INVOCATION = Duration.ofMinutes(15);

  /**
   * The control plane's retries: a transient failure (a dropped connection, a 5xx) is retried up to twice after a
   * short backoff, as the SDK's standard mode does; a throttling answer is not. Throttling is the request budget's
   * business ({@link AwsCalls}): it slows down, and the reconcile comes back at its turn instead of a thread
   * sleeping through the SDK's throttling backoff.
   */
  static final RetryStrategy CONTROL_PLANE_RETRIES = StandardRetryStrategy.builder()
      .maxAttempts(3)
      .backoffStrategy(BackoffStrategy.exponentialDelay(Duration.ofMillis(100), Duration.ofSeconds(2)))
      .retryOnException(AwsClients::transientNotThrottled)
      .circuitBreakerEnabled(false)
      .build();

  private final AwsSettings settings;
  private final SdkHttpClient http;
  private final SdkHttpClient hookHttp;
  private final AccountSessions sessions;
  private final Map<String, LambdaClient> lambda = new ConcurrentHashMap<>();
  private final Map<String, LambdaClient> hookLambda = new ConcurrentHashMap<>();
  private final Map<String, S3Client> s3 = new ConcurrentHashMap<>();
  private final Map<String, CloudWatchClient> cloudWatch = new ConcurrentHashMap<>();
  private final Object stsLock = new Object();
  private StsClient sts;
  private volatile String operatorAccount;

  /**
   * @param hookConnections how many hook invocations may wait for their answer at once (the operator runs at most
   *     that many hooks at once: LAMBDAOP_HOOK_CONCURRENCY)
   */
  public AwsClients(AwsSettings settings, int hookConnections) {
    this(settings, hookConnections, null);
  }

  /**
   * @param externalId the ExternalId AssumeRole passes (LAMBDAOP_AWS_EXTERNAL_ID), or null for none
   */
  public AwsClients(AwsSettings settings, int hookConnections, String externalId) {
    this(settings, hookConnections, externalId, Clock.systemUTC());
  }

  AwsClients(AwsSettings settings, int hookConnections, String externalId, Clock clock) {
    this.settings = settings;
    this.http = ApacheHttpClient.builder().maxConnections(64).connectionTimeout(Duration.ofSeconds(5)).build();
    // An invocation answers only when the hook is done, up to 15 minutes later: the socket may stay silent that long
    // (the request's own API call timeout, the hook's timeout plus a margin, ends it first). TCP keep-alive keeps an
    // idle connection open through NAT gateways and load balancers meanwhile, as AWS advises for long invocations.
    this.hookHttp = ApacheHttpClient.builder()
        .maxConnections(hookConnections)
        .connectionTimeout(Duration.ofSeconds(5))
        .socketTimeout(LONGEST_INVOCATION.plus(SdkInvoker.ANSWER_MARGIN).plus(SdkInvoker.ANSWER_MARGIN))
        .tcpKeepAlive(true)
        .build();
    this.sessions = new AccountSessions(
        (roleArn, name, id, duration) -> AccountSessions.sts(sts()).assumeRole(roleArn, name, id, duration),
        externalId, clock);
  }

  /** The sessions of the namespaces' roles. */
  public AccountSessions sessions() {
    return sessions;
  }

  /**
   * The namespace of the current work, from its key ({@code <Kind>/<namespace>/<name>}, as {@code ResourceReconciler}
   * makes it); null outside a reconcile. It names the role's session.
   */
  static String namespaceOf(Work work) {
    if (work.key() == null) {
      return null;
    }
    String[] parts = work.key().split("/");
    return parts.length == 3 ? parts[1] : null;
  }

  /** The identity and namespace a client is for, and its region: the key of the client maps. */
  private record Caller(AwsIdentity identity, String namespace) {
    static Caller current() {
      Work work = Work.current();
      return of(work.identity(), namespaceOf(work));
    }

    static Caller of(AwsIdentity identity, String namespace) {
      AwsIdentity id = identity == null ? AwsIdentity.OPERATOR : identity;
      // The operator's own identity has one set of clients, whatever the namespace.
      return new Caller(id, id.roleArn() == null ? null : namespace);
    }

    String key(String region) {
      return identity.key() + "\n" + (namespace == null ? "" : namespace) + "\n" + region;
    }
  }

  /** The region of a resource that names {@code requested}: it, or the current identity's default region. */
  public String region(String requested) {
    return region(Work.current().identity(), requested);
  }

  /** {@code requested}, or {@code identity}'s default region (its namespace's), or the operator's. */
  public String region(AwsIdentity identity, String requested) {
    if (requested != null) {
      return requested;
    }
    return identity != null && identity.defaultRegion() != null ? identity.defaultRegion() : settings.defaultRegion();
  }

  /** The control plane's Lambda client of the current work's identity. */
  public LambdaClient lambda(String region) {
    return lambda(Caller.current(), region);
  }

  /** The control plane's Lambda client of {@code identity} (off a reconcile thread). */
  public LambdaClient lambda(AwsIdentity identity, String region) {
    return lambda(Caller.of(identity, null), region);
  }

  private LambdaClient lambda(Caller caller, String region) {
    return client(lambda, caller, region, (r, credentials) -> configure(LambdaClient.builder(), r, http, credentials)
        .build());
  }

  /**
   * The Lambda client that invokes hooks (RequestResponse) for the current work's identity (the hook thread carries
   * the alias's work): never retried, since an invocation is not idempotent (a retry after a read timeout runs the
   * hook a second time), on its own connection pool with a socket timeout longer than any hook may run. Each request
   * sets its own API call timeout (the hook's timeout plus a margin).
   */
  public LambdaClient hookLambda(String region) {
    return hookLambda(Caller.current(), region);
  }

  /** {@link #hookLambda(String)} of {@code identity}. */
  public LambdaClient hookLambda(AwsIdentity identity, String region) {
    return hookLambda(Caller.of(identity, null), region);
  }

  private LambdaClient hookLambda(Caller caller, String region) {
    return client(hookLambda, caller, region, (r, credentials) -> {
      LambdaClientBuilder builder = configure(LambdaClient.builder(), r, hookHttp, credentials);
      builder.overrideConfiguration(ClientOverrideConfiguration.builder()
          .retryStrategy(AwsRetryStrategy.doNotRetry())
          .apiCallTimeout(LONGEST_INVOCATION.plus(SdkInvoker.ANSWER_MARGIN))
          .apiCallAttemptTimeout(LONGEST_INVOCATION.plus(SdkInvoker.ANSWER_MARGIN))
          .build());
      return builder.build();
    });
  }

  /** The CloudWatch client of the current work's identity. */
  public CloudWatchClient cloudWatch(String region) {
    return cloudWatch(Caller.current(), region);
  }

  /** The CloudWatch client of {@code identity} (off a reconcile thread). */
  public CloudWatchClient cloudWatch(AwsIdentity identity, String region) {
    return cloudWatch(Caller.of(identity, null), region);
  }

  private CloudWatchClient cloudWatch(Caller caller, String region) {
    return client(cloudWatch, caller, region,
        (r, credentials) -> configure(CloudWatchClient.builder(), r, http, credentials).build());
  }

  /** The S3 client of the current work's identity (code objects are read as the namespace's role). */
  public S3Client s3(String region) {
    return s3(Caller.current(), region);
  }

  /** The S3 client of {@code identity}. */
  public S3Client s3(AwsIdentity identity, String region) {
    return s3(Caller.of(identity, null), region);
  }

  private S3Client s3(Caller caller, String region) {
    return client(s3, caller, region, (r, credentials) -> configure(S3Client.builder(), r, http, credentials)
        .forcePathStyle(customEndpoint()).build());
  }

  /**
   * The caller's client of one kind in {@code region} (its identity's default region when null), built once with
   * the caller's credentials: the operator's own (null: the settings' or the default chain), or the role's session.
   * A role's session is checked at every lookup: a role the operator cannot assume throws
   * {@link AccountSessions#NOT_ASSUMABLE} before any client is built or call made.
   */
  private <T> T client(Map<String, T> clients, Caller caller, String region,
      java.util.function.BiFunction<String, AwsCredentialsProvider, T> build) {
    String r = region(caller.identity(), region);
    boolean role = caller.identity().roleArn() != null;
    if (role) {
      sessions.credentials(caller.identity(), caller.namespace());
    }
    return clients.computeIfAbsent(caller.key(r), k -> build.apply(r, role
        ? sessions.provider(caller.identity(), caller.namespace()) : settings.credentials()));
  }

  /**
   * The AWS account {@code identity} acts in: the role's, from its ARN; for the operator's own identity, STS
   * GetCallerIdentity, asked once (no permission needed).
   *
   * @throws dev.lambdaop.reconcile.AwsFailure when STS cannot be asked
   */
  public String accountId(AwsIdentity identity) {
    if (identity != null && identity.roleArn() != null) {
      String account = identity.roleAccount();
      if (account == null) {
        throw new IllegalArgumentException(identity.roleArn() + " is not the ARN of an IAM role");
      }
      return account;
    }
    String known = operatorAccount;
    if (known == null) {
      try {
        known = sts().getCallerIdentity().account();
      } catch (software.amazon.awssdk.core.exception.SdkException e) {
        throw AwsErrors.map("GetCallerIdentity", e);
      }
      operatorAccount = known;
    }
    return known;
  }

  /** STS with the operator's own credentials, in its region: AssumeRole and GetCallerIdentity. */
  private StsClient sts() {
    synchronized (stsLock) {
      if (sts == null) {
        sts = configure(StsClient.builder(), settings.defaultRegion(), http, settings.credentials()).build();
      }
      return sts;
    }
  }

  /** Endpoints other than AWS's own (moto, LocalStack) are addressed by path, not by bucket host name. */
  private boolean customEndpoint() {
    return settings.endpointOverride() != null
        || System.getenv("AWS_ENDPOINT_URL") != null
        || System.getenv("AWS_ENDPOINT_URL_S3") != null;
  }

  private <B extends AwsClientBuilder<B, ?>> B configure(B builder, String region, SdkHttpClient httpClient,
      AwsCredentialsProvider credentials) {
    builder.region(Region.of(region));
    if (settings.endpointOverride() != null) {
      builder.endpointOverride(settings.endpointOverride());
    }
    if (credentials != null) {
      builder.credentialsProvider(credentials);
    }
    builder.overrideConfiguration(ClientOverrideConfiguration.builder()
        .apiCallTimeout(Duration.ofSeconds(60))
        .apiCallAttemptTimeout(Duration.ofSeconds(20))
        .retryStrategy(CONTROL_PLANE_RETRIES)
        .build());
    if (builder instanceof software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<?, ?> sync) {
      sync.httpClient(httpClient);
    }
    return builder;
  }

  /** A failure worth one more attempt at once: transient, and not AWS saying the quota is exceeded. */
  static boolean transientNotThrottled(Throwable t) {
    if (!(t instanceof SdkException e) || RetryUtils.isThrottlingException(e)) {
      return false;
    }
    if (e instanceof AwsServiceException service) {
      return !service.isThrottlingException() && (service.statusCode() >= 500 || service.retryable());
    }
    // A connection that failed or dropped, not an answer the SDK could not read (a checksum that does not match, as
    // moto's answer to a DryRun): retrying that would only send the same request again.
    return e instanceof SdkClientException && e.getCause() instanceof java.io.IOException;
  }

  @Override
  public void close() {
    lambda.values().forEach(LambdaClient::close);
    hookLambda.values().forEach(LambdaClient::close);
    s3.values().forEach(S3Client::close);
    cloudWatch.values().forEach(CloudWatchClient::close);
    synchronized (stsLock) {
      if (sts != null) {
        sts.close();
      }
    }
    http.close();
    hookHttp.close();
  }
}
