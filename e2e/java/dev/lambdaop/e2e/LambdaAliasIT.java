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
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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

  @BeforeAll
  static void start() {
    E2e.operator();
    kube = E2e.kube();
    lambda = E2e.lambda();
    ns = E2e.namespace("alias");
  }

  @AfterAll
  static void close() {
    lambda.close();
  }

  /** A function with version 1 published and an alias on it, ready. */
  private static void functionWithAlias(String name, LambdaAliasSpec.Deployment deployment) {
    kube.resource(SampleFunctions.inline(ns, name, E2e.roleArn(), "v = 1\n")).create();
    E2e.awaitCondition(LambdaFunction.class, ns, name, Conditions.READY, "True",
        r -> r.getStatus() == null ? null : r.getStatus().conditions);
    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName(name + "-live").withNamespace(ns).build());
    alias.setSpec(new LambdaAliasSpec());
    alias.getSpec().functionRef = new FunctionRef(name);
    alias.getSpec().aliasName = "live";
    alias.getSpec().deployment = deployment;
    kube.resource(alias).create();
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> awsAlias(name).functionVersion().equals("1")
        && "1".equals(status(name).stableVersion));
  }

  private static void publishVersion2(String name) {
    LambdaFunction fn = kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).get();
    fn.getSpec().code.inline.files = Map.of("index.py", "v = 2\n");
    kube.resource(fn).update();
  }

  private static GetAliasResponse awsAlias(String function) {
    return lambda.getAlias(r -> r.functionName(function).name("live"));
  }

  private static double weightOf2(String function) {
    GetAliasResponse a = awsAlias(function);
    if (a.routingConfig() == null || a.routingConfig().additionalVersionWeights() == null) {
      return 0;
    }
    return a.routingConfig().additionalVersionWeights().getOrDefault("2", 0.0);
  }

  private static LambdaAliasStatus status(String function) {
    return kube.resources(LambdaAlias.class).inNamespace(ns).withName(function + "-live").get().getStatus();
  }

  private static void awaitAws(String function, String primary, double weightOn2) {
    try {
      awaitAwsOnly(function, primary, weightOn2);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("alias of " + function + " never reached " + primary + " + " + weightOn2
          + "; status: " + io.fabric8.kubernetes.client.utils.Serialization.asJson(status(function)), e);
    }
  }

  private static void awaitAwsOnly(String function, String primary, double weightOn2) {
    await().atMost(E2e.TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() ->
        awsAlias(function).functionVersion().equals(primary) && Math.abs(weightOf2(function) - weightOn2) < 1e-9);
  }

  private static void awaitPhase(String function, LambdaAliasStatus.Phase phase) {
    try {
      await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> status(function).phase == phase);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("alias of " + function + " never reached phase " + phase + "; status: "
          + io.fabric8.kubernetes.client.utils.Serialization.asJson(status(function)), e);
    }
  }

  private static void patchControls(String function, String json) {
    kube.resources(LambdaAlias.class).inNamespace(ns).withName(function + "-live").subresource("status")
        .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
            io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), json);
  }

  private static LambdaAliasSpec.Deployment steps(Object... stepsAndPauses) {
    LambdaAliasSpec.Deployment d = new LambdaAliasSpec.Deployment();
    d.strategy = LambdaAliasSpec.Strategy.Steps;
    d.steps = new java.util.ArrayList<>();
    for (Object o : stepsAndPauses) {
      LambdaAliasSpec.Step s = new LambdaAliasSpec.Step();
      if (o instanceof Integer w) {
        s.setWeight = w;
      } else if (o == null) {
        s.pause = new LambdaAliasSpec.Pause();
      } else {
        s.pause = new LambdaAliasSpec.Pause();
        s.pause.duration = (String) o;
      }
      d.steps.add(s);
    }
    return d;
  }

  @Test
  void withoutDeploymentTheAliasFollowsTheNewestVersionAtOnce() {
    functionWithAlias("follows", null);
    LambdaAliasStatus first = status("follows");
    assertEquals("1", first.stableVersion);
    assertNotNull(first.aliasArn);
    publishVersion2("follows");
    awaitAws("follows", "2", 0);
    await().atMost(E2e.TIMEOUT).until(() -> "2".equals(status("follows").stableVersion));
    assertEquals("Promoted", status("follows").history.get(0).result);
  }

  @Test
  void aCanaryHoldsItsWeightForTheIntervalThenPromotes() {
    LambdaAliasSpec.Deployment canary = new LambdaAliasSpec.Deployment();
    canary.strategy = LambdaAliasSpec.Strategy.Canary;
    canary.canary = new LambdaAliasSpec.Canary();
    canary.canary.weight = 20;
    canary.canary.interval = "4s";
    functionWithAlias("canary", canary);
    publishVersion2("canary");
    awaitAws("canary", "1", 0.2);
    // the status is written right after the routing
    awaitPhase("canary", LambdaAliasStatus.Phase.Progressing);
    LambdaAliasStatus shifting = status("canary");
    assertEquals(20, shifting.canaryWeight);
    assertEquals("2", shifting.canaryVersion);
    assertTrue(shifting.message.contains("20% to version 2"), shifting.message);
    awaitAws("canary", "2", 0);
    awaitPhase("canary", LambdaAliasStatus.Phase.Healthy);
    LambdaAliasStatus done = status("canary");
    assertEquals("2", done.stableVersion);
    assertEquals("Promoted", done.history.get(0).result);
  }

  @Test
  void stepsWalkTheirWeights() {
    functionWithAlias("stepped", steps(25, "3s", 75, "3s"));
    publishVersion2("stepped");
    awaitAws("stepped", "1", 0.25);
    awaitAws("stepped", "1", 0.75);
    awaitAws("stepped", "2", 0);
  }

  @Test
  void abortRollsBackClearingItRetriesAndPromoteFullFinishes() {
    functionWithAlias("controlled", steps(30, null));
    publishVersion2("controlled");
    awaitAws("controlled", "1", 0.3);
    awaitPhase("controlled", LambdaAliasStatus.Phase.Progressing);

    patchControls("controlled", "{\"status\":{\"abort\":true}}");
    awaitAws("controlled", "1", 0);
    awaitPhase("controlled", LambdaAliasStatus.Phase.Degraded);
    assertEquals("Aborted", status("controlled").history.get(0).result);

    patchControls("controlled", "{\"status\":{\"abort\":false}}");
    awaitAws("controlled", "1", 0.3);

    patchControls("controlled", "{\"status\":{\"promoteFull\":true}}");
    awaitAws("controlled", "2", 0);
    await().atMost(E2e.TIMEOUT).until(() -> Boolean.FALSE.equals(status("controlled").promoteFull)
        && status("controlled").phase == LambdaAliasStatus.Phase.Healthy);
  }

  @Test
  void promoteEndsAnIndefinitePauseAndGoesOnWithTheNextStep() {
    functionWithAlias("promoted", steps(30, null, 60, null));
    publishVersion2("promoted");
    awaitAws("promoted", "1", 0.3);
    awaitPhase("promoted", LambdaAliasStatus.Phase.Progressing);
    await().atMost(E2e.TIMEOUT).until(() -> status("promoted").pauseConditions.stream()
        .anyMatch(p -> "PausedByStep".equals(p.reason) && p.startTime != null));
    patchControls("promoted", "{\"status\":{\"promote\":true}}");
    awaitAws("promoted", "1", 0.6);
    await().atMost(E2e.TIMEOUT).until(() -> Boolean.FALSE.equals(status("promoted").promote));
    patchControls("promoted", "{\"status\":{\"promote\":true}}");
    awaitAws("promoted", "2", 0);
  }

  @Test
  void linearAddsItsStepWeightEveryInterval() {
    LambdaAliasSpec.Deployment linear = new LambdaAliasSpec.Deployment();
    linear.strategy = LambdaAliasSpec.Strategy.Linear;
    linear.linear = new LambdaAliasSpec.Linear();
    linear.linear.stepWeight = 40;
    linear.linear.interval = "3s";
    functionWithAlias("linear", linear);
    publishVersion2("linear");
    awaitAws("linear", "1", 0.4);
    awaitAws("linear", "1", 0.8);
    awaitAws("linear", "2", 0);
  }

  @Test
  void aNewVersionMidShiftEndsThatShiftAndShiftsToTheNewOneFromStable() {
    functionWithAlias("superseded", steps(30, null));
    publishVersion2("superseded");
    awaitAws("superseded", "1", 0.3);
    LambdaFunction fn = kube.resources(LambdaFunction.class).inNamespace(ns).withName("superseded").get();
    fn.getSpec().code.inline.files = Map.of("index.py", "v = 3\n");
    kube.resource(fn).update();
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> {
      GetAliasResponse a = awsAlias("superseded");
      return a.functionVersion().equals("1") && a.routingConfig() != null
          && Double.valueOf(0.3).equals(a.routingConfig().additionalVersionWeights().get("3"));
    });
    await().atMost(E2e.TIMEOUT).until(() -> "3".equals(status("superseded").canaryVersion));
    LambdaAliasStatus s = status("superseded");
    assertEquals("1", s.stableVersion);
    assertEquals("Superseded", s.history.get(0).result);
    assertEquals("2", s.history.get(0).toVersion);
  }

  @Test
  void specPausedHoldsTheWeightAndResumeGoesOn() {
    functionWithAlias("pausing", steps(40, "3s"));
    publishVersion2("pausing");
    awaitAws("pausing", "1", 0.4);
    LambdaAlias alias = kube.resources(LambdaAlias.class).inNamespace(ns).withName("pausing-live").get();
    alias.getSpec().paused = true;
    kube.resource(alias).update();
    awaitPhase("pausing", LambdaAliasStatus.Phase.Paused);
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() -> weightOf2("pausing") == 0.4);
    alias = kube.resources(LambdaAlias.class).inNamespace(ns).withName("pausing-live").get();
    alias.getSpec().paused = false;
    kube.resource(alias).update();
    awaitAws("pausing", "2", 0);
  }

  @Test
  void manualRoutingIsAppliedAsWritten() {
    functionWithAlias("manual", null);
    publishVersion2("manual");
    awaitAws("manual", "2", 0);
    LambdaAlias alias = kube.resources(LambdaAlias.class).inNamespace(ns).withName("manual-live").get();
    alias.getSpec().routing = new LambdaAliasSpec.Routing();
    alias.getSpec().routing.additionalVersionWeights = Map.of("1", 0.1);
    kube.resource(alias).update();
    await().atMost(E2e.TIMEOUT).until(() -> {
      GetAliasResponse a = awsAlias("manual");
      return a.functionVersion().equals("2") && a.routingConfig() != null
          && Double.valueOf(0.1).equals(a.routingConfig().additionalVersionWeights().get("1"));
    });
  }

  @Test
  void aFunctionIsNotDeletedWhileAnAliasUsesIt() {
    functionWithAlias("in-use", null);
    kube.resources(LambdaFunction.class).inNamespace(ns).withName("in-use").delete();
    await().atMost(E2e.TIMEOUT).until(() -> {
      LambdaFunction fn = kube.resources(LambdaFunction.class).inNamespace(ns).withName("in-use").get();
      return fn != null && fn.getStatus().conditions.stream()
          .anyMatch(c -> "DeletionWaitsForAliases".equals(c.getReason()) && c.getMessage().contains("in-use-live"));
    });
    assertEquals("1", awsAlias("in-use").functionVersion());
    kube.resources(LambdaAlias.class).inNamespace(ns).withName("in-use-live").delete();
    await().atMost(E2e.TIMEOUT).until(
        () -> kube.resources(LambdaFunction.class).inNamespace(ns).withName("in-use").get() == null);
    await().atMost(E2e.TIMEOUT).until(() -> lambda.listFunctions().functions().stream()
        .noneMatch(f -> f.functionName().equals("in-use")));
  }

  private static void hookFunction(String name) {
    lambda.createFunction(r -> r.functionName(name).role(E2e.roleArn()).runtime("python3.12").handler("index.handler")
        .code(c -> c.zipFile(software.amazon.awssdk.core.SdkBytes.fromByteArray(
            dev.lambdaop.function.DeterministicZip.of(Map.of("index.py", "h = 1\n")).bytes()))));
  }

  /**
   * moto runs no code without Docker: its invoke answers with the request's payload, or with the next result queued
   * through its API (a DryRun takes one too). A hook fails on demand by queueing Lambda's error payload.
   */
  private static void nextInvokesAnswer(String... payloads) throws Exception {
    String body = "{\"region\":\"" + E2e.testbed().awsRegion() + "\",\"results\":"
        + io.fabric8.kubernetes.client.utils.Serialization.asJson(List.of(payloads)) + "}";
    var request = java.net.http.HttpRequest.newBuilder(E2e.testbed().awsEndpoint()
            .resolve("/moto-api/static/lambda-simple/response"))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
    int code = java.net.http.HttpClient.newHttpClient().send(request,
        java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
    assertEquals(201, code);
  }

  private static LambdaAliasSpec.Hook hook(String function) {
    LambdaAliasSpec.Hook h = new LambdaAliasSpec.Hook();
    h.functionName = function;
    h.timeout = "30s";
    return h;
  }

  @Test
  void passingHooksLetTheShiftComplete() {
    hookFunction("smoke-ok");
    LambdaAliasSpec.Deployment d = steps(50, "2s");
    d.preTrafficHook = hook("smoke-ok");
    d.postTrafficHook = hook("smoke-ok");
    functionWithAlias("hooked", d);
    publishVersion2("hooked");
    awaitAws("hooked", "1", 0.5);
    awaitAws("hooked", "2", 0);
    awaitPhase("hooked", LambdaAliasStatus.Phase.Healthy);
    LambdaAliasStatus s = status("hooked");
    assertEquals("Succeeded", s.hooks.preTraffic.result);
    assertEquals("Succeeded", s.hooks.postTraffic.result);
    assertEquals("2", s.hooks.postTraffic.version);
    assertTrue(E2e.operator().awsCalls().snapshot("smoke-ok").getOrDefault("Invoke", 0L) >= 3,
        "a DryRun check and two hook invocations");
  }

  @Test
  void aFailingPreTrafficHookLeavesTrafficUntouched() throws Exception {
    hookFunction("smoke-pre");
    LambdaAliasSpec.Deployment d = steps(50, "2s");
    d.preTrafficHook = hook("smoke-pre");
    functionWithAlias("pre-fails", d);
    // the first answer goes to the DryRun check before the shift, the second to the hook itself
    nextInvokesAnswer("{}", "{\"errorMessage\":\"smoke test failed\",\"errorType\":\"AssertionError\"}");
    publishVersion2("pre-fails");
    awaitPhase("pre-fails", LambdaAliasStatus.Phase.Degraded);
    LambdaAliasStatus s = status("pre-fails");
    assertEquals("RolledBack", s.history.get(0).result);
    assertTrue(s.history.get(0).reason.contains("pre-traffic hook smoke-pre failed"), s.history.get(0).reason);
    assertEquals("Failed", s.hooks.preTraffic.result);
    await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
        .until(() -> awsAlias("pre-fails").functionVersion().equals("1") && weightOf2("pre-fails") == 0);
  }

  @Test
  void aFailingPostTrafficHookRollsBack() throws Exception {
    hookFunction("verify-post");
    LambdaAliasSpec.Deployment d = steps(50, "2s");
    d.postTrafficHook = hook("verify-post");
    functionWithAlias("post-fails", d);
    publishVersion2("post-fails");
    awaitAws("post-fails", "1", 0.5);
    nextInvokesAnswer("{\"status\":\"Failed\",\"reason\":\"checkout broken\"}");
    awaitPhase("post-fails", LambdaAliasStatus.Phase.Degraded);
    awaitAws("post-fails", "1", 0);
    LambdaAliasStatus s = status("post-fails");
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
      LambdaAliasSpec.Deployment d = steps(20, null);
      d.rollback = new LambdaAliasSpec.Rollback();
      d.rollback.alarms = List.of("alarmed-5xx");
      functionWithAlias("alarmed", d);
      publishVersion2("alarmed");
      awaitAws("alarmed", "1", 0.2);
      cw.setAlarmState(r -> r.alarmName("alarmed-5xx").stateValue("ALARM").stateReason("test"));
      awaitAws("alarmed", "1", 0);
      awaitPhase("alarmed", LambdaAliasStatus.Phase.Degraded);
      assertTrue(status("alarmed").history.get(0).reason.contains("alarmed-5xx"));
      assertTrue(Boolean.TRUE.equals(status("alarmed").abort), "a rollback holds like an abort, until cleared");
    }
  }

  @Test
  void anErrorRateOverTheLimitRollsBack() {
    try (var cw = E2e.testbed().configureAws(software.amazon.awssdk.services.cloudwatch.CloudWatchClient.builder())
        .build()) {
      LambdaAliasSpec.Deployment d = steps(20, null);
      d.rollback = new LambdaAliasSpec.Rollback();
      d.rollback.errorRate = new LambdaAliasSpec.ErrorRate();
      d.rollback.errorRate.max = "0.1";
      d.rollback.errorRate.minInvocations = 10;
      functionWithAlias("erring", d);
      publishVersion2("erring");
      awaitAws("erring", "1", 0.2);
      var dims = List.of(
          software.amazon.awssdk.services.cloudwatch.model.Dimension.builder().name("FunctionName").value("erring").build(),
          software.amazon.awssdk.services.cloudwatch.model.Dimension.builder().name("Resource").value("erring:live").build(),
          software.amazon.awssdk.services.cloudwatch.model.Dimension.builder().name("ExecutedVersion").value("2").build());
      cw.putMetricData(r -> r.namespace("AWS/Lambda").metricData(
          m -> m.metricName("Invocations").dimensions(dims).value(20.0).timestamp(java.time.Instant.now()),
          m -> m.metricName("Errors").dimensions(dims).value(5.0).timestamp(java.time.Instant.now())));
      awaitAws("erring", "1", 0);
      awaitPhase("erring", LambdaAliasStatus.Phase.Degraded);
      String reason = status("erring").history.get(0).reason;
      assertTrue(reason.contains("error rate") && reason.contains("5 errors in 20 invocations"), reason);
    }
  }

  @Test
  void versionsWithDifferentRolesAreNotRoutedTogether() {
    // an unmanaged function whose version 2 runs with another role than version 1
    String otherRole = E2e.testbed().ensureLambdaRole("other-exec");
    hookFunction("two-roles");
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
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> status("two-roles").conditions.stream()
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
      LambdaAliasStatus s = status("pinned");
      return s != null && s.conditions.stream().anyMatch(c -> "VersionNotFound".equals(c.getReason())
          && c.getMessage().contains("99"));
    });
  }
}
