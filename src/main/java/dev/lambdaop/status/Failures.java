package dev.lambdaop.status;

import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.SpecProblem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import java.time.Duration;

/**
 * How a failed reconcile is reported and retried, for the reconcilers (and the metrics) alike: the condition reason
 * users see, and whether the SDK retries with backoff.
 */
public final class Failures {
  public static final String INTERNAL_ERROR = "InternalError";

  private Failures() {}

  /** The reason of the {@link SpecProblem} or {@link AwsFailure} behind {@code e}, or {@code InternalError}. */
  public static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SpecProblem p) {
        return p.reason();
      }
      if (t instanceof AwsFailure f) {
        return f.reason();
      }
    }
    return INTERNAL_ERROR;
  }

  /**
   * A problem with the spec is not retried (one another object can end, such as a function not created yet, is
   * looked at again after {@code recheck}); an AWS error that cannot succeed is not retried until the spec changes;
   * anything else is retried with the SDK's exponential backoff.
   */
  public static <R extends HasMetadata> ErrorStatusUpdateControl<R> control(Exception e, Duration recheck) {
    ErrorStatusUpdateControl<R> control = ErrorStatusUpdateControl.noStatusUpdate();
    if (e instanceof SpecProblem p) {
      return p.recheck() ? control.withNoRetry().rescheduleAfter(recheck) : control.withNoRetry();
    }
    return e instanceof AwsFailure f && f.retry() == AwsFailure.Retry.NEVER ? control.withNoRetry() : control;
  }
}
