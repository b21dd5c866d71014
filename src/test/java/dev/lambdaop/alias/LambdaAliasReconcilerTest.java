package dev.lambdaop.alias;

import dev.lambdaop.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.Deployments;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.aws.AliasRouting;
import dev.lambdaop.aws.AliasSnapshot;
import dev.lambdaop.aws.AwsFailures;
import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.InMemoryAws;
import dev.lambdaop.aws.Invoker;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.observability.OperatorMetrics;
import dev.lambdaop.reconcile.Cluster;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.ResyncSpread;
import dev.lambdaop.reconcile.ResyncSpreads;
import dev.lambdaop.reconcile.InMemoryCluster;
import dev.lambdaop.reconcile.Owner;
import dev.lambdaop.reconcile.ReconcilePass;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.RecordedEvents;
import dev.lambdaop.status.RecordedEvents.Event;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import dev.lambdaop.reconcile.NamespacePolicy;

/** The flows of {@link LambdaAliasReconciler}, against AWS and the cluster in memory, with a clock the test moves. */
class LambdaAliasReconcilerTest {
  private static final String REGION = InMemoryAws.DEFAULT_REGION;
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
  static final String CLUSTER = "cluster-a";
  private static final Duration RESYNC = Duration.ofMinutes(10);
  /** The reconciler asks to be called back this much after a deadline, so that it is past. */
  private static final Duration LATE = Duration.ofMillis(50);

  private final TestClock clock = new TestClock(T0);
  private final InMemoryAws aws = new InMemoryAws(clock);
  private final InMemoryCluster<LambdaAlias> cluster = new InMemoryCluster<>(LambdaAlias.class);
  private final RecordedEvents events = new RecordedEvents();
  private final LambdaAliasReconciler reconciler = new LambdaAliasReconciler(aws.aws(),
      new FunctionResolver(REGION, CLUSTER, aws.aws().functions()),
      OperatorSettings.defaults(), events, new OperatorMetrics(), HookRuns.onCallingThread(aws.aws().invoker(), clock),
      clock, ResyncSpreads.exact(RESYNC));
  private LambdaFunction function;
  private int code;

  /** One pass as JOSDK runs it, over what the cluster holds now. */
  private ReconcilePass<LambdaAlias> reconcile(LambdaAlias resource) {
    return ReconcilePass.run(reconciler, cluster.read(resource), cluster);
  }

  // ---- the world ----------------------------------------------------------------------------------------------

  /** LambdaFunction shop/orders, its function in AWS with version 1 published. */
  private void functionWithVersion1() {
    aws.createFunctionBehindOperator(REGION, "orders");
    function = new LambdaFunction();
    function.setMetadata(new ObjectMetaBuilder().withName("orders").withNamespace("shop").build());
    function.setStatus(new LambdaFunctionStatus());
    function.getStatus().functionName = "orders";
    function.getStatus().functionArn = "arn:aws:lambda:" + REGION + ":" + InMemoryAws.ACCOUNT + ":function:orders";
    function = cluster.put(function);
    publish();
  }

  /** New code published as the next version, which the LambdaFunction reports as its latest. */
  private String publish() {
    byte[] bytes = ("code " + ++code).getBytes(StandardCharsets.UTF_8);
    aws.changeCodeBehindOperator(REGION, "orders", new CodeSource.Zip(bytes, DeterministicZip.sha256Base64(bytes)));
    String version = aws.publishBehindOperator(REGION, "orders", "");
    function.getStatus().latestVersion = version;
    function = cluster.put(function);
    return version;
  }

  private LambdaAlias alias(LambdaAliasSpec.Deployment deployment) {
    LambdaAlias a = new LambdaAlias();
    a.setMetadata(new ObjectMetaBuilder().withName("orders-live").withNamespace("shop").build());
    a.setSpec(new LambdaAliasSpec());
    a.getSpec().functionRef = new FunctionRef("orders");
    a.getSpec().aliasName = "live";
    a.getSpec().deployment = deployment;
    return cluster.put(a);
  }

  /** An alias on version 1, reconciled once; the calls and events of that pass forgotten. */
  private LambdaAlias aliasOnVersion1(LambdaAliasSpec.Deployment deployment) {
    functionWithVersion1();
    LambdaAlias a = alias(deployment);
    reconcile(a);
    forget();
    return a;
  }

  private void forget() {
    aws.resetCalls();
    events.clear();
  }

  private LambdaAlias edit(LambdaAlias resource, java.util.function.Consumer<LambdaAliasSpec> change) {
    LambdaAlias a = cluster.read(resource);
    change.accept(a.getSpec());
    return cluster.put(a);
  }

  /** What the plugin does: a merge patch of the status, the user's fields. */
  private void userSets(LambdaAlias resource, String statusJson) {
    cluster.mergeStatus(cluster.read(resource), statusJson);
  }

  // ---- what is there ------------------------------------------------------------------------------------------

  private AliasSnapshot inAws() {
    return aws.alias(REGION, "orders", "live").orElseThrow();
  }

  private void assertRouting(String version, String additional, double weight) {
    AliasSnapshot a = inAws();
    assertEquals(List.of(version, String.valueOf(additional), weight),
        List.of(a.functionVersion(), String.valueOf(a.additionalVersion()), a.additionalWeight()));
  }

  private LambdaAliasStatus status(LambdaAlias resource) {
    return cluster.read(resource).getStatus();
  }

  private Condition condition(LambdaAlias resource, String type) {
    return Conditions.find(status(resource).conditions, type).orElseThrow();
  }

  private void assertCondition(LambdaAlias resource, String type, String status, String reason) {
    Condition c = condition(resource, type);
    assertEquals(List.of(status, reason), List.of(c.getStatus(), c.getReason()), type + ": " + c.getMessage());
  }

  private Map<String, Long> writes() {
    return aws.writes();
  }

  // ---- flows --------------------------------------------------------------------------------------------------

  /** A shift's passes are steps in the request budget, an abort a rollback; a Ready alias at resync reads drift. */
  @Test
  void aShiftsPassesAreStepsAndAnAbortIsARollback() {
    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName("live").withNamespace("shop").withGeneration(3L).build());
    alias.setSpec(new LambdaAliasSpec());
    assertEquals(dev.lambdaop.reconcile.Urgency.DEPLOY, reconciler.urgency(alias), "no status yet");
    LambdaAliasStatus status = new LambdaAliasStatus();
    alias.setStatus(status);
    dev.lambdaop.status.Conditions.set(status.conditions, "Ready", true, "Synced", "ok", 3L, java.time.Instant.parse("2026-01-01T00:00:00Z"));
    assertEquals(dev.lambdaop.reconcile.Urgency.DRIFT, reconciler.urgency(alias));
    alias.getMetadata().setGeneration(4L);
    assertEquals(dev.lambdaop.reconcile.Urgency.DEPLOY, reconciler.urgency(alias), "a new generation deploys");
    status.canaryVersion = "2";
    assertEquals(dev.lambdaop.reconcile.Urgency.STEP, reconciler.urgency(alias), "a shift starting");
    // Linear 40% every 30 minutes, at 40% since just now: between steps its passes only watch
    alias.getSpec().deployment = dev.lambdaop.api.Deployments.linear(40, "30m");
    status.currentStepIndex = 1;
    status.canaryWeight = 40;
    status.stepStartedAt = clock.instant().minusSeconds(5).toString();
    assertEquals(dev.lambdaop.reconcile.Urgency.DEPLOY, reconciler.urgency(alias), "watching between steps");
    // a watching pass deferred behind a long queue comes back no later than its next step
    var control = reconciler.updateErrorStatus(alias, cluster,
        new dev.lambdaop.reconcile.Deferred("GetAlias waits for its turn", java.time.Duration.ofMinutes(40)));
    assertEquals(java.time.Duration.ofMinutes(30).minusSeconds(5).toMillis(), control.getScheduleDelay().orElseThrow());
    status.stepStartedAt = clock.instant().minus(java.time.Duration.ofMinutes(30)).toString();
    assertEquals(dev.lambdaop.reconcile.Urgency.STEP, reconciler.urgency(alias), "the next step is due");
    alias.getSpec().paused = true;
    assertEquals(dev.lambdaop.reconcile.Urgency.DEPLOY, reconciler.urgency(alias), "paused");
    alias.getSpec().paused = null;
    status.abort = true;
    assertEquals(dev.lambdaop.reconcile.Urgency.ROLLBACK, reconciler.urgency(alias));
    status.canaryVersion = null;
    status.abort = null;
    status.promoteFull = true;
    assertEquals(dev.lambdaop.reconcile.Urgency.STEP, reconciler.urgency(alias));
  }

  @Test
  void createsTheAliasOnTheLatestVersion() {
    functionWithVersion1();
    LambdaAlias a = alias(null);

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertRouting("1", null, 0);
    // the owner record on the function first, then the alias
    assertEquals(Map.of("CreateAlias", 1L, "TagResource", 1L), writes());
    LambdaAliasStatus s = status(a);
    assertEquals(Phase.Healthy, s.phase);
    assertEquals("1", s.stableVersion);
    assertEquals("orders", s.functionName);
    assertEquals(inAws().aliasArn(), s.aliasArn);
    assertEquals("all traffic on version 1", s.message);
    assertEquals(1L, s.observedGeneration);
    assertCondition(a, Conditions.READY, "True", "Synced");
    assertCondition(a, Conditions.PROGRESSING, "False", "Idle");
    assertCondition(a, Conditions.DEGRADED, "False", "Healthy");
    assertEquals(List.of(new Event("LambdaAlias/shop/orders-live", "Normal", "Created", "alias live created")),
        events.of(a));
    assertEquals(Optional.of(RESYNC.plus(LATE)), pass.next());
  }

  @Test
  void aSteadyStateWritesNothingToAws() {
    LambdaAlias a = aliasOnVersion1(Deployments.canary(10, "5m"));

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertEquals(Map.of(), writes());
    // GetFunction: the alias's owner record, on its function, and the target version's traits (the adapter keeps
    // those: a published version never changes); nothing else but GetAlias counts against Lambda's shared 15/s
    assertEquals(Map.of("GetAlias", 1L, "GetFunction", 2L), aws.calls());
    assertEquals(List.of(), events.of(a));
    assertEquals(Optional.of(RESYNC.plus(LATE)), pass.next());
  }

  @Test
  void aResyncReadsWhatTheAliasDeclaresToTheResyncSpread() {
    LambdaAlias a = aliasOnVersion1(Deployments.canary(10, "5m"));

    reconcile(a);

    assertEquals(LambdaAliasReconciler.driftCost(cluster.read(a).getSpec()), ResyncSpreads.cost(aws.calls()));
  }

  @Test
  void deletionForgetsTheAliasInTheResyncSpread() {
    ResyncSpread spread = ResyncSpreads.exact(RESYNC);
    LambdaAliasReconciler spreading = new LambdaAliasReconciler(aws.aws(),
        new FunctionResolver(REGION, CLUSTER, aws.aws().functions()), OperatorSettings.defaults(), events,
        new OperatorMetrics(), HookRuns.onCallingThread(aws.aws().invoker(), clock), clock, spread);
    functionWithVersion1();
    LambdaAlias a = alias(Deployments.canary(10, "5m"));
    ReconcilePass.run(spreading, cluster.read(a), cluster);
    assertEquals(1, spread.resources());

    spreading.cleanup(cluster.markForDeletion(a), cluster);

    assertEquals(0, spread.resources());
  }

  @Test
  void aLinearShiftMovesTrafficStepByStepAsTimePasses() {
    LambdaAlias a = aliasOnVersion1(Deployments.linear(40, "1m"));
    publish();

    ReconcilePass<LambdaAlias> first = reconcile(a);
    assertRouting("1", "2", 0.4);
    assertEquals(Optional.of(Duration.ofMinutes(1).plus(LATE)), first.next());
    assertEquals(Phase.Progressing, status(a).phase);
    assertEquals("2", status(a).canaryVersion);
    assertEquals(40, status(a).canaryWeight);
    assertCondition(a, Conditions.PROGRESSING, "True", "Shifting");
    assertEquals("version 1, 40% to version 2", events.last(a).orElseThrow().message());

    clock.advance(Duration.ofSeconds(20));
    forget();
    ReconcilePass<LambdaAlias> early = reconcile(a);
    assertEquals(Map.of(), writes(), "the step holds its full minute");
    assertEquals(Optional.of(Duration.ofSeconds(40).plus(LATE)), early.next());

    clock.advance(Duration.ofSeconds(40));
    reconcile(a);
    assertRouting("1", "2", 0.8);
    assertEquals(80, status(a).canaryWeight);

    clock.advance(Duration.ofMinutes(1));
    ReconcilePass<LambdaAlias> last = reconcile(a);
    assertRouting("2", null, 0);
    LambdaAliasStatus s = status(a);
    assertEquals(Phase.Healthy, s.phase);
    assertEquals("2", s.stableVersion);
    assertNull(s.canaryVersion);
    assertEquals("Promoted", s.history.get(0).result);
    assertEquals("all steps done", s.history.get(0).reason);
    assertCondition(a, Conditions.PROGRESSING, "False", "Idle");
    assertEquals(Optional.of(RESYNC.plus(LATE)), last.next());
  }

  @Test
  void aStepAwsRefusedIsTakenAgainByTheRetryNotSkipped() {
    LambdaAlias a = aliasOnVersion1(Deployments.linear(40, "1m"));
    publish();
    reconcile(a);
    assertRouting("1", "2", 0.4);
    String fortyStarted = status(a).stepStartedAt;

    clock.advance(Duration.ofMinutes(1));
    aws.failNext("UpdateAlias", AwsFailures.throttled("UpdateAlias"));
    assertTrue(reconcile(a).retried());
    assertRouting("1", "2", 0.4);
    assertEquals(40, status(a).canaryWeight, "the refused 80% is not recorded as started");
    assertEquals(fortyStarted, status(a).stepStartedAt);

    // the retry comes late (a long backoff, a restart): it takes the refused step, then the next one in its time
    clock.advance(Duration.ofMinutes(3));
    reconcile(a);
    assertRouting("1", "2", 0.8);
    assertEquals(80, status(a).canaryWeight);
    assertEquals(clock.instant(), java.time.Instant.parse(status(a).stepStartedAt));
    clock.advance(Duration.ofMinutes(1));
    reconcile(a);
    assertRouting("2", null, 0);
  }

  @Test
  void aCanaryHoldsItsWeightForTheIntervalThenPromotes() {
    LambdaAlias a = aliasOnVersion1(Deployments.canary(10, "5m"));
    publish();

    reconcile(a);
    assertRouting("1", "2", 0.1);
    clock.advance(Duration.ofMinutes(4));
    reconcile(a);
    assertRouting("1", "2", 0.1);
    clock.advance(Duration.ofMinutes(1));
    reconcile(a);
    assertRouting("2", null, 0);
    assertEquals(Map.of("UpdateAlias", 2L), writes());
  }

  @Test
  void aFailingPreTrafficHookRollsBackBeforeAnyTrafficMoves() {
    aws.createFunctionBehindOperator(REGION, "smoke");
    LambdaAliasSpec.Deployment d = Deployments.steps(50, "1m");
    d.preTrafficHook = Deployments.hook("smoke", "30s");
    LambdaAlias a = aliasOnVersion1(d);
    publish();
    aws.answerInvoke(REGION, "smoke", new Invoker.Result(false, "Unhandled", "{\"errorMessage\":\"boom\"}"));

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertRouting("1", null, 0);
    assertEquals(Map.of(), writes(), "traffic never left version 1");
    LambdaAliasStatus s = status(a);
    assertEquals(Phase.Degraded, s.phase);
    assertEquals("RolledBack", s.history.get(0).result);
    assertEquals("pre-traffic hook smoke failed (Unhandled): {\"errorMessage\":\"boom\"}", s.history.get(0).reason);
    assertEquals("Failed", s.hooks.preTraffic.result);
    assertEquals("2", s.hooks.preTraffic.version);
    assertEquals(List.of("{\"abort\":true}"), cluster.statusMerges(a));
    assertTrue(s.abort, "a rollback holds like an abort");
    assertEquals(1L, s.rolledBackAtGeneration);
    assertCondition(a, Conditions.DEGRADED, "True", "RolledBack");
    assertCondition(a, Conditions.READY, "True", "Synced");
    assertEquals("RolledBack", events.find(a, "RolledBack").orElseThrow().reason());
    assertEquals("Warning", events.find(a, "RolledBack").orElseThrow().type());
    assertEquals(Optional.of(RESYNC.plus(LATE)), pass.next());
    String payload = aws.invocations(REGION, "smoke").get(0);
    assertTrue(payload.contains("\"version\":\"2\"") && payload.contains("\"stableVersion\":\"1\""), payload);

    clock.advance(Duration.ofMinutes(5));
    reconcile(a);
    assertEquals(1, aws.invocations(REGION, "smoke").size(), "the hook is not run again while the rollback holds");
    assertRouting("1", null, 0);
    assertEquals(Phase.Degraded, status(a).phase);
  }

  @Test
  void anAlarmInAlarmDuringTheShiftRollsBack() {
    LambdaAlias a = aliasOnVersion1(Deployments.rollbackOnAlarms(Deployments.steps(20, null), "orders-5xx"));
    publish();
    ReconcilePass<LambdaAlias> shifting = reconcile(a);
    assertRouting("1", "2", 0.2);
    assertEquals(Optional.of(LambdaAliasSpec.Rollback.CHECK_INTERVAL.plus(LATE)), shifting.next(),
        "alarms are read every few seconds while the shift runs");

    aws.raiseAlarm(REGION, "orders-5xx");
    clock.advance(Duration.ofSeconds(5));
    reconcile(a);

    assertRouting("1", null, 0);
    LambdaAliasStatus s = status(a);
    assertEquals(Phase.Degraded, s.phase);
    assertEquals("alarm orders-5xx in ALARM", s.history.get(0).reason);
    assertTrue(s.abort);
    assertTrue(s.message.startsWith("rolled back to version 1: alarm orders-5xx in ALARM"), s.message);
  }

  @Test
  void anErrorRateOverTheLimitRollsBack() {
    LambdaAlias a = aliasOnVersion1(Deployments.rollbackOnErrorRate(Deployments.steps(20, null), "0.1", 10));
    publish();
    reconcile(a);
    aws.recordInvocations(REGION, "orders", "live", "2", 8, 8);
    clock.advance(Duration.ofSeconds(5));
    reconcile(a);
    assertRouting("1", "2", 0.2);

    aws.recordInvocations(REGION, "orders", "live", "2", 12, 0);
    clock.advance(Duration.ofSeconds(5));
    reconcile(a);

    assertRouting("1", null, 0);
    String reason = status(a).history.get(0).reason;
    assertEquals("error rate of version 2 is 0.4 (8 errors in 20 invocations), above 0.1", reason);
  }

  @Test
  void aManualAbortSendsTrafficBackUntilTheUserRetries() {
    LambdaAlias a = aliasOnVersion1(Deployments.steps(50, "10m"));
    publish();
    reconcile(a);
    assertRouting("1", "2", 0.5);

    userSets(a, "{\"abort\":true}");
    clock.advance(Duration.ofMinutes(1));
    reconcile(a);
    assertRouting("1", null, 0);
    LambdaAliasStatus aborted = status(a);
    assertEquals(Phase.Degraded, aborted.phase);
    assertEquals("Aborted", aborted.history.get(0).result);
    assertCondition(a, Conditions.DEGRADED, "True", "Aborted");
    assertEquals(List.of("{\"abort\":true}"), cluster.statusMerges(a), "the operator leaves the user's abort alone");
    assertTrue(aborted.abort, "the operator's apply does not remove the user's abort");

    userSets(a, "{\"abort\":false}");
    clock.advance(Duration.ofMinutes(1));
    ReconcilePass<LambdaAlias> retried = reconcile(a);
    assertRouting("1", "2", 0.5);
    assertEquals(Phase.Progressing, status(a).phase);
    assertEquals(Optional.of(Duration.ofMinutes(10).plus(LATE)), retried.next(), "from the first step again");
  }

  @Test
  void promoteEndsAPauseAndPromoteFullEndsTheShiftAndBothAreClearedOnceUsed() {
    LambdaAlias a = aliasOnVersion1(Deployments.steps(30, null, 60, "10m"));
    publish();
    reconcile(a);
    assertRouting("1", "2", 0.3);
    assertEquals("PausedByStep", status(a).pauseConditions.get(0).reason);

    userSets(a, "{\"promote\":true}");
    reconcile(a);
    assertRouting("1", "2", 0.6);
    assertFalse(status(a).promote, "cleared once used");
    assertTrue(status(a).pauseConditions.isEmpty());

    userSets(a, "{\"promoteFull\":true}");
    reconcile(a);
    assertRouting("2", null, 0);
    LambdaAliasStatus s = status(a);
    assertEquals("2", s.stableVersion);
    assertEquals("status.promoteFull", s.history.get(0).reason);
    assertFalse(s.promoteFull);
  }

  @Test
  void specPausedHoldsTheWeightAndTheStepKeepsItsTimeLeft() {
    LambdaAlias a = aliasOnVersion1(Deployments.steps(50, "1m"));
    publish();
    reconcile(a);

    clock.advance(Duration.ofSeconds(30));
    a = edit(a, spec -> spec.paused = true);
    ReconcilePass<LambdaAlias> paused = reconcile(a);
    assertEquals(Phase.Paused, status(a).phase);
    assertEquals("PausedBySpec", status(a).pauseConditions.get(0).reason);
    assertEquals(Optional.of(RESYNC.plus(LATE)), paused.next());

    clock.advance(Duration.ofMinutes(10));
    reconcile(a);
    assertRouting("1", "2", 0.5);

    a = edit(a, spec -> spec.paused = false);
    ReconcilePass<LambdaAlias> resumed = reconcile(a);
    assertRouting("1", "2", 0.5);
    assertEquals(Optional.of(Duration.ofSeconds(30).plus(LATE)), resumed.next(), "30s were left when it paused");
    assertTrue(status(a).pauseConditions.isEmpty());
  }

  /** A shift to version 2 at 50% for a minute, with post-traffic hook verify. */
  private LambdaAlias shiftingWithPostTrafficHook() {
    aws.createFunctionBehindOperator(REGION, "verify");
    LambdaAliasSpec.Deployment d = Deployments.steps(50, "1m");
    d.postTrafficHook = Deployments.hook("verify", "1m");
    LambdaAlias a = aliasOnVersion1(d);
    publish();
    reconcile(a);
    assertRouting("1", "2", 0.5);
    return a;
  }

  @Test
  void thePostTrafficHookRunsOnceAllTrafficIsOnTheNewVersion() {
    LambdaAlias a = shiftingWithPostTrafficHook();
    assertEquals(List.of(), aws.invocations(REGION, "verify"));

    clock.advance(Duration.ofMinutes(1));
    forget();
    reconcile(a);

    List<String> order = aws.callLog().stream().map(c -> c.operation() + " " + c.target()).toList();
    assertTrue(order.indexOf("UpdateAlias orders") < order.indexOf("Invoke verify"), order.toString());
    assertEquals(Map.of("UpdateAlias", 1L), writes(), "once on 100%, nothing to undo");
    assertRouting("2", null, 0);
    assertEquals(1, aws.invocations(REGION, "verify").size());
    LambdaAliasStatus s = status(a);
    assertEquals(Phase.Healthy, s.phase);
    assertEquals("2", s.stableVersion);
    assertEquals("Succeeded", s.hooks.postTraffic.result);
    assertEquals("2", s.hooks.postTraffic.version);
    assertEquals("Promoted", s.history.get(0).result);
  }

  @Test
  void aFailingPostTrafficHookSendsTrafficBackInTheSamePass() {
    LambdaAlias a = shiftingWithPostTrafficHook();
    aws.answerInvoke(REGION, "verify", new Invoker.Result(false, null, "{\"status\":\"Failed\"}"));

    clock.advance(Duration.ofMinutes(1));
    forget();
    reconcile(a);

    assertEquals(Map.of("UpdateAlias", 2L), writes(), "to 100% for the hook, then back to version 1");
    assertRouting("1", null, 0);
    LambdaAliasStatus s = status(a);
    assertEquals(Phase.Degraded, s.phase);
    assertEquals("1", s.stableVersion);
    assertEquals("post-traffic hook verify failed: {\"status\":\"Failed\"}", s.history.get(0).reason);
    assertEquals("Failed", s.hooks.postTraffic.result);
    assertTrue(s.abort);
    assertEquals(List.of("Routed", "Routed", "RolledBack"), events.reasons(a));
  }

  @Test
  void aChangedSpecRetriesARolledBackShift() {
    LambdaAlias a = aliasOnVersion1(Deployments.rollbackOnAlarms(Deployments.steps(20, null), "orders-5xx"));
    publish();
    reconcile(a);
    aws.raiseAlarm(REGION, "orders-5xx");
    reconcile(a);
    assertEquals(Phase.Degraded, status(a).phase);
    aws.clearAlarm(REGION, "orders-5xx");

    a = edit(a, spec -> spec.description = "retry");
    reconcile(a);

    assertEquals(List.of("{\"abort\":true}", "{\"abort\":false}"), cluster.statusMerges(a));
    assertFalse(status(a).abort);
    assertNull(status(a).rolledBackAtGeneration);
    assertRouting("1", "2", 0.2);
    assertEquals(Phase.Progressing, status(a).phase);
  }

  @Test
  void aVersionThatNoLongerExistsIsNamedAndLookedAtAgain() {
    functionWithVersion1();
    String deleted = publish();
    aws.aws().versions().delete(REGION, "orders", deleted);
    LambdaAlias a = alias(null);
    a = edit(a, spec -> spec.version = "1");
    reconcile(a);
    forget();

    a = edit(a, spec -> spec.version = deleted);
    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertRouting("1", null, 0);
    assertEquals(Map.of(), writes());
    assertCondition(a, Conditions.READY, "False", "VersionNotFound");
    assertEquals("version 2 of orders does not exist", condition(a, Conditions.READY).getMessage());
    assertFalse(pass.retried());
    assertEquals(Optional.of(Duration.ofSeconds(10)), pass.next());
  }

  @Test
  void anAliasRepointedBehindTheOperatorIsRestored() {
    functionWithVersion1();
    publish();
    LambdaAlias a = alias(null);
    a = edit(a, spec -> spec.version = "1");
    reconcile(a);
    aws.setAliasBehindOperator(REGION, "orders", new AliasRouting("live", "2", null, 0, ""));
    forget();

    reconcile(a);

    assertRouting("1", null, 0);
    assertEquals(Map.of("UpdateAlias", 1L), writes());
    assertEquals(List.of(new Event("LambdaAlias/shop/orders-live", "Warning", "AliasRestored", "alias live of orders"
            + " was changed outside the operator (it routed version 2 instead of version 1): it is restored"),
        new Event("LambdaAlias/shop/orders-live", "Normal", "Routed", "version 1")), events.of(a));
  }

  // ---- changes made outside the operator: recovery -------------------------------------------------------------

  @Test
  void anAliasDeletedInAwsIsCreatedAgain() {
    LambdaAlias a = aliasOnVersion1(null);
    aws.deleteAliasBehindOperator(REGION, "orders", "live");

    reconcile(a);

    assertRouting("1", null, 0);
    assertEquals(Map.of("CreateAlias", 1L), writes());
    assertEquals(List.of("AliasRestored", "Created"), events.reasons(a));
    assertEquals(inAws().aliasArn(), status(a).aliasArn);
    assertCondition(a, Conditions.READY, "True", "Synced");
  }

  @Test
  void anAliasDeletedMidShiftIsCreatedAgainAndTheShiftRestartsFromItsFirstStep() {
    LambdaAlias a = aliasOnVersion1(Deployments.steps(20, "1m", 50, "1m"));
    publish();
    reconcile(a);
    clock.advance(Duration.ofMinutes(1));
    reconcile(a);
    assertRouting("1", "2", 0.5);
    aws.deleteAliasBehindOperator(REGION, "orders", "live");
    clock.advance(Duration.ofSeconds(30));
    forget();

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertRouting("1", "2", 0.2);
    assertEquals(Optional.of(Duration.ofMinutes(1).plus(LATE)), pass.next(), "the first step holds its full time");
    LambdaAliasStatus s = status(a);
    assertEquals(List.of(1, 20, Phase.Progressing), List.of(s.currentStepIndex, s.canaryWeight, s.phase));
    assertEquals(List.of("AliasRestored", "ShiftRestarted", "Created"), events.reasons(a));
    assertEquals("the shift to version 2 restarts from its first step on stable version 1: while alias live of"
        + " orders was changed outside the operator, its traffic did not follow the steps",
        events.find(a, "ShiftRestarted").orElseThrow().message());

    clock.advance(Duration.ofMinutes(1));
    reconcile(a);
    assertRouting("1", "2", 0.5);
    clock.advance(Duration.ofMinutes(1));
    reconcile(a);
    assertRouting("2", null, 0);
  }

  @Test
  void anAliasRepointedMidShiftIsRestoredAndTheShiftRestartsFromItsFirstStep() {
    LambdaAlias a = aliasOnVersion1(Deployments.steps(20, "1m", 50, "1m"));
    publish();
    reconcile(a);
    clock.advance(Duration.ofMinutes(1));
    reconcile(a);
    aws.setAliasBehindOperator(REGION, "orders", new AliasRouting("live", "2", null, 0, ""));
    forget();

    reconcile(a);

    assertRouting("1", "2", 0.2);
    assertEquals(List.of("AliasRestored", "ShiftRestarted", "Routed"), events.reasons(a));
    assertEquals(0, status(a).history.size(), "the shift goes on: nothing ended");
  }

  @Test
  void aCanaryVersionDeletedInAwsWaitsForTheFunctionToPublishAgainThenShiftsToThat() {
    LambdaAlias a = aliasOnVersion1(Deployments.canary(10, "5m"));
    publish();
    reconcile(a);
    assertRouting("1", "2", 0.1);
    // someone sent all traffic back to version 1 and deleted version 2
    aws.setAliasBehindOperator(REGION, "orders", new AliasRouting("live", "1", null, 0, ""));
    aws.deleteVersionBehindOperator(REGION, "orders", "2");
    forget();

    ReconcilePass<LambdaAlias> waiting = reconcile(a);

    assertCondition(a, Conditions.READY, "False", "VersionNotFound");
    assertEquals(Optional.of(Duration.ofSeconds(10)), waiting.next(), "looked at again soon");
    assertRouting("1", null, 0);
    assertEquals(Map.of(), writes());

    // the LambdaFunction notices at its resync and publishes the current spec again
    String again = publish();
    forget();
    reconcile(a);

    assertRouting("1", again, 0.1);
    LambdaAliasStatus s = status(a);
    assertEquals(List.of("1", again), List.of(s.stableVersion, s.canaryVersion));
    assertEquals(List.of("Superseded", "2"), List.of(s.history.get(0).result, s.history.get(0).toVersion));
    assertEquals(List.of("Routed"), events.reasons(a), "the failed pass left Ready=False: what it wrote is unknown");
  }

  @Test
  void aFunctionCreatedAgainInAwsGetsItsAliasBackOnItsNewVersion() {
    LambdaAlias a = aliasOnVersion1(Deployments.canary(10, "5m"));
    publish();
    reconcile(a);
    clock.advance(Duration.ofMinutes(5));
    reconcile(a);
    assertEquals("2", status(a).stableVersion);
    // deleted in AWS with its versions and aliases; the LambdaFunction creates it again and publishes version 1
    aws.deleteFunctionBehindOperator(REGION, "orders");
    aws.createFunctionBehindOperator(REGION, "orders");
    assertEquals("1", publish());
    forget();

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertRouting("1", null, 0);
    LambdaAliasStatus s = status(a);
    assertEquals(List.of("1", Phase.Healthy), List.of(s.stableVersion, s.phase));
    assertNull(s.canaryVersion, "no shift: version 2 is gone, nothing to shift from");
    assertEquals(List.of("2", "1", "Promoted"), List.of(s.history.get(0).fromVersion, s.history.get(0).toVersion,
        s.history.get(0).result));
    assertEquals(List.of("AliasRestored", "StableVersionMissing", "Created"), events.reasons(a));
    assertEquals("stable version 2 of orders no longer exists in AWS and alias live serves no other version: all"
        + " traffic goes to version 1, the version the spec targets, at once (nothing is left to shift from)",
        events.find(a, "StableVersionMissing").orElseThrow().message());
    assertEquals(Owner.of(CLUSTER, a).value(), aws.function(REGION, "orders").orElseThrow().config().tags()
        .get(Owner.aliasTag("live")), "recorded again on the new function");
    assertCondition(a, Conditions.READY, "True", "Synced");
    assertEquals(Optional.of(RESYNC.plus(LATE)), pass.next());
  }

  @Test
  void aStableVersionDeletedBehindAShiftMakesTheVersionTheAliasServesStable() {
    LambdaAlias a = aliasOnVersion1(Deployments.canary(10, "5m"));
    publish();
    reconcile(a);
    assertRouting("1", "2", 0.1);
    // someone moved all traffic to version 2 and deleted version 1 (AWS refuses it while the alias routes to it)
    aws.setAliasBehindOperator(REGION, "orders", new AliasRouting("live", "2", null, 0, ""));
    aws.deleteVersionBehindOperator(REGION, "orders", "1");
    forget();

    reconcile(a);

    assertRouting("2", null, 0);
    assertEquals(Map.of(), writes(), "AWS already routes as decided");
    assertEquals(Map.of("GetAlias", 1L, "GetFunction", 3L), aws.calls(),
        "one more read: whether the stable version exists");
    LambdaAliasStatus s = status(a);
    assertEquals(List.of("2", Phase.Healthy), List.of(s.stableVersion, s.phase));
    assertEquals("Superseded", s.history.get(0).result);
    assertEquals(List.of("StableVersionMissing"), events.reasons(a));
  }

  @Test
  void cleanupDeletesTheAliasItMade() {
    LambdaAlias a = aliasOnVersion1(null);

    reconciler.cleanup(cluster.markForDeletion(a), cluster);

    assertEquals(Optional.empty(), aws.alias(REGION, "orders", "live"));
    assertEquals("deleted alias live of orders", events.find(a, "Deleted").orElseThrow().message());
  }

  @Test
  void cleanupLeavesAnAliasItDidNotMake() {
    functionWithVersion1();
    aws.failNext("CreateAlias", AwsFailures.accessDenied("CreateAlias"));
    LambdaAlias a = alias(null);
    reconcile(a);
    assertNull(status(a).aliasArn, "never created");
    aws.setAliasBehindOperator(REGION, "orders", new AliasRouting("live", "1", null, 0, "someone else's"));
    forget();

    reconciler.cleanup(cluster.markForDeletion(a), cluster);

    assertTrue(aws.alias(REGION, "orders", "live").isPresent());
    assertEquals(Map.of(), writes());
  }

  // ---- failures: one per retry policy, through the shared failure path ----------------------------------------

  @Test
  void throttlingIsRetriedWithBackoff() {
    LambdaAlias a = aliasOnVersion1(Deployments.canary(10, "5m"));
    publish();
    userSets(a, "{\"promote\":true}");
    aws.failNext("UpdateAlias", AwsFailures.throttled("UpdateAlias"));

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertTrue(pass.retried());
    assertEquals(Optional.empty(), pass.next());
    assertCondition(a, Conditions.READY, "False", "Throttled");
    assertEquals("Warning", events.find(a, "Throttled").orElseThrow().type());
    assertRouting("1", null, 0);
    LambdaAliasStatus written = cluster.statusPatches(a).get(cluster.statusPatches(a).size() - 1).getStatus();
    assertTrue(written.abort == null && written.promote == null && written.promoteFull == null,
        "the failure path leaves the user's controls out too");

    assertTrue(status(a).promote, "still the user's, and unused");
    reconcile(a);
    assertRouting("2", null, 0);
    assertCondition(a, Conditions.READY, "True", "Synced");
    assertFalse(status(a).promote);
  }

  @Test
  void aLambdaFunctionWithoutAVersionIsLookedAtAgain() {
    aws.createFunctionBehindOperator(REGION, "orders");
    LambdaFunction fn = new LambdaFunction();
    fn.setMetadata(new ObjectMetaBuilder().withName("orders").withNamespace("shop").build());
    fn.setStatus(new LambdaFunctionStatus());
    fn.getStatus().functionName = "orders";
    cluster.put(fn);
    LambdaAlias a = alias(null);

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertFalse(pass.retried());
    assertEquals(Optional.of(Duration.ofSeconds(10)), pass.next());
    assertCondition(a, Conditions.READY, "False", "FunctionNotReady");
    assertEquals("waiting for LambdaFunction orders to publish a version",
        condition(a, Conditions.READY).getMessage());
    assertEquals(Map.of(), aws.calls());
  }

  @Test
  void aHookTheOperatorCannotInvokeStopsTheShiftBeforeTrafficMoves() {
    LambdaAliasSpec.Deployment d = Deployments.steps(50, "1m");
    d.preTrafficHook = Deployments.hook("missing", "30s");
    LambdaAlias a = aliasOnVersion1(d);
    publish();

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertCondition(a, Conditions.READY, "False", "HookNotInvokable");
    assertTrue(condition(a, Conditions.READY).getMessage().endsWith("No traffic moved."));
    assertEquals(Optional.of(Duration.ofSeconds(10)), pass.next());
    assertRouting("1", null, 0);
  }

  @Test
  void accessDeniedWaitsForTheSpecToChange() {
    functionWithVersion1();
    aws.failNext("CreateAlias", AwsFailures.accessDenied("CreateAlias"));
    LambdaAlias a = alias(null);

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertFalse(pass.retried());
    assertEquals(Optional.empty(), pass.next());
    assertCondition(a, Conditions.READY, "False", "AccessDenied");
    assertNotNull(pass.error());
    assertEquals(Optional.empty(), aws.alias(REGION, "orders", "live"));
  }

  /**
   * A duration the schema now refuses (stored before its bound, or applied past the schema) that the operator
   * cannot use: a spec problem, not an unexpected exception retried for ever; AWS is left as it is.
   */
  @Test
  void aDurationTooLongToUseIsASpecProblemAndMovesNoTraffic() {
    LambdaAlias a = aliasOnVersion1(Deployments.canary(10, "5m"));
    a = edit(a, spec -> spec.deployment.canary.interval = "99999999999999h");
    publish();
    forget();

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertFalse(pass.retried(), "not retried: the spec must change");
    assertEquals(Optional.empty(), pass.next());
    assertCondition(a, Conditions.READY, "False", "InvalidSpec");
    String message = condition(a, Conditions.READY).getMessage();
    assertTrue(message.contains("spec.deployment.canary.interval"), message);
    assertTrue(message.contains("99999999999999h"), message);
    assertEquals(Map.of(), aws.calls(), "refused before any AWS call");
    assertRouting("1", null, 0);

    // Fixed: the shift starts.
    a = edit(a, spec -> spec.deployment.canary.interval = "5m");
    reconcile(a);
    assertRouting("1", "2", 0.1);
    assertCondition(a, Conditions.READY, "True", "Synced");
  }

  @Test
  void everyDurationOfTheSpecIsChecked() {
    LambdaAliasSpec.Deployment d = Deployments.steps(50, "10000h", 60, "1m");
    d.preTrafficHook = Deployments.hook("smoke", "30s");
    d.postTrafficHook = Deployments.hook("verify", "1" + "0".repeat(20) + "ms");
    functionWithVersion1();
    LambdaAlias a = alias(d);

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertFalse(pass.retried());
    assertCondition(a, Conditions.READY, "False", "InvalidSpec");
    String message = condition(a, Conditions.READY).getMessage();
    assertTrue(message.contains("spec.deployment.steps[1].pause.duration: '10000h' is longer than"), message);
    assertTrue(message.contains("spec.deployment.postTrafficHook.timeout"), message);
    assertFalse(message.contains("preTrafficHook"), message);
    assertFalse(message.contains("steps[3]"), message);
  }

  // ---- ownership ----------------------------------------------------------------------------------------------

  private void tagOrders(String key, String value) {
    String arn = aws.function(REGION, "orders").orElseThrow().snapshot().functionArn();
    aws.aws().functions().tag(REGION, "orders", arn, Map.of(key, value));
  }

  private Map<String, String> ordersTags() {
    return aws.function(REGION, "orders").orElseThrow().config().tags();
  }

  private LambdaAlias byName(String namespace, String name) {
    LambdaAlias a = new LambdaAlias();
    a.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    a.setSpec(new LambdaAliasSpec());
    a.getSpec().functionName = "orders";
    a.getSpec().aliasName = "live";
    a.getSpec().version = "1";
    return cluster.put(a);
  }

  @Test
  void theAliasIsRecordedOnItsFunctionAndTheRecordGoesWithIt() {
    LambdaAlias a = aliasOnVersion1(null);
    assertEquals(CLUSTER + "/shop/orders-live", ordersTags().get("lambdaop.dev/alias.live"));
    assertEquals(REGION, status(a).region);

    reconciler.cleanup(cluster.markForDeletion(cluster.read(a)), cluster);

    assertEquals(Optional.empty(), aws.alias(REGION, "orders", "live"));
    assertNull(ordersTags().get("lambdaop.dev/alias.live"));
  }

  @Test
  void aSecondLambdaAliasForTheSameAwsAliasIsRefusedAndTheFirstKeepsWorking() {
    LambdaAlias first = aliasOnVersion1(null);
    LambdaAlias second = new LambdaAlias();
    second.setMetadata(new ObjectMetaBuilder().withName("orders-live-2").withNamespace("shop").build());
    second.setSpec(new LambdaAliasSpec());
    second.getSpec().functionRef = new FunctionRef("orders");
    second.getSpec().aliasName = "live";
    second = cluster.put(second);

    ReconcilePass<LambdaAlias> refused = reconcile(second);
    publish();
    reconcile(first);

    assertCondition(second, Conditions.READY, "False", "DuplicateAlias");
    assertTrue(condition(second, Conditions.READY).getMessage().contains("LambdaAlias shop/orders-live already"));
    assertEquals(Optional.of(Duration.ofSeconds(10)), refused.next());
    assertRouting("2", null, 0);
    reconciler.cleanup(cluster.markForDeletion(cluster.read(second)), cluster);
    assertRouting("2", null, 0);
  }

  @Test
  void anAliasThatExistsInAwsIsAdoptedOnlyWithAdopt() {
    functionWithVersion1();
    aws.setAliasBehindOperator(REGION, "orders", new AliasRouting("live", "1", null, 0, "by hand"));
    LambdaAlias a = alias(null);
    forget();

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertCondition(a, Conditions.READY, "False", "AlreadyExists");
    assertTrue(condition(a, Conditions.READY).getMessage().contains("spec.adopt: true"));
    assertEquals(Optional.of(Duration.ofSeconds(10)), pass.next());
    assertEquals(Map.of(), writes());
    reconciler.cleanup(cluster.markForDeletion(cluster.read(a)), cluster);
    assertEquals("by hand", inAws().description(), "deleting it leaves the alias it did not create");

    LambdaAlias adopting = edit(cluster.read(a), spec -> spec.adopt = true);
    reconcile(adopting);

    assertCondition(adopting, Conditions.READY, "True", "Synced");
    assertEquals(CLUSTER + "/shop/orders-live", ordersTags().get("lambdaop.dev/alias.live"));
    assertTrue(events.find(adopting, "Adopted").isPresent());
    reconciler.cleanup(cluster.markForDeletion(cluster.read(adopting)), cluster);
    assertEquals(Optional.empty(), aws.alias(REGION, "orders", "live"), "an adopted alias goes with the resource");
  }

  @Test
  void anAliasCreatedBeforeOwnerRecordsIsRecordedNotRefused() {
    LambdaAlias a = aliasOnVersion1(null);
    String arn = aws.function(REGION, "orders").orElseThrow().snapshot().functionArn();
    aws.aws().functions().untag(REGION, "orders", arn, List.of("lambdaop.dev/alias.live"));

    reconcile(a);

    assertCondition(a, Conditions.READY, "True", "Synced");
    assertEquals(CLUSTER + "/shop/orders-live", ordersTags().get("lambdaop.dev/alias.live"));
  }

  @Test
  void anAliasAnotherClusterRecordedIsLeftAloneEvenWithAdopt() {
    functionWithVersion1();
    aws.setAliasBehindOperator(REGION, "orders", new AliasRouting("live", "1", null, 0, ""));
    tagOrders("lambdaop.dev/alias.live", "cluster-b/shop/orders-live");
    LambdaAlias a = edit(alias(null), spec -> spec.adopt = true);
    forget();

    reconcile(a);

    assertCondition(a, Conditions.READY, "False", "OwnedElsewhere");
    assertTrue(condition(a, Conditions.READY).getMessage().contains("shop/orders-live of cluster cluster-b"));
    assertEquals(Map.of(), writes());
  }

  @Test
  void aFunctionNamedByNameThatAnotherNamespaceOwnsIsLeftAlone() {
    functionWithVersion1();
    tagOrders(Owner.FUNCTION_TAG, CLUSTER + "/billing/orders");
    LambdaAlias a = byName("shop", "orders-live");
    forget();

    reconcile(a);

    assertCondition(a, Conditions.READY, "False", "OwnedElsewhere");
    assertTrue(condition(a, Conditions.READY).getMessage().contains("owned by billing/orders"));
    assertEquals(Map.of(), writes());
    assertEquals(Optional.empty(), aws.alias(REGION, "orders", "live"));
  }

  @Test
  void aFunctionNamedByNameThatItsOwnNamespaceOwnsGetsTheAlias() {
    functionWithVersion1();
    tagOrders(Owner.FUNCTION_TAG, CLUSTER + "/shop/orders");
    LambdaAlias a = byName("shop", "orders-live");

    reconcile(a);

    assertRouting("1", null, 0);
  }

  @Test
  void aHookOnAFunctionOwnedElsewhereIsNotInvokedAndNoTrafficMoves() {
    aws.createFunctionBehindOperator(REGION, "smoke");
    String arn = aws.function(REGION, "smoke").orElseThrow().snapshot().functionArn();
    aws.aws().functions().tag(REGION, "smoke", arn, Map.of(Owner.FUNCTION_TAG, CLUSTER + "/billing/smoke"));
    LambdaAliasSpec.Deployment d = Deployments.steps(50, "1m");
    d.preTrafficHook = Deployments.hook("smoke", "30s");
    LambdaAlias a = aliasOnVersion1(d);
    publish();

    reconcile(a);

    assertCondition(a, Conditions.READY, "False", "OwnedElsewhere");
    assertTrue(condition(a, Conditions.READY).getMessage().contains("function smoke is owned by billing/smoke"));
    assertEquals(List.of(), aws.invocations(REGION, "smoke"));
    assertRouting("1", null, 0);
  }

  @Test
  void aFunctionNamedByArnIsAliasedInTheRegionOfTheArn() {
    aws.createFunctionBehindOperator("eu-central-1", "orders");
    aws.publishBehindOperator("eu-central-1", "orders", "");
    LambdaAlias a = byName("shop", "orders-live");
    a = edit(a, spec -> spec.functionName = aws.function("eu-central-1", "orders").orElseThrow().snapshot()
        .functionArn());

    reconcile(a);

    assertEquals("eu-central-1", status(a).region);
    assertTrue(aws.alias("eu-central-1", "orders", "live").isPresent());
  }

  // ---- namespace policy ---------------------------------------------------------------------------------------

  private void namespacePrefix(String prefix) {
    cluster.put(new NamespaceBuilder().withNewMetadata().withName("shop")
        .withAnnotations(Map.of(NamespacePolicy.FUNCTION_NAME_PREFIX, prefix)).endMetadata().build());
  }

  @Test
  void aFunctionNamedByNameWithoutTheNamespacePrefixIsRefusedBeforeAnyAwsCall() {
    functionWithVersion1();
    namespacePrefix("shop-");
    LambdaAlias a = byName("shop", "orders-live");
    forget();

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertCondition(a, Conditions.READY, "False", "FunctionNameNotAllowed");
    assertTrue(condition(a, Conditions.READY).getMessage().contains(NamespacePolicy.FUNCTION_NAME_PREFIX));
    assertTrue(pass.noRetry());
    assertEquals(Map.of(), aws.calls(), "not even the owner tag is read");
    assertEquals(Optional.empty(), aws.alias(REGION, "orders", "live"));

    namespacePrefix("ord");
    reconcile(a);
    assertRouting("1", null, 0);
  }

  @Test
  void aFunctionNamedByRefIsTheNamespacesOwnAndNotCheckedAgain() {
    namespacePrefix("shop-");
    LambdaAlias a = aliasOnVersion1(null);
    assertCondition(a, Conditions.READY, "True", "Synced");
  }

  @Test
  void aHookWithoutTheNamespacePrefixIsNotInvokedAndNoTrafficMoves() {
    aws.createFunctionBehindOperator(REGION, "smoke");
    LambdaAliasSpec.Deployment d = Deployments.steps(50, "1m");
    d.postTrafficHook = Deployments.hook("smoke", "30s");
    LambdaAlias a = aliasOnVersion1(null);
    a = edit(a, spec -> spec.deployment = d);
    namespacePrefix("ord");
    publish();
    forget();

    reconcile(a);

    assertCondition(a, Conditions.READY, "False", "FunctionNameNotAllowed");
    assertTrue(condition(a, Conditions.READY).getMessage().contains("smoke"));
    assertEquals(Map.of(), aws.calls());
    assertRouting("1", null, 0);
  }

  // ---- which updates start a reconcile: AliasEventFilter over the writes of real passes -------------------------

  private final AliasEventFilter filter = new AliasEventFilter();

  /**
   * One pass, watched as the informer sees it: for each status write of the pass (each an update event), whether
   * the filter lets it start another reconcile.
   */
  private List<Boolean> passStarts(LambdaAlias resource) {
    List<LambdaAlias> states = new java.util.ArrayList<>(List.of(cluster.read(resource)));
    Cluster<LambdaAlias> watched = new Cluster<>() {
      @Override
      public void applyStatus(LambdaAlias r, LambdaAlias patch) {
        cluster.applyStatus(r, patch);
        states.add(cluster.read(r));
      }

      @Override
      public void mergeStatus(LambdaAlias r, String statusJson) {
        cluster.mergeStatus(r, statusJson);
        states.add(cluster.read(r));
      }

      @Override
      public <T extends io.fabric8.kubernetes.api.model.HasMetadata> Optional<T> get(Class<T> kind, String namespace,
          String name) {
        return cluster.get(kind, namespace, name);
      }

      @Override
      public <T extends io.fabric8.kubernetes.api.model.HasMetadata> List<T> list(Class<T> kind, String namespace) {
        return cluster.list(kind, namespace);
      }

      @Override
      public java.util.stream.Stream<LambdaAlias> cached() {
        return cluster.cached();
      }

      @Override
      public boolean definitionDeleted(LambdaAlias r) {
        return cluster.definitionDeleted(r);
      }
    };
    ReconcilePass<LambdaAlias> pass = ReconcilePass.run(reconciler, cluster.read(resource), watched);
    assertNull(pass.error(), () -> String.valueOf(pass.error()));
    List<Boolean> starts = new java.util.ArrayList<>();
    for (int i = 1; i < states.size(); i++) {
      starts.add(filter.accept(states.get(i), states.get(i - 1)));
    }
    return starts;
  }

  /** The user's merge patch of a control, and whether its update event starts a reconcile. */
  private boolean userStarts(LambdaAlias resource, String statusJson) {
    LambdaAlias before = cluster.read(resource);
    userSets(resource, statusJson);
    return filter.accept(cluster.read(resource), before);
  }

  private static List<Boolean> none(List<Boolean> starts) {
    return starts.stream().filter(b -> b).toList();
  }

  @Test
  void theControllerUsesAliasEventFilterInPlaceOfGenerationAwareProcessing() {
    var config = new io.javaoperatorsdk.operator.api.config.BaseConfigurationService().getConfigurationFor(reconciler);
    assertFalse(config.isGenerationAware(), "JOSDK ANDs a filter with its generation rule: a control would be dropped");
    assertTrue(config.getInformerConfig().getOnUpdateFilter() instanceof AliasEventFilter,
        String.valueOf(config.getInformerConfig().getOnUpdateFilter()));
  }

  /**
   * Every control of the user starts a reconcile; no status write of the operator does, but its abort (a rollback),
   * whose one extra pass writes nothing new: no loop.
   */
  @Test
  void eachControlStartsAReconcileAndTheOperatorsOwnWritesDoNotLoop() {
    functionWithVersion1();
    LambdaAlias a = alias(Deployments.rollbackOnAlarms(Deployments.steps(20, null, 50, null), "orders-5xx"));
    LambdaAlias withFinalizer = cluster.read(a);
    withFinalizer.getMetadata().setFinalizers(List.of(
        io.javaoperatorsdk.operator.ReconcilerUtils.getDefaultFinalizerName(LambdaAlias.class)));
    a = cluster.put(withFinalizer);
    assertEquals(List.of(), none(passStarts(a)), "the first pass");
    publish();
    assertEquals(List.of(), none(passStarts(a)), "the shift starts");
    assertRouting("1", "2", 0.2);

    assertTrue(userStarts(a, "{\"promote\":true}"));
    assertEquals(List.of(), none(passStarts(a)), "the promote used and cleared");
    assertRouting("1", "2", 0.5);
    assertFalse(status(a).promote);

    assertTrue(userStarts(a, "{\"abort\":true}"));
    assertEquals(List.of(), none(passStarts(a)));
    assertRouting("1", null, 0);
    assertTrue(userStarts(a, "{\"abort\":false}"));
    assertEquals(List.of(), none(passStarts(a)), "the retry");
    assertRouting("1", "2", 0.2);

    aws.raiseAlarm(REGION, "orders-5xx");
    clock.advance(Duration.ofSeconds(5));
    assertEquals(List.of(true, false), passStarts(a), "the rollback's abort (merge), then its status (apply)");
    assertRouting("1", null, 0);
    LambdaAliasStatus rolledBack = status(a);
    forget();
    assertEquals(List.of(), none(passStarts(a)), "the pass the abort started");
    assertEquals(Map.of(), writes(), "it writes nothing to AWS");
    assertEquals(io.fabric8.kubernetes.client.utils.Serialization.asJson(rolledBack),
        io.fabric8.kubernetes.client.utils.Serialization.asJson(status(a)), "and the same status");

    aws.clearAlarm(REGION, "orders-5xx");
    assertTrue(userStarts(a, "{\"abort\":false}"));
    assertEquals(List.of(), none(passStarts(a)));
    assertRouting("1", "2", 0.2);

    LambdaAlias before = cluster.read(a);
    a = edit(a, spec -> spec.paused = true);
    assertTrue(filter.accept(cluster.read(a), before), "spec.paused: a new generation");
    assertEquals(List.of(), none(passStarts(a)));
    assertEquals(Phase.Paused, status(a).phase);

    assertTrue(userStarts(a, "{\"promoteFull\":true}"));
    assertEquals(List.of(), none(passStarts(a)), "the promoteFull used and cleared");
    assertRouting("2", null, 0);
    assertEquals(Phase.Healthy, status(a).phase);
  }
}
