package dev.lambdaop.aws;

import dev.lambdaop.aws.sdk.AwsErrors;
import dev.lambdaop.reconcile.AwsFailure;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.lambda.model.LambdaException;

/**
 * The {@link AwsFailure}s the SDK adapter raises for AWS's answers, for {@link InMemoryAws} and for tests that
 * provoke a fault with {@link InMemoryAws#failNext}. Each one is what {@link AwsErrors} makes of the same AWS error
 * code (operation, reason, retry class and message), without the SDK exception as its cause.
 */
public final class AwsFailures {
  private AwsFailures() {}

  /** AWS's answer {@code errorCode} (for example ResourceConflictException) with its HTTP status and message. */
  public static AwsFailure answer(String operation, String errorCode, int httpStatus, String message) {
    return withoutCause(AwsErrors.map(operation, LambdaException.builder()
        .awsErrorDetails(AwsErrorDetails.builder().errorCode(errorCode).errorMessage(message).serviceName("Lambda")
            .build())
        .statusCode(httpStatus)
        .message(message)
        .build()));
  }

  /** ResourceNotFoundException: NotFound, never retried (the reads that make it "absent" do so themselves). */
  public static AwsFailure notFound(String operation, String message) {
    return answer(operation, "ResourceNotFoundException", 404, message);
  }

  /** ResourceConflictException (exists already, update in progress, version in use): Conflict, retried soon. */
  public static AwsFailure conflict(String operation, String message) {
    return answer(operation, "ResourceConflictException", 409, message);
  }

  /** PreconditionFailedException: the RevisionId sent is not the current one. Conflict, retried soon. */
  public static AwsFailure revisionMismatch(String operation) {
    return answer(operation, "PreconditionFailedException", 412, "The Revision Id provided does not match the latest"
        + " Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id");
  }

  /** InvalidParameterValueException: the request must change. InvalidParameter, never retried. */
  public static AwsFailure invalidParameter(String operation, String message) {
    return answer(operation, "InvalidParameterValueException", 400, message);
  }

  /** CodeStorageExceededException: the account's code storage is full. CodeStorageExceeded, never retried. */
  public static AwsFailure codeStorageExceeded(String operation) {
    return answer(operation, "CodeStorageExceededException", 400, "Code storage limit exceeded.");
  }

    /** TooManyRequestsException: Throttled, retried with backoff. */
  public static AwsFailure throttled(String operation) {
    return answer(operation, "TooManyRequestsException", 429, "Rate exceeded");
  }

  /** AccessDeniedException: AccessDenied naming the IAM actions to grant, never retried. */
  public static AwsFailure accessDenied(String operation) {
    return answer(operation, "AccessDeniedException", 403, "User: arn:aws:sts::" + InMemoryAws.ACCOUNT
        + ":assumed-role/lambda-operator/operator is not authorized to perform this operation");
  }

  /** ServiceException: AwsServiceError, retried with backoff. */
  public static AwsFailure serviceError(String operation) {
    return answer(operation, "ServiceException", 500, "An internal error occurred");
  }

  /** No answer at all (connection refused, timeout): AwsUnreachable, retried with backoff. */
  public static AwsFailure unreachable(String operation) {
    return withoutCause(AwsErrors.map(operation, SdkClientException.create("Unable to execute HTTP request: Connect"
        + " to lambda.us-east-1.amazonaws.com failed: Connection refused")));
  }

  /** What CreateFunction and UpdateFunctionCode answer when the S3 object is missing: CodeNotFound, with backoff. */
  public static AwsFailure codeNotFound(String operation, String bucket, String key) {
    return invalidParameter(operation, "Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message:"
        + " The specified key does not exist. (s3://" + bucket + "/" + key + ")");
  }

  private static AwsFailure withoutCause(AwsFailure f) {
    return new AwsFailure(f.operation(), f.retry(), f.reason(), f.getMessage(), null);
  }
}
