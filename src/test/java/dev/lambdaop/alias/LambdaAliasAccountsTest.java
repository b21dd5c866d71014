package dev.lambdaop.alias;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.TestClock;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.aws.AwsIdentity;
import dev.lambdaop.aws.InMemoryAws;
import dev.lambdaop.aws.Invoker;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.observability.OperatorMetrics;
import dev.lambdaop.reconcile.AccountMapping;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.InMemoryCluster;
import dev.lambdaop.reconcile.ReconcilePass;
import dev.lambdaop.reconcile.ResyncSpreads;
import dev.lambdaop.reconcile.Urgency;
import dev.lambdaop.reconcile.Work;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.RecordedEvents;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A LambdaAlias, and its hooks, in the AWS account its namespace maps to (issue 15). */
class LambdaAliasAccountsTest {
  private static final String REGION = InMemoryAws.DEFAULT_REGION;
  private static final String ROLE_A = "arn:aws:iam::222222222222:role/lambda-operator";
  private static final AwsIdentity SHOP = new AwsIdentity(ROLE_A, "us-east-1");

  private final TestClock clock = new TestClock(Instant.parse("2025-03-01T10:00:00Z"));
  private final InMemoryAws aws = new InMemoryAws(clock);
  private final InMemoryCluster<LambdaAlias> cluster = new InMemoryCluster<>(LambdaAlias.class);
  private final LambdaAliasReconciler reconciler = new LambdaAliasReconciler(aws.aws(),
      new FunctionResolver(REGION, "cluster-a", aws.aws().functions(), false, aws.aws().accounts(), false),
      OperatorSettings.defaults(), new RecordedEvents(), new OperatorMetrics(),
      HookRuns.onCallingThread(aws.aws().invoker(), clock), clock, ResyncSpreads.exact(Duration.ofMinutes(10)));

  private LambdaAlias byName(String namespace, String name) {
    LambdaAlias a = new LambdaAlias();
    a.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    a.setSpec(new LambdaAliasSpec());
    a.getSpec().functionName = "orders";
    a.getSpec().aliasName = "live";
    a.getSpec().version = "1";
    return cluster.put(a);
  }

  private void functionWithVersion1() {
    aws.createFunctionBehindOperator(REGION, "orders");
    aws.publishBehindOperator(REGION, "orders", "");
  }

  private void annotateShop() {
    cluster.put(new NamespaceBuilder().withNewMetadata().withName("shop")
        .withAnnotations(Map.of(AccountMapping.ROLE_ARN, ROLE_A)).endMetadata().build());
  }

  private Condition ready(LambdaAlias a) {
    return Conditions.find(cluster.read(a).getStatus().conditions, Conditions.READY).orElseThrow();
  }

  @Test
  void theAccountIsRecordedAndTheCallsActAsTheNamespacesRole() {
    functionWithVersion1();
    annotateShop();
    LambdaAlias a = byName("shop", "orders-live");
    aws.resetCalls();

    ReconcilePass.run(reconciler, cluster.read(a), cluster);

    assertEquals("True", ready(a).getStatus(), ready(a).getMessage());
    assertEquals("222222222222", cluster.read(a).getStatus().accountId);
    assertTrue(aws.alias(REGION, "orders", "live").isPresent());
    assertFalse(aws.callIdentities().isEmpty());
    assertTrue(aws.callIdentities().stream().allMatch(i -> ROLE_A.equals(i.roleArn())), aws.callIdentities().toString());
  }

  /** An older LambdaAlias for alias live of function "orders", as its status says, in {@code account}. */
  private void olderAliasIn(String account) {
    LambdaAlias other = byName("other", "first");
    other.setStatus(new LambdaAliasStatus());
    other.getStatus().functionName = "orders";
    other.getStatus().region = REGION;
    other.getStatus().accountId = account;
    cluster.put(other);
  }

  @Test
  void theSameAliasOfAFunctionOfTheSameNameInAnotherAccountIsNoDuplicate() {
    functionWithVersion1();
    olderAliasIn("333333333333");
    annotateShop();
    LambdaAlias a = byName("shop", "orders-live");

    ReconcilePass.run(reconciler, cluster.read(a), cluster);

    assertEquals(List.of("True", "Synced"), List.of(ready(a).getStatus(), ready(a).getReason()), ready(a).getMessage());
  }

  @Test
  void theSameAliasInTheSameAccountIsADuplicate() {
    functionWithVersion1();
    olderAliasIn("222222222222");
    annotateShop();
    LambdaAlias a = byName("shop", "orders-live");

    ReconcilePass.run(reconciler, cluster.read(a), cluster);

    assertEquals(List.of("False", "DuplicateAlias"), List.of(ready(a).getStatus(), ready(a).getReason()));
  }

  @Test
  void aHookRunsOnItsThreadAsTheWorkThatStartedIt() {
    aws.createFunctionBehindOperator(REGION, "smoke");
    LambdaAlias a = byName("shop", "orders-live");
    Thread starter = Thread.currentThread();
    Thread[] invokedOn = new Thread[1];
    Invoker recording = new Invoker() {
      @Override
      public Result invoke(String region, String function, String payload, Duration timeout) {
        invokedOn[0] = Thread.currentThread();
        return aws.aws().invoker().invoke(region, function, payload, timeout);
      }

      @Override
      public void checkInvokable(String region, String function) {
        aws.aws().invoker().checkInvokable(region, function);
      }
    };
    try (HookRuns runs = HookRuns.pool(recording, 1, clock)) {
      Work work = new Work("LambdaAlias/shop/orders-live", Urgency.DEPLOY, SHOP);
      HookRuns.Attempt attempt = work.run(() -> runs.start(a, HookRuns.Hook.PRE_TRAFFIC, REGION, "smoke", "{}",
          Duration.ofSeconds(30), "1", clock.instant().toString(), null));

      await().atMost(Duration.ofSeconds(20)).until(attempt::done);

      assertTrue(attempt.outcome().succeeded(), attempt.outcome().toString());
      assertNotEquals(starter, invokedOn[0], "invoked on a hook thread");
      assertEquals(List.of(work), aws.callWork(), "the invocation acts as the alias's namespace's role");
      assertEquals(Work.NONE, Work.current(), "the starting thread's work is its own again");
    }
  }
}
