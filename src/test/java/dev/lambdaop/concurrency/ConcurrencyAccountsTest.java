package dev.lambdaop.concurrency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.Concurrency;
import dev.lambdaop.api.ConcurrencySpec;
import dev.lambdaop.api.ConcurrencyStatus;
import dev.lambdaop.aws.InMemoryAws;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.reconcile.AccountMapping;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.InMemoryCluster;
import dev.lambdaop.reconcile.ReconcilePass;
import dev.lambdaop.reconcile.ResyncSpreads;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.RecordedEvents;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Concurrency in the AWS account its namespace maps to (issue 15). */
class ConcurrencyAccountsTest {
  private static final String REGION = "us-east-1";
  private static final String ROLE_A = "arn:aws:iam::222222222222:role/lambda-operator";

  private final InMemoryAws aws = new InMemoryAws();
  private final InMemoryCluster<Concurrency> cluster = new InMemoryCluster<>(Concurrency.class);
  private final RecordedEvents events = new RecordedEvents();
  private final ConcurrencyReconciler reconciler = new ConcurrencyReconciler(aws.aws().concurrency(),
      new FunctionResolver(REGION, "cluster-a", aws.aws().functions(), false, aws.aws().accounts(), false),
      OperatorSettings.defaults(), events, Clock.fixed(Instant.parse("2025-03-01T10:00:00Z"), ZoneOffset.UTC),
      ResyncSpreads.exact(Duration.ofMinutes(10)));

  private Concurrency reserve(String namespace, String name, String function, int reserved) {
    Concurrency c = new Concurrency();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    c.setSpec(new ConcurrencySpec());
    c.getSpec().functionName = function;
    c.getSpec().reservedConcurrentExecutions = reserved;
    return cluster.put(c);
  }

  private void annotateNamespace(String namespace, String role) {
    cluster.put(new NamespaceBuilder().withNewMetadata().withName(namespace)
        .withAnnotations(Map.of(AccountMapping.ROLE_ARN, role)).endMetadata().build());
  }

  private Condition ready(Concurrency c) {
    return Conditions.find(cluster.read(c).getStatus().conditions, Conditions.READY).orElseThrow();
  }

  @Test
  void theAccountIsRecordedAndTheCallsActAsTheNamespacesRole() {
    annotateNamespace("shop", ROLE_A);
    aws.createFunctionBehindOperator(REGION, "orders");
    Concurrency c = reserve("shop", "orders", "orders", 10);
    aws.resetCalls();

    ReconcilePass.run(reconciler, cluster.read(c), cluster);

    assertEquals("True", ready(c).getStatus(), ready(c).getMessage());
    assertEquals("222222222222", cluster.read(c).getStatus().accountId);
    assertEquals(Optional.of(10), aws.reservedConcurrency(REGION, "orders"));
    assertFalse(aws.callIdentities().isEmpty());
    assertTrue(aws.callIdentities().stream().allMatch(i -> ROLE_A.equals(i.roleArn())), aws.callIdentities().toString());
  }

  @Test
  void theOperatorsOwnAccountIsRecordedForAnUnmappedNamespace() {
    aws.operatorAccount("444444444444");
    aws.createFunctionBehindOperator(REGION, "orders");
    Concurrency c = reserve("shop", "orders", "orders", 10);

    ReconcilePass.run(reconciler, cluster.read(c), cluster);

    assertEquals("444444444444", cluster.read(c).getStatus().accountId);
  }

  /** An older Concurrency for function "orders", as its status says, in {@code account}. */
  private void olderConcurrencyIn(String account) {
    Concurrency other = reserve("other", "first", "orders", 5);
    other.setStatus(new ConcurrencyStatus());
    other.getStatus().functionName = "orders";
    other.getStatus().region = REGION;
    other.getStatus().accountId = account;
    cluster.put(other);
  }

  @Test
  void theSameFunctionNameInAnotherAccountIsNoDuplicate() {
    olderConcurrencyIn("333333333333");
    annotateNamespace("shop", ROLE_A);
    aws.createFunctionBehindOperator(REGION, "orders");
    Concurrency c = reserve("shop", "second", "orders", 10);

    ReconcilePass.run(reconciler, cluster.read(c), cluster);

    assertEquals(List.of("True", "Synced"), List.of(ready(c).getStatus(), ready(c).getReason()), ready(c).getMessage());
  }

  @Test
  void theSameFunctionInTheSameAccountIsADuplicate() {
    olderConcurrencyIn("222222222222");
    annotateNamespace("shop", ROLE_A);
    aws.createFunctionBehindOperator(REGION, "orders");
    Concurrency c = reserve("shop", "second", "orders", 10);

    ReconcilePass.run(reconciler, cluster.read(c), cluster);

    assertEquals(List.of("False", "DuplicateConcurrency"), List.of(ready(c).getStatus(), ready(c).getReason()));
  }
}
