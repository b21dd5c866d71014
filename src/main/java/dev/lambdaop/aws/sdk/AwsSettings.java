package dev.lambdaop.aws.sdk;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;

/**
 * How the operator reaches AWS. In production every field comes from the standard AWS SDK settings (default
 * credentials chain, AWS_REGION, AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_LAMBDA), so the overrides here are null;
 * tests and the local run set them explicitly.
 *
 * @param defaultRegion region for resources that name none
 * @param endpointOverride one endpoint for every service, or null for the SDK's own resolution
 * @param credentials credentials, or null for the default chain
 */
public record AwsSettings(String defaultRegion, URI endpointOverride, AwsCredentialsProvider credentials) {
  /** The endpoint variables the SDK reads for the services the operator calls. */
  static final List<String> ENDPOINT_VARIABLES = List.of("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA",
      "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_CLOUDWATCH");
  /** A region id: eu-west-1, us-gov-west-1, cn-north-1. */
  static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]+");

  /** Production: the region from the SDK's chain (AWS_REGION, profile, instance metadata); all else the SDK's own. */
  public static AwsSettings fromEnvironment() {
    return fromEnvironment(System.getenv(), () -> new DefaultAwsRegionProviderChain().getRegion().id());
  }

  /**
   * The settings, checked at start like the operator's own: the region (from {@code regionChain}, the SDK's chain)
   * and the endpoint variables the SDK will read from {@code env}. What cannot work is an
   * {@link IllegalArgumentException} naming the variable, the value and what is expected.
   */
  static AwsSettings fromEnvironment(Map<String, String> env, Supplier<String> regionChain) {
    for (String variable : ENDPOINT_VARIABLES) {
      String value = env.get(variable);
      if (value != null && !value.isBlank() && !endpoint(value.trim())) {
        throw new IllegalArgumentException(variable + "=" + value + ": expected an http or https URL such as"
            + " https://lambda.eu-west-1.amazonaws.com or http://localhost:5000");
      }
    }
    String region;
    try {
      region = regionChain.get();
    } catch (SdkClientException e) {
      throw new IllegalArgumentException("AWS_REGION is not set, and no profile names a region: expected a region"
          + " such as eu-west-1");
    }
    if (region == null || !REGION.matcher(region).matches()) {
      throw new IllegalArgumentException("AWS_REGION=" + region + ": expected a region such as eu-west-1 (or the"
          + " region of the AWS profile)");
    }
    return new AwsSettings(region, null, null);
  }

  private static boolean endpoint(String value) {
    try {
      URI uri = new URI(value);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
