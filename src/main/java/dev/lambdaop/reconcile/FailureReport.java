package dev.lambdaop.reconcile;

import java.time.Duration;

/**
 * How a failed reconcile is reported and retried, for every kind (and the reconcile metrics): the Ready condition's
 * reason and message, and whether the SDK retries.
 */
public final class FailureReport {
  public static final String INTERNAL_ERROR = "InternalError";

  private FailureReport() {}

  /** The condition reason for {@code e}: the reason of the {@link Failure} behind it, or {@code InternalError}. */
  public static String reason(Throwable e) {
    Failure f = Failure.of(e);
    return f == null ? INTERNAL_ERROR : f.reason();
  }

  /** The condition message for {@code e}; an unexpected error is named by its class, since its message may be null. */
  public static String message(Throwable e) {
    Failure f = Failure.of(e);
    return f != null ? String.valueOf(f.getMessage()) : e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  /**
   * What happens next: {@link Failure.RetryPolicy#BACKOFF} and unexpected errors are retried with the SDK's
   * exponential backoff; {@link Failure.RetryPolicy#RECHECK} is looked at again after {@code recheck};
   * {@link Failure.RetryPolicy#UNTIL_SPEC_CHANGES} waits for a change of the spec.
   */
  public static Failure.RetryPolicy policy(Throwable e) {
    Failure f = Failure.of(e);
    return f == null ? Failure.RetryPolicy.BACKOFF : f.retryPolicy();
  }

  /** When to look again for a failure that is not retried: after {@code recheck}, or null for a change only. */
  public static Duration recheckAfter(Throwable e, Duration recheck) {
    return policy(e) == Failure.RetryPolicy.RECHECK ? recheck : null;
  }
}
