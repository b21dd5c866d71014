package dev.lambdaop.shift;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Where a traffic shift stands and what comes next, from its steps, the position stored in status and the current
 * time. Pure: no timers and no memory, so an operator restarted at any moment computes the same step with the same
 * deadlines from the same status, and no step is skipped or applied twice. A step starts when it is applied, so a
 * late reconcile (an outage, a queue of writes) delays the rest of the shift but never skips a weight nor holds one
 * for less than its duration: at most one timed pause ends per evaluation.
 */
public final class ShiftPlanner {
  private ShiftPlanner() {}

  /**
   * The position of a shift as status stores it.
   *
   * @param stepIndex index of the current step (status.currentStepIndex)
   * @param stepStartedAt when the current step started (status.stepStartedAt)
   * @param pausedSince when spec.paused took hold, or null (status.pauseConditions)
   */
  public record Position(int stepIndex, Instant stepStartedAt, Instant pausedSince) {
    public static Position start(Instant now) {
      return new Position(0, now, null);
    }
  }

  /**
   * What the user asked for.
   *
   * @param paused spec.paused: hold the weight where it is
   * @param promote end the current pause now and go on with the next step
   * @param promoteFull send all traffic to the new version now
   */
  public record Controls(boolean paused, boolean promote, boolean promoteFull) {
    public static final Controls NONE = new Controls(false, false, false);
  }

  /** Where the shift stands. */
  public enum State {
    /** Holding a weight until {@link Decision#nextAt()}. */
    WAITING,
    /** Holding a weight until promoted. */
    WAITING_FOR_PROMOTE,
    /** Held by spec.paused. */
    PAUSED,
    /** All traffic on the new version: it becomes the stable one. */
    COMPLETE
  }

  /**
   * @param stepIndex the step the shift is in now (steps.size() when complete)
   * @param weight percent of traffic the new version must have now
   * @param stepStartedAt when that step started
   * @param pausedSince when spec.paused took hold, while it holds
   * @param state what the shift waits for
   * @param nextAt when to look again (null: only on a change)
   * @param promoteUsed whether a promote was used up (the control is to be cleared)
   */
  public record Decision(int stepIndex, int weight, Instant stepStartedAt, Instant pausedSince, State state,
      Instant nextAt, boolean promoteUsed) {

    private static java.time.Instant seconds(java.time.Instant instant) {
      return instant == null ? null : instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }

    /** For status.message: the weight, the step, and what happens next and when (to the second). */
    public String describe(int totalSteps) {
      String step = "step " + Math.min(stepIndex + 1, totalSteps) + " of " + totalSteps;
      return switch (state) {
        case WAITING -> weight + "% (" + step + "), next step at " + seconds(nextAt);
        case WAITING_FOR_PROMOTE -> weight + "% (" + step + "), waiting for a promote";
        case PAUSED -> weight + "% (" + step + "), paused by spec.paused since " + seconds(pausedSince);
        case COMPLETE -> "100%";
      };
    }
  }

  public static Decision evaluate(List<ShiftStep> steps, Position position, Controls controls, Instant now) {
    if (controls.promoteFull()) {
      return complete(steps, now, controls.promote());
    }
    int index = Math.max(0, position.stepIndex());
    // A clock that went backwards must not hold a step longer than its duration from now.
    Instant start = position.stepStartedAt() == null || position.stepStartedAt().isAfter(now)
        ? now : position.stepStartedAt();
    if (controls.paused()) {
      Instant since = position.pausedSince() == null ? now : position.pausedSince();
      return new Decision(index, weightBefore(steps, index), start, since, State.PAUSED, null, false);
    }
    if (position.pausedSince() != null && position.pausedSince().isBefore(now)) {
      // Resumed: the step keeps the time it had left when the pause began.
      start = start.plus(Duration.between(position.pausedSince(), now));
    }
    boolean promote = controls.promote();
    boolean promoteUsed = false;
    while (index < steps.size()) {
      ShiftStep step = steps.get(index);
      if (step.isWeight()) {
        index++;
        continue;
      }
      if (promote) {
        promote = false;
        promoteUsed = true;
        index++;
        start = now;
        continue;
      }
      if (step.isIndefinitePause()) {
        return new Decision(index, weightBefore(steps, index), start, null, State.WAITING_FOR_PROMOTE, null,
            promoteUsed);
      }
      Instant deadline = start.plus(step.pause());
      if (now.isBefore(deadline)) {
        return new Decision(index, weightBefore(steps, index), start, null, State.WAITING, deadline, promoteUsed);
      }
      index++;
      start = now;
    }
    return new Decision(steps.size(), 100, start, null, State.COMPLETE, null, promoteUsed || controls.promote());
  }

  private static Decision complete(List<ShiftStep> steps, Instant now, boolean promote) {
    return new Decision(steps.size(), 100, now, null, State.COMPLETE, null, promote);
  }

  /** The weight in effect at a step: the last setWeight before it, 0 before any. */
  static int weightBefore(List<ShiftStep> steps, int index) {
    for (int i = Math.min(index, steps.size()) - 1; i >= 0; i--) {
      if (steps.get(i).isWeight()) {
        return steps.get(i).setWeight();
      }
    }
    return 0;
  }
}
