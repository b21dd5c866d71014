package dev.lambdaop.aws.sdk;

import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.AwsFailure.Retry;
import java.io.UncheckedIOException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** Maps AWS SDK exceptions to {@link AwsFailure}: which errors a retry can fix, and what the user should do. */
public final class AwsErrors {
  /** The reason of a throttling answer: the request budget slows down ({@link AwsCalls}). */
  public static final String THROTTLED = "Throttled";

  private AwsErrors() {}

  public static AwsFailure map(String operation, SdkException e) {
    if (e instanceof AwsServiceException service) {
      return mapService(operation, service);
    }
    if (e instanceof ApiCallTimeoutException || e instanceof SdkClientException) {
      return new AwsFailure(operation, Retry.BACKOFF, "AwsUnreachable",
          operation + " did not complete: " + e.getMessage() + " (retrying with backoff)", e);
    }
    return new AwsFailure(operation, Retry.BACKOFF, "AwsError", operation + " failed: " + e.getMessage(), e);
  }

  static AwsFailure mapService(String operation, AwsServiceException e) {
    String code = e.awsErrorDetails() == null ? "" : String.valueOf(e.awsErrorDetails().errorCode());
    String awsMessage = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
    int status = e.statusCode();
    String detail = operation + ": " + code + ": " + awsMessage;
    String text = String.valueOf(awsMessage);
    // Two validation errors that time fixes: a new role takes seconds to propagate in IAM, and a pipeline may
    // upload the code to S3 just after the manifest is applied.
    if (text.contains("cannot be assumed by Lambda")) {
      return new AwsFailure(operation, Retry.BACKOFF, "RoleNotAssumable", detail
          + ". Check that the role exists and trusts lambda.amazonaws.com (a new role can take a few seconds);"
          + " retrying with backoff", e);
    }
    if (text.contains("S3 Error Code") || text.contains("NoSuchKey") || text.contains("NoSuchBucket")) {
      return new AwsFailure(operation, Retry.BACKOFF, "CodeNotFound", detail
          + ". Check spec.code.s3 (bucket, key, objectVersion, region); retrying with backoff until the object exists", e);
    }
    switch (code) {
      case "ResourceConflictException", "PreconditionFailedException", "ResourceInUseException":
        return new AwsFailure(operation, Retry.SOON, "Conflict", detail + " (re-reading and retrying)", e);
      case "TooManyRequestsException", "ThrottlingException", "Throttling", "RequestLimitExceeded":
        return new AwsFailure(operation, Retry.BACKOFF, THROTTLED, detail + " (retrying with backoff)", e);
      case "CodeStorageExceededException":
        return new AwsFailure(operation, Retry.NEVER, "CodeStorageExceeded",
            detail + ". Lower versions.retain so older versions are deleted, or delete unused functions.", e);
      case "AccessDeniedException", "AccessDenied", "UnauthorizedOperation":
        return accessDenied(operation, detail, e);
      case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException",
          "InvalidClientTokenId", "ExpiredToken":
        // Every resource fails alike until the credentials are fixed or refreshed: keep trying, slowly.
        return new AwsFailure(operation, Retry.BACKOFF, "InvalidCredentials", detail
            + ". The operator's AWS credentials are not accepted: check the credentials chain (IRSA, Pod Identity,"
            + " environment); retrying with backoff", e);
      case "ResourceNotFoundException", "NoSuchKey", "NoSuchBucket":
        return new AwsFailure(operation, Retry.NEVER, "NotFound", detail, e);
      case "ServiceException", "EC2ThrottledException", "EC2UnexpectedException", "ENILimitReachedException",
          "SubnetIPAddressLimitReachedException", "ResourceNotReadyException", "InternalFailure",
          "ServiceUnavailable", "InternalError":
        return new AwsFailure(operation, Retry.BACKOFF, "AwsServiceError", detail + " (retrying with backoff)", e);
      default:
        break;
    }
    if (status == 429 || status >= 500) {
      return new AwsFailure(operation, Retry.BACKOFF, "AwsServiceError", detail + " (retrying with backoff)", e);
    }
    if (status == 403) {
      return accessDenied(operation, detail, e);
    }
    // InvalidParameterValueException, RequestTooLargeException and the other 4xx: the request must change.
    return new AwsFailure(operation, Retry.NEVER, "InvalidParameter", detail, e);
  }

  private static AwsFailure accessDenied(String operation, String detail, AwsServiceException e) {
    return new AwsFailure(operation, Retry.NEVER, "AccessDenied",
        detail + ". Grant the operator's IAM identity " + iamAction(operation) + ".", e);
  }

  /** The IAM actions an API operation needs, and on what. */
  static String iamAction(String operation) {
    String actions = String.join(" and ", IamActions.of(operation));
    return switch (operation) {
      case "HeadObject" -> actions + " on the code bucket";
      case "Invoke" -> actions + " on the hook function";
      default -> actions;
    };
  }

  /** Reading a local resource (such as a zip being built) failed: not an AWS problem, but worth a retry. */
  public static AwsFailure io(String operation, UncheckedIOException e) {
    return new AwsFailure(operation, Retry.BACKOFF, "IOError", operation + ": " + e.getMessage(), e);
  }
}
