package dev.lambdaop.cli;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.shift.ShiftStep;
import dev.lambdaop.shift.TrafficShiftPlan;
import java.util.List;

/**
 * promote, promote --full, abort, retry, pause and resume: for an alias as it is now, either the patch that asks
 * the operator for it (exactly the field the operator reads) or why it makes no sense. Pure.
 *
 * <p>Controls live in status (Argo Rollouts style) and are set with a merge patch of the status subresource:
 * status.promote ends the current pause, status.promoteFull sends all traffic to the new version, status.abort=true
 * rolls back and status.abort=false retries. Pause and resume write spec.paused.
 */
public final class AliasActions {
  private AliasActions() {}

  public enum Action {
    PROMOTE,
    PROMOTE_FULL,
    ABORT,
    RETRY,
    PAUSE,
    RESUME
  }

  public sealed interface Outcome permits Patch, Refusal {}

  /**
   * A JSON merge patch to send.
   *
   * @param statusSubresource whether it goes to the status subresource (controls) or the resource (spec)
   * @param json the merge patch
   * @param confirmation the line printed once it is applied
   */
  public record Patch(boolean statusSubresource, String json, String confirmation) implements Outcome {}

  /** The action makes no sense now; nothing is sent. */
  public record Refusal(String message) implements Outcome {}

  public static Outcome decide(Action action, LambdaAlias alias) {
    String name = alias.getMetadata().getName();
    LambdaAliasSpec spec = alias.getSpec() == null ? new LambdaAliasSpec() : alias.getSpec();
    LambdaAliasStatus status = alias.getStatus();
    boolean degraded = status != null && (status.phase == Phase.Degraded || status.abortRequested());
    boolean shifting = status != null && status.shifting() && !degraded;
    String stable = status == null || status.stableVersion == null ? "?" : status.stableVersion;
    return switch (action) {
      case PROMOTE, PROMOTE_FULL -> promote(action == Action.PROMOTE_FULL, name, spec, status, degraded, shifting,
          stable);
      case ABORT -> {
        if (status == null || status.phase == null) {
          yield new Refusal(notReported(name, "abort"));
        }
        if (degraded) {
          yield new Refusal(name + " is " + status.degradedAs().words() + " already (all traffic on version "
              + stable + "); `kubectl lambdaop retry " + name + "` restarts the shift");
        }
        if (!shifting) {
          yield new Refusal("no shift runs on " + name + ": all traffic is on version " + stable
              + "; nothing to abort");
        }
        yield new Patch(true, "{\"status\":{\"abort\":true}}", name + ": abort requested: all traffic goes back "
            + "to version " + stable + "; `kubectl lambdaop retry " + name + "` restarts the shift to version "
            + status.canaryVersion);
      }
      case RETRY -> {
        if (status != null && status.abortRequested()) {
          yield new Patch(true, "{\"status\":{\"abort\":false}}", name + ": retry requested: the shift"
              + (status.canaryVersion == null ? "" : " to version " + status.canaryVersion)
              + " restarts from its first step");
        }
        if (status != null && status.phase == Phase.Degraded) {
          yield new Refusal("a retry of " + name + " is under way already (status.abort is false; the operator "
              + "has not caught up yet)");
        }
        yield new Refusal("nothing to retry: " + name + " is "
            + (status == null || status.phase == null ? "not reported on by the operator yet" : status.phase)
            + "; retry restarts a shift that was rolled back or aborted");
      }
      case PAUSE -> {
        if (Boolean.TRUE.equals(spec.paused)) {
          yield new Refusal(name + " is paused already (spec.paused is true); `kubectl lambdaop resume " + name
              + "` goes on");
        }
        String what = shifting
            ? "the shift to version " + status.canaryVersion + " holds at " + status.canaryPercent() + "%"
            : "no shift runs now; the next one will hold at 0% until resumed";
        yield new Patch(false, "{\"spec\":{\"paused\":true}}", name + ": paused (spec.paused=true): " + what
            + retryNote(status, "holds at 0%"));
      }
      case RESUME -> {
        if (!Boolean.TRUE.equals(spec.paused)) {
          yield new Refusal(name + " is not paused (spec.paused is not true); nothing to resume");
        }
        String what = shifting ? "the shift to version " + status.canaryVersion
            + " goes on with the time its step had left" : "nothing held";
        yield new Patch(false, "{\"spec\":{\"paused\":false}}", name + ": resumed (spec.paused=false): " + what
            + retryNote(status, "starts again"));
      }
    };
  }

  private static Outcome promote(boolean full, String name, LambdaAliasSpec spec, LambdaAliasStatus status,
      boolean degraded, boolean shifting, String stable) {
    String verb = full ? "promote --full" : "promote";
    if (status == null || status.phase == null) {
      return new Refusal(notReported(name, verb));
    }
    if (degraded) {
      return new Refusal("the shift of " + name + (status.canaryVersion == null ? "" : " to version "
          + status.canaryVersion) + " was " + status.degradedAs().words() + "; `kubectl lambdaop retry " + name
          + "` restarts it");
    }
    if (!shifting) {
      return new Refusal("no shift runs on " + name + ": all traffic is on version " + stable
          + "; nothing to promote");
    }
    if (status.canaryPercent() >= 100) {
      return new Refusal("all traffic of " + name + " is on version " + status.canaryVersion + " already; the "
          + "post-traffic hook decides whether it becomes stable");
    }
    if (full) {
      if (status.promoteFullRequested()) {
        return new Refusal("a full promotion of " + name + " is pending already");
      }
      return new Patch(true, "{\"status\":{\"promoteFull\":true}}", name + ": full promotion requested: 100% of "
          + "traffic to version " + status.canaryVersion + " now");
    }
    if (status.promoteRequested()) {
      return new Refusal("a promote of " + name + " is pending already");
    }
    if (Boolean.TRUE.equals(spec.paused)) {
      return new Refusal(name + " is paused by spec.paused: `kubectl lambdaop resume " + name + "` first, or "
          + "`kubectl lambdaop promote " + name + " --full` to send all traffic to version "
          + status.canaryVersion + " now");
    }
    return new Patch(true, "{\"status\":{\"promote\":true}}", name + ": promote requested: "
        + currentPause(spec, status));
  }

  /** "ends the current pause (step 2 of 4: wait 3m) and goes on with setWeight 50" */
  private static String currentPause(LambdaAliasSpec spec, LambdaAliasStatus status) {
    List<ShiftStep> steps;
    try {
      steps = TrafficShiftPlan.steps(spec.deployment);
    } catch (RuntimeException e) {
      return "ends the current pause";
    }
    int index = status.currentStepIndex == null ? 0 : status.currentStepIndex;
    if (index >= steps.size()) {
      return "ends the current pause";
    }
    String next = index + 1 < steps.size() ? StatusView.describe(steps.get(index + 1))
        : "100% on version " + status.canaryVersion;
    return "ends the current pause (step " + (index + 1) + " of " + steps.size() + ": "
        + StatusView.describe(steps.get(index)) + ") and goes on with " + next;
  }

  private static String retryNote(LambdaAliasStatus status, String how) {
    if (status != null && status.phase == Phase.Degraded && status.rollbackHeld()) {
      return "; note: a spec change retries a rolled-back shift, so the shift to version " + status.canaryVersion
          + " " + how;
    }
    return "";
  }

  private static String notReported(String name, String verb) {
    return "the operator has not reported on " + name + " yet; nothing to " + verb;
  }
}
