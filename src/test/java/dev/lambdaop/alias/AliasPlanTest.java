package dev.lambdaop.alias;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.alias.AliasPlan.AbortWrite;
import dev.lambdaop.alias.AliasPlan.Checks;
import dev.lambdaop.alias.AliasPlan.Control;
import dev.lambdaop.alias.AliasPlan.Decision;
import dev.lambdaop.alias.AliasPlan.HookRun;
import dev.lambdaop.alias.AliasPlan.Routing;
import dev.lambdaop.alias.AliasPlan.Wanted;
import dev.lambdaop.api.Deployments;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.HookResult;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AliasPlanTest {
  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
  private static final long GENERATION = 1;

  private static LambdaAliasSpec.Deployment canary() {
    return Deployments.steps(10, "5m");
  }

  private static Wanted wanted(String version, LambdaAliasSpec.Deployment deployment) {
    return new Wanted(version, null, deployment, false, GENERATION);
  }

  private static Decision decide(String target, String observed, LambdaAliasSpec.Deployment deployment,
      LambdaAliasStatus s, Duration after) {
    return AliasPlan.decide(wanted(target, deployment), observed, Checks.NONE, s, T0.plus(after));
  }

  private static LambdaAliasStatus stableOn(String version) {
    LambdaAliasStatus s = new LambdaAliasStatus();
    s.stableVersion = version;
    return s;
  }

  @Test
  void aNewAliasServesTheTargetWithoutAShift() {
    Decision d = decide("3", null, canary(), new LambdaAliasStatus(), Duration.ZERO);
    assertEquals(new Routing("3", null, 0), d.routing());
    assertEquals("3", d.status().stableVersion);
    assertEquals(Phase.Healthy, d.status().phase);
    assertNull(d.nextAt());
    assertEquals(AbortWrite.NONE, d.abort());
    assertFalse(d.postTrafficHookDue());
  }

  @Test
  void aStepStartsWhenAwsTookItsRoutingNotWhenThePassBegan() {
    Decision d = decide("4", "3", canary(), stableOn("3"), Duration.ZERO);
    assertEquals(T0, Instant.parse(d.status().stepStartedAt));
    Decision routed = AliasPlan.routedAt(d, T0, T0.plusSeconds(12));
    assertEquals(T0.plusSeconds(12), Instant.parse(routed.status().stepStartedAt), "the step's clock starts late");
    assertEquals(d.nextAt().plusSeconds(12), routed.nextAt(), "and its next step comes as much later");
    assertEquals(T0, Instant.parse(d.status().stepStartedAt), "the decision given is never changed");

    // a pass that started no step (the step holds) keeps the step's start
    Decision holding = decide("4", "3", canary(), d.status(), Duration.ofMinutes(1));
    assertEquals(T0, Instant.parse(holding.status().stepStartedAt));
    assertEquals(holding.status().stepStartedAt,
        AliasPlan.routedAt(holding, T0.plus(Duration.ofMinutes(1)), T0.plus(Duration.ofMinutes(2)))
            .status().stepStartedAt);
  }

  @Test
  void aRoutingAwsRefusedIsReportedWhereAwsStillHasTheShift() {
    Decision first = decide("4", "3", Deployments.linear(40, "1m"), stableOn("3"), Duration.ZERO);
    Decision second = decide("4", "3", Deployments.linear(40, "1m"), first.status(), Duration.ofMinutes(1));
    assertEquals(80, second.status().canaryWeight);
    second.status().hooks = new LambdaAliasStatus.Hooks();
    second.status().hooks.preTraffic = hook("4", HookResult.SUCCEEDED);

    LambdaAliasStatus refused = AliasPlan.ifRoutingRefused(first.status(), second);
    assertEquals(40, refused.canaryWeight, "the refused 80% is not recorded as started");
    assertEquals(first.status().currentStepIndex, refused.currentStepIndex);
    assertEquals(first.status().stepStartedAt, refused.stepStartedAt);
    assertEquals(HookResult.SUCCEEDED, refused.hooks.preTraffic.result, "the pass's hook results are kept");
    assertNull(first.status().hooks, "the status given is never changed");
  }

  @Test
  void theStatusGivenIsNeverChanged() {
    LambdaAliasStatus s = stableOn("3");
    s.promote = true;
    String before = Serialization.asJson(s);
    Decision d = decide("4", "3", canary(), s, Duration.ZERO);
    assertEquals(before, Serialization.asJson(s));
    assertEquals("4", d.status().stableVersion, "the promote skipped the pause");
    assertEquals(Set.of(Control.PROMOTE), d.clear());
  }

  @Test
  void anExistingAliasIsAdoptedAtItsVersionAndShiftedFromThere() {
    Decision d = decide("4", "3", canary(), new LambdaAliasStatus(), Duration.ZERO);
    assertEquals(new Routing("3", "4", 0.1), d.routing());
    assertEquals(Phase.Progressing, d.status().phase);
    assertEquals("shifting 10% to version 4 (step 2 of 2), next step at 2026-01-01T12:05:00Z", d.status().message);
    assertEquals(T0.plus(Duration.ofMinutes(5)), d.nextAt());
  }

  @Test
  void theConditionsFollowThePhase() {
    LambdaAliasStatus shifting = decide("4", "3", canary(), stableOn("3"), Duration.ZERO).status();
    assertTrue(Conditions.isTrue(shifting.conditions, Conditions.READY));
    assertEquals("Shifting", Conditions.find(shifting.conditions, Conditions.PROGRESSING).get().getReason());
    assertFalse(Conditions.isTrue(shifting.conditions, Conditions.DEGRADED));
    assertEquals(GENERATION, shifting.observedGeneration);
    shifting.abort = true;
    LambdaAliasStatus aborted = decide("4", "3", canary(), shifting, Duration.ofMinutes(1)).status();
    assertEquals("Idle", Conditions.find(aborted.conditions, Conditions.PROGRESSING).get().getReason());
    assertEquals("Aborted", Conditions.find(aborted.conditions, Conditions.DEGRADED).get().getReason());
    assertTrue(Conditions.isTrue(aborted.conditions, Conditions.DEGRADED));
  }

  @Test
  void aCompletedShiftMakesTheNewVersionStableAndRecordsIt() {
    LambdaAliasStatus s = decide("4", "3", canary(), stableOn("3"), Duration.ZERO).status();
    Decision done = decide("4", "3", canary(), s, Duration.ofMinutes(5));
    assertEquals(new Routing("4", null, 0), done.routing());
    assertEquals("4", done.status().stableVersion);
    assertNull(done.status().canaryVersion);
    assertEquals(Phase.Healthy, done.status().phase);
    assertEquals("Promoted", done.status().history.get(0).result);
    assertEquals("3", done.status().history.get(0).fromVersion);
    assertEquals("4", done.status().history.get(0).toVersion);
    assertEquals(done.status().history.subList(0, 1), done.finished());
  }

  @Test
  void aNewVersionMidShiftEndsTheRunningShiftAndStartsFromStable() {
    LambdaAliasStatus s = decide("4", "3", canary(), stableOn("3"), Duration.ZERO).status();
    Decision d = decide("5", "3", canary(), s, Duration.ofMinutes(2));
    assertEquals(new Routing("3", "5", 0.1), d.routing());
    assertEquals("5", d.status().canaryVersion);
    assertEquals("Superseded", d.status().history.get(0).result);
    assertEquals("4", d.status().history.get(0).toVersion);
    assertEquals(T0.plus(Duration.ofMinutes(7)), d.nextAt(), "the new shift starts its steps afresh");
  }

  @Test
  void abortSendsAllTrafficToStableUntilClearedThenRetriesFromTheFirstStep() {
    LambdaAliasStatus s = decide("4", "3", canary(), stableOn("3"), Duration.ZERO).status();
    s.abort = true;
    Decision aborted = decide("4", "3", canary(), s, Duration.ofMinutes(1));
    assertEquals(new Routing("3", null, 0), aborted.routing());
    assertEquals(Phase.Degraded, aborted.status().phase);
    assertEquals("Aborted", aborted.status().history.get(0).result);
    assertEquals(AbortWrite.NONE, aborted.abort(), "the user's abort is theirs to clear");
    Decision again = decide("4", "3", canary(), aborted.status(), Duration.ofMinutes(2));
    assertEquals(1, again.status().history.size(), "an abort is recorded once");
    LambdaAliasStatus retry = again.status();
    retry.abort = false;
    Decision retried = decide("4", "3", canary(), retry, Duration.ofMinutes(10));
    assertEquals(new Routing("3", "4", 0.1), retried.routing());
    assertEquals(T0.plus(Duration.ofMinutes(15)), retried.nextAt());
  }

  @Test
  void aFailedCheckRollsBackAndHoldsUntilTheSpecChanges() {
    LambdaAliasStatus s = decide("4", "3", canary(), stableOn("3"), Duration.ZERO).status();
    Decision rolledBack = AliasPlan.decide(wanted("4", canary()), "3", new Checks(null, "alarm a in ALARM"), s,
        T0.plusSeconds(30));
    assertEquals(new Routing("3", null, 0), rolledBack.routing());
    assertEquals(AbortWrite.SET, rolledBack.abort());
    assertEquals(GENERATION, rolledBack.status().rolledBackAtGeneration);
    assertEquals(Phase.Degraded, rolledBack.status().phase);
    assertEquals("RolledBack", rolledBack.status().history.get(0).result);
    assertEquals("RolledBack", Conditions.find(rolledBack.status().conditions, Conditions.DEGRADED).get()
        .getReason());
    assertTrue(rolledBack.status().message.startsWith("rolled back to version 3: alarm a in ALARM"));

    LambdaAliasStatus held = rolledBack.status();
    held.abort = true; // as the merge patch wrote it
    Decision same = decide("4", "3", canary(), held, Duration.ofMinutes(1));
    assertEquals(new Routing("3", null, 0), same.routing());
    assertEquals(AbortWrite.NONE, same.abort());

    Decision changed = AliasPlan.decide(new Wanted("4", null, canary(), false, GENERATION + 1), "3", Checks.NONE,
        held, T0.plus(Duration.ofMinutes(2)));
    assertEquals(AbortWrite.CLEAR, changed.abort());
    assertNull(changed.status().rolledBackAtGeneration);
    assertEquals(new Routing("3", "4", 0.1), changed.routing(), "the shift starts again");
  }

  /**
   * The operator rolls back at generation 1; the user retries by clearing status.abort (same generation); later the
   * user aborts by hand. The retry must forget the rollback: otherwise the manual abort reads as the operator's
   * rollback (Degraded reason RolledBack), and the next spec change (generation 2: spec.paused, a new version)
   * takes it for a rollback of an older generation, clears status.abort and restarts the shift the user stopped.
   */
  @Test
  void aRetryByClearingAbortForgetsTheRollbackSoALaterManualAbortHolds() {
    LambdaAliasStatus s = decide("4", "3", canary(), stableOn("3"), Duration.ZERO).status();
    LambdaAliasStatus held = AliasPlan.decide(wanted("4", canary()), "3", new Checks(null, "alarm a in ALARM"), s,
        T0.plusSeconds(30)).status();
    held.abort = true; // as the operator's merge patch wrote it

    held.abort = false; // the user retries: kubectl lambdaop retry, or a patch of status.abort
    Decision retried = decide("4", "3", canary(), held, Duration.ofMinutes(1));
    assertEquals(new Routing("3", "4", 0.1), retried.routing(), "the shift starts again");
    assertEquals(AbortWrite.NONE, retried.abort());
    assertNull(retried.status().rolledBackAtGeneration, "a retry forgets the rollback");

    LambdaAliasStatus manual = retried.status();
    manual.abort = true; // the user aborts the retried shift, same generation
    Decision aborted = decide("4", "3", canary(), manual, Duration.ofMinutes(2));
    assertEquals(new Routing("3", null, 0), aborted.routing());
    assertEquals("Aborted", aborted.status().history.get(0).result);
    assertEquals("Aborted", Conditions.find(aborted.status().conditions, Conditions.DEGRADED).get().getReason());

    Decision specChanged = AliasPlan.decide(new Wanted("4", null, canary(), true, GENERATION + 1), "3",
        Checks.NONE, aborted.status(), T0.plus(Duration.ofMinutes(3)));
    assertEquals(AbortWrite.NONE, specChanged.abort(), "a spec change never clears the user's abort");
    assertEquals(new Routing("3", null, 0), specChanged.routing(), "the manual abort holds");
    assertEquals(Phase.Degraded, specChanged.status().phase);
  }

  /** The same, with the spec changed between the retry and the manual abort: the abort holds at once. */
  @Test
  void aManualAbortAfterARetriedRollbackAndASpecChangeHolds() {
    LambdaAliasStatus s = decide("4", "3", canary(), stableOn("3"), Duration.ZERO).status();
    LambdaAliasStatus held = AliasPlan.decide(wanted("4", canary()), "3", new Checks(null, "alarm a in ALARM"), s,
        T0.plusSeconds(30)).status();
    held.abort = true;
    held.abort = false;
    LambdaAliasStatus retried = decide("4", "3", canary(), held, Duration.ofMinutes(1)).status();
    LambdaAliasStatus paused = AliasPlan.decide(new Wanted("4", null, canary(), true, GENERATION + 1), "3",
        Checks.NONE, retried, T0.plus(Duration.ofMinutes(2))).status();
    paused.abort = true; // the user aborts at generation 2
    Decision aborted = AliasPlan.decide(new Wanted("4", null, canary(), true, GENERATION + 1), "3", Checks.NONE,
        paused, T0.plus(Duration.ofMinutes(3)));
    assertEquals(AbortWrite.NONE, aborted.abort(), "the user's abort is not cleared");
    assertEquals(new Routing("3", null, 0), aborted.routing());
    assertEquals("Aborted", aborted.status().history.get(0).result);
  }

  /** A held rollback keeps saying why on every later pass, not "aborted". */
  @Test
  void aHeldRollbackKeepsItsMessageOnLaterPasses() {
    LambdaAliasStatus s = decide("4", "3", canary(), stableOn("3"), Duration.ZERO).status();
    Decision rolledBack = AliasPlan.decide(wanted("4", canary()), "3", new Checks(null, "alarm a in ALARM"), s,
        T0.plusSeconds(30));
    LambdaAliasStatus held = rolledBack.status();
    held.abort = true;
    Decision again = decide("4", "3", canary(), held, Duration.ofMinutes(1));
    assertEquals(rolledBack.status().message, again.status().message);
    assertEquals(Serialization.asJson(rolledBack.status().conditions), Serialization.asJson(again.status().conditions),
        "the pass after the rollback writes the same status: no change, no event");
  }

  @Test
  void theChecksHookResultsGoIntoTheStatus() {
    LambdaAliasStatus.Hooks hooks = new LambdaAliasStatus.Hooks();
    hooks.preTraffic = hook("4", HookResult.SUCCEEDED);
    Decision d = AliasPlan.decide(wanted("4", canary()), "3", new Checks(hooks, null), stableOn("3"), T0);
    assertEquals(HookResult.SUCCEEDED, d.status().hooks.preTraffic.result);
  }

  @Test
  void thePostTrafficHookRunsOnceAllTrafficIsOnTheNewVersion() {
    LambdaAliasSpec.Deployment deployment = canary();
    deployment.postTrafficHook = Deployments.hook("smoke", "1m");
    LambdaAliasStatus s = AliasPlan.decide(wanted("4", deployment), "3", Checks.NONE, stableOn("3"), T0).status();
    s.promote = true;
    Decision due = AliasPlan.decide(wanted("4", deployment), "3", Checks.NONE, s, T0.plus(Duration.ofMinutes(5)));
    assertTrue(due.postTrafficHookDue());
    assertEquals(new Routing("4", null, 0), due.routing());
    assertEquals(100, due.status().canaryWeight);
    assertEquals("100% on version 4; running the post-traffic hook", due.status().message);

    Decision passed = AliasPlan.afterPostTrafficHook(wanted("4", deployment), due,
        new HookRun(hook("4", HookResult.SUCCEEDED), null), T0.plus(Duration.ofMinutes(6)));
    assertFalse(passed.postTrafficHookDue());
    assertEquals("4", passed.status().stableVersion);
    assertEquals(Phase.Healthy, passed.status().phase);
    assertEquals("Promoted", passed.status().history.get(0).result);
    assertEquals(HookResult.SUCCEEDED, passed.status().hooks.postTraffic.result);
    assertEquals(Set.of(Control.PROMOTE), passed.clear());
    assertEquals(100, due.status().canaryWeight, "the pending decision is not changed");

    Decision failed = AliasPlan.afterPostTrafficHook(wanted("4", deployment), due,
        new HookRun(hook("4", HookResult.FAILED), "post-traffic hook smoke failed: {}"),
        T0.plus(Duration.ofMinutes(6)));
    assertEquals(new Routing("3", null, 0), failed.routing());
    assertEquals(AbortWrite.SET, failed.abort());
    assertEquals("RolledBack", failed.status().history.get(0).result);
    assertEquals("post-traffic hook smoke failed: {}", failed.status().history.get(0).reason);
  }

  @Test
  void promoteFullCompletesNowAndAsksToClearTheControl() {
    LambdaAliasStatus s = decide("4", "3", canary(), stableOn("3"), Duration.ZERO).status();
    s.promoteFull = true;
    Decision d = decide("4", "3", canary(), s, Duration.ofMinutes(1));
    assertEquals(new Routing("4", null, 0), d.routing());
    assertEquals(Set.of(Control.PROMOTE_FULL), d.clear());
    assertEquals("status.promoteFull", d.status().history.get(0).reason);
  }

  @Test
  void specPausedIsRecordedAsAPauseCondition() {
    LambdaAliasStatus s = decide("4", "3", canary(), stableOn("3"), Duration.ZERO).status();
    Decision paused = AliasPlan.decide(new Wanted("4", null, canary(), true, GENERATION), "3", Checks.NONE, s,
        T0.plus(Duration.ofMinutes(1)));
    assertEquals(new Routing("3", "4", 0.1), paused.routing());
    assertEquals(Phase.Paused, paused.status().phase);
    assertEquals("PausedBySpec", paused.status().pauseConditions.get(0).reason);
    assertNull(paused.nextAt());
    Decision resumed = decide("4", "3", canary(), paused.status(), Duration.ofMinutes(11));
    assertEquals(T0.plus(Duration.ofMinutes(15)), resumed.nextAt(), "4 minutes were left when the pause began");
    assertTrue(resumed.status().pauseConditions.isEmpty());
  }

  @Test
  void manualRoutingWinsAndEndsAnyShift() {
    Decision d = AliasPlan.decide(new Wanted("7", Map.of("6", 0.25), null, false, GENERATION), "7", Checks.NONE,
        new LambdaAliasStatus(), T0);
    assertEquals(new Routing("7", "6", 0.25), d.routing());
    assertEquals(Phase.Healthy, d.status().phase);
    assertTrue(d.status().message.contains("25% to version 6"), d.status().message);
  }

  @Test
  void goingBackToTheStableVersionMidShiftEndsTheShift() {
    LambdaAliasStatus s = decide("4", "3", canary(), stableOn("3"), Duration.ZERO).status();
    Decision d = decide("3", "3", canary(), s, Duration.ofMinutes(1));
    assertEquals(new Routing("3", null, 0), d.routing());
    assertNull(d.status().canaryVersion);
    assertEquals(Set.of(), d.clear());
  }

  @Test
  void historyIsBounded() {
    LambdaAliasStatus s = stableOn("1");
    for (int v = 2; v < 20; v++) {
      s = decide(String.valueOf(v), null, null, s, Duration.ofMinutes(v)).status();
    }
    assertEquals(AliasPlan.HISTORY, s.history.size());
    assertEquals("19", s.history.get(0).toVersion);
  }

  @Test
  void aPromoteAskedForWhileNoShiftRunsIsClearedAndDoesNotSkipTheNextShiftsPause() {
    LambdaAliasStatus s = decide("3", "3", canary(), new LambdaAliasStatus(), Duration.ZERO).status();
    s.promote = true;
    s.promoteFull = true;
    Decision idle = decide("3", "3", canary(), s, Duration.ofMinutes(1));
    assertEquals(Set.of(Control.PROMOTE, Control.PROMOTE_FULL), idle.clear());
    // as the reconciler writes it: cleared before the next shift starts
    LambdaAliasStatus cleared = idle.status();
    cleared.promote = false;
    cleared.promoteFull = false;
    Decision next = decide("4", "3", canary(), cleared, Duration.ofMinutes(2));
    assertEquals(new Routing("3", "4", 0.1), next.routing());
    assertEquals(Phase.Progressing, next.status().phase);
  }

  @Test
  void theMessageGivesTimesToTheSecond() {
    Decision d = AliasPlan.decide(wanted("4", canary()), "3", Checks.NONE, new LambdaAliasStatus(),
        T0.plusNanos(181_774_596));
    assertEquals("shifting 10% to version 4 (step 2 of 2), next step at 2026-01-01T12:05:00Z", d.status().message);
  }

  @Test
  void anIndefinitePauseStepIsAPauseConditionUntilPromoted() {
    LambdaAliasSpec.Deployment steps = Deployments.steps(30, null, 100);
    LambdaAliasStatus s = decide("4", "3", steps, stableOn("3"), Duration.ZERO).status();
    assertEquals(1, s.pauseConditions.size());
    assertEquals("PausedByStep", s.pauseConditions.get(0).reason);
    assertEquals("2026-01-01T12:00:00Z", s.pauseConditions.get(0).startTime);
    assertEquals(Phase.Progressing, s.phase);
    s.promote = true;
    Decision promoted = decide("4", "3", steps, s, Duration.ofMinutes(1));
    assertTrue(promoted.status().pauseConditions.isEmpty());
    assertEquals("4", promoted.status().stableVersion);
    assertEquals(Set.of(Control.PROMOTE), promoted.clear());
  }

  private static HookResult hook(String version, String result) {
    HookResult r = new HookResult();
    r.version = version;
    r.result = result;
    return r;
  }
}
