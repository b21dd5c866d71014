package dev.lambdaop.aws.sdk;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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

/**
 * One AWS SDK client per service and region. The control plane (every read and write, and the DryRun check of a
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
  private final Map<String, LambdaClient> lambda = new ConcurrentHashMap<>();
  private final Map<String, LambdaClient> hookLambda = new ConcurrentHashMap<>();
  private final Map<String, S3Client> s3 = new ConcurrentHashMap<>();
  private final Map<String, CloudWatchClient> cloudWatch = new ConcurrentHashMap<>();

  /**
   * @param hookConnections how many hook invocations may wait for their answer at once (the operator runs at most
   *     that many hooks at once: LAMBDAOP_HOOK_CONCURRENCY)
   */
  public AwsClients(AwsSettings settings, int hookConnections) {
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
  }

  public String region(String requested) {
    return requested != null ? requested : settings.defaultRegion();
  }

  public LambdaClient lambda(String region) {
    return lambda.computeIfAbsent(region(region), r -> configure(LambdaClient.builder(), r, http).build());
  }

  /**
   * The Lambda client that invokes hooks (RequestResponse): never retried, since an invocation is not idempotent (a
   * retry after a read timeout runs the hook a second time), on its own connection pool with a socket timeout longer
   * than any hook may run. Each request sets its own API call timeout (the hook's timeout plus a margin).
   */
  public LambdaClient hookLambda(String region) {
    return hookLambda.computeIfAbsent(region(region), r -> {
      LambdaClientBuilder builder = configure(LambdaClient.builder(), r, hookHttp);
      builder.overrideConfiguration(ClientOverrideConfiguration.builder()
          .retryStrategy(AwsRetryStrategy.doNotRetry())
          .apiCallTimeout(LONGEST_INVOCATION.plus(SdkInvoker.ANSWER_MARGIN))
          .apiCallAttemptTimeout(LONGEST_INVOCATION.plus(SdkInvoker.ANSWER_MARGIN))
          .build());
      return builder.build();
    });
  }

  public CloudWatchClient cloudWatch(String region) {
    return cloudWatch.computeIfAbsent(region(region), r -> configure(CloudWatchClient.builder(), r, http).build());
  }

  public S3Client s3(String region) {
    return s3.computeIfAbsent(region(region),
        r -> configure(S3Client.builder(), r, http).forcePathStyle(customEndpoint()).build());
  }

  /** Endpoints other than AWS's own (moto, LocalStack) are addressed by path, not by bucket host name. */
  private boolean customEndpoint() {
    return settings.endpointOverride() != null
        || System.getenv("AWS_ENDPOINT_URL") != null
        || System.getenv("AWS_ENDPOINT_URL_S3") != null;
  }

  private <B extends AwsClientBuilder<B, ?>> B configure(B builder, String region, SdkHttpClient httpClient) {
    builder.region(Region.of(region));
    if (settings.endpointOverride() != null) {
      builder.endpointOverride(settings.endpointOverride());
    }
    if (settings.credentials() != null) {
      builder.credentialsProvider(settings.credentials());
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
    http.close();
    hookHttp.close();
  }
}
