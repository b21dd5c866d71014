package dev.lambdaop.reconcile;

/**
 * An AWS call that failed, mapped to what a user can act on. {@link #retry()} says whether trying again can
 * succeed; {@link #reason()} is the condition reason users see; the message never carries a secret value.
 */
public final class AwsFailure extends Failure {
  /** Whether and how soon a failed call is worth repeating. */
  public enum Retry {
    /** The request itself is wrong: nothing changes until the spec does. */
    NEVER,
    /** Someone else changed the function, or an update is in progress: re-read and retry soon. */
    SOON,
    /** Throttling, service errors, timeouts: retry with exponential backoff. */
    BACKOFF
  }

  private final String operation;
  private final Retry retry;

  public AwsFailure(String operation, Retry retry, String reason, String message, Throwable cause) {
    super(reason, retry == Retry.NEVER ? RetryPolicy.UNTIL_SPEC_CHANGES : RetryPolicy.BACKOFF, message, cause);
    this.operation = operation;
    this.retry = retry;
  }

  @Override
  public AwsFailure withMessage(String message) {
    AwsFailure f = new AwsFailure(operation, retry, reason(), message, null);
    return rejectedSpec() == null ? f : (AwsFailure) f.rejecting(rejectedSpec());
  }

  public String operation() {
    return operation;
  }

  public Retry retry() {
    return retry;
  }
}
