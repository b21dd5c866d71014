package dev.lambdaop.alias;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;

/**
 * Registered so that LambdaAlias resources are watched and their state is visible. This release does not yet
 * manage aliases in AWS: it says so in the Ready condition instead of pretending, and changes nothing in AWS.
 */
@ControllerConfiguration(name = "lambdaalias")
public class LambdaAliasReconciler implements Reconciler<LambdaAlias> {
  private final Clock clock;

  public LambdaAliasReconciler(Clock clock) {
    this.clock = clock;
  }

  @Override
  public UpdateControl<LambdaAlias> reconcile(LambdaAlias resource, Context<LambdaAlias> context) {
    LambdaAliasStatus status = resource.getStatus() == null ? new LambdaAliasStatus() : resource.getStatus();
    status.observedGeneration = resource.getMetadata().getGeneration();
    Conditions.set(status.conditions, Conditions.READY, false, "NotImplemented",
        "this lambda-operator release does not manage aliases yet; nothing was changed in AWS",
        resource.getMetadata().getGeneration(), clock.instant());
    LambdaAlias patch = new LambdaAlias();
    patch.setMetadata(new ObjectMetaBuilder().withName(resource.getMetadata().getName())
        .withNamespace(resource.getMetadata().getNamespace()).build());
    patch.setStatus(status);
    return UpdateControl.patchStatus(patch);
  }
}
