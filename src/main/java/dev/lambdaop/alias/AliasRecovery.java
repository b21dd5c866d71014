package dev.lambdaop.alias;

import dev.lambdaop.alias.AliasPlan.Routing;
import dev.lambdaop.alias.AliasPlan.Wanted;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.PauseCondition;
import dev.lambdaop.api.LambdaAliasStatus.ShiftRecord;
import dev.lambdaop.api.LambdaAliasStatus.ShiftResult;
import dev.lambdaop.reconcile.SpecProblem;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import dev.lambdaop.shift.ShiftStep;
import dev.lambdaop.shift.TrafficShiftPlan;
import java.util.Map;
import java.util.Objects;

/**
 * What was changed in AWS outside the operator, found at the start of a pass, and what the status becomes before
 * {@link AliasPlan#decide} makes its decision from it. Pure: it returns a new status and the events to emit, and
 * never changes the status it is given.
 *
 * <ul>
 *   <li><b>Alias deleted</b> (the status has its ARN, AWS has no alias: deleted by someone, or with its function) or
 *       <b>repointed</b> (AWS routes otherwise than the operator last wrote): the decision of the pass writes it
 *       again ({@code AliasRestored}). A running shift <b>restarts from its stable version</b>: its first step
 *       again, with its full time ({@code ShiftRestarted}); the traffic the new version got while the alias was
 *       changed did not follow the steps, so the time it spent at its weight is not counted as bake time. Hook
 *       results of the new version stand, and the rollback triggers keep counting from the start of the shift.
 *   <li><b>Stable version gone</b> (AWS no longer has {@code status.stableVersion}): the version AWS routes the
 *       alias to becomes the stable version, if there is one, and a shift to the target runs from it as usual;
 *       otherwise (the alias is gone too) nothing is left to shift from and the target version gets all the traffic
 *       at once, recorded in history as {@code Promoted}. A running shift ends ({@code Superseded}, or
 *       {@code Promoted} when its new version takes the traffic). While an abort or rollback holds traffic on the
 *       missing version and the alias serves no other: {@code VersionNotFound}, until the user clears
 *       {@code status.abort} or changes the spec (traffic never goes to a version that was rolled back on its own).
 *       Event {@code StableVersionMissing}.
 * </ul>
 *
 * What the operator last wrote is read from the status (stable, canary and weight; spec.routing for manual
 * routing), and only after a pass that succeeded for the current generation: after a failed pass AWS may still hold
 * an older routing, and after a spec change the new routing is written anyway.
 */
final class AliasRecovery {
  private AliasRecovery() {}

  /** A warning event to emit about the resource: what was found, and what the operator does about it. */
  record Note(String reason, String message) {}

  /**
   * @param status the status to decide from
   * @param notes what was found, as events
   * @param finished shifts this ended (history records)
   */
  record Found(LambdaAliasStatus status, List<Note> notes, List<ShiftRecord> finished) {}

  /**
   * @param target the alias, its function and the version the spec targets (known to exist)
   * @param observed how AWS routes the alias now, or null when it does not exist
   * @param stableMissing AWS no longer has {@code current.stableVersion}
   */
  static Found recover(Wanted wanted, AliasTarget target, Routing observed, boolean stableMissing,
      LambdaAliasStatus current, Instant now) {
    LambdaAliasStatus status = Serialization.clone(current);
    List<Note> notes = new ArrayList<>();
    List<ShiftRecord> finished = new ArrayList<>();
    String alias = "alias " + target.alias() + " of " + target.functionName();
    boolean deleted = current.aliasArn != null && observed == null;
    Routing written = lastWritten(wanted, current);
    boolean repointed = observed != null && written != null && !same(observed, written);
    if (deleted) {
      notes.add(new Note("AliasRestored", alias + " was not found in AWS (deleted outside the operator, or with"
          + " its function): it is created again"));
    }
    if (stableMissing) {
      stableGone(wanted, target, observed, status, notes, finished, now);
      return new Found(status, notes, finished);
    }
    if (repointed && current.shifting() && current.canaryVersion.equals(target.version())) {
      Integer next = ownNextStep(wanted, current, observed, now);
      if (next != null) {
        // The operator's own write of the shift's next step, whose status was lost (the process stopped between
        // the two writes): the shift goes on from that step, which starts now. Neither restored nor restarted.
        status.currentStepIndex = next;
        status.stepStartedAt = AliasPlan.text(now);
        notes.add(new Note("ShiftResumed", alias + " routes " + describe(observed) + ", the next step of the shift"
            + " to version " + current.canaryVersion + ", which the status did not record yet (the operator"
            + " stopped after writing it): the shift goes on from that step"));
        return new Found(status, notes, finished);
      }
    }
    if (repointed) {
      notes.add(new Note("AliasRestored", alias + " was changed outside the operator (it routed "
          + describe(observed) + " instead of " + describe(written) + "): it is restored"));
    }
    // (A shift to another version than the target is superseded by the decision anyway.)
    if ((deleted || repointed) && current.shifting() && current.canaryVersion.equals(target.version())) {
      status.currentStepIndex = 0;
      status.stepStartedAt = AliasPlan.text(now);
      status.canaryWeight = 0;
      status.pauseConditions.removeIf(p -> PauseCondition.BY_STEP.equals(p.reason));
      notes.add(new Note("ShiftRestarted", "the shift to version " + current.canaryVersion
          + " restarts from its first step on stable version " + current.stableVersion + ": while " + alias
          + " was changed outside the operator, its traffic did not follow the steps"));
    }
    return new Found(status, notes, finished);
  }

  /** The stable version is gone: the version AWS routes to takes its place, or else the target, at once. */
  private static void stableGone(Wanted wanted, AliasTarget target, Routing observed, LambdaAliasStatus status,
      List<Note> notes, List<ShiftRecord> finished, Instant now) {
    String gone = status.stableVersion;
    String routed = observed != null && !observed.version().equals(gone) ? observed.version() : null;
    String what = "stable version " + gone + " of " + target.functionName() + " no longer exists in AWS";
    boolean holds = AliasPlan.abortHolds(status, wanted.generation());
    if (holds && routed == null) {
      throw new SpecProblem("VersionNotFound", what + ", and status.abort holds alias " + target.alias()
          + " on it (" + (status.rolledBack() ? "rolled back" : "aborted") + "); set status.abort to false, or"
          + " change the spec, to send the traffic to version " + target.version(), true);
    }
    String to = routed != null ? routed : target.version();
    String message;
    if (routed != null) {
      message = what + ": version " + routed + ", which alias " + target.alias() + " routes to, is the stable"
          + " version now" + (holds ? ", and status.abort holds the traffic on it"
              : routed.equals(target.version()) ? ""
              : ", and traffic moves from it to version " + target.version() + " as the deployment says");
    } else {
      message = what + " and alias " + target.alias() + " serves no other version: all traffic goes to version "
          + to + ", the version the spec targets, at once (nothing is left to shift from)";
    }
    if (!holds) {
      if (status.shifting()) {
        boolean takesOver = routed == null && status.canaryVersion.equals(to);
        finished.add(AliasPlan.record(status, status.canaryVersion,
            takesOver ? ShiftResult.Promoted : ShiftResult.Superseded, message, now));
      } else if (routed == null) {
        finished.add(AliasPlan.record(status, to, ShiftResult.Promoted, message, now));
      }
      AliasPlan.endShift(status);
    }
    status.stableVersion = to;
    notes.add(new Note("StableVersionMissing", message));
  }

  /**
   * The routing the operator last wrote, as the status says, or null when it cannot tell: no alias or stable
   * version yet, the spec changed since, or the last pass failed (AWS may hold an older routing).
   */
  static Routing lastWritten(Wanted wanted, LambdaAliasStatus s) {
    if (s.aliasArn == null || s.stableVersion == null || !Objects.equals(s.observedGeneration, wanted.generation())
        || !Conditions.isTrue(s.conditions, Conditions.READY)) {
      return null;
    }
    Map<String, Double> manual = wanted.manualRouting();
    if (manual != null && !manual.isEmpty()) {
      var entry = manual.entrySet().iterator().next();
      return new Routing(s.stableVersion, entry.getKey(), entry.getValue());
    }
    if (s.shifting()) {
      int weight = s.canaryPercent();
      return weight >= 100 ? Routing.only(s.canaryVersion) : weight <= 0 ? Routing.only(s.stableVersion)
          : new Routing(s.stableVersion, s.canaryVersion, weight / 100.0);
    }
    return Routing.only(s.stableVersion);
  }

  /**
   * When AWS routes the alias as the next step of the running shift would (the next weight on the canary version,
   * or all traffic on it when no weight below 100% is left), and that step was due: the index of that step, for the
   * planner to apply (it applies the weight, which AWS has already, and holds it from now); else null. Only the
   * operator writes a step, and only once it is due; a person's change that happens to equal it at that moment asks
   * for what the operator was about to do.
   */
  static Integer ownNextStep(Wanted wanted, LambdaAliasStatus current, Routing observed, Instant now) {
    if (wanted.deployment() == null || wanted.manualRouting() != null || wanted.paused()
        || current.stableVersion == null || current.stepStartedAt == null) {
      return null;
    }
    List<ShiftStep> steps = TrafficShiftPlan.steps(wanted.deployment());
    int at = current.currentStepIndex == null ? 0 : current.currentStepIndex;
    ShiftStep step = at < steps.size() ? steps.get(at) : null;
    if (step != null && !step.isWeight() && (step.pause() == null
        || Instant.parse(current.stepStartedAt).plus(step.pause()).isAfter(now))) {
      // The operator writes the next step only once the current one is due: before that, it was somebody else.
      return null;
    }
    int from = at + 1;
    for (int i = from; i < steps.size(); i++) {
      Integer weight = steps.get(i).setWeight();
      if (weight == null || weight == current.canaryPercent()) {
        continue;
      }
      Routing expected = weight >= 100 ? Routing.only(current.canaryVersion)
          : new Routing(current.stableVersion, current.canaryVersion, weight / 100.0);
      return same(observed, expected) ? i : null;
    }
    // no weight step left: the next write is the promotion, all traffic on the new version
    return same(observed, Routing.only(current.canaryVersion)) ? steps.size() : null;
  }

  private static boolean same(Routing a, Routing b) {
    return a.version().equals(b.version()) && Objects.equals(a.additional(), b.additional())
        && (a.additional() == null || Math.abs(a.weight() - b.weight()) < 1e-9);
  }

  private static String describe(Routing r) {
    return "version " + r.version() + (r.additional() == null ? ""
        : " with " + Math.round(r.weight() * 100) + "% to version " + r.additional());
  }
}
