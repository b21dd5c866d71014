package dev.lambdaop.shift;

import static dev.lambdaop.shift.ShiftPlanner.State.COMPLETE;
import static dev.lambdaop.shift.ShiftPlanner.State.PAUSED;
import static dev.lambdaop.shift.ShiftPlanner.State.WAITING;
import static dev.lambdaop.shift.ShiftPlanner.State.WAITING_FOR_PROMOTE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.shift.ShiftPlanner.Controls;
import dev.lambdaop.shift.ShiftPlanner.Decision;
import dev.lambdaop.shift.ShiftPlanner.Position;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShiftPlannerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
  private static final Duration MIN = Duration.ofMinutes(1);

  private static Decision at(List<ShiftStep> steps, Position p, Controls c, Duration after) {
    return ShiftPlanner.evaluate(steps, p, c, T0.plus(after));
  }

  private static Position next(Decision d) {
    return new Position(d.stepIndex(), d.stepStartedAt(), d.pausedSince());
  }

  @Test
  void allAtOnceIsCompleteAtOnce() {
    Decision d = ShiftPlanner.evaluate(List.of(), Position.start(T0), Controls.NONE, T0);
    assertEquals(COMPLETE, d.state());
    assertEquals(100, d.weight());
  }

  @Test
  void canaryHoldsTheWeightForTheIntervalThenCompletes() {
    List<ShiftStep> canary = TrafficShiftPlan.canary(10, Duration.ofMinutes(5));
    Decision first = at(canary, Position.start(T0), Controls.NONE, Duration.ZERO);
    assertEquals(WAITING, first.state());
    assertEquals(10, first.weight());
    assertEquals(1, first.stepIndex());
    assertEquals(T0.plus(Duration.ofMinutes(5)), first.nextAt());
    Decision justBefore = at(canary, next(first), Controls.NONE, Duration.ofMinutes(5).minusMillis(1));
    assertEquals(10, justBefore.weight());
    Decision atDeadline = at(canary, next(first), Controls.NONE, Duration.ofMinutes(5));
    assertEquals(COMPLETE, atDeadline.state());
    assertEquals(100, atDeadline.weight());
  }

  @Test
  void linearWalksItsWeightsEachHeldForAWholeInterval() {
    List<ShiftStep> linear = TrafficShiftPlan.linear(10, MIN);
    Position p = Position.start(T0);
    List<Integer> weights = new ArrayList<>();
    Instant looked = T0;
    for (int step = 0; step <= 9; step++) {
      Decision d = ShiftPlanner.evaluate(linear, p, Controls.NONE, looked);
      weights.add(d.weight());
      if (d.nextAt() != null) {
        assertEquals(looked.plus(MIN), d.nextAt(), "a weight holds a whole interval from when it is applied");
        looked = d.nextAt().plusMillis(300); // the operator looks 300 ms after each deadline
      }
      p = next(d);
    }
    assertEquals(List.of(10, 20, 30, 40, 50, 60, 70, 80, 90, 100), weights);
  }

  @Test
  void aReconcileLateByMoreThanAnIntervalAppliesTheNextWeightOnly() {
    // The case a benchmark found: a reconcile 5-10 s late for 5 s steps must not pass two deadlines at once.
    List<ShiftStep> linear = TrafficShiftPlan.linear(20, Duration.ofSeconds(5));
    Decision first = at(linear, Position.start(T0), Controls.NONE, Duration.ZERO);
    assertEquals(20, first.weight());
    for (long lateMs : new long[] {5_000, 7_000, 9_999, 10_000, 60_000}) {
      Decision late = at(linear, next(first), Controls.NONE, Duration.ofSeconds(5).plusMillis(lateMs));
      assertEquals(40, late.weight(), "late by " + lateMs + " ms");
    }
  }

  @Test
  void evaluatingAgainWithTheSameStatusGivesTheSameDecision() {
    List<ShiftStep> linear = TrafficShiftPlan.linear(10, MIN);
    Decision d = at(linear, Position.start(T0), Controls.NONE, Duration.ofSeconds(90));
    // an operator restarted at any moment reads the same status and decides the same
    for (Duration later : List.of(Duration.ofSeconds(91), Duration.ofSeconds(100), Duration.ofSeconds(119))) {
      Decision again = at(linear, next(d), Controls.NONE, later);
      assertEquals(d.stepIndex(), again.stepIndex());
      assertEquals(d.weight(), again.weight());
      assertEquals(d.nextAt(), again.nextAt());
    }
  }

  @Test
  void afterAnOutageStepsAreDelayedNeverSkipped() {
    List<ShiftStep> linear = TrafficShiftPlan.linear(25, MIN);
    Decision first = at(linear, Position.start(T0), Controls.NONE, Duration.ZERO);
    assertEquals(25, first.weight());
    // the operator was down for 10 minutes: it goes on with the next weight only, for a whole interval from now
    Decision late = at(linear, next(first), Controls.NONE, Duration.ofMinutes(10));
    assertEquals(50, late.weight());
    assertEquals(T0.plus(Duration.ofMinutes(11)), late.nextAt());
    Decision then = at(linear, next(late), Controls.NONE, Duration.ofMinutes(11));
    assertEquals(75, then.weight());
  }

  @Test
  void aClockThatJumpsBackDoesNotHoldAStepLongerThanItsDuration() {
    List<ShiftStep> canary = TrafficShiftPlan.canary(10, Duration.ofMinutes(5));
    Position started = new Position(1, T0.plus(Duration.ofHours(2)), null);
    Decision d = ShiftPlanner.evaluate(canary, started, Controls.NONE, T0);
    assertEquals(WAITING, d.state());
    assertEquals(T0, d.stepStartedAt());
    assertEquals(T0.plus(Duration.ofMinutes(5)), d.nextAt());
  }

  @Test
  void aClockThatJumpsForwardEndsTheCurrentStepOnly() {
    List<ShiftStep> linear = TrafficShiftPlan.linear(10, MIN);
    Decision first = at(linear, Position.start(T0), Controls.NONE, Duration.ZERO);
    Decision jumped = at(linear, next(first), Controls.NONE, Duration.ofDays(1));
    assertEquals(20, jumped.weight());
  }

  @Test
  void specPauseHoldsTheWeightAndResumeKeepsTheRemainingTime() {
    List<ShiftStep> canary = TrafficShiftPlan.canary(10, Duration.ofMinutes(5));
    Decision running = at(canary, Position.start(T0), Controls.NONE, Duration.ZERO);
    Decision paused = at(canary, next(running), new Controls(true, false, false), Duration.ofMinutes(2));
    assertEquals(PAUSED, paused.state());
    assertEquals(10, paused.weight());
    assertEquals(T0.plus(Duration.ofMinutes(2)), paused.pausedSince());
    assertNull(paused.nextAt());
    // still paused long after the step would have ended
    Decision stillPaused = at(canary, next(paused), new Controls(true, false, false), Duration.ofMinutes(30));
    assertEquals(PAUSED, stillPaused.state());
    assertEquals(paused.pausedSince(), stillPaused.pausedSince());
    // resumed at minute 30: 3 minutes were left
    Decision resumed = at(canary, next(stillPaused), Controls.NONE, Duration.ofMinutes(30));
    assertEquals(WAITING, resumed.state());
    assertEquals(T0.plus(Duration.ofMinutes(33)), resumed.nextAt());
    assertNull(resumed.pausedSince());
    assertEquals(COMPLETE, at(canary, next(resumed), Controls.NONE, Duration.ofMinutes(33)).state());
  }

  @Test
  void anIndefinitePauseWaitsForAPromoteThenGoesOn() {
    List<ShiftStep> steps = List.of(ShiftStep.weight(5), ShiftStep.pauseUntilPromoted(), ShiftStep.weight(50),
        ShiftStep.pauseFor(MIN));
    Decision waiting = at(steps, Position.start(T0), Controls.NONE, Duration.ZERO);
    assertEquals(WAITING_FOR_PROMOTE, waiting.state());
    assertEquals(5, waiting.weight());
    assertEquals(WAITING_FOR_PROMOTE, at(steps, next(waiting), Controls.NONE, Duration.ofDays(3)).state());
    Decision promoted = at(steps, next(waiting), new Controls(false, true, false), Duration.ofMinutes(7));
    assertTrue(promoted.promoteUsed());
    assertEquals(50, promoted.weight());
    assertEquals(T0.plus(Duration.ofMinutes(8)), promoted.nextAt());
  }

  @Test
  void aPromoteDuringATimedPauseEndsThatPauseOnly() {
    List<ShiftStep> linear = TrafficShiftPlan.linear(10, Duration.ofMinutes(10));
    Decision first = at(linear, Position.start(T0), Controls.NONE, Duration.ZERO);
    Decision promoted = at(linear, next(first), new Controls(false, true, false), MIN);
    assertEquals(20, promoted.weight());
    assertEquals(T0.plus(Duration.ofMinutes(11)), promoted.nextAt());
  }

  @Test
  void promoteFullGoesToOneHundredNow() {
    List<ShiftStep> linear = TrafficShiftPlan.linear(10, Duration.ofMinutes(10));
    Decision full = at(linear, Position.start(T0), new Controls(false, false, true), MIN);
    assertEquals(COMPLETE, full.state());
    assertEquals(100, full.weight());
  }

  @Test
  void stepsMayEndOnAWeightOrAPauseAndAlwaysCompleteAtOneHundred() {
    List<ShiftStep> endsOnWeight = List.of(ShiftStep.weight(20), ShiftStep.pauseFor(MIN), ShiftStep.weight(100));
    Decision d = at(endsOnWeight, Position.start(T0), Controls.NONE, Duration.ZERO);
    assertEquals(20, d.weight());
    assertEquals(COMPLETE, at(endsOnWeight, next(d), Controls.NONE, MIN).state());
    List<ShiftStep> consecutiveWeights = List.of(ShiftStep.weight(5), ShiftStep.weight(15), ShiftStep.pauseFor(MIN));
    assertEquals(15, at(consecutiveWeights, Position.start(T0), Controls.NONE, Duration.ZERO).weight());
  }

  @Test
  void aPauseBeforeAnyWeightHoldsZero() {
    List<ShiftStep> steps = List.of(ShiftStep.pauseFor(MIN), ShiftStep.weight(50), ShiftStep.pauseFor(MIN));
    Decision d = at(steps, Position.start(T0), Controls.NONE, Duration.ZERO);
    assertEquals(0, d.weight());
    assertEquals(50, at(steps, next(d), Controls.NONE, MIN).weight());
  }

  @Test
  void theMessageSaysWhatHappensNextAndWhen() {
    List<ShiftStep> linear = TrafficShiftPlan.linear(10, MIN);
    Decision d = at(linear, Position.start(T0), Controls.NONE, Duration.ZERO);
    assertEquals("10% (step 2 of 18), next step at 2026-01-01T12:01:00Z", d.describe(linear.size()));
    assertFalse(d.promoteUsed());
  }
}
