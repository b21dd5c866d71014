package dev.lambdaop.reconcile;

import java.time.Duration;

/**
 * Not a failure of the resource: an AWS request could not go now (the operator's request budget is spent for this
 * urgency, or AWS throttled), so the reconcile stops here and is rescheduled after {@link #waitFor()}. Reconciles
 * are idempotent: the next pass picks up where this one stopped. Nothing is written to the status or the events;
 * the metrics count it.
 */
public final class Deferred extends Failure {
  /** The condition reason it would have: only metrics and debug logs show it. */
  public static final String REASON = "Deferred";

  private final Duration waitFor;

  public Deferred(String message, Duration waitFor) {
    super(REASON, RetryPolicy.BACKOFF, message, null);
    this.waitFor = waitFor;
  }

  /** When the reconcile is to run again. */
  public Duration waitFor() {
    return waitFor;
  }

  /** Its message names a budget and a wait, never a value: nothing to redact. */
  @Override
  public Deferred withMessage(String message) {
    return this;
  }
}
