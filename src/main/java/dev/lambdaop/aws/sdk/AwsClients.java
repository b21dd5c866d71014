package dev.lambdaop.aws.sdk;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.s3.S3Client;

/** One AWS SDK client per service and region, sharing one HTTP connection pool. */
public final class AwsClients implements AutoCloseable {
  private final AwsSettings settings;
  private final SdkHttpClient http;
  private final Map<String, LambdaClient> lambda = new ConcurrentHashMap<>();
  private final Map<String, S3Client> s3 = new ConcurrentHashMap<>();
  private final Map<String, CloudWatchClient> cloudWatch = new ConcurrentHashMap<>();

  public AwsClients(AwsSettings settings) {
    this.settings = settings;
    this.http = ApacheHttpClient.builder().maxConnections(64).connectionTimeout(Duration.ofSeconds(5)).build();
  }

  public String region(String requested) {
    return requested != null ? requested : settings.defaultRegion();
  }

  public LambdaClient lambda(String region) {
    return lambda.computeIfAbsent(region(region), r -> configure(LambdaClient.builder(), r).build());
  }

  public CloudWatchClient cloudWatch(String region) {
    return cloudWatch.computeIfAbsent(region(region), r -> configure(CloudWatchClient.builder(), r).build());
  }

  public S3Client s3(String region) {
    return s3.computeIfAbsent(region(region), r -> configure(S3Client.builder(), r).forcePathStyle(customEndpoint()).build());
  }

  /** Endpoints other than AWS's own (moto, LocalStack) are addressed by path, not by bucket host name. */
  private boolean customEndpoint() {
    return settings.endpointOverride() != null
        || System.getenv("AWS_ENDPOINT_URL") != null
        || System.getenv("AWS_ENDPOINT_URL_S3") != null;
  }

  private <B extends AwsClientBuilder<B, ?>> B configure(B builder, String region) {
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
        .build());
    if (builder instanceof software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<?, ?> sync) {
      sync.httpClient(http);
    }
    return builder;
  }

  @Override
  public void close() {
    lambda.values().forEach(LambdaClient::close);
    s3.values().forEach(S3Client::close);
    cloudWatch.values().forEach(CloudWatchClient::close);
    http.close();
  }
}
