package dev.lambdaop.alias;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.alias.AliasPlan.Checks;
import dev.lambdaop.alias.AliasPlan.Decision;
import dev.lambdaop.alias.AliasPlan.Routing;
import dev.lambdaop.alias.AliasPlan.Wanted;
import dev.lambdaop.alias.AliasRecovery.Found;
import dev.lambdaop.api.Deployments;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.reconcile.SpecProblem;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AliasRecoveryTest {
  private static final Instant T0 = Instant.parse("2026-01-01T12:00:00Z");
  private static final long GENERATION = 1;
  private static final String ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders:live";

  private static LambdaAliasSpec.Deployment steps() {
    return Deployments.steps(20, "5m", 50, "5m");
  }

  private static Wanted wanted(String version, LambdaAliasSpec.Deployment deployment) {
    return new Wanted(version, null, deployment, false, GENERATION);
  }

  private static AliasTarget target(String version) {
    return new AliasTarget("us-east-1", "orders", "live", version);
  }

  /** The status after passes that went well: a new alias on {@code stable}, then each decision in turn. */
  private static LambdaAliasStatus after(String stable, String target, LambdaAliasSpec.Deployment d,
      Duration... passes) {
    LambdaAliasStatus s = AliasPlan.decide(wanted(stable, d), null, Checks.NONE, new LambdaAliasStatus(), T0).status();
    s.aliasArn = ARN;
    for (Duration at : passes) {
      s = AliasPlan.decide(wanted(target, d), stable, Checks.NONE, s, T0.plus(at)).status();
    }
    return s;
  }

  private static Found recover(String target, LambdaAliasSpec.Deployment d, Routing observed, boolean stableMissing,
      LambdaAliasStatus s, Duration at) {
    return AliasRecovery.recover(wanted(target, d), target(target), observed, stableMissing, s, T0.plus(at));
  }

  private static List<String> reasons(Found f) {
    return f.notes().stream().map(AliasRecovery.Note::reason).toList();
  }

  @Test
  void anAliasAsTheOperatorLeftItIsNothingToRecover() {
    LambdaAliasStatus s = after("1", "2", steps(), Duration.ZERO, Duration.ofMinutes(6));
    assertEquals(new Routing("1", "2", 0.5), AliasRecovery.lastWritten(wanted("2", steps()), s));
    String before = Serialization.asJson(s);

    Found f = recover("2", steps(), new Routing("1", "2", 0.5), false, s, Duration.ofMinutes(7));

    assertEquals(List.of(), f.notes());
    assertEquals(before, Serialization.asJson(f.status()));
    assertEquals(before, Serialization.asJson(s), "the status given is never changed");
  }

  @Test
  void theNextStepWrittenByAnOperatorThatStoppedBeforeItsStatusGoesOnFromThatStep() {
    LambdaAliasSpec.Deployment linear = Deployments.linear(20, "1m");
    LambdaAliasStatus s = after("1", "2", linear, Duration.ZERO, Duration.ofMinutes(1));
    assertEquals(40, s.canaryWeight);

    // AWS has the next step, 60%: written by the operator, which stopped before its status write
    Found f = recover("2", linear, new Routing("1", "2", 0.6), false, s, Duration.ofMinutes(2));
    assertEquals(List.of("ShiftResumed"), reasons(f), "neither restored nor restarted");
    Decision d = AliasPlan.decide(wanted("2", linear), "1", Checks.NONE, f.status(), T0.plus(Duration.ofMinutes(2)));
    assertEquals(new Routing("1", "2", 0.6), d.routing(), "AWS keeps the weight it has");
    assertEquals(60, d.status().canaryWeight);
    assertEquals(T0.plus(Duration.ofMinutes(3)), d.nextAt(), "held for its whole interval from now");

    // the promotion written, status still at 80%
    LambdaAliasStatus at80 = after("1", "2", linear, Duration.ZERO, Duration.ofMinutes(1), Duration.ofMinutes(2),
        Duration.ofMinutes(3));
    assertEquals(80, at80.canaryWeight);
    Found promoted = recover("2", linear, Routing.only("2"), false, at80, Duration.ofMinutes(4));
    assertEquals(List.of("ShiftResumed"), reasons(promoted));
    Decision end = AliasPlan.decide(wanted("2", linear), "2", Checks.NONE, promoted.status(),
        T0.plus(Duration.ofMinutes(4)));
    assertEquals(Routing.only("2"), end.routing());
    assertEquals("2", end.status().stableVersion);
    assertEquals("Promoted", end.status().history.get(0).result);

    // a routing that is not the next step (two ahead, or back) is somebody else's: restored, restarted
    assertEquals(List.of("AliasRestored", "ShiftRestarted"),
        reasons(recover("2", linear, new Routing("1", "2", 0.8), false, s, Duration.ofMinutes(2))));
    assertEquals(List.of("AliasRestored", "ShiftRestarted"),
        reasons(recover("2", linear, new Routing("1", "2", 0.2), false, s, Duration.ofMinutes(2))));
  }

  @Test
  void aDeletedAliasIsRestoredAndItsRunningShiftRestartsFromTheFirstStep() {
    LambdaAliasStatus s = after("1", "2", steps(), Duration.ZERO, Duration.ofMinutes(6));
    assertEquals(50, s.canaryWeight, "at the second weight");

    Found f = recover("2", steps(), null, false, s, Duration.ofMinutes(7));

    assertEquals(List.of("AliasRestored", "ShiftRestarted"), reasons(f));
    assertEquals("alias live of orders was not found in AWS (deleted outside the operator, or with its function): it"
        + " is created again", f.notes().get(0).message());
    assertEquals("the shift to version 2 restarts from its first step on stable version 1: while alias live of"
        + " orders was changed outside the operator, its traffic did not follow the steps",
        f.notes().get(1).message());
    Decision d = AliasPlan.decide(wanted("2", steps()), null, Checks.NONE, f.status(), T0.plus(Duration.ofMinutes(7)));
    assertEquals(new Routing("1", "2", 0.2), d.routing(), "back to the first weight");
    assertEquals(T0.plus(Duration.ofMinutes(12)), d.nextAt(), "with its full time");
    assertEquals(s.shiftStartedAt, d.status().shiftStartedAt, "the rollback triggers keep counting from the start");
    assertEquals(Phase.Progressing, d.status().phase);
  }

  @Test
  void aRepointedAliasIsRestoredAndItsRunningShiftRestarts() {
    LambdaAliasStatus s = after("1", "2", steps(), Duration.ZERO, Duration.ofMinutes(6));

    Found f = recover("2", steps(), Routing.only("2"), false, s, Duration.ofMinutes(7));

    assertEquals(List.of("AliasRestored", "ShiftRestarted"), reasons(f));
    assertEquals("alias live of orders was changed outside the operator (it routed version 2 instead of version 1"
        + " with 50% to version 2): it is restored", f.notes().get(0).message());
    assertEquals(0, f.status().currentStepIndex);
  }

  @Test
  void aShiftToAnotherVersionThanTheTargetIsNotRestartedTheDecisionSupersedesIt() {
    LambdaAliasStatus s = after("1", "2", steps(), Duration.ZERO);

    Found f = recover("3", steps(), null, false, s, Duration.ofMinutes(1));

    assertEquals(List.of("AliasRestored"), reasons(f));
    Decision d = AliasPlan.decide(wanted("3", steps()), null, Checks.NONE, f.status(), T0.plus(Duration.ofMinutes(1)));
    assertEquals(new Routing("1", "3", 0.2), d.routing());
    assertEquals("Superseded", d.status().history.get(0).result);
  }

  @Test
  void aRepointedAliasWithoutAShiftIsRestoredOnly() {
    LambdaAliasStatus s = after("1", "1", steps(), Duration.ZERO);

    Found f = recover("1", steps(), new Routing("1", "3", 0.3), false, s, Duration.ofMinutes(1));

    assertEquals(List.of("AliasRestored"), reasons(f));
    assertEquals(new Routing("1", null, 0), AliasPlan.decide(wanted("1", steps()), "1", Checks.NONE, f.status(),
        T0.plus(Duration.ofMinutes(1))).routing());
  }

  @Test
  void manualRoutingIsWhatTheOperatorWrote() {
    Wanted manual = new Wanted("2", Map.of("1", 0.1), null, false, GENERATION);
    LambdaAliasStatus s = AliasPlan.decide(manual, null, Checks.NONE, new LambdaAliasStatus(), T0).status();
    s.aliasArn = ARN;
    assertEquals(new Routing("2", "1", 0.1), AliasRecovery.lastWritten(manual, s));
    assertEquals(List.of(), AliasRecovery.recover(manual, target("2"), new Routing("2", "1", 0.1), false, s, T0)
        .notes());
  }

  @Test
  void afterAFailedPassOrASpecChangeTheOperatorCannotTellWhatItWrote() {
    LambdaAliasStatus s = after("1", "2", steps(), Duration.ZERO, Duration.ofMinutes(6));
    assertNull(AliasRecovery.lastWritten(new Wanted("2", null, steps(), true, GENERATION + 1), s), "spec changed");
    dev.lambdaop.status.Conditions.set(s.conditions, dev.lambdaop.status.Conditions.READY, false, "Throttled", "",
        GENERATION, T0);
    assertNull(AliasRecovery.lastWritten(wanted("2", steps()), s), "the last pass failed: AWS may be behind");
    assertEquals(List.of(), recover("2", steps(), new Routing("1", "2", 0.2), false, s, Duration.ofMinutes(7))
        .notes());
    assertNull(AliasRecovery.lastWritten(wanted("1", steps()), new LambdaAliasStatus()), "no alias yet");
  }

  @Test
  void aStableVersionGoneWithTheAliasLeavesAllTrafficOnTheTargetAtOnce() {
    // the function was deleted and created again: its only version is 1, the alias (on version 3) is gone
    LambdaAliasStatus s = after("3", "3", steps(), Duration.ZERO);

    Found f = recover("1", steps(), null, true, s, Duration.ofMinutes(1));

    assertEquals(List.of("AliasRestored", "StableVersionMissing"), reasons(f));
    String why = "stable version 3 of orders no longer exists in AWS and alias live serves no other version: all"
        + " traffic goes to version 1, the version the spec targets, at once (nothing is left to shift from)";
    assertEquals(why, f.notes().get(1).message());
    assertEquals("1", f.status().stableVersion);
    assertEquals(List.of("3", "1", "Promoted", why), List.of(f.status().history.get(0).fromVersion,
        f.status().history.get(0).toVersion, f.status().history.get(0).result, f.status().history.get(0).reason));
    assertEquals(f.status().history.subList(0, 1), f.finished());
    Decision d = AliasPlan.decide(wanted("1", steps()), null, Checks.NONE, f.status(), T0.plus(Duration.ofMinutes(1)));
    assertEquals(Routing.only("1"), d.routing());
    assertEquals(Phase.Healthy, d.status().phase);
    assertEquals(1, d.status().history.size(), "no second record");
  }

  @Test
  void aStableVersionGoneMidShiftEndsTheShiftOnTheNewVersionWhenNothingElseIsLeft() {
    LambdaAliasStatus s = after("1", "2", steps(), Duration.ZERO);

    Found f = recover("2", steps(), null, true, s, Duration.ofMinutes(1));

    assertEquals("Promoted", f.status().history.get(0).result);
    assertEquals("2", f.status().history.get(0).toVersion);
    assertNull(f.status().canaryVersion);
    Decision d = AliasPlan.decide(wanted("2", steps()), null, Checks.NONE, f.status(), T0.plus(Duration.ofMinutes(1)));
    assertEquals(Routing.only("2"), d.routing());
    assertEquals(1, d.status().history.size(), "not also Superseded");
  }

  @Test
  void aStableVersionGoneWhileTheAliasRoutesToAnotherMakesThatOneStableAndShiftsFromIt() {
    // someone pointed the alias at version 2 and deleted version 1; the spec targets version 3
    LambdaAliasStatus s = after("1", "1", steps(), Duration.ZERO);

    Found f = recover("3", steps(), Routing.only("2"), true, s, Duration.ofMinutes(1));

    assertEquals(List.of("StableVersionMissing"), reasons(f));
    assertEquals("stable version 1 of orders no longer exists in AWS: version 2, which alias live routes to, is the"
        + " stable version now, and traffic moves from it to version 3 as the deployment says",
        f.notes().get(0).message());
    assertEquals("2", f.status().stableVersion);
    assertEquals(List.of(), f.status().history, "no shift ended");
    Decision d = AliasPlan.decide(wanted("3", steps()), "2", Checks.NONE, f.status(), T0.plus(Duration.ofMinutes(1)));
    assertEquals(new Routing("2", "3", 0.2), d.routing());
  }

  @Test
  void aStableVersionGoneMidShiftWhileTheAliasRoutesToTheNewVersionSupersedesTheShift() {
    LambdaAliasStatus s = after("1", "2", steps(), Duration.ZERO);

    Found f = recover("2", steps(), Routing.only("2"), true, s, Duration.ofMinutes(1));

    assertEquals("Superseded", f.status().history.get(0).result);
    assertEquals("2", f.status().stableVersion);
    Decision d = AliasPlan.decide(wanted("2", steps()), "2", Checks.NONE, f.status(), T0.plus(Duration.ofMinutes(1)));
    assertEquals(Routing.only("2"), d.routing());
    assertEquals(Phase.Healthy, d.status().phase);
  }

  @Test
  void aRollbackHeldOnAStableVersionThatIsGoneDoesNotSendTrafficToTheVersionRolledBack() {
    LambdaAliasStatus s = after("1", "2", steps(), Duration.ZERO);
    s = AliasPlan.decide(wanted("2", steps()), "1", new Checks(null, "alarm a in ALARM"), s, T0).status();
    s.abort = true;
    LambdaAliasStatus held = s;

    SpecProblem p = assertThrows(SpecProblem.class,
        () -> recover("2", steps(), null, true, held, Duration.ofMinutes(1)));

    assertEquals("VersionNotFound", p.reason());
    assertTrue(p.getMessage().contains("status.abort holds alias live on it (rolled back)"), p.getMessage());

    Found routed = recover("2", steps(), Routing.only("3"), true, held, Duration.ofMinutes(1));
    assertEquals("3", routed.status().stableVersion);
    Decision d = AliasPlan.decide(wanted("2", steps()), "3", Checks.NONE, routed.status(), T0.plus(Duration.ofMinutes(1)));
    assertEquals(Routing.only("3"), d.routing(), "held on the version the alias serves");
  }
}
