package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetAliasResponse;

/** LambdaAlias end to end: every routing is checked on the AWS side with GetAlias. */
class LambdaAliasIT {
  private static String ns;
  private static KubernetesClient kube;
  private static LambdaClient lambda;
  private static AliasScenario scenario;

  @BeforeAll
  static void start() {
    E2e.operator();
    kube = E2e.kube();
    lambda = E2e.lambda();
    ns = E2e.namespace("alias");
    scenario = new AliasScenario(ns, kube, lambda);
  }

  @AfterAll
  static void close() {
    lambda.close();
  }

  @Test
  void withoutDeploymentTheAliasFollowsTheNewestVersionAtOnce() {
    scenario.functionWithAlias("follows", null);
    LambdaAliasStatus first = scenario.status("follows");
    assertEquals("1", first.stableVersion);
    assertNotNull(first.aliasArn);
    scenario.publishVersion2("follows");
    scenario.awaitAws("follows", "2", 0);
    await().atMost(E2e.TIMEOUT).until(() -> "2".equals(scenario.status("follows").stableVersion));
    assertEquals("Promoted", scenario.status("follows").history.get(0).result);
  }

  @Test
  void aCanaryHoldsItsWeightForTheIntervalThenPromotes() {
    LambdaAliasSpec.Deployment canary = new LambdaAliasSpec.Deployment();
    canary.strategy = LambdaAliasSpec.Strategy.Canary;
    canary.canary = new LambdaAliasSpec.Canary();
    canary.canary.weight = 20;
    canary.canary.interval = "4s";
    scenario.functionWithAlias("canary", canary);
    scenario.publishVersion2("canary");
    scenario.awaitAws("canary", "1", 0.2);
    // the status is written right after the routing
    scenario.awaitPhase("canary", LambdaAliasStatus.Phase.Progressing);
    LambdaAliasStatus shifting = scenario.status("canary");
    assertEquals(20, shifting.canaryWeight);
    assertEquals("2", shifting.canaryVersion);
    assertTrue(shifting.message.contains("20% to version 2"), shifting.message);
    scenario.awaitAws("canary", "2", 0);
    scenario.awaitPhase("canary", LambdaAliasStatus.Phase.Healthy);
    LambdaAliasStatus done = scenario.status("canary");
    assertEquals("2", done.stableVersion);
    assertEquals("Promoted", done.history.get(0).result);
  }

  @Test
  void stepsWalkTheirWeights() {
    scenario.functionWithAlias("stepped", AliasScenario.steps(25, "3s", 75, "3s"));
    scenario.publishVersion2("stepped");
    scenario.awaitAws("stepped", "1", 0.25);
    scenario.awaitAws("stepped", "1", 0.75);
    scenario.awaitAws("stepped", "2", 0);
  }

  @Test
  void abortRollsBackClearingItRetriesAndPromoteFullFinishes() {
    scenario.functionWithAlias("controlled", AliasScenario.steps(30, null));
    scenario.publishVersion2("controlled");
    scenario.awaitAws("controlled", "1", 0.3);
    scenario.awaitPhase("controlled", LambdaAliasStatus.Phase.Progressing);

    scenario.patchControls("controlled", "{\"status\":{\"abort\":true}}");
    scenario.awaitAws("controlled", "1", 0);
    scenario.awaitPhase("controlled", LambdaAliasStatus.Phase.Degraded);
    assertEquals("Aborted", scenario.status("controlled").history.get(0).result);

    scenario.patchControls("controlled", "{\"status\":{\"abort\":false}}");
    scenario.awaitAws("controlled", "1", 0.3);

    scenario.patchControls("controlled", "{\"status\":{\"promoteFull\":true}}");
    scenario.awaitAws("controlled", "2", 0);
    await().atMost(E2e.TIMEOUT).until(() -> Boolean.FALSE.equals(scenario.status("controlled").promoteFull)
        && scenario.status("controlled").phase == LambdaAliasStatus.Phase.Healthy);
  }

  @Test
  void promoteEndsAnIndefinitePauseAndGoesOnWithTheNextStep() {
    scenario.functionWithAlias("promoted", AliasScenario.steps(30, null, 60, null));
    scenario.publishVersion2("promoted");
    scenario.awaitAws("promoted", "1", 0.3);
    scenario.awaitPhase("promoted", LambdaAliasStatus.Phase.Progressing);
    await().atMost(E2e.TIMEOUT).until(() -> scenario.status("promoted").pauseConditions.stream()
        .anyMatch(p -> "PausedByStep".equals(p.reason) && p.startTime != null));
    scenario.patchControls("promoted", "{\"status\":{\"promote\":true}}");
    scenario.awaitAws("promoted", "1", 0.6);
    await().atMost(E2e.TIMEOUT).until(() -> Boolean.FALSE.equals(scenario.status("promoted").promote));
    scenario.patchControls("promoted", "{\"status\":{\"promote\":true}}");
    scenario.awaitAws("promoted", "2", 0);
  }

  @Test
  void linearAddsItsStepWeightEveryInterval() {
    LambdaAliasSpec.Deployment linear = new LambdaAliasSpec.Deployment();
    linear.strategy = LambdaAliasSpec.Strategy.Linear;
    linear.linear = new LambdaAliasSpec.Linear();
    linear.linear.stepWeight = 40;
    linear.linear.interval = "3s";
    scenario.functionWithAlias("linear", linear);
    scenario.publishVersion2("linear");
    scenario.awaitAws("linear", "1", 0.4);
    scenario.awaitAws("linear", "1", 0.8);
    scenario.awaitAws("linear", "2", 0);
  }

  @Test
  void aNewVersionMidShiftEndsThatShiftAndShiftsToTheNewOneFromStable() {
    scenario.functionWithAlias("superseded", AliasScenario.steps(30, null));
    scenario.publishVersion2("superseded");
    scenario.awaitAws("superseded", "1", 0.3);
    LambdaFunction fn = kube.resources(LambdaFunction.class).inNamespace(ns).withName("superseded").get();
    fn.getSpec().code.inline.files = Map.of("index.py", "v = 3\n");
    E2e.update(fn);
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> {
      GetAliasResponse a = scenario.awsAlias("superseded");
      return a.functionVersion().equals("1") && a.routingConfig() != null
          && Double.valueOf(0.3).equals(a.routingConfig().additionalVersionWeights().get("3"));
    });
    await().atMost(E2e.TIMEOUT).until(() -> "3".equals(scenario.status("superseded").canaryVersion));
    LambdaAliasStatus s = scenario.status("superseded");
    assertEquals("1", s.stableVersion);
    assertEquals("Superseded", s.history.get(0).result);
    assertEquals("2", s.history.get(0).toVersion);
  }

  @Test
  void specPausedHoldsTheWeightAndResumeGoesOn() {
    scenario.functionWithAlias("pausing", AliasScenario.steps(40, "3s"));
    scenario.publishVersion2("pausing");
    scenario.awaitAws("pausing", "1", 0.4);
    LambdaAlias alias = kube.resources(LambdaAlias.class).inNamespace(ns).withName("pausing-live").get();
    alias.getSpec().paused = true;
    E2e.update(alias);
    scenario.awaitPhase("pausing", LambdaAliasStatus.Phase.Paused);
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() -> scenario.weightOf2("pausing") == 0.4);
    alias = kube.resources(LambdaAlias.class).inNamespace(ns).withName("pausing-live").get();
    alias.getSpec().paused = false;
    E2e.update(alias);
    scenario.awaitAws("pausing", "2", 0);
  }

  @Test
  void manualRoutingIsAppliedAsWritten() {
    scenario.functionWithAlias("manual", null);
    scenario.publishVersion2("manual");
    scenario.awaitAws("manual", "2", 0);
    // a merge patch without resourceVersion, not an update or edit: the operator may write the status in between
    kube.resources(LambdaAlias.class).inNamespace(ns).withName("manual-live").patch(
        PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"routing\":{\"additionalVersionWeights\":{\"1\":0.1}}}}");
    await().atMost(E2e.TIMEOUT).until(() -> {
      GetAliasResponse a = scenario.awsAlias("manual");
      return a.functionVersion().equals("2") && a.routingConfig() != null
          && Double.valueOf(0.1).equals(a.routingConfig().additionalVersionWeights().get("1"));
    });
  }

  @Test
  void aFunctionIsNotDeletedWhileAnAliasUsesIt() {
    scenario.functionWithAlias("in-use", null);
    kube.resources(LambdaFunction.class).inNamespace(ns).withName("in-use").delete();
    await().atMost(E2e.TIMEOUT).until(() -> {
      LambdaFunction fn = kube.resources(LambdaFunction.class).inNamespace(ns).withName("in-use").get();
      return fn != null && fn.getStatus().conditions.stream()
          .anyMatch(c -> "DeletionWaitsForAliases".equals(c.getReason()) && c.getMessage().contains("in-use-live"));
    });
    assertEquals("1", scenario.awsAlias("in-use").functionVersion());
    kube.resources(LambdaAlias.class).inNamespace(ns).withName("in-use-live").delete();
    await().atMost(E2e.TIMEOUT).until(
        () -> kube.resources(LambdaFunction.class).inNamespace(ns).withName("in-use").get() == null);
    await().atMost(E2e.TIMEOUT).until(() -> lambda.listFunctions().functions().stream()
        .noneMatch(f -> f.functionName().equals("in-use")));
  }

  @Test
  void passingHooksLetTheShiftComplete() {
    scenario.hookFunction("smoke-ok");
    LambdaAliasSpec.Deployment d = AliasScenario.steps(50, "2s");
    d.preTrafficHook = AliasScenario.hook("smoke-ok");
    d.postTrafficHook = AliasScenario.hook("smoke-ok");
    scenario.functionWithAlias("hooked", d);
    scenario.publishVersion2("hooked");
    scenario.awaitAws("hooked", "1", 0.5);
    scenario.awaitAws("hooked", "2", 0);
    scenario.awaitPhase("hooked", LambdaAliasStatus.Phase.Healthy);
    LambdaAliasStatus s = scenario.status("hooked");
    assertEquals("Succeeded", s.hooks.preTraffic.result);
    assertEquals("Succeeded", s.hooks.postTraffic.result);
    assertEquals("2", s.hooks.postTraffic.version);
    assertTrue(E2e.operator().awsCalls().snapshot("smoke-ok").getOrDefault("Invoke", 0L) >= 3,
        "a DryRun check and two hook invocations");
  }

  @Test
  void aFailingPreTrafficHookLeavesTrafficUntouched() throws Exception {
    scenario.hookFunction("smoke-pre");
    LambdaAliasSpec.Deployment d = AliasScenario.steps(50, "2s");
    d.preTrafficHook = AliasScenario.hook("smoke-pre");
    scenario.functionWithAlias("pre-fails", d);
    // the first answer goes to the DryRun check before the shift, the second to the hook itself
    AliasScenario.nextInvokesAnswer("{}", "{\"errorMessage\":\"smoke test failed\",\"errorType\":\"AssertionError\"}");
    scenario.publishVersion2("pre-fails");
    scenario.awaitPhase("pre-fails", LambdaAliasStatus.Phase.Degraded);
    LambdaAliasStatus s = scenario.status("pre-fails");
    assertEquals("RolledBack", s.history.get(0).result);
    assertTrue(s.history.get(0).reason.contains("pre-traffic hook smoke-pre failed"), s.history.get(0).reason);
    assertEquals("Failed", s.hooks.preTraffic.result);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> scenario.awsAlias("pre-fails").functionVersion().equals("1") && scenario.weightOf2("pre-fails") == 0);
  }

  @Test
  void aFailingPostTrafficHookRollsBack() throws Exception {
    scenario.hookFunction("verify-post");
    LambdaAliasSpec.Deployment d = AliasScenario.steps(50, "2s");
    d.postTrafficHook = AliasScenario.hook("verify-post");
    scenario.functionWithAlias("post-fails", d);
    scenario.publishVersion2("post-fails");
    scenario.awaitAws("post-fails", "1", 0.5);
    AliasScenario.nextInvokesAnswer("{\"status\":\"Failed\",\"reason\":\"checkout broken\"}");
    scenario.awaitPhase("post-fails", LambdaAliasStatus.Phase.Degraded);
    scenario.awaitAws("post-fails", "1", 0);
    LambdaAliasStatus s = scenario.status("post-fails");
    assertEquals("1", s.stableVersion);
    assertTrue(s.history.get(0).reason.contains("post-traffic hook verify-post failed"), s.history.get(0).reason);
  }

  @Test
  void anAlarmInAlarmDuringTheShiftRollsBack() {
    try (var cw = E2e.testbed().configureAws(software.amazon.awssdk.services.cloudwatch.CloudWatchClient.builder())
        .build()) {
      cw.putMetricAlarm(r -> r.alarmName("alarmed-5xx").namespace("AWS/Lambda").metricName("Errors")
          .statistic("Sum").period(60).evaluationPeriods(1).threshold(1.0)
          .comparisonOperator("GreaterThanOrEqualToThreshold"));
      LambdaAliasSpec.Deployment d = AliasScenario.steps(20, null);
      d.rollback = new LambdaAliasSpec.Rollback();
      d.rollback.alarms = List.of("alarmed-5xx");
      scenario.functionWithAlias("alarmed", d);
      scenario.publishVersion2("alarmed");
      scenario.awaitAws("alarmed", "1", 0.2);
      cw.setAlarmState(r -> r.alarmName("alarmed-5xx").stateValue("ALARM").stateReason("test"));
      scenario.awaitAws("alarmed", "1", 0);
      scenario.awaitPhase("alarmed", LambdaAliasStatus.Phase.Degraded);
      assertTrue(scenario.status("alarmed").history.get(0).reason.contains("alarmed-5xx"));
      assertTrue(Boolean.TRUE.equals(scenario.status("alarmed").abort), "a rollback holds like an abort, until cleared");
    }
  }

  @Test
  void anErrorRateOverTheLimitRollsBack() {
    try (var cw = E2e.testbed().configureAws(software.amazon.awssdk.services.cloudwatch.CloudWatchClient.builder())
        .build()) {
      LambdaAliasSpec.Deployment d = AliasScenario.steps(20, null);
      d.rollback = new LambdaAliasSpec.Rollback();
      d.rollback.errorRate = new LambdaAliasSpec.ErrorRate();
      d.rollback.errorRate.max = "0.1";
      d.rollback.errorRate.minInvocations = 10;
      scenario.functionWithAlias("erring", d);
      scenario.publishVersion2("erring");
      scenario.awaitAws("erring", "1", 0.2);
      var dims = List.of(
          software.amazon.awssdk.services.cloudwatch.model.Dimension.builder().name("FunctionName").value("erring").build(),
          software.amazon.awssdk.services.cloudwatch.model.Dimension.builder().name("Resource").value("erring:live").build(),
          software.amazon.awssdk.services.cloudwatch.model.Dimension.builder().name("ExecutedVersion").value("2").build());
      cw.putMetricData(r -> r.namespace("AWS/Lambda").metricData(
          m -> m.metricName("Invocations").dimensions(dims).value(20.0).timestamp(java.time.Instant.now()),
          m -> m.metricName("Errors").dimensions(dims).value(5.0).timestamp(java.time.Instant.now())));
      scenario.awaitAws("erring", "1", 0);
      scenario.awaitPhase("erring", LambdaAliasStatus.Phase.Degraded);
      String reason = scenario.status("erring").history.get(0).reason;
      assertTrue(reason.contains("error rate") && reason.contains("5 errors in 20 invocations"), reason);
    }
  }

  @Test
  void versionsWithDifferentRolesAreNotRoutedTogether() {
    // an unmanaged function whose version 2 runs with another role than version 1
    String otherRole = E2e.testbed().ensureLambdaRole("other-exec");
    scenario.hookFunction("two-roles");
    lambda.publishVersion(r -> r.functionName("two-roles"));
    lambda.updateFunctionConfiguration(r -> r.functionName("two-roles").role(otherRole));
    lambda.publishVersion(r -> r.functionName("two-roles"));
    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName("two-roles-live").withNamespace(ns).build());
    alias.setSpec(new LambdaAliasSpec());
    alias.getSpec().functionName = "two-roles";
    alias.getSpec().version = "2";
    alias.getSpec().routing = new LambdaAliasSpec.Routing();
    alias.getSpec().routing.additionalVersionWeights = Map.of("1", 0.1);
    kube.resource(alias).create();
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> scenario.status("two-roles").conditions.stream()
        .anyMatch(c -> "IncompatibleVersions".equals(c.getReason()) && c.getMessage().contains("execution role")));
    assertTrue(lambda.listAliases(r -> r.functionName("two-roles")).aliases().isEmpty(), "nothing sent to AWS");
  }

  @Test
  void aVersionThatDoesNotExistIsNamed() {
    kube.resource(SampleFunctions.inline(ns, "pinned", E2e.roleArn(), "p = 1\n")).create();
    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName("pinned-live").withNamespace(ns).build());
    alias.setSpec(new LambdaAliasSpec());
    alias.getSpec().functionRef = new FunctionRef("pinned");
    alias.getSpec().version = "99";
    kube.resource(alias).create();
    await().atMost(E2e.TIMEOUT).until(() -> {
      LambdaAliasStatus s = scenario.status("pinned");
      return s != null && s.conditions.stream().anyMatch(c -> "VersionNotFound".equals(c.getReason())
          && c.getMessage().contains("99"));
    });
  }
}
