package dev.lambdaop.alias;

import dev.lambdaop.TestClock;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.Deployments;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.HookResult;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.aws.AliasSnapshot;
import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.InMemoryAws;
import dev.lambdaop.aws.Invoker;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.observability.OperatorMetrics;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.ResyncSpreads;
import dev.lambdaop.reconcile.InMemoryCluster;
import dev.lambdaop.reconcile.ReconcilePass;
import dev.lambdaop.status.RecordedEvents;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hooks run on threads of their own ({@link HookRuns}), never in a reconcile: a pass starts a hook, records it as
 * Running and returns at once; the hook's end triggers the alias's reconcile (the listener stands for the
 * reconciler's event source), which takes the answer, unless the shift it ran for ended meanwhile. Hooks here run
 * long: InMemoryAws holds their invocations until the test releases them.
 */
class AliasHooksTest {
  private static final Logger LOG = LoggerFactory.getLogger(AliasHooksTest.class);
  private static final String REGION = InMemoryAws.DEFAULT_REGION;
  /** A reconcile that takes longer than this waited for something: far above what one takes here (milliseconds). */
  private static final Duration PROMPT = Duration.ofSeconds(5);
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final TestClock clock = new TestClock(Instant.parse("2025-03-01T10:00:00Z"));
  private final InMemoryAws aws = new InMemoryAws(clock);
  private final InMemoryCluster<LambdaAlias> cluster = new InMemoryCluster<>(LambdaAlias.class);
  private final RecordedEvents events = new RecordedEvents();
  /** Aliases whose reconcile the hooks triggered, as the event source would. */
  private final Set<ResourceID> triggered = ConcurrentHashMap.newKeySet();
  private final List<HookRuns> runs = new ArrayList<>();
  private LambdaFunction function;
  private int code;

  @AfterEach
  void stopHooks() {
    aws.releaseInvocations(REGION, "smoke");
    aws.releaseInvocations(REGION, "verify");
    runs.forEach(HookRuns::close);
  }

  /** A reconciler (as one operator process) whose hooks run on {@code threads} threads of their own. */
  private LambdaAliasReconciler operatorProcess(int threads) {
    HookRuns hooks = HookRuns.pool(aws.aws().invoker(), threads, clock);
    runs.add(hooks);
    hooks.onChange(triggered::add);
    return new LambdaAliasReconciler(aws.aws(), new FunctionResolver(REGION, "cluster-a", aws.aws().functions()),
        OperatorSettings.defaults(), events, new OperatorMetrics(), hooks, clock,
        ResyncSpreads.exact(OperatorSettings.defaults().resyncPeriod()));
  }

  /** One pass, which must return within {@link #PROMPT}; its duration. */
  private Duration reconcile(LambdaAliasReconciler reconciler, LambdaAlias resource) {
    long start = System.nanoTime();
    ReconcilePass<LambdaAlias> pass = assertTimeoutPreemptively(PROMPT,
        () -> ReconcilePass.run(reconciler, cluster.read(resource), cluster),
        () -> "the reconcile of " + resource.getMetadata().getName() + " waited for a hook");
    assertEquals(null, pass.error(), () -> "the pass failed: " + pass.error());
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private void functionWithVersion1() {
    aws.createFunctionBehindOperator(REGION, "orders");
    aws.createFunctionBehindOperator(REGION, "smoke");
    aws.createFunctionBehindOperator(REGION, "verify");
    function = new LambdaFunction();
    function.setMetadata(new ObjectMetaBuilder().withName("orders").withNamespace("shop").build());
    function.setStatus(new LambdaFunctionStatus());
    function.getStatus().functionName = "orders";
    function.getStatus().functionArn = "arn:aws:lambda:" + REGION + ":" + InMemoryAws.ACCOUNT + ":function:orders";
    function = cluster.put(function);
    publish();
  }

  private String publish() {
    byte[] bytes = ("code " + ++code).getBytes(StandardCharsets.UTF_8);
    aws.changeCodeBehindOperator(REGION, "orders", new CodeSource.Zip(bytes, DeterministicZip.sha256Base64(bytes)));
    String version = aws.publishBehindOperator(REGION, "orders", "");
    function.getStatus().latestVersion = version;
    function = cluster.put(function);
    return version;
  }

  /** LambdaAlias {@code name} for AWS alias {@code aliasName} of function orders. */
  private LambdaAlias alias(String name, String aliasName, LambdaAliasSpec.Deployment deployment) {
    LambdaAlias a = new LambdaAlias();
    a.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").build());
    a.setSpec(new LambdaAliasSpec());
    a.getSpec().functionRef = new FunctionRef("orders");
    a.getSpec().aliasName = aliasName;
    a.getSpec().deployment = deployment;
    return cluster.put(a);
  }

  private static LambdaAliasSpec.Deployment withPreTrafficHook(String timeout) {
    LambdaAliasSpec.Deployment d = Deployments.steps(50, "1m");
    d.preTrafficHook = Deployments.hook("smoke", timeout);
    return d;
  }

  private LambdaAliasStatus status(LambdaAlias resource) {
    return cluster.read(resource).getStatus();
  }

  private AliasSnapshot inAws(String aliasName) {
    return aws.alias(REGION, "orders", aliasName).orElseThrow();
  }

  private void assertRouting(String aliasName, String version, String additional, double weight) {
    AliasSnapshot a = inAws(aliasName);
    assertEquals(List.of(version, String.valueOf(additional), weight),
        List.of(a.functionVersion(), String.valueOf(a.additionalVersion()), a.additionalWeight()), aliasName);
  }

  private void edit(LambdaAlias resource, Consumer<LambdaAliasSpec> change) {
    LambdaAlias a = cluster.read(resource);
    change.accept(a.getSpec());
    cluster.put(a);
  }

  @Test
  void fiftyAliasesWithTenMinuteHooksHoldNoReconcileAndNoOtherResource() {
    LambdaAliasReconciler reconciler = operatorProcess(10);
    functionWithVersion1();
    List<LambdaAlias> aliases = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      LambdaAlias a = alias("orders-live-" + i, "live-" + i, withPreTrafficHook("10m"));
      reconcile(reconciler, a);
      aliases.add(a);
    }
    aws.holdInvocations(REGION, "smoke");
    publish();

    Duration slowest = Duration.ZERO;
    for (LambdaAlias a : aliases) {
      Duration took = reconcile(reconciler, a);
      slowest = took.compareTo(slowest) > 0 ? took : slowest;
    }
    LOG.info("50 reconciles that started a 10-minute hook: the slowest took {} ms", slowest.toMillis());

    // 10 hooks are invoked (the pool's threads), 40 wait for a thread; no reconcile waits for any of them
    await().atMost(WAIT).until(() -> aws.invocationsWaiting(REGION, "smoke") == 10);
    HookRuns hooks = runs.get(0);
    assertEquals(10, hooks.running());
    assertEquals(40, hooks.waiting());
    int queued = 0;
    for (int i = 0; i < 50; i++) {
      LambdaAliasStatus s = status(aliases.get(i));
      assertEquals(HookResult.RUNNING, s.hooks.preTraffic.result, s.message);
      assertEquals("2", s.hooks.preTraffic.version);
      assertNotNull(s.hooks.preTraffic.startedAt);
      assertEquals(Phase.Progressing, s.phase);
      assertTrue(s.message.startsWith("no traffic on version 2 until the pre-traffic hook passed: "), s.message);
      queued += s.hooks.preTraffic.message.startsWith("waiting for a free hook thread") ? 1 : 0;
      assertRouting("live-" + i, "1", null, 0);
    }
    assertTrue(queued >= 40, queued + " aliases say their hook waits for a thread");

    // another resource meanwhile: at once
    LambdaAlias other = alias("orders-other", "other", null);
    Duration otherTook = reconcile(reconciler, other);
    assertRouting("other", "2", null, 0);
    LOG.info("another alias, while 50 hooks run or wait: its reconcile took {} ms", otherTook.toMillis());

    // a resync of an alias whose hook runs: at once, nothing invoked again
    assertTrue(reconcile(reconciler, aliases.get(0)).compareTo(PROMPT) < 0);
    assertEquals(10, aws.invocations(REGION, "smoke").size(), "only the 10 hooks on a thread were invoked so far");

    aws.releaseInvocations(REGION, "smoke");
    await().atMost(WAIT).until(() -> hooks.running() == 0 && hooks.waiting() == 0
        && aliases.stream().allMatch(a -> hooks.attempt(a, HookRuns.Hook.PRE_TRAFFIC).orElseThrow().done()));
    for (LambdaAlias a : aliases) {
      assertTrue(triggered.contains(ResourceID.fromResource(a)), "the hook's end triggers a reconcile of " + a);
    }
    assertEquals(50, aws.invocations(REGION, "smoke").size(), "every hook invoked once");
    for (int i = 0; i < 50; i++) {
      reconcile(reconciler, aliases.get(i));
      assertRouting("live-" + i, "1", "2", 0.5);
      LambdaAliasStatus s = status(aliases.get(i));
      assertEquals(HookResult.SUCCEEDED, s.hooks.preTraffic.result);
      assertNotNull(s.stepStartedAt, "the first step starts once the hook passed");
    }
    assertEquals(50, aws.invocations(REGION, "smoke").size());
  }

  @Test
  void thePostTrafficHookRunsWithAllTrafficOnTheNewVersionAndItsEndPromotes() {
    LambdaAliasReconciler reconciler = operatorProcess(2);
    functionWithVersion1();
    LambdaAliasSpec.Deployment d = Deployments.steps(50, "1m");
    d.postTrafficHook = Deployments.hook("verify", "15m");
    LambdaAlias a = alias("orders-live", "live", d);
    reconcile(reconciler, a);
    publish();
    reconcile(reconciler, a);
    assertRouting("live", "1", "2", 0.5);
    aws.holdInvocations(REGION, "verify");

    clock.advance(Duration.ofMinutes(1));
    reconcile(reconciler, a);

    assertRouting("live", "2", null, 0);
    LambdaAliasStatus running = status(a);
    assertEquals(HookResult.RUNNING, running.hooks.postTraffic.result);
    assertEquals(Phase.Progressing, running.phase);
    assertEquals("2", running.canaryVersion, "not stable before the hook passed");
    assertTrue(running.message.startsWith("100% on version 2; post-traffic hook running: "), running.message);
    await().atMost(WAIT).until(() -> aws.invocationsWaiting(REGION, "verify") == 1);
    reconcile(reconciler, a);
    assertEquals(1, aws.invocations(REGION, "verify").size(), "a pass while it runs does not invoke it again");

    aws.releaseInvocations(REGION, "verify");
    await().atMost(WAIT).until(() -> triggered.contains(ResourceID.fromResource(a))
        && runs.get(0).attempt(a, HookRuns.Hook.POST_TRAFFIC).orElseThrow().done());
    reconcile(reconciler, a);

    LambdaAliasStatus done = status(a);
    assertEquals(Phase.Healthy, done.phase);
    assertEquals("2", done.stableVersion);
    assertEquals(HookResult.SUCCEEDED, done.hooks.postTraffic.result);
    assertEquals("Promoted", done.history.get(0).result);
    assertRouting("live", "2", null, 0);
  }

  @Test
  void aHookRecordedAsRunningThatNoInvocationOfThisProcessServesRunsAgainAfterARestart() {
    LambdaAliasReconciler before = operatorProcess(2);
    functionWithVersion1();
    LambdaAlias a = alias("orders-live", "live", withPreTrafficHook("10m"));
    reconcile(before, a);
    aws.holdInvocations(REGION, "smoke");
    publish();
    reconcile(before, a);
    String firstStart = status(a).hooks.preTraffic.startedAt;
    await().atMost(WAIT).until(() -> aws.invocationsWaiting(REGION, "smoke") == 1);
    runs.get(0).close();

    clock.advance(Duration.ofSeconds(30));
    LambdaAliasReconciler after = operatorProcess(2);
    reconcile(after, a);

    LambdaAliasStatus s = status(a);
    assertEquals(HookResult.RUNNING, s.hooks.preTraffic.result);
    assertNotEquals(firstStart, s.hooks.preTraffic.startedAt, "a new attempt");
    assertTrue(s.hooks.preTraffic.message.startsWith("invoked again: the attempt started at " + firstStart
        + " was interrupted"), s.hooks.preTraffic.message);
    RecordedEvents.Event event = events.find(a, ShiftChecks.HOOK_RESTARTED).orElseThrow();
    assertEquals("Warning", event.type());
    assertTrue(event.message().contains("pre-traffic hook smoke for version 2 invoked again"), event.message());
    // The new attempt invokes on a hook thread, after the reconcile returned.
    await().atMost(WAIT).until(() -> aws.invocations(REGION, "smoke").size() == 2);
    assertRouting("live", "1", null, 0);

    aws.releaseInvocations(REGION, "smoke");
    await().atMost(WAIT).until(() -> runs.get(1).attempt(a, HookRuns.Hook.PRE_TRAFFIC).orElseThrow().done());
    reconcile(after, a);
    assertEquals(HookResult.SUCCEEDED, status(a).hooks.preTraffic.result);
    assertRouting("live", "1", "2", 0.5);
    assertEquals(2, aws.invocations(REGION, "smoke").size());
  }

  @Test
  void theAnswerOfAHookWhoseShiftWasAbortedIsNotTakenForTheRetriedShift() {
    LambdaAliasReconciler reconciler = operatorProcess(2);
    functionWithVersion1();
    LambdaAlias a = alias("orders-live", "live", withPreTrafficHook("10m"));
    reconcile(reconciler, a);
    aws.holdInvocations(REGION, "smoke");
    publish();
    reconcile(reconciler, a);
    await().atMost(WAIT).until(() -> aws.invocationsWaiting(REGION, "smoke") == 1);

    cluster.mergeStatus(cluster.read(a), "{\"abort\":true}");
    reconcile(reconciler, a);
    LambdaAliasStatus aborted = status(a);
    assertEquals(Phase.Degraded, aborted.phase);
    assertEquals(HookResult.ABANDONED, aborted.hooks.preTraffic.result);
    assertTrue(aborted.hooks.preTraffic.message.startsWith("abandoned while it ran (aborted: "),
        aborted.hooks.preTraffic.message);

    // the abandoned hook answers (it passed): its end triggers a pass, which leaves the abort as it is
    aws.releaseInvocations(REGION, "smoke");
    await().atMost(WAIT).until(() -> runs.get(0).attempt(a, HookRuns.Hook.PRE_TRAFFIC).orElseThrow().done());
    reconcile(reconciler, a);
    assertEquals(HookResult.ABANDONED, status(a).hooks.preTraffic.result);
    assertRouting("live", "1", null, 0);

    // the retry runs the hook again, and this time it fails: the passed answer of the aborted shift is not used
    aws.holdInvocations(REGION, "smoke");
    aws.answerInvoke(REGION, "smoke", new Invoker.Result(false, "Unhandled", "{\"errorMessage\":\"smoke failed\"}"));
    clock.advance(Duration.ofSeconds(1));
    cluster.mergeStatus(cluster.read(a), "{\"abort\":false}");
    reconcile(reconciler, a);
    assertEquals(HookResult.RUNNING, status(a).hooks.preTraffic.result);
    await().atMost(WAIT).until(() -> aws.invocations(REGION, "smoke").size() == 2); // invoked on a hook thread
    assertRouting("live", "1", null, 0);
    aws.releaseInvocations(REGION, "smoke");
    await().atMost(WAIT).until(() -> runs.get(0).attempt(a, HookRuns.Hook.PRE_TRAFFIC).orElseThrow().done());
    reconcile(reconciler, a);

    LambdaAliasStatus failed = status(a);
    assertEquals(HookResult.FAILED, failed.hooks.preTraffic.result);
    assertEquals(Phase.Degraded, failed.phase);
    assertEquals("RolledBack", failed.history.get(0).result);
    assertRouting("live", "1", null, 0);
  }

  @Test
  void aNewVersionWhileTheHookRunsStartsItsOwnHookAndTheOldAnswerIsIgnored() {
    LambdaAliasReconciler reconciler = operatorProcess(4);
    functionWithVersion1();
    LambdaAlias a = alias("orders-live", "live", withPreTrafficHook("10m"));
    reconcile(reconciler, a);
    aws.holdInvocations(REGION, "smoke");
    // version 2's hook will fail, version 3's pass
    aws.answerInvoke(REGION, "smoke", new Invoker.Result(false, "Unhandled", "{\"errorMessage\":\"v2 is broken\"}"));
    publish();
    reconcile(reconciler, a);
    assertEquals("2", status(a).hooks.preTraffic.version);

    clock.advance(Duration.ofSeconds(5));
    publish();
    reconcile(reconciler, a);
    LambdaAliasStatus s = status(a);
    assertEquals(HookResult.RUNNING, s.hooks.preTraffic.result);
    assertEquals("3", s.hooks.preTraffic.version);
    assertEquals("Superseded", s.history.get(0).result);
    await().atMost(WAIT).until(() -> aws.invocationsWaiting(REGION, "smoke") == 2);

    aws.releaseInvocations(REGION, "smoke");
    await().atMost(WAIT).until(() -> aws.invocationsWaiting(REGION, "smoke") == 0
        && runs.get(0).attempt(a, HookRuns.Hook.PRE_TRAFFIC).orElseThrow().done());
    reconcile(reconciler, a);

    LambdaAliasStatus shifting = status(a);
    assertEquals(HookResult.SUCCEEDED, shifting.hooks.preTraffic.result);
    assertEquals("3", shifting.hooks.preTraffic.version);
    assertEquals(Phase.Progressing, shifting.phase);
    assertRouting("live", "1", "3", 0.5);
  }

  @Test
  void specChangesThatEndTheShiftAbandonARunningHook() {
    LambdaAliasReconciler reconciler = operatorProcess(2);
    functionWithVersion1();
    LambdaAlias a = alias("orders-live", "live", withPreTrafficHook("10m"));
    reconcile(reconciler, a);
    aws.holdInvocations(REGION, "smoke");
    publish();
    reconcile(reconciler, a);
    assertEquals(HookResult.RUNNING, status(a).hooks.preTraffic.result);

    edit(a, spec -> spec.version = "1");
    reconcile(reconciler, a);

    LambdaAliasStatus back = status(a);
    assertEquals(Phase.Healthy, back.phase);
    assertEquals(HookResult.ABANDONED, back.hooks.preTraffic.result);
    assertEquals("Superseded", back.history.get(0).result);
    assertRouting("live", "1", null, 0);
  }
}
