package dev.lambdaop.alias;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import dev.lambdaop.api.LambdaAliasStatus.Hooks;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link AliasPlan} with hooks that run: what a shift does while it waits for a hook's answer, and after. */
class AliasPlanHooksTest {
  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
  private static final long GENERATION = 1;

  private static LambdaAliasSpec.Deployment stepsWithHooks() {
    LambdaAliasSpec.Deployment d = Deployments.steps(10, "5m");
    d.preTrafficHook = Deployments.hook("smoke", "10m");
    d.postTrafficHook = Deployments.hook("verify", "10m");
    return d;
  }

  private static Wanted wanted(String version) {
    return new Wanted(version, null, stepsWithHooks(), false, GENERATION);
  }

  private static LambdaAliasStatus stableOn(String version) {
    LambdaAliasStatus s = new LambdaAliasStatus();
    s.stableVersion = version;
    return s;
  }

  private static HookResult running(String version, String startedAt) {
    HookResult r = new HookResult();
    r.version = version;
    r.result = HookResult.RUNNING;
    r.startedAt = startedAt;
    r.message = "invoked smoke; waiting for its answer (timeout 10m)";
    return r;
  }

  private static Checks preTrafficRunning(String version, String startedAt) {
    Hooks hooks = new Hooks();
    hooks.preTraffic = running(version, startedAt);
    return new Checks(hooks, null, true);
  }

  @Test
  void whileThePreTrafficHookRunsNoTrafficMovesAndTheFirstStepHasNotStarted() {
    Decision d = AliasPlan.decide(wanted("4"), "3", preTrafficRunning("4", T0.toString()), stableOn("3"), T0);

    assertEquals(new Routing("3", null, 0), d.routing());
    assertNull(d.nextAt(), "the hook's end triggers the next pass");
    LambdaAliasStatus s = d.status();
    assertEquals(Phase.Progressing, s.phase);
    assertEquals("4", s.canaryVersion);
    assertEquals(0, s.canaryWeight);
    assertEquals(0, s.currentStepIndex);
    assertNull(s.stepStartedAt, "the first step starts once the hook passed");
    assertEquals(T0.toString(), s.shiftStartedAt);
    assertEquals(HookResult.RUNNING, s.hooks.preTraffic.result);
    assertEquals("no traffic on version 4 until the pre-traffic hook passed: invoked smoke; waiting for its answer"
        + " (timeout 10m)", s.message);
    assertTrue(s.shifting());
    assertFalse(d.postTrafficHookDue());

    // ten minutes later it passed: the first step starts now and holds its whole five minutes
    Hooks passed = new Hooks();
    passed.preTraffic = running("4", T0.toString());
    passed.preTraffic.result = HookResult.SUCCEEDED;
    Instant later = T0.plus(Duration.ofMinutes(10));
    Decision moved = AliasPlan.decide(wanted("4"), "3", new Checks(passed, null), s, later);
    assertEquals(new Routing("3", "4", 0.1), moved.routing());
    assertEquals(later.toString(), moved.status().stepStartedAt);
    assertEquals(later.plus(Duration.ofMinutes(5)), moved.nextAt());
  }

  @Test
  void aPromoteFullWaitsForThePreTrafficHook() {
    LambdaAliasStatus s = stableOn("3");
    s.promoteFull = true;
    Decision d = AliasPlan.decide(wanted("4"), "3", preTrafficRunning("4", T0.toString()), s, T0);
    assertEquals(new Routing("3", null, 0), d.routing());
    assertEquals(Set.of(), d.clear(), "kept for when the hook passed");
  }

  @Test
  void anAbortWhileAHookRunsAbandonsIt() {
    LambdaAliasStatus s = AliasPlan.decide(wanted("4"), "3", preTrafficRunning("4", T0.toString()), stableOn("3"), T0)
        .status();
    s.abort = true;

    Decision aborted = AliasPlan.decide(wanted("4"), "3", Checks.NONE, s, T0.plus(Duration.ofMinutes(1)));

    HookResult hook = aborted.status().hooks.preTraffic;
    assertEquals(HookResult.ABANDONED, hook.result);
    assertEquals("2026-01-01T12:01:00Z", hook.finishedAt);
    assertEquals(T0.toString(), hook.startedAt, "the attempt it was");
    assertEquals("abandoned while it ran (aborted: all traffic on version 3; set status.abort to false to retry the"
        + " shift to version 4); its answer is not used", hook.message);
    assertEquals(Phase.Degraded, aborted.status().phase);
    assertEquals(HookResult.RUNNING, s.hooks.preTraffic.result, "the given status is not changed");
  }

  @Test
  void aNewVersionAbandonsTheOldPostTrafficHookButNotTheNewPreTrafficOne() {
    LambdaAliasStatus s = stableOn("3");
    s.canaryVersion = "4";
    s.canaryWeight = 100;
    s.currentStepIndex = 2;
    s.shiftStartedAt = T0.toString();
    s.phase = Phase.Progressing;
    s.hooks = new Hooks();
    s.hooks.preTraffic = running("4", T0.toString());
    s.hooks.preTraffic.result = HookResult.SUCCEEDED;
    s.hooks.postTraffic = running("4", T0.plusSeconds(600).toString());
    Checks checks = preTrafficRunning("5", T0.plusSeconds(700).toString());
    checks.hooks().postTraffic = s.hooks.postTraffic;

    Decision d = AliasPlan.decide(wanted("5"), "4", checks, s, T0.plusSeconds(700));

    assertEquals(new Routing("3", null, 0), d.routing());
    assertEquals("Superseded", d.status().history.get(0).result);
    assertEquals(HookResult.RUNNING, d.status().hooks.preTraffic.result);
    assertEquals("5", d.status().hooks.preTraffic.version);
    assertEquals(HookResult.ABANDONED, d.status().hooks.postTraffic.result);
  }

  @Test
  void whileThePostTrafficHookRunsAllTrafficStaysOnTheNewVersion() {
    LambdaAliasStatus s = stableOn("3");
    s.canaryVersion = "4";
    s.canaryWeight = 10;
    s.currentStepIndex = 0;
    s.stepStartedAt = T0.toString();
    s.shiftStartedAt = T0.toString();
    s.phase = Phase.Progressing;
    s.promote = true;
    Decision due = AliasPlan.decide(wanted("4"), "3", new Checks(new Hooks(), null), s, T0.plusSeconds(300));
    assertTrue(due.postTrafficHookDue());

    HookResult verify = running("4", T0.plusSeconds(300).toString());
    Decision waiting = AliasPlan.afterPostTrafficHook(wanted("4"), due, new HookRun(verify, null),
        T0.plusSeconds(300));

    assertEquals(new Routing("4", null, 0), waiting.routing());
    assertFalse(waiting.postTrafficHookDue());
    assertNull(waiting.nextAt());
    assertSame(AbortWrite.NONE, waiting.abort());
    assertEquals(Set.of(Control.PROMOTE), waiting.clear(), "the promote that ended the last pause is cleared");
    LambdaAliasStatus w = waiting.status();
    assertEquals(HookResult.RUNNING, w.hooks.postTraffic.result);
    assertEquals("4", w.canaryVersion, "not stable before the hook passed");
    assertEquals("3", w.stableVersion);
    assertEquals(Phase.Progressing, w.phase);
    assertEquals("100% on version 4; post-traffic hook running: invoked smoke; waiting for its answer (timeout 10m)",
        w.message);
  }
}
