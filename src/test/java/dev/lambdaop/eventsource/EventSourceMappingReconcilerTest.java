package dev.lambdaop.eventsource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.EventSourceMapping;
import dev.lambdaop.api.EventSourceMappingSpec;
import dev.lambdaop.api.EventSourceMappingStatus;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.aws.AwsFailures;
import dev.lambdaop.aws.EventSourceMappings.Mapping;
import dev.lambdaop.aws.EventSourceMappings.Settings;
import dev.lambdaop.aws.InMemoryAws;
import dev.lambdaop.aws.InMemoryEventSourceMappings;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.InMemoryCluster;
import dev.lambdaop.reconcile.NamespacePolicy;
import dev.lambdaop.reconcile.Owner;
import dev.lambdaop.reconcile.ReconcilePass;
import dev.lambdaop.reconcile.ResyncSpreads;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.RecordedEvents;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The flows of {@link EventSourceMappingReconciler}, against AWS and the cluster in memory. */
class EventSourceMappingReconcilerTest {
  private static final String REGION = "us-east-1";
  private static final String CLUSTER = "cluster-a";
  private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
  private static final Duration RESYNC = Duration.ofMinutes(10);
  private static final Duration RECHECK = Duration.ofSeconds(5);
  private static final String QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders";
  private static final String ORDERS = "arn:aws:lambda:us-east-1:123456789012:function:orders";

  private final InMemoryAws aws = new InMemoryAws();
  private final InMemoryEventSourceMappings mappings = aws.eventSources();
  private final InMemoryCluster<EventSourceMapping> cluster = new InMemoryCluster<>(EventSourceMapping.class);
  private final RecordedEvents events = new RecordedEvents();
  private final EventSourceMappingReconciler reconciler = new EventSourceMappingReconciler(aws.aws().eventSources(),
      new FunctionResolver(REGION, CLUSTER, aws.aws().functions()), events, Clock.fixed(NOW, ZoneOffset.UTC),
      ResyncSpreads.exact(RESYNC));

  private ReconcilePass<EventSourceMapping> reconcile(EventSourceMapping resource) {
    return ReconcilePass.run(reconciler, cluster.read(resource), cluster);
  }

  private EventSourceMapping mapping(String name, Consumer spec) {
    EventSourceMapping m = new EventSourceMapping();
    m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").build());
    m.setSpec(new EventSourceMappingSpec());
    m.getSpec().eventSourceArn = QUEUE;
    spec.accept(m.getSpec());
    return cluster.put(m);
  }

  private interface Consumer {
    void accept(EventSourceMappingSpec spec);
  }

  private EventSourceMapping change(EventSourceMapping resource, Consumer spec) {
    EventSourceMapping m = cluster.read(resource);
    spec.accept(m.getSpec());
    return cluster.put(m);
  }

  /** A mapping of the queue to function orders, reconciled until Ready; calls and events forgotten. */
  private EventSourceMapping ready(Consumer spec) {
    if (aws.function(REGION, "orders").isEmpty()) {
      aws.createFunctionBehindOperator(REGION, "orders");
    }
    EventSourceMapping m = mapping("orders-queue", s -> {
      s.functionName = "orders";
      spec.accept(s);
    });
    reconcile(m);
    reconcile(m);
    assertReady(m, "True", "Synced");
    aws.resetCalls();
    events.clear();
    return m;
  }

  private EventSourceMappingStatus status(EventSourceMapping resource) {
    return cluster.read(resource).getStatus();
  }

  private Condition condition(EventSourceMapping resource, String type) {
    return Conditions.find(status(resource).conditions, type).orElseThrow();
  }

  private void assertReady(EventSourceMapping resource, String status, String reason) {
    Condition ready = condition(resource, Conditions.READY);
    assertEquals(status, ready.getStatus(), ready.getMessage());
    assertEquals(reason, ready.getReason(), ready.getMessage());
    assertEquals(cluster.read(resource).getMetadata().getGeneration(), ready.getObservedGeneration());
  }

  private void assertFailed(EventSourceMapping resource, ReconcilePass<EventSourceMapping> pass, String reason,
      String saying, boolean retried, Optional<Duration> next) {
    assertReady(resource, "False", reason);
    String message = condition(resource, Conditions.READY).getMessage();
    assertTrue(message.contains(saying), message);
    assertEquals(retried, pass.retried(), "retried");
    if (!retried) {
      assertEquals(next, pass.next());
    }
  }

  private Mapping inAws(EventSourceMapping resource) {
    return mappings.mapping(status(resource).uuid).orElseThrow();
  }

  @Test
  void createsTheMappingTaggedWithItsOwnerAndIsReadyOnceAwsEnabledIt() {
    aws.createFunctionBehindOperator(REGION, "orders");
    EventSourceMapping m = mapping("orders-queue", s -> {
      s.functionName = "orders";
      s.batchSize = 5;
    });

    ReconcilePass<EventSourceMapping> first = reconcile(m);

    assertEquals(Map.of("CreateEventSourceMapping", 1L), aws.writes());
    assertEquals(Optional.of(RECHECK), first.next());
    assertReady(m, "False", "Creating");
    assertEquals("True", condition(m, Conditions.PROGRESSING).getStatus());
    EventSourceMappingStatus s = status(m);
    assertEquals("Creating", s.state);
    assertEquals(ORDERS, s.functionArn);
    assertEquals(QUEUE, s.eventSourceArn);
    assertEquals(REGION, s.region);
    Mapping created = inAws(m);
    assertEquals(5, created.settings().batchSize());
    assertEquals(Map.of(Owner.FUNCTION_TAG, "cluster-a/shop/orders-queue"),
        aws.aws().eventSources().tags(REGION, created.mappingArn()));
    assertEquals(List.of("Created"), events.reasons(m));

    aws.resetCalls();
    ReconcilePass<EventSourceMapping> second = reconcile(m);

    assertEquals(Map.of(), aws.writes());
    assertEquals(Optional.of(RESYNC), second.next());
    assertReady(m, "True", "Synced");
    assertEquals("False", condition(m, Conditions.PROGRESSING).getStatus());
    assertEquals("Enabled", status(m).state);
    assertEquals("No records processed", status(m).lastProcessingResult);
    assertEquals(1L, status(m).observedGeneration);
  }

  @Test
  void aSteadyResyncReadsTheMappingOnceAndWritesNothing() {
    EventSourceMapping m = ready(s -> s.batchSize = 5);

    reconcile(m);

    assertEquals(Map.of(), aws.writes());
    assertEquals(Map.of("GetEventSourceMapping", 1L, "GetFunction", 1L), aws.calls());
    assertEquals(EventSourceMappingReconciler.driftCost(cluster.read(m).getSpec()), ResyncSpreads.cost(aws.calls()));
  }

  @Test
  void aChangedSettingIsUpdatedInPlace() {
    EventSourceMapping m = ready(s -> s.batchSize = 5);
    String uuid = status(m).uuid;
    m = change(m, s -> {
      s.batchSize = 8;
      s.enabled = false;
    });

    ReconcilePass<EventSourceMapping> pass = reconcile(m);

    assertEquals(Map.of("UpdateEventSourceMapping", 1L), aws.writes());
    assertEquals(uuid, status(m).uuid);
    assertEquals(8, inAws(m).settings().batchSize());
    assertReady(m, "False", "Updating");
    assertEquals(Optional.of(RECHECK), pass.next());
    assertEquals(new RecordedEvents.Event("EventSourceMapping/shop/orders-queue", "Normal", "Updated",
        "updated mapping " + uuid + ": batchSize, enabled"), events.last(m).orElseThrow());

    reconcile(m);
    assertReady(m, "True", "Synced");
    assertEquals("Disabled", status(m).state);
  }

  @Test
  void aMappingDeletedInAwsIsCreatedAgain() {
    EventSourceMapping m = ready(s -> s.batchSize = 5);
    String before = status(m).uuid;
    mappings.deleteBehindOperator(before);

    reconcile(m);

    assertEquals(Map.of("CreateEventSourceMapping", 1L), aws.writes());
    assertNotEquals(before, status(m).uuid);
    assertEquals(5, inAws(m).settings().batchSize());
    assertEquals(List.of("MappingRecreated"), events.reasons(m));
  }

  @Test
  void aSettingChangedInAwsIsSetBack() {
    EventSourceMapping m = ready(s -> s.batchSize = 5);
    mappings.changeBehindOperator(status(m).uuid, s -> new Settings(s.eventSourceArn(), 99,
        s.maximumBatchingWindowSeconds(), s.startingPosition(), s.startingPositionTimestamp(), s.enabled(),
        s.filterPatterns(), s.functionResponseTypes(), s.maximumConcurrency(), s.maximumRetryAttempts(),
        s.maximumRecordAgeSeconds(), s.bisectBatchOnFunctionError(), s.parallelizationFactor(),
        s.tumblingWindowSeconds(), s.onFailureDestination(), s.topics(), s.queues(), s.sourceAccess()));

    reconcile(m);

    assertEquals(Map.of("UpdateEventSourceMapping", 1L), aws.writes());
    assertEquals(5, inAws(m).settings().batchSize());
    RecordedEvents.Event event = events.last(m).orElseThrow();
    assertEquals(List.of("Warning", "MappingRestored"), List.of(event.type(), event.reason()));
    assertTrue(event.message().contains("(batchSize)"), event.message());
  }

  @Test
  void aLostStatusAdoptsTheMappingItsOwnerTagGivesToThisResource() {
    aws.createFunctionBehindOperator(REGION, "orders");
    Mapping existing = mappings.createBehindOperator(REGION, "orders", Settings.of(QUEUE),
        Map.of(Owner.FUNCTION_TAG, "cluster-a/shop/orders-queue"));
    EventSourceMapping m = mapping("orders-queue", s -> s.functionName = "orders");

    reconcile(m);

    assertEquals(Map.of(), aws.writes());
    assertEquals(existing.uuid(), status(m).uuid);
    assertReady(m, "True", "Synced");
    assertEquals(List.of("Adopted"), events.reasons(m));
    assertEquals(1, mappings.all().size());
  }

  @Test
  void aMappingOfTheSameSourceAndFunctionThatIsNotThisResourcesIsAlreadyExistsAndLeftAlone() {
    aws.createFunctionBehindOperator(REGION, "orders");
    Mapping foreign = mappings.createBehindOperator(REGION, "orders", Settings.of(QUEUE), Map.of());
    Mapping other = mappings.createBehindOperator(REGION, "orders:live", Settings.of(QUEUE),
        Map.of(Owner.FUNCTION_TAG, "cluster-a/shop/another"));
    EventSourceMapping m = mapping("orders-queue", s -> s.functionName = "orders");

    ReconcilePass<EventSourceMapping> pass = reconcile(m);

    assertFailed(m, pass, "AlreadyExists", "AWS already has mapping " + foreign.uuid(), false, Optional.empty());
    assertTrue(condition(m, Conditions.READY).getMessage().contains("the operator did not create"));
    assertTrue(condition(m, Conditions.READY).getMessage().contains("--uuid " + foreign.uuid()));
    assertEquals(Map.of(), aws.writes());

    EventSourceMapping live = mapping("live-queue", s -> {
      s.functionName = "orders";
      s.qualifier = "live";
    });
    assertFailed(live, reconcile(live), "AlreadyExists", "belongs to shop/another", false, Optional.empty());
    assertEquals(Map.of(), aws.writes());
    assertEquals(2, mappings.all().size());
    assertTrue(mappings.mapping(other.uuid()).isPresent());
  }

  @Test
  void anAliasRefWaitsForTheAliasArnAndTargetsIt() {
    aws.createFunctionBehindOperator(REGION, "orders");
    EventSourceMapping m = mapping("orders-queue", s -> s.aliasRef = new EventSourceMappingSpec.AliasRef("live"));

    assertFailed(m, reconcile(m), "AliasNotFound", "LambdaAlias shop/live does not exist", false,
        Optional.of(RECHECK));

    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName("live").withNamespace("shop").build());
    alias.setSpec(new LambdaAliasSpec());
    alias.getSpec().functionName = "orders";
    alias = cluster.put(alias);
    assertFailed(m, reconcile(m), "AliasNotReady", "waiting for LambdaAlias shop/live", false,
        Optional.of(RECHECK));
    assertEquals(Map.of(), aws.writes());

    alias.setStatus(new LambdaAliasStatus());
    alias.getStatus().aliasArn = ORDERS + ":live";
    alias.getStatus().region = REGION;
    cluster.put(alias);
    reconcile(m);

    assertEquals(ORDERS + ":live", status(m).functionArn);
    assertEquals(ORDERS + ":live", inAws(m).functionArn());
  }

  @Test
  void aFunctionRefWithAQualifierTargetsThatVersionAndAnotherQualifierRetargetsInPlace() {
    aws.createFunctionBehindOperator(REGION, "orders");
    LambdaFunction fn = SampleFunctions.inline("shop", "orders", InMemoryAws.ROLE, "x = 1\n");
    fn.setStatus(new LambdaFunctionStatus());
    fn.getStatus().functionName = "orders";
    fn.getStatus().functionArn = ORDERS;
    cluster.put(fn);
    EventSourceMapping m = mapping("orders-queue", s -> {
      s.functionRef = new FunctionRef("orders");
      s.qualifier = "7";
    });
    reconcile(m);
    reconcile(m);
    assertEquals(ORDERS + ":7", status(m).functionArn);
    String uuid = status(m).uuid;
    aws.resetCalls();

    m = change(m, s -> s.qualifier = "8");
    reconcile(m);

    assertEquals(Map.of("UpdateEventSourceMapping", 1L), aws.writes());
    assertEquals(uuid, status(m).uuid);
    assertEquals(ORDERS + ":8", inAws(m).functionArn());
    assertEquals("updated mapping " + uuid + ": target", events.last(m).orElseThrow().message());
  }

  @Test
  void anotherSourceCreatesTheNewMappingThenDeletesTheOldOne() {
    EventSourceMapping m = ready(s -> { });
    String old = status(m).uuid;
    m = change(m, s -> s.eventSourceArn = QUEUE + "-v2");

    reconcile(m);

    assertEquals(Map.of("CreateEventSourceMapping", 1L, "DeleteEventSourceMapping", 1L), aws.writes());
    assertEquals(List.of("CreateEventSourceMapping", "DeleteEventSourceMapping"), aws.callLog().stream()
        .filter(InMemoryAws.Call::write).map(InMemoryAws.Call::operation).toList(), "the new one first");
    assertFalse(mappings.mapping(old).isPresent());
    assertEquals(QUEUE + "-v2", inAws(m).settings().eventSourceArn());
    assertNull(status(m).replacedUuid);
    assertEquals(List.of("Created", "Replacing", "Deleted"), events.reasons(m));
  }

  @Test
  void aTargetInAnotherRegionDeletesTheMappingThereAndCreatesOneInItsRegion() {
    EventSourceMapping m = ready(s -> { });
    String old = status(m).uuid;
    aws.createFunctionBehindOperator("eu-west-1", "orders");
    String euOrders = "arn:aws:lambda:eu-west-1:123456789012:function:orders";
    m = change(m, s -> {
      s.functionName = euOrders;
      s.eventSourceArn = "arn:aws:sqs:eu-west-1:123456789012:orders";
    });

    reconcile(m);

    assertFalse(mappings.mapping(old).isPresent());
    assertEquals("eu-west-1", status(m).region);
    assertEquals(euOrders, inAws(m).functionArn());
    assertEquals(1, mappings.all().size());
    assertEquals(List.of("Deleted", "Created"), events.reasons(m));
  }

  @Test
  void anOldMappingAwsIsStillChangingIsDeletedByALaterPass() {
    EventSourceMapping m = ready(s -> { });
    String old = status(m).uuid;
    mappings.hold(old, "Updating");
    m = change(m, s -> s.eventSourceArn = QUEUE + "-v2");

    ReconcilePass<EventSourceMapping> pass = reconcile(m);

    assertEquals(old, status(m).replacedUuid);
    assertTrue(mappings.mapping(old).isPresent());
    assertEquals(Optional.of(RECHECK), pass.next());

    mappings.settle(old);
    reconcile(m);
    reconcile(m);
    assertFalse(mappings.mapping(old).isPresent());
    assertNull(status(m).replacedUuid);
    assertReady(m, "True", "Synced");
    assertEquals(1, mappings.all().size());
  }

  @Test
  void awsRefusingTheRequestStopsUntilTheSpecChangesWithAwssMessage() {
    aws.createFunctionBehindOperator(REGION, "orders");
    aws.failNext("CreateEventSourceMapping", AwsFailures.invalidParameter("CreateEventSourceMapping",
        "The provided execution role does not have permissions to call ReceiveMessage on SQS"));
    EventSourceMapping m = mapping("orders-queue", s -> s.functionName = "orders");

    ReconcilePass<EventSourceMapping> pass = reconcile(m);

    assertFailed(m, pass, "InvalidParameter", "does not have permissions to call ReceiveMessage on SQS", false,
        Optional.empty());
    assertTrue(pass.noRetry());
  }

  @Test
  void aMappingInUseIsRetriedWithBackoffNotRefused() {
    EventSourceMapping m = ready(s -> s.batchSize = 5);
    aws.failNext("UpdateEventSourceMapping", AwsFailures.answer("UpdateEventSourceMapping",
        "ResourceInUseException", 400, "Cannot update the event source mapping because it is in use"));
    m = change(m, s -> s.batchSize = 6);

    ReconcilePass<EventSourceMapping> pass = reconcile(m);

    assertFailed(m, pass, "Conflict", "in use", true, Optional.empty());
  }

  @Test
  void aFunctionThatDoesNotExistIsLookedAtAgain() {
    EventSourceMapping m = mapping("orders-queue", s -> s.functionName = "orders");

    assertFailed(m, reconcile(m), "FunctionNotFound", "Function does not exist", false, Optional.of(RECHECK));

    aws.createFunctionBehindOperator(REGION, "orders");
    reconcile(m);
    assertEquals(1, mappings.all().size());
  }

  @Test
  void aFunctionAnotherNamespaceOwnsIsRefusedBeforeAnyWrite() {
    aws.createFunctionBehindOperator(REGION, "orders");
    aws.aws().functions().tag(REGION, "orders", ORDERS, Map.of(Owner.FUNCTION_TAG, "cluster-a/billing/orders"));
    aws.resetCalls();
    EventSourceMapping m = mapping("orders-queue", s -> s.functionName = "orders");

    assertFailed(m, reconcile(m), "OwnedElsewhere", "function orders is owned by billing/orders", false,
        Optional.of(RECHECK));
    assertEquals(Map.of(), aws.writes());
    assertTrue(mappings.all().isEmpty());
  }

  @Test
  void aFunctionNameTheNamespacePolicyDoesNotAllowIsRefusedBeforeAnyAwsCall() {
    aws.createFunctionBehindOperator(REGION, "orders");
    aws.resetCalls();
    cluster.put(new NamespaceBuilder().withNewMetadata().withName("shop")
        .withAnnotations(Map.of(NamespacePolicy.FUNCTION_NAME_PREFIX, "shop-")).endMetadata().build());
    EventSourceMapping m = mapping("orders-queue", s -> s.functionName = "orders");

    assertFailed(m, reconcile(m), "FunctionNameNotAllowed", "does not allow function orders", false,
        Optional.of(RECHECK));
    assertEquals(Map.of(), aws.calls());
  }

  @Test
  void deletionDeletesTheMappingWithDeleteAndKeepsItWithRetain() {
    EventSourceMapping m = ready(s -> { });
    String uuid = status(m).uuid;

    DeleteControl deleted = reconciler.cleanup(cluster.markForDeletion(m), cluster);

    assertTrue(deleted.isRemoveFinalizer());
    assertFalse(mappings.mapping(uuid).isPresent());
    assertEquals(List.of("Deleted"), events.reasons(m));
    cluster.remove(m);

    EventSourceMapping kept = ready(s -> s.deletionPolicy = LambdaFunctionSpec.DeletionPolicy.Retain);
    String keptUuid = status(kept).uuid;
    assertTrue(reconciler.cleanup(cluster.markForDeletion(kept), cluster).isRemoveFinalizer());
    assertTrue(mappings.mapping(keptUuid).isPresent());
    assertEquals(Map.of(), aws.writes());
    assertEquals(List.of("Retained"), events.reasons(kept));
  }

  @Test
  void deletionWaitsWhileAwsIsChangingTheMappingAndAMappingAlreadyGoneIsFine() {
    EventSourceMapping m = ready(s -> { });
    String uuid = status(m).uuid;
    mappings.hold(uuid, "Creating");

    DeleteControl waiting = reconciler.cleanup(cluster.markForDeletion(m), cluster);

    assertFalse(waiting.isRemoveFinalizer());
    assertEquals(Optional.of(RECHECK.toMillis()), waiting.getScheduleDelay());
    assertTrue(mappings.mapping(uuid).isPresent());

    mappings.settle(uuid);
    mappings.deleteBehindOperator(uuid);
    assertTrue(reconciler.cleanup(cluster.read(m), cluster).isRemoveFinalizer());
  }
}
