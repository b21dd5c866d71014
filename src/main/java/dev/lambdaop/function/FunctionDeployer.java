package dev.lambdaop.function;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionConfig;
import dev.lambdaop.aws.FunctionSnapshot;
import dev.lambdaop.aws.Functions;
import dev.lambdaop.aws.ObservedFunction;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.status.Events;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the desired function to AWS: creates it, or applies a {@link FunctionPlan} to it (code first, since it may
 * carry the architecture, then configuration, then tags), and records in the status which code it deployed.
 *
 * <p>It never waits for AWS: after a create or an update it reads the state once (GetFunction, a request quota of
 * its own) and, while AWS is still at work (AWS refuses the next write until then), returns that state: the reconciler
 * looks again soon, and the next pass goes on from there (the status records the code sent, the planner then finds
 * only what is left). A configuration update whose outcome a later pass sees is remembered here, so that a setting
 * AWS accepted but does not report is still found out and not written again and again ({@link #checkTook}).
 */
final class FunctionDeployer {
  private static final Logger LOG = LoggerFactory.getLogger(FunctionDeployer.class);
  /** Configuration updates remembered at most (one per resource whose update a later pass verifies). */
  private static final int SENT_REMEMBERED = 10_000;

  private final Functions functions;
  private final Events events;
  /**
   * By resource uid: the attempt digest of the configuration update sent while AWS was still applying it when the
   * pass ended. In this process only: after a restart the update is sent once more, and verified then.
   */
  private final Map<String, String> configurationSent = Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > SENT_REMEMBERED;
        }
      });

  FunctionDeployer(Functions functions, Events events) {
    this.functions = functions;
    this.events = events;
  }

  /**
   * Creates the function; returns its state as read once right after (Pending while AWS creates it). When the status
   * shows that the
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
    FunctionSnapshot state = state(region, name);
    recordCode(status, desired, state);
    return state;
  }

  /**
   * Before a plan is applied to a settled function: a configuration update an earlier pass sent for this very spec
   * (and left while AWS applied it) that the function still does not show was accepted but not applied (see
   * {@link #verifyApplied}); otherwise the memory of it is dropped, and a later difference is drift, reverted.
   */
  void checkTook(LambdaFunction resource, DesiredFunction desired, ObservedFunction current, FunctionPlan plan) {
    String sent = configurationSent.remove(resource.getMetadata().getUid());
    if (sent != null && sent.equals(desired.attemptDigest()) && plan.updateConfiguration()) {
      verifyApplied(desired, current.config());
    }
  }

  /**
   * Applies a plan; returns the function's state, still unsettled while AWS applies an update (the rest of the plan
   * is then left to a later pass). Changes that the spec did not make are drift, reverted with a warning.
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
      state = state(region, name);
      recordCode(status, desired, state);
      if (!state.settled()) {
        return state; // the configuration and tags after AWS applied the code, in a later pass
      }
    }
    if (plan.updateConfiguration()) {
      functions.updateConfiguration(region, desired.config(), desired.code() instanceof CodeSource.Image,
          state.revisionId());
      ObservedFunction after = functions.get(region, name).orElseThrow(() -> gone(name));
      state = after.snapshot();
      if (state.settled()) {
        verifyApplied(desired, after.config());
      } else {
        configurationSent.put(resource.getMetadata().getUid(), desired.attemptDigest());
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
  private static void verifyApplied(DesiredFunction desired, FunctionConfig after) {
    String name = desired.config().functionName();
    List<String> notApplied = FunctionPlanner.configurationChanges(desired.config(), after);
    if (!notApplied.isEmpty()) {
      throw new AwsFailure("UpdateFunctionConfiguration", AwsFailure.Retry.NEVER, "UpdateNotApplied",
          "AWS accepted the update of " + name + " but still reports different " + String.join(", ", notApplied)
              + "; not retrying until the spec changes", null);
    }
  }

  /** The function's state right after a write: one read. */
  private FunctionSnapshot state(String region, String name) {
    return functions.state(region, name).orElseThrow(() -> gone(name));
  }

  private static AwsFailure gone(String name) {
    return new AwsFailure("GetFunction", AwsFailure.Retry.SOON, "NotFound",
        "function " + name + " disappeared right after it was written", null);
  }

  private static void recordCode(LambdaFunctionStatus status, DesiredFunction desired, FunctionSnapshot state) {
    status.codeIdentity = desired.code().identity();
    status.codeSha256 = state.codeSha256();
  }
}
