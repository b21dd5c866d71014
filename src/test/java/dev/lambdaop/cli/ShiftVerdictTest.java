package dev.lambdaop.cli;

import static dev.lambdaop.cli.Fixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.cli.ShiftVerdict.Verdict;
import dev.lambdaop.status.Conditions;
import org.junit.jupiter.api.Test;

class ShiftVerdictTest {

  private static LambdaAlias healthyOn(String version) {
    return Fixtures.healthy(Fixtures.alias("orders-live", Fixtures.steps(50, "10s")), version);
  }

  @Test
  void statusExitsOneOnlyWhenDegraded() {
    assertEquals(0, ShiftVerdict.exitCode(Fixtures.alias("a", null)), "no status yet");
    assertEquals(0, ShiftVerdict.exitCode(healthyOn("1")));
    LambdaAlias shifting = Fixtures.shifting(Fixtures.alias("a", null), "1", "2", 50, 1, NOW);
    assertEquals(0, ShiftVerdict.exitCode(shifting));
    shifting.getStatus().phase = Phase.Paused;
    assertEquals(0, ShiftVerdict.exitCode(shifting));
    assertEquals(1, ShiftVerdict.exitCode(Fixtures.rolledBack(Fixtures.alias("a", null), "1", "2", "alarm")));
  }

  @Test
  void healthyOnTheVersionTheFunctionPublishedIsPromoted() {
    assertEquals(Verdict.PROMOTED, ShiftVerdict.judge(healthyOn("2"), Fixtures.function("2", "1")));
    assertEquals(0, ShiftVerdict.exitCode(Verdict.PROMOTED));
  }

  @Test
  void aWatchStartedRightAfterACodeChangeWaitsForTheNewVersion() {
    LambdaFunction deploying = Fixtures.function("1");
    deploying.getMetadata().setGeneration(2L);
    assertEquals(Verdict.RUNNING, ShiftVerdict.judge(healthyOn("1"), deploying), "function spec not deployed yet");

    LambdaFunction published = Fixtures.function("2", "1");
    assertEquals(Verdict.RUNNING, ShiftVerdict.judge(healthyOn("1"), published), "version 2 not shifted to yet");

    LambdaFunction failing = Fixtures.function("1");
    Conditions.set(failing.getStatus().conditions, Conditions.READY, false, "CodeNotFound", "no object", 1L, NOW);
    assertEquals(Verdict.RUNNING, ShiftVerdict.judge(healthyOn("1"), failing), "function not Ready");
  }

  @Test
  void aRunningPausedOrNotYetObservedShiftIsRunning() {
    LambdaAlias alias = Fixtures.shifting(Fixtures.alias("a", null), "1", "2", 50, 1, NOW);
    assertEquals(Verdict.RUNNING, ShiftVerdict.judge(alias, Fixtures.function("2", "1")));
    alias.getStatus().phase = Phase.Paused;
    assertEquals(Verdict.RUNNING, ShiftVerdict.judge(alias, Fixtures.function("2", "1")));
    assertEquals(Verdict.RUNNING, ShiftVerdict.judge(Fixtures.alias("a", null), null), "no status yet");

    LambdaAlias stale = healthyOn("2");
    stale.getMetadata().setGeneration(2L);
    assertEquals(Verdict.RUNNING, ShiftVerdict.judge(stale, Fixtures.function("2", "1")), "spec not observed");

    LambdaAlias notReady = healthyOn("2");
    Conditions.set(notReady.getStatus().conditions, Conditions.READY, false, "IncompatibleVersions", "roles", 1L,
        NOW);
    assertEquals(Verdict.RUNNING, ShiftVerdict.judge(notReady, Fixtures.function("2", "1")));
  }

  @Test
  void degradedWithAbortSetFailedButARetryInFlightIsRunning() {
    LambdaAlias alias = Fixtures.rolledBack(Fixtures.alias("a", null), "1", "2", "alarm orders-5xx is in ALARM");
    assertEquals(Verdict.FAILED, ShiftVerdict.judge(alias, Fixtures.function("2", "1")));
    assertEquals(1, ShiftVerdict.exitCode(Verdict.FAILED));
    alias.getStatus().abort = false;
    assertEquals(Verdict.RUNNING, ShiftVerdict.judge(alias, Fixtures.function("2", "1")),
        "status.abort cleared by a retry, the operator not there yet");
  }

  @Test
  void aPinnedVersionOrAnUnmanagedFunction() {
    LambdaAlias pinned = healthyOn("3");
    pinned.getSpec().version = "3";
    assertEquals(Verdict.PROMOTED, ShiftVerdict.judge(pinned, Fixtures.function("4", "3")));
    pinned.getSpec().version = "4";
    assertEquals(Verdict.RUNNING, ShiftVerdict.judge(pinned, Fixtures.function("4", "3")));

    LambdaAlias unmanaged = healthyOn("5");
    unmanaged.getSpec().functionRef = null;
    unmanaged.getSpec().functionName = "legacy";
    assertEquals(Verdict.PROMOTED, ShiftVerdict.judge(unmanaged, null));
  }

  @Test
  void theLastLineSaysHowTheShiftEnded() {
    LambdaAlias promoted = healthyOn("2");
    promoted.getStatus().history.add(Fixtures.record("1", "2", "Promoted", "all steps done"));
    assertEquals("✔ orders-live: version 2 promoted (from version 1); all traffic on version 2",
        ShiftVerdict.summary(Verdict.PROMOTED, promoted, Style.PLAIN));
    assertEquals("✔ orders-live: Healthy; all traffic on version 1",
        ShiftVerdict.summary(Verdict.PROMOTED, healthyOn("1"), Style.PLAIN));

    LambdaAlias rolledBack = Fixtures.rolledBack(Fixtures.alias("orders-live", null), "1", "2",
        "pre-traffic hook smoke failed: boom");
    assertEquals("✘ orders-live: shift from version 1 to 2 rolled back: pre-traffic hook smoke failed: boom; all "
        + "traffic on version 1", ShiftVerdict.summary(Verdict.FAILED, rolledBack, Style.PLAIN));
    rolledBack.getStatus().history.get(0).result = "Aborted";
    rolledBack.getStatus().history.get(0).reason = "status.abort was set";
    assertEquals("FAILED orders-live: shift from version 1 to 2 aborted: status.abort was set; all traffic on "
        + "version 1", ShiftVerdict.summary(Verdict.FAILED, rolledBack, Style.ASCII));
  }
}
