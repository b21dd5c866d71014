package dev.lambdaop.observability;

import dev.lambdaop.reconcile.Deferred;
import dev.lambdaop.reconcile.Failure;
import dev.lambdaop.reconcile.FailureReport;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;

/**
 * The SDK's reconcile events as metrics: reconciles started (and how many of them retries), errors by reason, and
 * how long reconciles and cleanups took. Unlike the SDK's Micrometer module, it times without wrapping the
 * reconciler's exception, so that the reconcilers' error handling sees the exception they threw.
 */
final class ReconcileMetrics implements Metrics {
  private final MeterRegistry registry;

  ReconcileMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    Counter.builder("lambdaop.reconciles").description("Reconciles started, by kind; retry=true after an error")
        .tags("kind", resource.getKind(), "retry", String.valueOf(retryInfo != null)).register(registry).increment();
  }

  @Override
  public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
    if (Failure.of(exception) instanceof Deferred) {
      // Not an error: an AWS request waits for its turn in the budget (lambdaop_aws_budget_deferred_total).
      return;
    }
    Counter.builder("lambdaop.reconcile.errors").description("Reconciles that ended in an error, by kind and reason")
        .tags("kind", resource.getKind(), "reason", FailureReport.reason(exception)).register(registry).increment();
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    Timer.Sample sample = Timer.start(registry);
    String outcome = "error";
    try {
      T result = execution.execute();
      outcome = "success";
      return result;
    } finally {
      sample.stop(Timer.builder("lambdaop.reconcile.duration").description("How long reconciles and cleanups took")
          .tags("controller", execution.controllerName(), "operation", execution.name(), "outcome", outcome)
          .register(registry));
    }
  }
}
