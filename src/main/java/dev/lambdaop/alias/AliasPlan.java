package dev.lambdaop.alias;

import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.api.LambdaAliasStatus.ShiftRecord;
import dev.lambdaop.shift.ShiftPlanner;
import dev.lambdaop.shift.ShiftPlanner.Controls;
import dev.lambdaop.shift.ShiftPlanner.Decision;
import dev.lambdaop.shift.ShiftStep;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * Decides where an alias routes and what its status says, from the target version, the status (the shift's stored
 * position and the user's controls), the steps of the deployment and the time. Pure: the reconciler reads AWS and
 * Kubernetes, this decides, the reconciler writes.
 */
public final class AliasPlan {
  static final int HISTORY = 10;

  private AliasPlan() {}

  /** The routing the alias must have: all traffic on {@code version} but {@code weight} on {@code additional}. */
  public record Routing(String version, String additional, double weight) {
    static Routing only(String version) {
      return new Routing(version, null, 0);
    }
  }

  /**
   * The decision: the routing, and when to look again (null: on a change only). The status passed in is updated in
   * place.
   */
  public record Outcome(Routing routing, Instant nextAt, boolean clearPromoteFull, Boolean writeAbort,
      boolean runPostTrafficHook, boolean clearPromote) {
    Outcome(Routing routing, Instant nextAt, boolean clearPromoteFull) {
      this(routing, nextAt, clearPromoteFull, null, false, false);
    }
  }

  /**
   * What the reconciler found out about the running shift.
   *
   * @param rollbackReason why traffic must go back to stable now (an alarm, the error rate, a failed hook), or null
   * @param postTrafficHook whether a post-traffic hook must pass before the new version becomes stable
   * @param postTrafficHookPassed whether it passed for this shift
   */
  public record Checks(String rollbackReason, boolean postTrafficHook, boolean postTrafficHookPassed) {
    public static final Checks NONE = new Checks(null, false, false);
  }

  /**
   * @param target the version the spec asks for
   * @param observedVersion the version the alias routes to in AWS now, or null when it does not exist
   * @param manualRouting spec.routing.additionalVersionWeights, or null
   * @param steps the deployment's steps (empty: all at once)
   * @param paused spec.paused
   */
  public static Outcome decide(String target, String observedVersion, Map<String, Double> manualRouting,
      List<ShiftStep> steps, boolean paused, LambdaAliasStatus status, Instant now) {
    return decide(target, observedVersion, manualRouting, steps, paused, Checks.NONE, status, now);
  }

  public static Outcome decide(String target, String observedVersion, Map<String, Double> manualRouting,
      List<ShiftStep> steps, boolean paused, Checks checks, LambdaAliasStatus status, Instant now) {
    String stable = status.stableVersion != null ? status.stableVersion
        : observedVersion != null ? observedVersion : target;
    status.stableVersion = stable;

    if (manualRouting != null && !manualRouting.isEmpty()) {
      var entry = manualRouting.entrySet().iterator().next();
      endShift(status);
      status.stableVersion = target;
      status.phase = Phase.Healthy;
      status.message = "routing " + Math.round(entry.getValue() * 100) + "% to version " + entry.getKey()
          + " and the rest to version " + target + " (spec.routing)";
      return noShift(new Routing(target, entry.getKey(), entry.getValue()), status);
    }
    if (Boolean.TRUE.equals(status.abort)) {
      if (status.canaryVersion != null && status.phase != Phase.Degraded) {
        record(status, status.canaryVersion, "Aborted", "status.abort was set", now);
      }
      status.phase = Phase.Degraded;
      status.canaryWeight = 0;
      status.currentStepIndex = 0;
      status.stepStartedAt = null;
      status.pauseConditions.clear();
      status.message = "aborted: all traffic on version " + stable + "; set status.abort to false to retry"
          + (status.canaryVersion == null ? "" : " the shift to version " + status.canaryVersion);
      return new Outcome(Routing.only(stable), null, false);
    }
    if (target.equals(stable)) {
      if (status.canaryVersion != null) {
        record(status, status.canaryVersion, "Superseded", "the spec went back to version " + stable, now);
      }
      endShift(status);
      status.phase = Phase.Healthy;
      status.message = "all traffic on version " + stable;
      return noShift(Routing.only(stable), status);
    }
    if (status.canaryVersion != null && !status.canaryVersion.equals(target)) {
      // A new version while a shift runs: the running one ends, traffic goes back to stable, and the new shift
      // starts from there.
      record(status, status.canaryVersion, "Superseded", "version " + target + " replaced it", now);
      endShift(status);
    }
    if (status.canaryVersion == null) {
      status.canaryVersion = target;
      status.currentStepIndex = 0;
      status.stepStartedAt = text(now);
      status.shiftStartedAt = text(now);
    }
    if (checks.rollbackReason() != null) {
      // Automatic rollback: as an abort, until the spec changes or the user clears status.abort.
      record(status, target, "RolledBack", checks.rollbackReason(), now);
      status.phase = Phase.Degraded;
      status.canaryWeight = 0;
      status.currentStepIndex = 0;
      status.stepStartedAt = null;
      status.pauseConditions.clear();
      status.message = "rolled back to version " + stable + ": " + checks.rollbackReason()
          + "; set status.abort to false, or change the spec, to retry";
      return new Outcome(Routing.only(stable), null, false, Boolean.TRUE, false, false);
    }
    Decision d = ShiftPlanner.evaluate(steps,
        new ShiftPlanner.Position(orZero(status.currentStepIndex), instant(status.stepStartedAt, now),
            pausedSince(status)),
        new Controls(paused, Boolean.TRUE.equals(status.promote), Boolean.TRUE.equals(status.promoteFull)), now);
    if (d.state() == ShiftPlanner.State.COMPLETE && checks.postTrafficHook() && !checks.postTrafficHookPassed()) {
      // All traffic on the new version, which becomes stable only once the post-traffic hook passed.
      status.currentStepIndex = d.stepIndex();
      status.canaryWeight = 100;
      status.phase = Phase.Progressing;
      status.message = "100% on version " + target + "; running the post-traffic hook";
      return new Outcome(Routing.only(target), null, false, null, true, d.promoteUsed());
    }
    if (d.state() == ShiftPlanner.State.COMPLETE) {
      record(status, target, "Promoted", Boolean.TRUE.equals(status.promoteFull) ? "status.promoteFull" : "all steps done", now);
      endShift(status);
      status.stableVersion = target;
      status.phase = Phase.Healthy;
      status.message = "all traffic on version " + target;
      return new Outcome(Routing.only(target), null, Boolean.TRUE.equals(status.promoteFull), null, false,
          d.promoteUsed());
    }
    status.currentStepIndex = d.stepIndex();
    status.stepStartedAt = text(d.stepStartedAt());
    status.canaryWeight = d.weight();
    status.pauseConditions.clear();
    if (d.pausedSince() != null) {
      LambdaAliasStatus.PauseCondition pause = new LambdaAliasStatus.PauseCondition();
      pause.reason = "PausedBySpec";
      pause.startTime = text(d.pausedSince());
      status.pauseConditions.add(pause);
    }
    if (d.state() == ShiftPlanner.State.WAITING_FOR_PROMOTE) {
      // an indefinite pause step: held until status.promote or status.promoteFull
      LambdaAliasStatus.PauseCondition pause = new LambdaAliasStatus.PauseCondition();
      pause.reason = "PausedByStep";
      pause.startTime = text(d.stepStartedAt());
      status.pauseConditions.add(pause);
    }
    status.phase = d.state() == ShiftPlanner.State.PAUSED ? Phase.Paused : Phase.Progressing;
    status.message = "shifting " + d.describe(steps.size()).replaceFirst("%", "% to version " + target);
    Routing routing = d.weight() == 0 ? Routing.only(stable) : new Routing(stable, target, d.weight() / 100.0);
    return new Outcome(routing, d.nextAt(), false, null, false, d.promoteUsed());
  }

  /**
   * No shift runs: a promote or promoteFull set now has nothing to act on and is cleared, so that it does not skip
   * a pause of the next shift (or end it at once) long after it was asked for.
   */
  private static Outcome noShift(Routing routing, LambdaAliasStatus status) {
    return new Outcome(routing, null, Boolean.TRUE.equals(status.promoteFull), null, false,
        Boolean.TRUE.equals(status.promote));
  }

  private static void endShift(LambdaAliasStatus status) {
    status.canaryVersion = null;
    status.canaryWeight = null;
    status.currentStepIndex = null;
    status.stepStartedAt = null;
    status.shiftStartedAt = null;
    status.pauseConditions.clear();
  }

  private static void record(LambdaAliasStatus status, String toVersion, String result, String reason, Instant now) {
    ShiftRecord r = new ShiftRecord();
    r.fromVersion = status.stableVersion;
    r.toVersion = toVersion;
    r.result = result;
    r.reason = reason;
    r.startedAt = status.shiftStartedAt;
    r.finishedAt = text(now);
    status.history.add(0, r);
    while (status.history.size() > HISTORY) {
      status.history.remove(status.history.size() - 1);
    }
  }

  private static Instant pausedSince(LambdaAliasStatus status) {
    return status.pauseConditions.stream().filter(p -> "PausedBySpec".equals(p.reason)).findFirst()
        .map(p -> Instant.parse(p.startTime)).orElse(null);
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }

  private static Instant instant(String text, Instant fallback) {
    return text == null ? fallback : Instant.parse(text);
  }

  private static String text(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }
}
