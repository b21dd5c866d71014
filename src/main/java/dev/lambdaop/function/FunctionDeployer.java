package dev.lambdaop.function;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionSnapshot;
import dev.lambdaop.aws.Functions;
import dev.lambdaop.aws.ObservedFunction;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.status.Events;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the desired function to AWS: creates it, or applies a {@link FunctionPlan} to it (code first, since it may
 * carry the architecture, then configuration, then tags), and records in the status which code it deployed.
 */
final class FunctionDeployer {
  private static final Logger LOG = LoggerFactory.getLogger(FunctionDeployer.class);
  /** How long one reconcile waits for an update to finish before it looks again later. */
  private static final Duration SETTLE_WAIT = Duration.ofSeconds(10);

  private final Functions functions;
  private final Events events;

  FunctionDeployer(Functions functions, Events events) {
    this.functions = functions;
    this.events = events;
  }

  /**
   * Creates the function; returns its state after waiting a while for it to settle. When the status shows that the
   * operator had created it before (it has its ARN), the function was deleted outside the operator: it is created
   * again, with a warning, and the status no longer names the versions that went with it.
   */
  FunctionSnapshot create(LambdaFunction resource, DesiredFunction desired, LambdaFunctionStatus status) {
    String region = desired.region();
    String name = desired.config().functionName();
    functions.create(region, desired.config(), desired.code());
    if (status.functionArn == null) {
      events.normal(resource, "Created", "created function " + name + " in " + region);
    } else {
      List<String> gone = status.versions.stream().map(v -> v.version).toList();
      events.warning(resource, "FunctionRecreated", "function " + name + " was not found in " + region
          + " (deleted outside the operator) and was created again from the spec"
          + (gone.isEmpty() ? "" : "; its " + (gone.size() == 1 ? "version " : "versions ") + String.join(", ", gone)
              + (gone.size() == 1 ? " is" : " are") + " gone with it"));
      status.versions = new ArrayList<>();
      status.latestVersion = null;
    }
    FunctionSnapshot state = functions.awaitSettled(region, name, SETTLE_WAIT);
    recordCode(status, desired, state);
    return state;
  }

  /**
   * Applies a plan; returns the function's state, still unsettled when an update outlasted the wait. Changes that
   * the spec did not make are drift, reverted with a warning.
   */
  FunctionSnapshot apply(LambdaFunction resource, DesiredFunction desired, ObservedFunction current,
      FunctionPlan plan, LambdaFunctionStatus status) {
    String region = desired.region();
    String name = desired.config().functionName();
    boolean specChanged = !desired.specDigest().equals(status.specDigest)
        || !resource.getMetadata().getGeneration().equals(status.observedGeneration);
    if (!specChanged) {
      events.warning(resource, "DriftReverted", "reverting changes made outside the operator to: " + plan.describe());
    }
    FunctionSnapshot state = current.snapshot();
    if (plan.updateCode()) {
      functions.updateCode(region, name, desired.code(), desired.config().architecture(), state.revisionId());
      state = functions.awaitSettled(region, name, SETTLE_WAIT);
      recordCode(status, desired, state);
      if (!state.settled()) {
        return state;
      }
    }
    if (plan.updateConfiguration()) {
      functions.updateConfiguration(region, desired.config(), desired.code() instanceof CodeSource.Image,
          state.revisionId());
      state = functions.awaitSettled(region, name, SETTLE_WAIT);
      if (state.settled()) {
        verifyApplied(desired);
      }
    }
    if (!plan.tagsToSet().isEmpty()) {
      functions.tag(region, name, state.functionArn(), plan.tagsToSet());
    }
    if (!plan.tagsToRemove().isEmpty()) {
      functions.untag(region, name, state.functionArn(), plan.tagsToRemove());
    }
    if (specChanged) {
      events.normal(resource, "Updated", "updated " + plan.describe());
    }
    LOG.info("{}/{}: updated {}", resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
        plan.describe());
    return state;
  }

  /**
   * Reads the function back after a configuration update. If AWS accepted the update but still reports other values
   * (an endpoint that ignores a setting, or normalises it differently), writing again at every resync would loop
   * forever: instead the resource says which settings did not take, and waits for the spec to change.
   */
  private void verifyApplied(DesiredFunction desired) {
    String name = desired.config().functionName();
    functions.get(desired.region(), name).ifPresent(after -> {
      List<String> notApplied = FunctionPlanner.configurationChanges(desired.config(), after.config());
      if (!notApplied.isEmpty()) {
        throw new AwsFailure("UpdateFunctionConfiguration", AwsFailure.Retry.NEVER, "UpdateNotApplied",
            "AWS accepted the update of " + name + " but still reports different " + String.join(", ", notApplied)
                + "; not retrying until the spec changes", null);
      }
    });
  }

  private static void recordCode(LambdaFunctionStatus status, DesiredFunction desired, FunctionSnapshot state) {
    status.codeIdentity = desired.code().identity();
    status.codeSha256 = state.codeSha256();
  }
}
