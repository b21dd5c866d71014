package dev.lambdaop.eventsource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.EventSourceMapping;
import dev.lambdaop.api.EventSourceMappingSpec;
import dev.lambdaop.aws.InMemoryAws;
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
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An EventSourceMapping in the AWS account its namespace maps to (issue 15). */
class EventSourceMappingAccountsTest {
  private static final String REGION = "us-east-1";
  private static final String ROLE_A = "arn:aws:iam::222222222222:role/lambda-operator";

  private final InMemoryAws aws = new InMemoryAws();
  private final InMemoryCluster<EventSourceMapping> cluster = new InMemoryCluster<>(EventSourceMapping.class);
  private final EventSourceMappingReconciler reconciler = new EventSourceMappingReconciler(aws.aws().eventSources(),
      new FunctionResolver(REGION, "cluster-a", aws.aws().functions(), false, aws.aws().accounts(), false),
      new RecordedEvents(), Clock.fixed(Instant.parse("2025-03-01T10:00:00Z"), ZoneOffset.UTC),
      ResyncSpreads.exact(Duration.ofMinutes(10)));

  @Test
  void theAccountIsRecordedAndTheCallsActAsTheNamespacesRole() {
    cluster.put(new NamespaceBuilder().withNewMetadata().withName("shop")
        .withAnnotations(Map.of(AccountMapping.ROLE_ARN, ROLE_A)).endMetadata().build());
    aws.createFunctionBehindOperator(REGION, "orders");
    EventSourceMapping m = new EventSourceMapping();
    m.setMetadata(new ObjectMetaBuilder().withName("orders-queue").withNamespace("shop").build());
    m.setSpec(new EventSourceMappingSpec());
    m.getSpec().eventSourceArn = "arn:aws:sqs:us-east-1:222222222222:orders";
    m.getSpec().functionName = "orders";
    m = cluster.put(m);
    aws.resetCalls();

    ReconcilePass.run(reconciler, cluster.read(m), cluster);

    Condition ready = Conditions.find(cluster.read(m).getStatus().conditions, Conditions.READY).orElseThrow();
    assertTrue(ready.getMessage().contains("Creating in AWS"), ready.getMessage()); // a status write of the pass
    assertEquals("222222222222", cluster.read(m).getStatus().accountId);
    assertFalse(aws.callIdentities().isEmpty());
    assertTrue(aws.callIdentities().stream().allMatch(i -> ROLE_A.equals(i.roleArn())), aws.callIdentities().toString());
  }
}
