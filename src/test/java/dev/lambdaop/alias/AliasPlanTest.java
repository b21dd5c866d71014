package dev.lambdaop.alias;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.alias.AliasPlan.Outcome;
import dev.lambdaop.alias.AliasPlan.Routing;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.shift.ShiftStep;
import dev.lambdaop.shift.TrafficShiftPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AliasPlanTest {
  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
  private static final List<ShiftStep> CANARY = TrafficShiftPlan.canary(10, Duration.ofMinutes(5));

  private static Outcome decide(String target, String observed, List<ShiftStep> steps, LambdaAliasStatus s,
      Duration after) {
    return AliasPlan.decide(target, observed, null, steps, false, s, T0.plus(after));
  }

  @Test
  void aNewAliasServesTheTargetWithoutAShift() {
    LambdaAliasStatus s = new LambdaAliasStatus();
    Outcome o = decide("3", null, CANARY, s, Duration.ZERO);
    assertEquals(new Routing("3", null, 0), o.routing());
    assertEquals("3", s.stableVersion);
    assertEquals(Phase.Healthy, s.phase);
    assertNull(o.nextAt());
  }

  @Test
  void anExistingAliasIsAdoptedAtItsVersionAndShiftedFromThere() {
    LambdaAliasStatus s = new LambdaAliasStatus();
    Outcome o = decide("4", "3", CANARY, s, Duration.ZERO);
    assertEquals(new Routing("3", "4", 0.1), o.routing());
    assertEquals(Phase.Progressing, s.phase);
    assertEquals("shifting 10% to version 4 (step 2 of 2), next step at 2026-01-01T12:05:00Z", s.message);
    assertEquals(T0.plus(Duration.ofMinutes(5)), o.nextAt());
  }

  @Test
  void aCompletedShiftMakesTheNewVersionStableAndRecordsIt() {
    LambdaAliasStatus s = new LambdaAliasStatus();
    s.stableVersion = "3";
    decide("4", "3", CANARY, s, Duration.ZERO);
    Outcome done = decide("4", "3", CANARY, s, Duration.ofMinutes(5));
    assertEquals(new Routing("4", null, 0), done.routing());
    assertEquals("4", s.stableVersion);
    assertNull(s.canaryVersion);
    assertEquals(Phase.Healthy, s.phase);
    assertEquals("Promoted", s.history.get(0).result);
    assertEquals("3", s.history.get(0).fromVersion);
    assertEquals("4", s.history.get(0).toVersion);
  }

  @Test
  void aNewVersionMidShiftEndsTheRunningShiftAndStartsFromStable() {
    LambdaAliasStatus s = new LambdaAliasStatus();
    s.stableVersion = "3";
    decide("4", "3", CANARY, s, Duration.ZERO);
    Outcome o = decide("5", "3", CANARY, s, Duration.ofMinutes(2));
    assertEquals(new Routing("3", "5", 0.1), o.routing());
    assertEquals("5", s.canaryVersion);
    assertEquals("Superseded", s.history.get(0).result);
    assertEquals("4", s.history.get(0).toVersion);
    assertEquals(T0.plus(Duration.ofMinutes(7)), o.nextAt(), "the new shift starts its steps afresh");
  }

  @Test
  void abortSendsAllTrafficToStableUntilClearedThenRetriesFromTheFirstStep() {
    LambdaAliasStatus s = new LambdaAliasStatus();
    s.stableVersion = "3";
    decide("4", "3", CANARY, s, Duration.ZERO);
    s.abort = true;
    Outcome aborted = decide("4", "3", CANARY, s, Duration.ofMinutes(1));
    assertEquals(new Routing("3", null, 0), aborted.routing());
    assertEquals(Phase.Degraded, s.phase);
    assertEquals("Aborted", s.history.get(0).result);
    decide("4", "3", CANARY, s, Duration.ofMinutes(2));
    assertEquals(1, s.history.size(), "an abort is recorded once");
    s.abort = false;
    Outcome retried = decide("4", "3", CANARY, s, Duration.ofMinutes(10));
    assertEquals(new Routing("3", "4", 0.1), retried.routing());
    assertEquals(T0.plus(Duration.ofMinutes(15)), retried.nextAt());
  }

  @Test
  void promoteFullCompletesNowAndAsksToClearTheControl() {
    LambdaAliasStatus s = new LambdaAliasStatus();
    s.stableVersion = "3";
    decide("4", "3", CANARY, s, Duration.ZERO);
    s.promoteFull = true;
    Outcome o = decide("4", "3", CANARY, s, Duration.ofMinutes(1));
    assertEquals(new Routing("4", null, 0), o.routing());
    assertTrue(o.clearPromoteFull());
  }

  @Test
  void specPausedIsRecordedAsAPauseCondition() {
    LambdaAliasStatus s = new LambdaAliasStatus();
    s.stableVersion = "3";
    decide("4", "3", CANARY, s, Duration.ZERO);
    Outcome paused = AliasPlan.decide("4", "3", null, CANARY, true, s, T0.plus(Duration.ofMinutes(1)));
    assertEquals(new Routing("3", "4", 0.1), paused.routing());
    assertEquals(Phase.Paused, s.phase);
    assertEquals("PausedBySpec", s.pauseConditions.get(0).reason);
    assertNull(paused.nextAt());
    Outcome resumed = decide("4", "3", CANARY, s, Duration.ofMinutes(11));
    assertEquals(T0.plus(Duration.ofMinutes(15)), resumed.nextAt(), "4 minutes were left when the pause began");
    assertTrue(s.pauseConditions.isEmpty());
  }

  @Test
  void manualRoutingWinsAndEndsAnyShift() {
    LambdaAliasStatus s = new LambdaAliasStatus();
    Outcome o = AliasPlan.decide("7", "7", Map.of("6", 0.25), List.of(), false, s, T0);
    assertEquals(new Routing("7", "6", 0.25), o.routing());
    assertEquals(Phase.Healthy, s.phase);
    assertTrue(s.message.contains("25% to version 6"), s.message);
  }

  @Test
  void goingBackToTheStableVersionMidShiftEndsTheShift() {
    LambdaAliasStatus s = new LambdaAliasStatus();
    s.stableVersion = "3";
    decide("4", "3", CANARY, s, Duration.ZERO);
    Outcome o = decide("3", "3", CANARY, s, Duration.ofMinutes(1));
    assertEquals(new Routing("3", null, 0), o.routing());
    assertNull(s.canaryVersion);
    assertFalse(o.clearPromoteFull());
  }

  @Test
  void historyIsBounded() {
    LambdaAliasStatus s = new LambdaAliasStatus();
    s.stableVersion = "1";
    for (int v = 2; v < 20; v++) {
      decide(String.valueOf(v), null, List.of(), s, Duration.ofMinutes(v));
    }
    assertEquals(AliasPlan.HISTORY, s.history.size());
    assertEquals("19", s.history.get(0).toVersion);
  }

  @Test
  void aPromoteAskedForWhileNoShiftRunsIsClearedAndDoesNotSkipTheNextShiftsPause() {
    LambdaAliasStatus s = new LambdaAliasStatus();
    decide("3", "3", CANARY, s, Duration.ZERO);
    s.promote = true;
    s.promoteFull = true;
    Outcome idle = decide("3", "3", CANARY, s, Duration.ofMinutes(1));
    assertTrue(idle.clearPromote());
    assertTrue(idle.clearPromoteFull());
    // as the reconciler writes it: cleared before the next shift starts
    s.promote = false;
    s.promoteFull = false;
    Outcome next = decide("4", "3", CANARY, s, Duration.ofMinutes(2));
    assertEquals(new Routing("3", "4", 0.1), next.routing());
    assertEquals(Phase.Progressing, s.phase);
  }

  @Test
  void theMessageGivesTimesToTheSecond() {
    LambdaAliasStatus s = new LambdaAliasStatus();
    AliasPlan.decide("4", "3", null, CANARY, false, s, T0.plusNanos(181_774_596));
    assertEquals("shifting 10% to version 4 (step 2 of 2), next step at 2026-01-01T12:05:00Z", s.message);
  }

  @Test
  void anIndefinitePauseStepIsAPauseConditionUntilPromoted() {
    List<ShiftStep> steps = List.of(ShiftStep.weight(30), ShiftStep.pauseUntilPromoted(), ShiftStep.weight(100));
    LambdaAliasStatus s = new LambdaAliasStatus();
    s.stableVersion = "3";
    decide("4", "3", steps, s, Duration.ZERO);
    assertEquals(1, s.pauseConditions.size());
    assertEquals("PausedByStep", s.pauseConditions.get(0).reason);
    assertEquals("2026-01-01T12:00:00Z", s.pauseConditions.get(0).startTime);
    assertEquals(Phase.Progressing, s.phase);
    s.promote = true;
    decide("4", "3", steps, s, Duration.ofMinutes(1));
    assertTrue(s.pauseConditions.isEmpty());
    assertEquals("4", s.stableVersion);
  }
}
