package dev.lambdaop.cli;

import static dev.lambdaop.cli.Fixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.cli.AliasActions.Action;
import dev.lambdaop.cli.AliasActions.Patch;
import dev.lambdaop.cli.AliasActions.Refusal;
import org.junit.jupiter.api.Test;

class AliasActionsTest {

  private static LambdaAliasSpec.Deployment stepsWithIndefinitePause() {
    LambdaAliasSpec.Deployment d = Fixtures.steps(30);
    LambdaAliasSpec.Step pause = new LambdaAliasSpec.Step();
    pause.pause = new LambdaAliasSpec.Pause();
    d.steps.add(pause);
    d.steps.addAll(Fixtures.steps(60, "1m").steps);
    return d;
  }

  private static LambdaAlias shifting() {
    return Fixtures.shifting(Fixtures.alias("orders-live", stepsWithIndefinitePause()), "1", "2", 30, 1, NOW);
  }

  private static LambdaAlias healthy() {
    return Fixtures.healthy(Fixtures.alias("orders-live", stepsWithIndefinitePause()), "1");
  }

  private static LambdaAlias rolledBack() {
    return Fixtures.rolledBack(Fixtures.alias("orders-live", stepsWithIndefinitePause()), "1", "2", "alarm");
  }

  private static Patch patch(Action action, LambdaAlias alias) {
    return assertInstanceOf(Patch.class, AliasActions.decide(action, alias));
  }

  private static String refusal(Action action, LambdaAlias alias) {
    return assertInstanceOf(Refusal.class, AliasActions.decide(action, alias)).message();
  }

  @Test
  void promoteSetsStatusPromoteAndSaysWhichPauseItEnds() {
    Patch p = patch(Action.PROMOTE, shifting());
    assertTrue(p.statusSubresource());
    assertEquals("{\"status\":{\"promote\":true}}", p.json());
    assertEquals("orders-live: promote requested: ends the current pause (step 2 of 4: wait for promote) and "
        + "goes on with setWeight 60", p.confirmation());
  }

  @Test
  void promoteFullSetsStatusPromoteFull() {
    Patch p = patch(Action.PROMOTE_FULL, shifting());
    assertTrue(p.statusSubresource());
    assertEquals("{\"status\":{\"promoteFull\":true}}", p.json());
    assertEquals("orders-live: full promotion requested: 100% of traffic to version 2 now", p.confirmation());
  }

  @Test
  void promoteIsRefusedWithoutARunningShift() {
    assertEquals("no shift runs on orders-live: all traffic is on version 1; nothing to promote",
        refusal(Action.PROMOTE, healthy()));
    assertEquals("no shift runs on orders-live: all traffic is on version 1; nothing to promote",
        refusal(Action.PROMOTE_FULL, healthy()));
    assertTrue(refusal(Action.PROMOTE, rolledBack()).contains("was rolled back; `kubectl lambdaop retry "
        + "orders-live` restarts it"));
    assertTrue(refusal(Action.PROMOTE, Fixtures.alias("orders-live", null)).contains("has not reported"));
  }

  @Test
  void promoteIsRefusedWhenPendingWhilePausedBySpecOrAtFullWeight() {
    LambdaAlias pending = shifting();
    pending.getStatus().promote = true;
    assertEquals("a promote of orders-live is pending already", refusal(Action.PROMOTE, pending));
    pending.getStatus().promoteFull = true;
    assertEquals("a full promotion of orders-live is pending already", refusal(Action.PROMOTE_FULL, pending));

    LambdaAlias paused = shifting();
    paused.getSpec().paused = true;
    assertTrue(refusal(Action.PROMOTE, paused).startsWith("orders-live is paused by spec.paused: "
        + "`kubectl lambdaop resume orders-live` first"));
    patch(Action.PROMOTE_FULL, paused);

    LambdaAlias full = shifting();
    full.getStatus().canaryWeight = 100;
    full.getStatus().currentStepIndex = 4;
    assertTrue(refusal(Action.PROMOTE_FULL, full).contains("post-traffic hook decides"));
  }

  @Test
  void abortSetsStatusAbortOnlyWhileAShiftRuns() {
    Patch p = patch(Action.ABORT, shifting());
    assertEquals("{\"status\":{\"abort\":true}}", p.json());
    assertTrue(p.statusSubresource());
    assertEquals("orders-live: abort requested: all traffic goes back to version 1; `kubectl lambdaop retry "
        + "orders-live` restarts the shift to version 2", p.confirmation());
    assertEquals("no shift runs on orders-live: all traffic is on version 1; nothing to abort",
        refusal(Action.ABORT, healthy()));
    assertTrue(refusal(Action.ABORT, rolledBack()).startsWith("orders-live is rolled back already"));
  }

  @Test
  void retryClearsStatusAbortOnlyAfterARollbackOrAbort() {
    Patch p = patch(Action.RETRY, rolledBack());
    assertEquals("{\"status\":{\"abort\":false}}", p.json());
    assertTrue(p.statusSubresource());
    assertEquals("orders-live: retry requested: the shift to version 2 restarts from its first step",
        p.confirmation());
    assertEquals("nothing to retry: orders-live is Healthy; retry restarts a shift that was rolled back or aborted",
        refusal(Action.RETRY, healthy()));
    assertTrue(refusal(Action.RETRY, shifting()).startsWith("nothing to retry: orders-live is Progressing"));
    LambdaAlias retrying = rolledBack();
    retrying.getStatus().abort = false;
    assertTrue(refusal(Action.RETRY, retrying).startsWith("a retry of orders-live is under way already"));
  }

  @Test
  void pauseAndResumeWriteSpecPaused() {
    Patch pause = patch(Action.PAUSE, shifting());
    assertFalse(pause.statusSubresource());
    assertEquals("{\"spec\":{\"paused\":true}}", pause.json());
    assertEquals("orders-live: paused (spec.paused=true): the shift to version 2 holds at 30%",
        pause.confirmation());
    assertTrue(patch(Action.PAUSE, healthy()).confirmation().endsWith("the next one will hold at 0% until resumed"));
    assertEquals("orders-live is not paused (spec.paused is not true); nothing to resume",
        refusal(Action.RESUME, shifting()));

    LambdaAlias paused = shifting();
    paused.getSpec().paused = true;
    paused.getStatus().phase = Phase.Paused;
    assertTrue(refusal(Action.PAUSE, paused).startsWith("orders-live is paused already"));
    Patch resume = patch(Action.RESUME, paused);
    assertFalse(resume.statusSubresource());
    assertEquals("{\"spec\":{\"paused\":false}}", resume.json());
    assertEquals("orders-live: resumed (spec.paused=false): the shift to version 2 goes on with the time its step "
        + "had left", resume.confirmation());
  }

  @Test
  void pausingARolledBackAliasSaysThatTheSpecChangeRetries() {
    assertTrue(patch(Action.PAUSE, rolledBack()).confirmation().endsWith(
        "; note: a spec change retries a rolled-back shift, so the shift to version 2 holds at 0%"));
  }
}
