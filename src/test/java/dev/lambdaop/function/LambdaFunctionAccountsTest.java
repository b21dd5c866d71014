package dev.lambdaop.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.AwsIdentity;
import dev.lambdaop.aws.InMemoryAws;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.reconcile.AccountMapping;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.InMemoryCluster;
import dev.lambdaop.reconcile.ReconcilePass;
import dev.lambdaop.reconcile.ResyncSpreads;
import dev.lambdaop.reconcile.Work;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.RecordedEvents;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A LambdaFunction in the AWS account its namespace maps to (issue 15). */
class LambdaFunctionAccountsTest {
  private static final String REGION = "eu-west-1";
  private static final String CLUSTER = "cluster-a";
  private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
  private static final OperatorSettings SETTINGS = OperatorSettings.defaults();
  private static final Duration RESYNC = SETTINGS.resyncPeriod();
  private static final String ROLE_A = "arn:aws:iam::222222222222:role/lambda-operator";
  private static final String ROLE_B = "arn:aws:iam::333333333333:role/lambda-operator";

  private final InMemoryAws aws = new InMemoryAws();
  private final InMemoryCluster<LambdaFunction> cluster = new InMemoryCluster<>(LambdaFunction.class);
  private final RecordedEvents events = new RecordedEvents();

  private LambdaFunctionReconciler reconciler(boolean requireMapping) {
    return new LambdaFunctionReconciler(aws.aws(), new FunctionResolver(REGION, CLUSTER, aws.aws().functions(), false,
        aws.aws().accounts(), requireMapping), SETTINGS, events, Clock.fixed(NOW, ZoneOffset.UTC), TestFunctions.KEY,
        ResyncSpreads.exact(RESYNC));
  }

  private final LambdaFunctionReconciler reconciler = reconciler(false);

  private ReconcilePass<LambdaFunction> reconcile(LambdaFunctionReconciler r, LambdaFunction resource) {
    return ReconcilePass.run(r, cluster.read(resource), cluster);
  }

  private void annotateNamespace(Map<String, String> annotations) {
    cluster.put(new NamespaceBuilder().withNewMetadata().withName("shop").withAnnotations(annotations)
        .endMetadata().build());
  }

  private Condition ready(LambdaFunction resource) {
    return Conditions.find(cluster.read(resource).getStatus().conditions, Conditions.READY).orElseThrow();
  }

  private void assertReady(LambdaFunction resource, String status, String reason) {
    Condition ready = ready(resource);
    assertEquals(List.of(status, reason), List.of(ready.getStatus(), ready.getReason()), ready.getMessage());
  }

  @Test
  void aNamespaceWithARoleIsServedAsThatRoleInItsRegionAndRecordsItsAccount() {
    annotateNamespace(Map.of(AccountMapping.ROLE_ARN, ROLE_A, AccountMapping.REGION, "ap-southeast-2"));
    LambdaFunction fn = cluster.put(TestFunctions.inline("orders", "x = 1\n"));
    fn.getSpec().region = null;
    fn = cluster.put(fn);

    reconcile(reconciler, fn);

    assertReady(fn, "True", "Synced");
    assertEquals("222222222222", cluster.read(fn).getStatus().accountId);
    assertFalse(aws.callWork().isEmpty());
    for (Work work : aws.callWork()) {
      assertEquals(new AwsIdentity(ROLE_A, "ap-southeast-2"), work.identity(), work.toString());
    }
    // A resource that names no region lives in the namespace's.
    assertTrue(aws.function("ap-southeast-2", "orders").isPresent());
    assertFalse(aws.function(REGION, "orders").isPresent());
  }

  @Test
  void aNamespaceWithoutAMappingIsServedAsTheOperatorAndRecordsTheOperatorsAccount() {
    LambdaFunction fn = cluster.put(TestFunctions.inline("orders", "x = 1\n"));

    reconcile(reconciler, fn);

    assertReady(fn, "True", "Synced");
    assertEquals(InMemoryAws.ACCOUNT, cluster.read(fn).getStatus().accountId);
    assertTrue(aws.callIdentities().stream().allMatch(AwsIdentity.OPERATOR::equals), aws.callIdentities().toString());
  }

  @Test
  void aRequiredMappingRefusesAnUnmappedNamespaceBeforeAnyAwsCall() {
    LambdaFunctionReconciler strict = reconciler(true);
    LambdaFunction fn = cluster.put(TestFunctions.inline("orders", "x = 1\n"));

    ReconcilePass<LambdaFunction> pass = reconcile(strict, fn);

    assertReady(fn, "False", "AccountMappingMissing");
    assertTrue(ready(fn).getMessage().contains("administrator must annotate the Namespace"), ready(fn).getMessage());
    assertTrue(pass.noRetry());
    assertEquals(Optional.of(RESYNC), pass.next());
    assertEquals(Map.of(), aws.calls());
    assertEquals("AccountMappingMissing", events.last(fn).orElseThrow().reason());

    annotateNamespace(Map.of(AccountMapping.ROLE_ARN, ROLE_A));
    reconcile(strict, fn);
    assertReady(fn, "True", "Synced");
    assertEquals("222222222222", cluster.read(fn).getStatus().accountId);
  }

  @Test
  void anInvalidMappingIsRefusedBeforeAnyAwsCall() {
    annotateNamespace(Map.of(AccountMapping.ROLE_ARN, "arn:aws:iam::222222222222:user/someone"));
    LambdaFunction fn = cluster.put(TestFunctions.inline("orders", "x = 1\n"));

    ReconcilePass<LambdaFunction> pass = reconcile(reconciler, fn);

    assertReady(fn, "False", "AccountMappingInvalid");
    assertTrue(ready(fn).getMessage().contains(AccountMapping.ROLE_ARN), ready(fn).getMessage());
    assertEquals(Optional.of(RESYNC), pass.next());
    assertEquals(Map.of(), aws.calls());
  }

  /** Created in account A; then the administrator maps the namespace to account B. */
  private LambdaFunction movedToAnotherAccount() {
    annotateNamespace(Map.of(AccountMapping.ROLE_ARN, ROLE_A));
    LambdaFunction fn = cluster.put(TestFunctions.inline("orders", "x = 1\n"));
    reconcile(reconciler, fn);
    assertEquals("222222222222", cluster.read(fn).getStatus().accountId);
    annotateNamespace(Map.of(AccountMapping.ROLE_ARN, ROLE_B));
    aws.resetCalls();
    events.clear();
    return fn;
  }

  @Test
  void aNamespaceMappedToAnotherAccountStopsThePassBeforeAnyAwsCall() {
    LambdaFunction fn = movedToAnotherAccount();
    LambdaFunction edited = cluster.read(fn);
    edited.getSpec().description = "changed";
    fn = cluster.put(edited);

    ReconcilePass<LambdaFunction> pass = reconcile(reconciler, fn);

    assertReady(fn, "False", "AccountChanged");
    String message = ready(fn).getMessage();
    assertTrue(message.contains("333333333333") && message.contains("222222222222"), message);
    assertTrue(message.contains("Restore the Namespace's annotation") && message.contains("create it again"), message);
    assertTrue(pass.noRetry());
    assertEquals(Optional.of(RESYNC), pass.next());
    assertEquals(Map.of(), aws.calls());
    assertEquals("222222222222", cluster.read(fn).getStatus().accountId, "the account its objects are in is kept");

    annotateNamespace(Map.of(AccountMapping.ROLE_ARN, ROLE_A));
    reconcile(reconciler, fn);
    assertReady(fn, "True", "Synced");
    assertFalse(aws.writes().isEmpty(), "the change applied in account 222222222222");
  }

  @Test
  void deletingAResourceWhoseNamespaceMovedReleasesItWithoutActingInTheNewAccount() {
    LambdaFunction fn = movedToAnotherAccount();

    DeleteControl deleted = reconciler.deferrable(cluster.markForDeletion(cluster.read(fn)), cluster);

    assertTrue(deleted.isRemoveFinalizer());
    assertEquals(Map.of(), aws.calls());
    assertTrue(aws.function(REGION, "orders").isPresent(), "its function stays in account 222222222222");
    RecordedEvents.Event warning = events.find(fn, "AccountChanged").orElseThrow();
    assertEquals(RecordedEvents.WARNING, warning.type());
    assertTrue(warning.message().contains("stay in account 222222222222"), warning.message());
  }

  @Test
  void deletingInTheSameAccountActsAsTheNamespacesRole() {
    annotateNamespace(Map.of(AccountMapping.ROLE_ARN, ROLE_A));
    LambdaFunction fn = cluster.put(TestFunctions.inline("orders", "x = 1\n"));
    reconcile(reconciler, fn);
    aws.resetCalls();

    assertTrue(reconciler.deferrable(cluster.markForDeletion(cluster.read(fn)), cluster).isRemoveFinalizer());

    assertFalse(aws.function(REGION, "orders").isPresent());
    assertFalse(aws.callIdentities().isEmpty());
    assertTrue(aws.callIdentities().stream().allMatch(i -> ROLE_A.equals(i.roleArn())), aws.callIdentities().toString());
  }

  @Test
  void deletingWhileTheMappingIsInvalidKeepsTheFinalizerAndTouchesNothing() {
    annotateNamespace(Map.of(AccountMapping.ROLE_ARN, ROLE_A));
    LambdaFunction fn = cluster.put(TestFunctions.inline("orders", "x = 1\n"));
    reconcile(reconciler, fn);
    annotateNamespace(Map.of(AccountMapping.ROLE_ARN, "not-a-role"));
    aws.resetCalls();

    DeleteControl control = reconciler.deferrable(cluster.markForDeletion(cluster.read(fn)), cluster);

    assertFalse(control.isRemoveFinalizer());
    assertEquals(Optional.of(RESYNC.toMillis()), control.getScheduleDelay());
    assertEquals(Map.of(), aws.calls());
    assertEquals("AccountMappingInvalid", events.last(fn).orElseThrow().reason());
  }

  @Test
  void aResourceFromBeforeAccountsRecordsTheCurrentAccount() {
    LambdaFunction fn = cluster.put(TestFunctions.inline("orders", "x = 1\n"));
    reconcile(reconciler, fn);
    LambdaFunction old = cluster.read(fn);
    old.getStatus().accountId = null; // as an earlier release left it
    cluster.put(old);
    annotateNamespace(Map.of(AccountMapping.ROLE_ARN, ROLE_A));
    assertNull(cluster.read(fn).getStatus().accountId);

    reconcile(reconciler, fn);

    assertReady(fn, "True", "Synced");
    assertEquals("222222222222", cluster.read(fn).getStatus().accountId);
  }

  @Test
  void aNamespaceWhoseDefaultRegionChangedStopsThePassAndDeletionActsWhereTheFunctionIs() {
    annotateNamespace(Map.of(AccountMapping.ROLE_ARN, ROLE_A, AccountMapping.REGION, "ap-southeast-2"));
    LambdaFunction fn = cluster.put(TestFunctions.inline("orders", "x = 1\n"));
    fn.getSpec().region = null;
    fn = cluster.put(fn);
    reconcile(reconciler, fn);
    assertReady(fn, "True", "Synced");
    assertEquals("ap-southeast-2", cluster.read(fn).getStatus().region);

    annotateNamespace(Map.of(AccountMapping.ROLE_ARN, ROLE_A, AccountMapping.REGION, "us-west-2"));
    aws.resetCalls();
    reconcile(reconciler, fn);
    assertReady(fn, "False", "RegionChanged");
    assertTrue(ready(fn).getMessage().contains("ap-southeast-2") && ready(fn).getMessage().contains("us-west-2"),
        ready(fn).getMessage());
    assertEquals(Map.of(), aws.calls(), "nothing read or created in either region");
    assertTrue(aws.function("us-west-2", "orders").isEmpty(), "no twin in the new region");

    DeleteControl deleted = reconciler.deferrable(cluster.markForDeletion(cluster.read(fn)), cluster);
    assertTrue(deleted.isRemoveFinalizer());
    assertTrue(aws.function("ap-southeast-2", "orders").isEmpty(), "deleted where it lives");
  }
}
