package dev.lambdaop.aws.sdk;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
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
  /** Production: the region from the SDK's chain (AWS_REGION, profile, instance metadata); all else the SDK's own. */
  public static AwsSettings fromEnvironment() {
    return new AwsSettings(new DefaultAwsRegionProviderChain().getRegion().id(), null, null);
  }
}
