package dev.lambdaop.concurrency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.Concurrency;
import dev.lambdaop.api.ConcurrencySpec;
import dev.lambdaop.api.ConcurrencyStatus;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.aws.AwsFailures;
import dev.lambdaop.aws.InMemoryAws;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.ResyncSpread;
import dev.lambdaop.reconcile.ResyncSpreads;
import dev.lambdaop.aws.Quota;
import dev.lambdaop.reconcile.InMemoryCluster;
import dev.lambdaop.reconcile.Owner;
import dev.lambdaop.reconcile.ReconcilePass;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.RecordedEvents;
import dev.lambdaop.status.RecordedEvents.Event;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import dev.lambdaop.reconcile.NamespacePolicy;

/** The flows of {@link ConcurrencyReconciler}, against AWS and the cluster in memory. */
class ConcurrencyReconcilerTest {
  private static final String REGION = "us-east-1";
  private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
  static final String CLUSTER = "cluster-a";
  private static final Duration RESYNC = Duration.ofMinutes(10);
  private static final Duration RECHECK = Duration.ofSeconds(5);

  private final InMemoryAws aws = new InMemoryAws();
  private final InMemoryCluster<Concurrency> cluster = new InMemoryCluster<>(Concurrency.class);
  private final RecordedEvents events = new RecordedEvents();
  private final ConcurrencyReconciler reconciler = new ConcurrencyReconciler(aws.aws().concurrency(),
      new FunctionResolver(REGION, CLUSTER, aws.aws().functions()), OperatorSettings.defaults(), events, Clock.fixed(NOW, ZoneOffset.UTC),
      ResyncSpreads.exact(RESYNC));

  /** One pass as JOSDK runs it, over what the cluster holds now. */
  private ReconcilePass<Concurrency> reconcile(Concurrency resource) {
    return ReconcilePass.run(reconciler, cluster.read(resource), cluster);
  }

  private Concurrency reserve(String name, String function, int reserved) {
    Concurrency c = new Concurrency();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").build());
    c.setSpec(new ConcurrencySpec());
    c.getSpec().functionName = function;
    c.getSpec().reservedConcurrentExecutions = reserved;
    return cluster.put(c);
  }

  /** A Concurrency for function orders already reconciled once; the calls and events of that pass forgotten. */
  private Concurrency reservedAlready(int reserved) {
    aws.createFunctionBehindOperator(REGION, "orders");
    Concurrency c = reserve("orders", "orders", reserved);
    reconcile(c);
    aws.resetCalls();
    events.clear();
    return c;
  }

  private Concurrency change(Concurrency resource, int reserved) {
    Concurrency c = cluster.read(resource);
    c.getSpec().reservedConcurrentExecutions = reserved;
    return cluster.put(c);
  }

  private ConcurrencyStatus status(Concurrency resource) {
    return cluster.read(resource).getStatus();
  }

  private Condition ready(Concurrency resource) {
    return Conditions.find(status(resource).conditions, Conditions.READY).orElseThrow();
  }

  private void assertReady(Concurrency resource, String status, String reason) {
    Condition ready = ready(resource);
    assertEquals(status, ready.getStatus(), ready.getMessage());
    assertEquals(reason, ready.getReason(), ready.getMessage());
    assertEquals(cluster.read(resource).getMetadata().getGeneration(), ready.getObservedGeneration());
  }

  /** The pass failed: Ready=False for {@code reason}, saying {@code saying}; retried, or looked at {@code next}. */
  private void assertFailed(Concurrency resource, ReconcilePass<Concurrency> pass, String reason, String saying,
      boolean retried, Optional<Duration> next) {
    assertReady(resource, "False", reason);
    assertTrue(ready(resource).getMessage().contains(saying), ready(resource).getMessage());
    assertEquals(retried, pass.retried(), "retried");
    assertEquals(next, pass.next());
    Event event = events.last(resource).orElseThrow();
    assertEquals(List.of("Warning", reason, ready(resource).getMessage()),
        List.of(event.type(), event.reason(), event.message()));
  }

  private Optional<Integer> reservedInAws(String function) {
    return aws.reservedConcurrency(REGION, function);
  }

  @Test
  void reservesTheConcurrencyAndReportsItWithTheAccountsFigures() {
    aws.createFunctionBehindOperator(REGION, "orders");
    Concurrency c = reserve("orders", "orders", 300);

    ReconcilePass<Concurrency> pass = reconcile(c);

    assertEquals(Optional.of(300), reservedInAws("orders"));
    assertEquals(Optional.of(RESYNC), pass.next());
    assertReady(c, "True", "Synced");
    assertEquals(NOW.toString(), ready(c).getLastTransitionTime());
    ConcurrencyStatus s = status(c);
    assertEquals(1L, s.observedGeneration);
    assertEquals("orders", s.functionName);
    assertEquals(300, s.reservedConcurrentExecutions);
    assertEquals(1000, s.account.concurrentExecutions);
    assertEquals(700, s.account.unreservedConcurrentExecutions);
    assertEquals(100, s.account.unreservedMinimum);
    assertEquals(new Event("Concurrency/shop/orders", "Normal", "Reserved",
        "reserved 300 concurrent executions for orders"), events.last(c).orElseThrow());
  }

  @Test
  void aChangedSpecUpdatesTheReservationAndSaysWhatItWas() {
    Concurrency c = reservedAlready(300);

    c = change(c, 0);
    reconcile(c);

    assertEquals(Optional.of(0), reservedInAws("orders"));
    assertEquals(2L, status(c).observedGeneration);
    assertReady(c, "True", "Synced");
    assertEquals("reserved 0 concurrent executions for orders (was 300)",
        events.find(c, "Updated").orElseThrow().message());
  }

  @Test
  void aSteadyStateWritesNothingToAws() {
    Concurrency c = reservedAlready(300);

    ReconcilePass<Concurrency> again = reconcile(c);

    assertEquals(Map.of(), aws.writes());
    assertEquals(Optional.of(RESYNC), again.next());
    assertEquals(List.of(), events.of(c));
    assertReady(c, "True", "Synced");
  }

  @Test
  void aResyncReadsWhatTheReservationDeclaresToTheResyncSpread() {
    aws.accountConcurrency(REGION, 1000); // GetAccountSettings answers, as in every AWS region
    Concurrency c = reservedAlready(300);

    reconcile(c);

    assertEquals(ConcurrencyReconciler.driftCost(c.getSpec()), ResyncSpreads.cost(aws.calls()));
  }

  @Test
  void theResyncComesFromTheSpreadAndDeletionForgetsTheReservation() {
    ResyncSpread spread = ResyncSpreads.exact(RESYNC);
    ConcurrencyReconciler spreading = new ConcurrencyReconciler(aws.aws().concurrency(),
        new FunctionResolver(REGION, CLUSTER, aws.aws().functions()), OperatorSettings.defaults(), events,
        Clock.fixed(NOW, ZoneOffset.UTC), spread);
    // 5,999 other reservations on LAMBDA (2 reads each) and this one: 12,000 / (0.2 × 10/s) = 6,000 s.
    for (int i = 1; i < 6_000; i++) {
      spread.record("Concurrency/other/c" + i, Map.of(Quota.LAMBDA, 2.0, Quota.LAMBDA_GET_FUNCTION, 1.0));
    }
    aws.createFunctionBehindOperator(REGION, "orders");
    Concurrency c = reserve("orders", "orders", 300);

    ReconcilePass<Concurrency> pass = ReconcilePass.run(spreading, cluster.read(c), cluster);

    assertEquals(Optional.of(Duration.ofSeconds(6_000)), pass.next());
    spreading.cleanup(cluster.markForDeletion(c), cluster);
    assertEquals(5_999, spread.resources());
  }

  @Test
  void aReservationChangedBehindTheOperatorIsPutBack() {
    Concurrency c = reservedAlready(300);
    aws.setReservedConcurrencyBehindOperator(REGION, "orders", 42);

    reconcile(c);

    assertEquals(Optional.of(300), reservedInAws("orders"));
    assertEquals(List.of(new Event("Concurrency/shop/orders", RecordedEvents.WARNING, "ReservationRestored",
        "the reserved concurrency of orders was changed outside the operator to 42; reserved 300 again")),
        events.of(c));
  }

  @Test
  void aReservationRemovedBehindTheOperatorOrGoneWithItsFunctionIsPutBack() {
    Concurrency c = reservedAlready(300);
    // the function deleted and created again (by its LambdaFunction) comes back without a reservation or record
    aws.deleteFunctionBehindOperator(REGION, "orders");
    aws.createFunctionBehindOperator(REGION, "orders");

    reconcile(c);

    assertEquals(Optional.of(300), reservedInAws("orders"));
    assertEquals(Owner.of(CLUSTER, c).value(),
        aws.function(REGION, "orders").orElseThrow().config().tags().get(Owner.CONCURRENCY_TAG), "recorded again");
    assertEquals("the reserved concurrency of orders was removed outside the operator (or the function was deleted"
        + " and created again); reserved 300 again", events.find(c, "ReservationRestored").orElseThrow().message());
    assertReady(c, "True", "Synced");
  }

  @Test
  void aRequestThatBreaksTheAccountsMinimumIsRefusedBeforeAwsIsCalled() {
    aws.createFunctionBehindOperator(REGION, "orders");
    Concurrency c = reserve("orders", "orders", 950);

    ReconcilePass<Concurrency> pass = reconcile(c);

    assertEquals(Map.of(), aws.writes());
    assertEquals(Optional.empty(), reservedInAws("orders"));
    assertFailed(c, pass, "InsufficientUnreservedConcurrency", "reserving 950 would leave 50 unreserved", false,
        Optional.empty());
    assertTrue(ready(c).getMessage().contains("largest value allowed now is 900"), ready(c).getMessage());
  }

  @Test
  void thePoolIsTheAccountsWhenAwsReportsIt() {
    aws.accountConcurrency(REGION, 500);
    aws.createFunctionBehindOperator(REGION, "orders");
    aws.createFunctionBehindOperator(REGION, "billing");
    aws.setReservedConcurrencyBehindOperator(REGION, "billing", 200);
    Concurrency c = reserve("orders", "orders", 250);

    assertFailed(c, reconcile(c), "InsufficientUnreservedConcurrency", "largest value allowed now is 200", false,
        Optional.empty());

    c = change(c, 150);
    reconcile(c);
    assertReady(c, "True", "Synced");
    assertEquals(500, status(c).account.concurrentExecutions);
    assertEquals(150, status(c).account.unreservedConcurrentExecutions);
  }

  @Test
  void aReservationAwsRefusesForThePoolIsLookedAtAgain() {
    aws.createFunctionBehindOperator(REGION, "orders");
    // another writer took from the pool between the operator's read and its write
    aws.failNext("PutFunctionConcurrency", AwsFailures.invalidParameter("PutFunctionConcurrency", "Specified"
        + " ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its"
        + " minimum value of [100]."));
    Concurrency c = reserve("orders", "orders", 300);

    ReconcilePass<Concurrency> pass = reconcile(c);

    assertFailed(c, pass, "InsufficientUnreservedConcurrency", "AWS refused", false, Optional.of(RECHECK));
  }

  @Test
  void aMissingFunctionIsLookedAtAgainUntilItExists() {
    Concurrency c = reserve("orders", "orders", 25);

    ReconcilePass<Concurrency> pass = reconcile(c);

    assertFailed(c, pass, "FunctionNotFound", "function orders does not exist", false, Optional.of(RECHECK));

    aws.createFunctionBehindOperator(REGION, "orders");
    reconcile(c);
    assertReady(c, "True", "Synced");
    assertEquals(Optional.of(25), reservedInAws("orders"));
  }

  @Test
  void aFunctionRefWaitsForTheLambdaFunctionToCreateItsFunctionAndActsInItsRegion() {
    Concurrency c = new Concurrency();
    c.setMetadata(new ObjectMetaBuilder().withName("late").withNamespace("shop").build());
    c.setSpec(new ConcurrencySpec());
    c.getSpec().functionRef = new FunctionRef("late");
    c.getSpec().reservedConcurrentExecutions = 25;
    c = cluster.put(c);

    assertFailed(c, reconcile(c), "FunctionNotFound", "LambdaFunction shop/late does not exist", false,
        Optional.of(RECHECK));

    LambdaFunction fn = SampleFunctions.inline("shop", "late", InMemoryAws.ROLE, "l = 1\n");
    fn.getSpec().region = "eu-west-1";
    fn = cluster.put(fn);
    assertFailed(c, reconcile(c), "FunctionNotFound", "waiting for LambdaFunction late", false,
        Optional.of(RECHECK));

    aws.createFunctionBehindOperator("eu-west-1", "late");
    fn.setStatus(new LambdaFunctionStatus());
    fn.getStatus().functionName = "late";
    fn.getStatus().functionArn = aws.function("eu-west-1", "late").orElseThrow().snapshot().functionArn();
    cluster.put(fn);
    reconcile(c);
    assertReady(c, "True", "Synced");
    assertEquals(Optional.of(25), aws.reservedConcurrency("eu-west-1", "late"));
    assertEquals(Optional.empty(), aws.function(REGION, "late"));
  }

  @Test
  void aSecondConcurrencyForTheSameFunctionIsRefusedAndTheOlderOneWins() {
    aws.createFunctionBehindOperator(REGION, "orders");
    Concurrency first = reserve("first", "orders", 10);
    Concurrency second = reserve("second", "orders", 20);

    ReconcilePass<Concurrency> refused = reconcile(second);
    reconcile(first);

    assertFailed(second, refused, "DuplicateConcurrency", "Concurrency shop/first already manages", false,
        Optional.of(RECHECK));
    assertReady(first, "True", "Synced");
    assertEquals(Optional.of(10), reservedInAws("orders"));
  }

  @Test
  void deletingReleasesTheReservation() {
    Concurrency c = reservedAlready(300);

    DeleteControl deleted = reconciler.cleanup(cluster.markForDeletion(c), cluster);

    assertTrue(deleted.isRemoveFinalizer());
    assertEquals(Optional.empty(), reservedInAws("orders"));
    // and its owner record on the function
    assertEquals(Map.of("DeleteFunctionConcurrency", 1L, "UntagResource", 1L), aws.writes());
    assertEquals(Map.of(), aws.function(REGION, "orders").orElseThrow().config().tags());
    assertEquals("removed the reserved concurrency of orders", events.find(c, "Released").orElseThrow().message());
  }

  @Test
  void deletingWhatNeverReservedAnythingLeavesAwsAlone() {
    aws.createFunctionBehindOperator(REGION, "orders");
    aws.setReservedConcurrencyBehindOperator(REGION, "orders", 7);
    Concurrency c = reserve("orders", "orders", 950);
    reconcile(c);
    aws.resetCalls();

    assertTrue(reconciler.cleanup(cluster.markForDeletion(c), cluster).isRemoveFinalizer());
    assertEquals(Optional.of(7), reservedInAws("orders"));
    assertEquals(Map.of(), aws.writes());
  }

  @Test
  void throttlingIsRetriedWithBackoffAndTheLastGoodStatusStays() {
    Concurrency c = reservedAlready(300);
    aws.failNext("GetFunctionConcurrency", AwsFailures.throttled("GetFunctionConcurrency"));

    ReconcilePass<Concurrency> pass = reconcile(c);

    assertFailed(c, pass, "Throttled", "GetFunctionConcurrency: TooManyRequestsException", true, Optional.empty());
    assertEquals(300, status(c).reservedConcurrentExecutions);
  }

  @Test
  void aConflictIsRetried() {
    aws.createFunctionBehindOperator(REGION, "orders");
    aws.failNext("PutFunctionConcurrency", AwsFailures.conflict("PutFunctionConcurrency", "An update is in progress"));
    Concurrency c = reserve("orders", "orders", 300);

    ReconcilePass<Concurrency> pass = reconcile(c);

    assertFailed(c, pass, "Conflict", "ResourceConflictException", true, Optional.empty());
    assertTrue(reconcile(c).done() != null, "the retry succeeds");
    assertEquals(Optional.of(300), reservedInAws("orders"));
  }

  @Test
  void accessDeniedWaitsForTheSpecToChangeAndNamesThePermission() {
    aws.createFunctionBehindOperator(REGION, "orders");
    aws.failNext("PutFunctionConcurrency", AwsFailures.accessDenied("PutFunctionConcurrency"));
    Concurrency c = reserve("orders", "orders", 300);

    ReconcilePass<Concurrency> pass = reconcile(c);

    assertFailed(c, pass, "AccessDenied", "Grant the operator's IAM identity lambda:PutFunctionConcurrency", false,
        Optional.empty());
  }

  @Test
  void anUnexpectedErrorIsAnInternalErrorAndRetried() {
    Concurrency c = reserve("orders", "orders", 300);

    ErrorStatusUpdateControl<Concurrency> control = reconciler.updateErrorStatus(cluster.read(c), cluster,
        new IllegalStateException("boom"));

    assertFalse(control.isNoRetry());
    assertEquals(Optional.empty(), control.getScheduleDelay());
    assertReady(c, "False", "InternalError");
    assertEquals("IllegalStateException: boom", ready(c).getMessage());
    assertNull(status(c).reservedConcurrentExecutions);
  }

  // ---- ownership and region -----------------------------------------------------------------------------------

  /** Function {@code name} in {@code region}, created by an operator for {@code owner} (a tag value). */
  private void functionOwnedBy(String region, String name, String owner) {
    aws.createFunctionBehindOperator(region, name);
    String arn = aws.function(region, name).orElseThrow().snapshot().functionArn();
    aws.aws().functions().tag(region, name, arn, Map.of(Owner.FUNCTION_TAG, owner));
    aws.resetCalls();
  }

  @Test
  void aFunctionWithoutTheNamespacePrefixIsRefusedBeforeAnyAwsCallAndRecheckedAfterAnAdministratorsChange() {
    aws.createFunctionBehindOperator(REGION, "orders");
    aws.resetCalls();
    cluster.put(new NamespaceBuilder().withNewMetadata().withName("shop")
        .withAnnotations(Map.of(NamespacePolicy.FUNCTION_NAME_PREFIX, "shop-")).endMetadata().build());
    Concurrency c = reserve("orders", "orders", 10);

    ReconcilePass<Concurrency> pass = reconcile(c);

    assertFailed(c, pass, "FunctionNameNotAllowed", "namespace shop does not allow function orders", false,
        Optional.of(RECHECK));
    assertEquals(Map.of(), aws.calls());
    assertEquals(Optional.empty(), reservedInAws("orders"));

    cluster.put(new NamespaceBuilder().withNewMetadata().withName("shop")
        .withAnnotations(Map.of(NamespacePolicy.FUNCTION_NAME_PREFIX, "order")).endMetadata().build());
    reconcile(c);
    assertReady(c, "True", "Synced");
    assertEquals(Optional.of(10), reservedInAws("orders"));
  }

  @Test
  void aFunctionAnotherNamespaceOwnsIsLeftAlone() {
    functionOwnedBy(REGION, "orders", CLUSTER + "/billing/orders");
    Concurrency c = reserve("orders", "orders", 10);

    ReconcilePass<Concurrency> pass = reconcile(c);

    assertFailed(c, pass, "OwnedElsewhere", "function orders is owned by billing/orders", false,
        Optional.of(RECHECK));
    assertEquals(Map.of(), aws.writes());
    assertEquals(Optional.empty(), reservedInAws("orders"));
    assertTrue(reconciler.cleanup(cluster.markForDeletion(c), cluster).isRemoveFinalizer());
    assertEquals(Map.of(), aws.writes());
  }

  @Test
  void aFunctionAnotherClusterOwnsIsLeftAloneEvenInTheSameNamespace() {
    functionOwnedBy(REGION, "orders", "cluster-b/shop/orders");
    Concurrency c = reserve("orders", "orders", 10);

    ReconcilePass<Concurrency> pass = reconcile(c);

    assertFailed(c, pass, "OwnedElsewhere", "shop/orders of cluster cluster-b", false, Optional.of(RECHECK));
    assertEquals(Map.of(), aws.writes());
  }

  @Test
  void aFunctionItsOwnNamespaceOwnsIsReservedAndTheReservationRecordedOnIt() {
    functionOwnedBy(REGION, "orders", "shop/orders"); // a legacy owner tag: this cluster's
    Concurrency c = reserve("orders", "orders", 10);

    reconcile(c);

    assertReady(c, "True", "Synced");
    assertEquals(Optional.of(10), reservedInAws("orders"));
    assertEquals(CLUSTER + "/shop/orders",
        aws.function(REGION, "orders").orElseThrow().config().tags().get(Owner.CONCURRENCY_TAG));
    assertEquals(REGION, cluster.read(c).getStatus().region);
  }

  @Test
  void aReservationAnotherClusterRecordedIsLeftAlone() {
    aws.createFunctionBehindOperator(REGION, "orders");
    String arn = aws.function(REGION, "orders").orElseThrow().snapshot().functionArn();
    aws.aws().functions().tag(REGION, "orders", arn, Map.of(Owner.CONCURRENCY_TAG, "cluster-b/shop/orders"));
    aws.setReservedConcurrencyBehindOperator(REGION, "orders", 7);
    aws.resetCalls();
    Concurrency c = reserve("orders", "orders", 10);

    ReconcilePass<Concurrency> pass = reconcile(c);

    assertFailed(c, pass, "OwnedElsewhere", "managed by shop/orders of cluster cluster-b", false,
        Optional.of(RECHECK));
    assertEquals(Optional.of(7), reservedInAws("orders"));
    assertEquals(Map.of(), aws.writes());
  }

  @Test
  void aStaleRecordOfAGoneConcurrencyIsTakenOver() {
    aws.createFunctionBehindOperator(REGION, "orders");
    String arn = aws.function(REGION, "orders").orElseThrow().snapshot().functionArn();
    aws.aws().functions().tag(REGION, "orders", arn, Map.of(Owner.CONCURRENCY_TAG, CLUSTER + "/shop/gone"));
    Concurrency c = reserve("orders", "orders", 10);

    reconcile(c);

    assertReady(c, "True", "Synced");
    assertEquals(CLUSTER + "/shop/orders",
        aws.function(REGION, "orders").orElseThrow().config().tags().get(Owner.CONCURRENCY_TAG));
  }

  @Test
  void aFunctionNamedByArnIsReservedInTheRegionOfTheArn() {
    aws.createFunctionBehindOperator("eu-central-1", "orders");
    aws.createFunctionBehindOperator(REGION, "orders");
    String arn = aws.function("eu-central-1", "orders").orElseThrow().snapshot().functionArn();
    Concurrency c = reserve("orders", arn, 10);

    reconcile(c);

    assertEquals("eu-central-1", cluster.read(c).getStatus().region);
    assertEquals(Optional.of(10), aws.reservedConcurrency("eu-central-1", "orders"));
    assertEquals(Optional.empty(), aws.reservedConcurrency(REGION, "orders"));
    reconciler.cleanup(cluster.markForDeletion(cluster.read(c)), cluster);
    assertEquals(Optional.empty(), aws.reservedConcurrency("eu-central-1", "orders"));
  }
}
