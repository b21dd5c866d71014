package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.exception.SdkClientException;

/** The AWS settings are checked at start like the operator's: region and endpoint variables. */
class AwsSettingsTest {
  @Test
  void theRegionComesFromTheSdksChain() {
    assertEquals("eu-west-1", AwsSettings.fromEnvironment(Map.of(), () -> "eu-west-1").defaultRegion());
    assertEquals("us-gov-west-1", AwsSettings.fromEnvironment(Map.of(), () -> "us-gov-west-1").defaultRegion());
  }

  @Test
  void noRegionOrAMalformedOneIsRefusedNamingAwsRegion() {
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> AwsSettings.fromEnvironment(Map.of(), () -> {
          throw SdkClientException.create("Unable to load region from any of the providers in the chain");
        }));
    assertEquals("AWS_REGION is not set, and no profile names a region: expected a region such as eu-west-1",
        none.getMessage());
    IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
        () -> AwsSettings.fromEnvironment(Map.of(), () -> "eu-west1"));
    assertEquals("AWS_REGION=eu-west1: expected a region such as eu-west-1 (or the region of the AWS profile)",
        typo.getMessage());
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "AWS_ENDPOINT_URL            | localhost:5000",
      "AWS_ENDPOINT_URL_LAMBDA     | ftp://lambda.example",
      "AWS_ENDPOINT_URL_S3         | http://",
      "AWS_ENDPOINT_URL_CLOUDWATCH | not a url"})
  void anEndpointThatIsNotAnHttpUrlIsRefused(String variable, String value) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AwsSettings.fromEnvironment(Map.of(variable, value), () -> "eu-west-1"));
    assertEquals(variable + "=" + value + ": expected an http or https URL such as"
        + " https://lambda.eu-west-1.amazonaws.com or http://localhost:5000", e.getMessage());
  }

  @Test
  void endpointsThatAreUrlsOrEmptyAreAccepted() {
    AwsSettings.fromEnvironment(Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:5000",
        "AWS_ENDPOINT_URL_LAMBDA", "https://lambda.eu-west-1.amazonaws.com", "AWS_ENDPOINT_URL_S3", " "),
        () -> "eu-west-1");
  }
}
