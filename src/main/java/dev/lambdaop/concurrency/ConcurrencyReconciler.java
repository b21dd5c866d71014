package dev.lambdaop.concurrency;

import dev.lambdaop.api.Concurrency;
import dev.lambdaop.api.ConcurrencyStatus;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;

/**
 * Registered so that Concurrency resources are watched and their state is visible. This release does not yet
 * manage reserved concurrency in AWS: it says so in the Ready condition instead of pretending.
 */
@ControllerConfiguration(name = "concurrency")
public class ConcurrencyReconciler implements Reconciler<Concurrency> {
  private final Clock clock;

  public ConcurrencyReconciler(Clock clock) {
    this.clock = clock;
  }

  @Override
  public UpdateControl<Concurrency> reconcile(Concurrency resource, Context<Concurrency> context) {
    ConcurrencyStatus status = resource.getStatus() == null ? new ConcurrencyStatus() : resource.getStatus();
    status.observedGeneration = resource.getMetadata().getGeneration();
    Conditions.set(status.conditions, Conditions.READY, false, "NotImplemented",
        "this lambda-operator release does not manage reserved concurrency yet; nothing was changed in AWS",
        resource.getMetadata().getGeneration(), clock.instant());
    Concurrency patch = new Concurrency();
    patch.setMetadata(new ObjectMetaBuilder().withName(resource.getMetadata().getName())
        .withNamespace(resource.getMetadata().getNamespace()).build());
    patch.setStatus(status);
    return UpdateControl.patchStatus(patch);
  }
}
