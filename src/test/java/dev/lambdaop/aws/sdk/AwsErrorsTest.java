package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.AwsFailure.Retry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

class AwsErrorsTest {
  private static AwsServiceException error(String code, int status) {
    return AwsServiceException.builder()
        .statusCode(status)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("aws says " + code).build())
        .build();
  }

  @ParameterizedTest
  @CsvSource({
      "InvalidParameterValueException, 400, NEVER, InvalidParameter",
      "RequestTooLargeException, 413, NEVER, InvalidParameter",
      "ResourceConflictException, 409, SOON, Conflict",
      "PreconditionFailedException, 412, SOON, Conflict",
      "TooManyRequestsException, 429, BACKOFF, Throttled",
      "ServiceException, 500, BACKOFF, AwsServiceError",
      "SomethingNew, 503, BACKOFF, AwsServiceError",
      "CodeStorageExceededException, 400, NEVER, CodeStorageExceeded",
      "AccessDeniedException, 403, NEVER, AccessDenied",
      "ResourceNotFoundException, 404, NEVER, NotFound"
  })
  void mapsEachErrorClass(String code, int status, Retry retry, String reason) {
    AwsFailure f = AwsErrors.map("UpdateFunctionCode", error(code, status));
    assertEquals(retry, f.retry());
    assertEquals(reason, f.reason());
    assertTrue(f.getMessage().contains("aws says " + code), f.getMessage());
  }

  @Test
  void aRoleLambdaCannotAssumeYetIsRetriedBecauseIamPropagationTakesTime() {
    AwsServiceException e = AwsServiceException.builder().statusCode(400).awsErrorDetails(AwsErrorDetails.builder()
        .errorCode("InvalidParameterValueException")
        .errorMessage("The role defined for the function cannot be assumed by Lambda.").build()).build();
    AwsFailure f = AwsErrors.map("CreateFunction", e);
    assertEquals(Retry.BACKOFF, f.retry());
    assertEquals("RoleNotAssumable", f.reason());
  }

  @Test
  void codeNotYetInS3IsRetried() {
    AwsServiceException e = AwsServiceException.builder().statusCode(400).awsErrorDetails(AwsErrorDetails.builder()
        .errorCode("InvalidParameterValueException")
        .errorMessage("Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified"
            + " bucket does not exist").build()).build();
    AwsFailure f = AwsErrors.map("CreateFunction", e);
    assertEquals(Retry.BACKOFF, f.retry());
    assertEquals("CodeNotFound", f.reason());
    assertTrue(f.getMessage().contains("spec.code.s3"));
  }

  @Test
  void accessDeniedNamesTheMissingAction() {
    AwsFailure f = AwsErrors.map("PublishVersion", error("AccessDeniedException", 403));
    assertTrue(f.getMessage().contains("lambda:PublishVersion"), f.getMessage());
  }

  @Test
  void accessDeniedToTheCodeBucketNamesTheS3Action() {
    AwsFailure f = AwsErrors.map("HeadObject", error("AccessDenied", 403));
    assertTrue(f.getMessage().contains("s3:GetObject"), f.getMessage());
  }

  @Test
  void accessDeniedNamesTheActionOfHooksAndAlarms() {
    assertTrue(AwsErrors.map("Invoke", error("AccessDeniedException", 403)).getMessage()
        .contains("lambda:InvokeFunction"));
    assertTrue(AwsErrors.map("DescribeAlarms", error("AccessDenied", 403)).getMessage()
        .contains("cloudwatch:DescribeAlarms"));
  }

  @Test
  void rejectedCredentialsAreRetriedSlowlyAndSaidToBeCredentials() {
    AwsFailure f = AwsErrors.map("GetFunction", error("UnrecognizedClientException", 403));
    assertEquals(Retry.BACKOFF, f.retry());
    assertEquals("InvalidCredentials", f.reason());
  }

  @Test
  void codeStorageSuggestsLoweringRetention() {
    AwsFailure f = AwsErrors.map("PublishVersion", error("CodeStorageExceededException", 400));
    assertTrue(f.getMessage().contains("versions.retain"), f.getMessage());
  }

  @Test
  void connectionProblemsAreRetriedWithBackoff() {
    AwsFailure f = AwsErrors.map("GetFunction", SdkClientException.create("connection refused"));
    assertEquals(Retry.BACKOFF, f.retry());
  }
}
