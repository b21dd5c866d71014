package dev.lambdaop.alias;

import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.Hooks;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.api.LambdaAliasStatus.PauseCondition;
import dev.lambdaop.api.LambdaAliasStatus.ShiftRecord;
import dev.lambdaop.api.LambdaAliasStatus.ShiftResult;
import dev.lambdaop.shift.ShiftPlanner;
import dev.lambdaop.shift.ShiftPlanner.Controls;
import dev.lambdaop.shift.ShiftStep;
import dev.lambdaop.shift.TrafficShiftPlan;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides where an alias routes and what its status says, from what the spec asks for, the version AWS routes to,
 * the status (the shift's stored position and the user's controls), the shift's checks and the time. Pure: it
 * returns a new status and never changes the one it is given; the reconciler reads AWS and Kubernetes, this
 * decides, the reconciler writes. The phase and the Ready, Progressing and Degraded conditions are decided here.
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

  /** The user's controls that the operator sets back to false once used. */
  public enum Control {
    PROMOTE,
    PROMOTE_FULL
  }

  /** What to write into status.abort, the user's control, which the operator's apply never owns. */
  public enum AbortWrite {
    NONE,
    /** A rollback: it holds like an abort until the spec changes or the user clears it. */
    SET,
    /** The spec changed since the operator rolled back: the shift is tried again. */
    CLEAR
  }

  /**
   * What the spec asks for.
   *
   * @param version the version it targets (for 'latest', as resolved)
   * @param manualRouting spec.routing.additionalVersionWeights, or null
   * @param deployment spec.deployment, or null (all at once)
   * @param paused spec.paused
   * @param generation metadata.generation
   */
  public record Wanted(String version, Map<String, Double> manualRouting, LambdaAliasSpec.Deployment deployment,
      boolean paused, Long generation) {
    public static Wanted of(LambdaAliasSpec spec, String version, Long generation) {
      return new Wanted(version, spec.routing == null ? null : spec.routing.additionalVersionWeights,
          spec.deployment, Boolean.TRUE.equals(spec.paused), generation);
    }

    boolean postTrafficHook() {
      return deployment != null && deployment.postTrafficHook != null;
    }
  }

  /**
   * What {@link ShiftChecks} found before the routing of this pass.
   *
   * @param hooks the shift's hook results after the checks (a pre-traffic hook that ran now included), or null
   *     when no shift was checked
   * @param rollbackReason why traffic must go back to stable now (a failed pre-traffic hook, an alarm, the error
   *     rate), or null
   * @param preTrafficRunning the pre-traffic hook of this shift runs (hooks.preTraffic is its Running record): no
   *     traffic moves until it answered
   * @param provisionedWarming AWS still allocates the alias's provisioned concurrency (IN_PROGRESS), as how much of
   *     how much; null when it is READY or the alias has none: a shift's next step waits until it is READY
   */
  public record Checks(Hooks hooks, String rollbackReason, boolean preTrafficRunning, String provisionedWarming) {
    public static final Checks NONE = new Checks(null, null);

    public Checks(Hooks hooks, String rollbackReason) {
      this(hooks, rollbackReason, false);
    }

    public Checks(Hooks hooks, String rollbackReason, boolean preTrafficRunning) {
      this(hooks, rollbackReason, preTrafficRunning, null);
    }

    /** These checks, with what the alias's provisioned concurrency allocation says (null: nothing to wait for). */
    public Checks warming(String provisionedWarming) {
      return new Checks(hooks, rollbackReason, preTrafficRunning, provisionedWarming);
    }
  }

  /**
   * Where a hook stands.
   *
   * @param result its result, for status.hooks: Running while it runs
   * @param failure why it failed, or null when it passed or runs
   */
  public record HookRun(LambdaAliasStatus.HookResult result, String failure) {
    /** It runs: the shift waits for its answer. */
    public boolean running() {
      return result.running();
    }
  }

  /**
   * The decision.
   *
   * @param status the new status
   * @param routing the routing the alias must have now
   * @param nextAt when to look again, or null: on a change only
   * @param abort what to write into status.abort
   * @param clear the controls used up, to set back to false
   * @param postTrafficHookDue the routing sends all traffic to the new version, which becomes stable only once the
   *     post-traffic hook passed: route, run the hook, and finish with {@link #afterPostTrafficHook}
   * @param finished the shifts that ended with this decision (new history records)
   */
  public record Decision(LambdaAliasStatus status, Routing routing, Instant nextAt, AbortWrite abort,
      Set<Control> clear, boolean postTrafficHookDue, List<ShiftRecord> finished) {}

  /**
   * The status to report when AWS refuses this decision's routing: the shift where AWS still has it (the status the
   * decision started from) with the decision's hook results, so that a hook started or answered in this pass is not
   * started again. A step AWS refused is not recorded as started: the retry takes it again, whenever it comes.
   */
  public static LambdaAliasStatus ifRoutingRefused(LambdaAliasStatus before, Decision decision) {
    LambdaAliasStatus status = Serialization.clone(before);
    status.hooks = decision.status().hooks == null ? null : Serialization.clone(decision.status().hooks);
    return status;
  }

  /**
   * The decision with a step it started at {@code now} (when the pass began) started at {@code routed} instead, when
   * AWS took the routing: reads, the write budget and retries come between, and a step holds its weight for its
   * whole interval from the moment users get it. The next look moves by as much.
   */
  public static Decision routedAt(Decision decision, Instant now, Instant routed) {
    LambdaAliasStatus status = decision.status();
    if (status.stepStartedAt == null || !status.stepStartedAt.equals(text(now)) || !routed.isAfter(now)) {
      return decision;
    }
    LambdaAliasStatus moved = Serialization.clone(status);
    moved.stepStartedAt = text(routed);
    Duration late = Duration.between(now, routed);
    return new Decision(moved, decision.routing(), decision.nextAt() == null ? null : decision.nextAt().plus(late),
        decision.abort(), decision.clear(), decision.postTrafficHookDue(), decision.finished());
  }

  /** Whether status.abort holds this pass: set, and not a rollback of an older generation (a spec change retries). */
  static boolean abortHolds(LambdaAliasStatus status, Long generation) {
    return status.abortRequested() && !retriedBySpecChange(status, generation);
  }

  private static boolean retriedBySpecChange(LambdaAliasStatus status, Long generation) {
    return status.rollbackHeld() && !status.rolledBackAtGeneration.equals(generation);
  }

  /** The version traffic goes back to: the stable one, or (before there is one) what AWS routes to, or the target. */
  static String stable(LambdaAliasStatus status, String observedVersion, String target) {
    return status.stableVersion != null ? status.stableVersion : observedVersion != null ? observedVersion : target;
  }

  /** Whether a shift runs in this pass, for {@link ShiftChecks} to check (hooks, alarms, error rate). */
  static boolean checksShift(Wanted wanted, String observedVersion, LambdaAliasStatus status) {
    return wanted.deployment() != null && wanted.manualRouting() == null
        && !abortHolds(status, wanted.generation())
        && !wanted.version().equals(stable(status, observedVersion, wanted.version()));
  }

  /**
   * @param observedVersion the version the alias routes to in AWS now, or null when it does not exist
   */
  public static Decision decide(Wanted wanted, String observedVersion, Checks checks, LambdaAliasStatus current,
      Instant now) {
    Draft draft = new Draft(current, wanted.generation(), now);
    LambdaAliasStatus status = draft.status;
    if (retriedBySpecChange(current, wanted.generation())) {
      // The operator rolled back; the spec changed since: try again.
      status.abort = false;
      status.rolledBackAtGeneration = null;
      draft.abort = AbortWrite.CLEAR;
    } else if (current.rolledBack() && !current.abortRequested()) {
      // The user cleared status.abort after a rollback: a retry. The rollback is over; a later status.abort=true is
      // the user's own abort, which holds until they clear it (a spec change does not).
      status.rolledBackAtGeneration = null;
    }
    if (checks.hooks() != null) {
      status.hooks = checks.hooks();
    }
    String target = wanted.version();
    String stable = stable(status, observedVersion, target);
    status.stableVersion = stable;

    Map<String, Double> manual = wanted.manualRouting();
    if (manual != null && !manual.isEmpty()) {
      var entry = manual.entrySet().iterator().next();
      endShift(status);
      status.stableVersion = target;
      status.phase = Phase.Healthy;
      status.message = "routing " + Math.round(entry.getValue() * 100) + "% to version " + entry.getKey()
          + " and the rest to version " + target + " (spec.routing)";
      return draft.noShift(new Routing(target, entry.getKey(), entry.getValue()));
    }
    if (status.abortRequested()) {
      if (status.shifting()) {
        draft.record(status.canaryVersion, ShiftResult.Aborted, "status.abort was set");
      }
      holdAtStable(status);
      ShiftRecord last = status.lastShift();
      if (status.rolledBack() && last != null && ShiftResult.RolledBack.name().equals(last.result)) {
        // The operator's rollback, held: it keeps saying why, so the pass after it writes the same status.
        status.message = rolledBackMessage(stable, last.reason);
      } else {
        status.message = "aborted: all traffic on version " + stable + "; set status.abort to false to retry"
            + (status.canaryVersion == null ? "" : " the shift to version " + status.canaryVersion);
      }
      return draft.done(Routing.only(stable), null, Set.of());
    }
    if (target.equals(stable)) {
      if (status.canaryVersion != null) {
        draft.record(status.canaryVersion, ShiftResult.Superseded, "the spec went back to version " + stable);
      }
      endShift(status);
      status.phase = Phase.Healthy;
      status.message = "all traffic on version " + stable;
      return draft.noShift(Routing.only(stable));
    }
    if (status.canaryVersion != null && !status.canaryVersion.equals(target)) {
      // A new version while a shift runs: the running one ends, traffic goes back to stable, and the new shift
      // starts from there.
      draft.record(status.canaryVersion, ShiftResult.Superseded, "version " + target + " replaced it");
      endShift(status);
    }
    if (status.canaryVersion == null) {
      status.canaryVersion = target;
      status.currentStepIndex = 0;
      status.stepStartedAt = text(now);
      status.shiftStartedAt = text(now);
    }
    if (checks.rollbackReason() != null) {
      return rollBack(draft, checks.rollbackReason());
    }
    if (checks.preTrafficRunning()) {
      // No traffic moves before the pre-traffic hook passed, and the first step starts only then: its hook's end
      // triggers the next pass, which takes the answer.
      draft.preTrafficRunning = true;
      status.canaryWeight = 0;
      status.currentStepIndex = 0;
      status.stepStartedAt = null;
      status.pauseConditions.clear();
      status.phase = Phase.Progressing;
      status.message = "no traffic on version " + target + " until the pre-traffic hook passed: "
          + status.hooks.preTraffic.message;
      return draft.done(Routing.only(stable), null, Set.of());
    }
    List<ShiftStep> steps = TrafficShiftPlan.steps(wanted.deployment());
    ShiftPlanner.Decision d = ShiftPlanner.evaluate(steps,
        new ShiftPlanner.Position(orZero(status.currentStepIndex), instant(status.stepStartedAt, now),
            instant(status.specPauseStart(), null)),
        new Controls(wanted.paused(), status.promoteRequested(), status.promoteFullRequested()), now);
    Set<Control> used = d.promoteUsed() ? EnumSet.of(Control.PROMOTE) : EnumSet.noneOf(Control.class);
    int weightNow = status.canaryPercent();
    if (checks.provisionedWarming() != null && weightNow > 0 && weightNow < 100 && !d.promoteUsed()
        && !status.promoteFullRequested()
        && (d.state() == ShiftPlanner.State.COMPLETE || d.weight() != weightNow)) {
      // AWS still spreads the alias's provisioned concurrency over the versions at the weights of the step taken
      // last: the next step waits until it is READY, so the new version is warm before it gets more traffic. The
      // step's position is kept; it is taken as soon as the allocation is READY. A promote goes ahead at once.
      status.phase = Phase.Progressing;
      status.pauseConditions.clear();
      status.message = "shifting: " + weightNow + "% to version " + target + "; the next step waits until the"
          + " provisioned concurrency is READY (" + checks.provisionedWarming() + ")";
      return draft.done(new Routing(stable, target, weightNow / 100.0),
          now.plus(LambdaAliasSpec.Rollback.CHECK_INTERVAL), Set.of());
    }
    if (d.state() == ShiftPlanner.State.COMPLETE && wanted.postTrafficHook()
        && !passed(status.hooks == null ? null : status.hooks.postTraffic, target)) {
      // All traffic on the new version, which becomes stable only once the post-traffic hook passed.
      status.currentStepIndex = d.stepIndex();
      status.canaryWeight = 100;
      status.phase = Phase.Progressing;
      status.message = "100% on version " + target + "; running the post-traffic hook";
      return draft.thenPostTrafficHook(Routing.only(target), used);
    }
    if (d.state() == ShiftPlanner.State.COMPLETE) {
      return promote(draft, d.promoteUsed());
    }
    status.currentStepIndex = d.stepIndex();
    status.stepStartedAt = text(d.stepStartedAt());
    status.canaryWeight = d.weight();
    status.pauseConditions.clear();
    if (d.pausedSince() != null) {
      status.pauseConditions.add(pause(PauseCondition.BY_SPEC, d.pausedSince()));
    }
    if (d.state() == ShiftPlanner.State.WAITING_FOR_PROMOTE) {
      // an indefinite pause step: held until status.promote or status.promoteFull
      status.pauseConditions.add(pause(PauseCondition.BY_STEP, d.stepStartedAt()));
    }
    status.phase = d.state() == ShiftPlanner.State.PAUSED ? Phase.Paused : Phase.Progressing;
    status.message = "shifting " + d.describe(steps.size()).replaceFirst("%", "% to version " + target);
    Routing routing = d.weight() == 0 ? Routing.only(stable) : new Routing(stable, target, d.weight() / 100.0);
    return draft.done(routing, d.nextAt(), used);
  }

  /**
   * Finishes a decision that was waiting for the post-traffic hook, once all traffic is on the new version: it
   * becomes stable when the hook passed, and traffic goes back to stable when it failed.
   *
   */
  public static Decision afterPostTrafficHook(Wanted wanted, Decision pending, HookRun hook, Instant now) {
    Draft draft = new Draft(pending.status(), wanted.generation(), now);
    draft.abort = pending.abort();
    draft.finished.addAll(pending.finished());
    if (draft.status.hooks == null) {
      draft.status.hooks = new Hooks();
    }
    draft.status.hooks.postTraffic = hook.result();
    if (hook.running()) {
      // All traffic stays on the new version, which becomes stable once the hook answered (its end triggers the
      // next pass).
      draft.postTrafficRunning = true;
      draft.status.message = "100% on version " + draft.status.canaryVersion + "; post-traffic hook running: "
          + hook.result().message;
      return draft.done(pending.routing(), null, pending.clear());
    }
    return hook.failure() != null ? rollBack(draft, hook.failure())
        : promote(draft, draft.status.promoteRequested());
  }

  /** Automatic rollback: held as an abort, until the spec changes or the user clears status.abort. */
  private static Decision rollBack(Draft draft, String reason) {
    LambdaAliasStatus status = draft.status;
    draft.record(status.canaryVersion, ShiftResult.RolledBack, reason);
    holdAtStable(status);
    status.message = rolledBackMessage(status.stableVersion, reason);
    status.rolledBackAtGeneration = draft.generation;
    draft.abort = AbortWrite.SET;
    return draft.done(Routing.only(status.stableVersion), null, Set.of());
  }

  private static String rolledBackMessage(String stable, String reason) {
    return "rolled back to version " + stable + ": " + reason
        + "; set status.abort to false, or change the spec, to retry";
  }

  /** All steps done (and the post-traffic hook passed, if any): the new version becomes the stable one. */
  private static Decision promote(Draft draft, boolean promoteUsed) {
    LambdaAliasStatus status = draft.status;
    String target = status.canaryVersion;
    boolean full = status.promoteFullRequested();
    draft.record(target, ShiftResult.Promoted, full ? "status.promoteFull" : "all steps done");
    endShift(status);
    status.stableVersion = target;
    status.phase = Phase.Healthy;
    status.message = "all traffic on version " + target;
    Set<Control> used = EnumSet.noneOf(Control.class);
    if (full) {
      used.add(Control.PROMOTE_FULL);
    }
    if (promoteUsed) {
      used.add(Control.PROMOTE);
    }
    return draft.done(Routing.only(target), null, used);
  }

  /** The conditions, from the phase: one place for all three. */
  private static void conditions(LambdaAliasStatus status, Long generation, Instant now) {
    status.observedGeneration = generation;
    boolean shifting = status.shifting();
    boolean degraded = status.phase == Phase.Degraded;
    Conditions.set(status.conditions, Conditions.READY, true, "Synced", status.message, generation, now);
    Conditions.set(status.conditions, Conditions.PROGRESSING, shifting, shifting ? "Shifting" : "Idle",
        status.message, generation, now);
    Conditions.set(status.conditions, Conditions.DEGRADED, degraded,
        degraded ? status.degradedAs().name() : "Healthy", degraded ? status.message : "", generation, now);
  }

  /** The decision being made: a copy of the status to change, and what else the pass is to do. */
  private static final class Draft {
    final LambdaAliasStatus status;
    final Long generation;
    final Instant now;
    final List<ShiftRecord> finished = new ArrayList<>();
    AbortWrite abort = AbortWrite.NONE;
    /** The hook's Running record is this shift's, and it goes on: not abandoned. */
    boolean preTrafficRunning;
    boolean postTrafficRunning;

    Draft(LambdaAliasStatus current, Long generation, Instant now) {
      this.status = Serialization.clone(current);
      this.generation = generation;
      this.now = now;
    }

    Decision done(Routing routing, Instant nextAt, Set<Control> clear) {
      abandonHooks();
      conditions(status, generation, now);
      return new Decision(status, routing, nextAt, abort, Set.copyOf(clear), false, List.copyOf(finished));
    }

    Decision thenPostTrafficHook(Routing routing, Set<Control> clear) {
      conditions(status, generation, now);
      return new Decision(status, routing, null, abort, Set.copyOf(clear), true, List.copyOf(finished));
    }

    /**
     * No shift runs: a promote or promoteFull set now has nothing to act on and is cleared, so that it does not
     * skip a pause of the next shift (or end it at once) long after it was asked for.
     */
    Decision noShift(Routing routing) {
      Set<Control> unused = EnumSet.noneOf(Control.class);
      if (status.promoteFullRequested()) {
        unused.add(Control.PROMOTE_FULL);
      }
      if (status.promoteRequested()) {
        unused.add(Control.PROMOTE);
      }
      return done(routing, null, unused);
    }

    /**
     * A hook recorded as Running that this decision does not wait for ran for a shift that ended or changed (abort,
     * rollback, a new version, the spec going back): Abandoned, so that its answer, whenever it comes, is never
     * taken for a later shift.
     */
    void abandonHooks() {
      if (status.hooks == null) {
        return;
      }
      if (!preTrafficRunning) {
        status.hooks.preTraffic = abandoned(status.hooks.preTraffic);
      }
      if (!postTrafficRunning) {
        status.hooks.postTraffic = abandoned(status.hooks.postTraffic);
      }
    }

    private LambdaAliasStatus.HookResult abandoned(LambdaAliasStatus.HookResult hook) {
      if (hook == null || !hook.running()) {
        return hook;
      }
      LambdaAliasStatus.HookResult ended = Serialization.clone(hook);
      ended.result = LambdaAliasStatus.HookResult.ABANDONED;
      ended.finishedAt = now.truncatedTo(ChronoUnit.SECONDS).toString();
      ended.message = "abandoned while it ran (" + status.message + "); its answer is not used";
      return ended;
    }

    void record(String toVersion, ShiftResult result, String reason) {
      finished.add(AliasPlan.record(status, toVersion, result, reason, now));
    }
  }

  /** Records the end of a shift from the stable version to {@code toVersion} in the status's history (bounded). */
  static ShiftRecord record(LambdaAliasStatus status, String toVersion, ShiftResult result, String reason,
      Instant now) {
    ShiftRecord r = new ShiftRecord();
    r.fromVersion = status.stableVersion;
    r.toVersion = toVersion;
    r.result = result.name();
    r.reason = reason;
    r.startedAt = status.shiftStartedAt;
    r.finishedAt = text(now);
    status.history.add(0, r);
    while (status.history.size() > HISTORY) {
      status.history.remove(status.history.size() - 1);
    }
    return r;
  }

  /** Traffic back on the stable version, the shift's position reset: an abort or a rollback. */
  private static void holdAtStable(LambdaAliasStatus status) {
    status.phase = Phase.Degraded;
    status.canaryWeight = 0;
    status.currentStepIndex = 0;
    status.stepStartedAt = null;
    status.pauseConditions.clear();
  }

  static void endShift(LambdaAliasStatus status) {
    status.canaryVersion = null;
    status.canaryWeight = null;
    status.currentStepIndex = null;
    status.stepStartedAt = null;
    status.shiftStartedAt = null;
    status.pauseConditions.clear();
  }

  static boolean passed(LambdaAliasStatus.HookResult result, String version) {
    return result != null && result.passedFor(version);
  }

  private static PauseCondition pause(String reason, Instant since) {
    PauseCondition pause = new PauseCondition();
    pause.reason = reason;
    pause.startTime = text(since);
    return pause;
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }

  /**
   * Whether a running shift has something due now (or within {@code margin}), judged from the status as stored,
   * before AWS is read: a step whose wait ended, a shift starting or waiting for a hook's answer, a promote asked
   * for. A shift that only waits (a step's time not yet up, paused, waiting for a promote) is not due: its passes
   * watch, and go to the request budget as a deployment's, not ahead of every other work as a step.
   */
  static boolean stepDue(LambdaAliasSpec spec, LambdaAliasStatus status, Instant now, Duration margin) {
    Duration until = untilStepDue(spec, status, now.plus(margin));
    return until != null && until.isZero();
  }

  /**
   * How long until a running shift's next step is due: zero when it is due now (or a hook answered, a promote was
   * asked), null when no step comes by time alone (paused, waiting for a promote, or no shift runs).
   */
  static Duration untilStepDue(LambdaAliasSpec spec, LambdaAliasStatus status, Instant now) {
    if (!status.shifting()) {
      return null;
    }
    if (status.promoteRequested() || status.promoteFullRequested() || spec.deployment == null) {
      return Duration.ZERO;
    }
    if (status.stepStartedAt == null || status.currentStepIndex == null
        || status.hooks != null && (status.hooks.preTraffic != null && status.hooks.preTraffic.running()
            || status.hooks.postTraffic != null && status.hooks.postTraffic.running())) {
      return Duration.ZERO;
    }
    try {
      ShiftPlanner.Decision d = ShiftPlanner.evaluate(TrafficShiftPlan.steps(spec.deployment),
          new ShiftPlanner.Position(status.currentStepIndex, instant(status.stepStartedAt, now),
              instant(status.specPauseStart(), null)),
          new Controls(Boolean.TRUE.equals(spec.paused), false, false), now);
      return switch (d.state()) {
        case PAUSED, WAITING_FOR_PROMOTE -> null;
        case WAITING -> d.stepIndex() != status.currentStepIndex || !d.nextAt().isAfter(now) ? Duration.ZERO
            : Duration.between(now, d.nextAt());
        case COMPLETE -> Duration.ZERO;
      };
    } catch (RuntimeException unreadable) {
      return Duration.ZERO; // a status or spec the planner cannot read: the pass will say what is wrong, soon
    }
  }

  private static Instant instant(String text, Instant fallback) {
    return text == null ? fallback : Instant.parse(text);
  }

  static String text(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS).toString();
  }
}
