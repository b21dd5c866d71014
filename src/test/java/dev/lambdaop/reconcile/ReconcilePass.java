package dev.lambdaop.reconcile;

import dev.lambdaop.api.ReconciledStatus;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.util.Optional;

/**
 * One reconcile as JOSDK runs it, for the reconciler tests: {@code inAccount} (the namespace's account, then the
 * kind's {@code reconcile}, in the test's {@code Work}: its urgency kept), or when it throws, the failure path
 * ({@code updateErrorStatus}) with the same resource object and the exception. Exactly one of {@code done} and
 * {@code failed} is set; {@code error} is the exception, when there was one.
 *
 * @param <R> the kind
 */
public record ReconcilePass<R extends CustomResource<?, ?>>(UpdateControl<R> done, Exception error,
    ErrorStatusUpdateControl<R> failed) {

  /** Runs one pass over {@code resource}: pass what the cluster holds now ({@link InMemoryCluster#read}). */
  public static <R extends CustomResource<?, S>, S extends ReconciledStatus> ReconcilePass<R> run(
      ResourceReconciler<R, S> reconciler, R resource, Cluster<R> cluster) {
    try {
      return new ReconcilePass<>(reconciler.inAccount(resource, cluster), null, null);
    } catch (Exception e) {
      return new ReconcilePass<>(null, e, reconciler.updateErrorStatus(resource, cluster, e));
    }
  }

  /** The pass failed and JOSDK retries it, with its backoff. */
  public boolean retried() {
    return failed != null && !failed.isNoRetry();
  }

  /** The pass failed and JOSDK does not retry it (it may still be rescheduled: {@link #next()}). */
  public boolean noRetry() {
    return failed != null && failed.isNoRetry();
  }

  /** When the pass asked to be called again, if it did: from its UpdateControl or its ErrorStatusUpdateControl. */
  public Optional<Duration> next() {
    return (done != null ? done.getScheduleDelay() : failed.getScheduleDelay()).map(Duration::ofMillis);
  }
}
