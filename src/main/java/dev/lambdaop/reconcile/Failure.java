package dev.lambdaop.reconcile;

/**
 * Why a reconcile failed, in terms a user can act on: the condition {@link #reason()}, a message that never carries
 * a secret value, and what happens next ({@link #retryPolicy()}). {@link FailureReport} turns every failure, of every
 * kind, into a Ready=False condition, an event and the SDK's retry decision.
 */
public sealed class Failure extends RuntimeException permits AwsFailure, SpecProblem, Deferred {
  /** What happens after the failure. */
  public enum RetryPolicy {
    /** Retried with the SDK's exponential backoff (throttling, outages, conflicts, interruptions). */
    BACKOFF,
    /** Not retried; looked at again after the kind's recheck period (another object may end the problem). */
    RECHECK,
    /** Not retried until the spec (or an object it references) changes. */
    UNTIL_SPEC_CHANGES
  }

  private final String reason;
  private final RetryPolicy retryPolicy;
  private String rejectedSpec;

  Failure(String reason, RetryPolicy retryPolicy, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
    this.retryPolicy = retryPolicy;
  }

  /** The operator stopped waiting (for the write budget, for AWS) because its thread was interrupted: shutdown. */
  public static Failure interrupted(String what, InterruptedException cause) {
    return new Failure("Interrupted", RetryPolicy.BACKOFF, "interrupted while " + what, cause);
  }

  /** The condition reason users see. */
  public String reason() {
    return reason;
  }

  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /** Marks the failure as AWS's refusal of the spec with this digest: that spec is not tried again. */
  public Failure rejecting(String specDigest) {
    this.rejectedSpec = specDigest;
    return this;
  }

  /**
   * The same failure (reason, retry policy, refused spec) saying {@code message} instead, without a cause: for a
   * message that had to be redacted, whose cause (AWS's exception) still carries the original text.
   */
  public Failure withMessage(String message) {
    Failure f = new Failure(reason, retryPolicy, message, null);
    f.rejectedSpec = rejectedSpec;
    return f;
  }

  /** The digest of the spec AWS refused, or null. */
  public String rejectedSpec() {
    return rejectedSpec;
  }

  /** The failure behind {@code e} (itself or a cause), or null for an unexpected error. */
  public static Failure of(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Failure f) {
        return f;
      }
    }
    return null;
  }
}
