package dev.lambdaop.function;

import dev.lambdaop.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.EnvVars;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.aws.AliasRouting;
import dev.lambdaop.aws.AwsFailures;
import dev.lambdaop.aws.FunctionConfig;
import dev.lambdaop.aws.InMemoryAws;
import dev.lambdaop.aws.VersionSnapshot;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.ResyncSpread;
import dev.lambdaop.reconcile.ResyncSpreads;
import dev.lambdaop.reconcile.InMemoryCluster;
import dev.lambdaop.reconcile.NamespacePolicy;
import dev.lambdaop.reconcile.ReconcilePass;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.RecordedEvents;
import dev.lambdaop.status.RecordedEvents.Event;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import dev.lambdaop.aws.Quota;
import dev.lambdaop.reconcile.Urgency;
import dev.lambdaop.reconcile.Work;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The flows of {@link LambdaFunctionReconciler}, against AWS and the cluster in memory. */
class LambdaFunctionReconcilerTest {
  private static final String REGION = "eu-west-1";
  private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
  static final String CLUSTER = "cluster-a";
  private static final OperatorSettings SETTINGS = OperatorSettings.defaults();
  private static final Duration RESYNC = SETTINGS.resyncPeriod();
  private static final Duration SETTLE_RECHECK = Duration.ofSeconds(3);

  private final InMemoryAws aws = new InMemoryAws();
  private final InMemoryCluster<LambdaFunction> cluster = new InMemoryCluster<>(LambdaFunction.class);
  private final RecordedEvents events = new RecordedEvents();
  private final LambdaFunctionReconciler reconciler = new LambdaFunctionReconciler(aws.aws(),
      new FunctionResolver(REGION, CLUSTER, aws.aws().functions()), SETTINGS, events, Clock.fixed(NOW, ZoneOffset.UTC), TestFunctions.KEY,
      ResyncSpreads.exact(RESYNC));

  /** One pass as JOSDK runs it, over what the cluster holds now. */
  private ReconcilePass<LambdaFunction> reconcile(LambdaFunction resource) {
    return ReconcilePass.run(reconciler, cluster.read(resource), cluster);
  }

  private LambdaFunction function(String name, String source) {
    return cluster.put(TestFunctions.inline(name, source));
  }

  /** A LambdaFunction reconciled once (created, version 1); the calls and events of that pass forgotten. */
  private LambdaFunction created(LambdaFunction fn) {
    LambdaFunction stored = cluster.put(fn);
    assertNotNull(reconcile(stored).done(), "created");
    aws.resetCalls();
    events.clear();
    return stored;
  }

  private LambdaFunction change(LambdaFunction resource, Consumer<LambdaFunctionSpec> edit) {
    LambdaFunction fn = cluster.read(resource);
    edit.accept(fn.getSpec());
    return cluster.put(fn);
  }

  private LambdaFunctionStatus status(LambdaFunction resource) {
    return cluster.read(resource).getStatus();
  }

  private Condition ready(LambdaFunction resource) {
    return Conditions.find(status(resource).conditions, Conditions.READY).orElseThrow();
  }

  private void assertReady(LambdaFunction resource, String status, String reason) {
    Condition ready = ready(resource);
    assertEquals(List.of(status, reason), List.of(ready.getStatus(), ready.getReason()), ready.getMessage());
    assertEquals(cluster.read(resource).getMetadata().getGeneration(), ready.getObservedGeneration());
  }

  /** The pass failed: Ready=False for {@code reason}, a warning saying so; retried, or looked at {@code next}. */
  private void assertFailed(LambdaFunction resource, ReconcilePass<LambdaFunction> pass, String reason, String saying,
      boolean retried, Optional<Duration> next) {
    assertReady(resource, "False", reason);
    assertTrue(ready(resource).getMessage().contains(saying), ready(resource).getMessage());
    assertEquals(retried, pass.retried(), "retried");
    assertEquals(next, pass.next());
    Event event = events.last(resource).orElseThrow();
    assertEquals(List.of("Warning", reason, ready(resource).getMessage()),
        List.of(event.type(), event.reason(), event.message()));
  }

  private FunctionConfig inAws(String name) {
    return aws.function(REGION, name).orElseThrow().config();
  }

  private List<String> versionsInAws(String name) {
    return aws.versions(REGION, name).stream().map(VersionSnapshot::version).toList();
  }

  private List<String> versionsInStatus(LambdaFunction resource) {
    return status(resource).versions.stream().map(v -> v.version).toList();
  }

  private LambdaAlias alias(String name, String function) {
    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").build());
    alias.setSpec(new LambdaAliasSpec());
    alias.getSpec().functionRef = new FunctionRef(function);
    return cluster.put(alias);
  }

  @Test
  void createsTheFunctionPublishesVersion1AndReportsIt() {
    LambdaFunction fn = TestFunctions.inline("orders", "x = 1\n");
    fn.getSpec().memorySize = 256;
    fn.getSpec().environment = List.of(EnvVars.literal("TABLE", "orders"));
    fn.getSpec().tags = Map.of("team", "shop");
    LambdaFunction stored = cluster.put(fn);

    ReconcilePass<LambdaFunction> pass = reconcile(stored);

    assertEquals(Optional.of(RESYNC), pass.next());
    FunctionConfig config = inAws("orders");
    assertEquals(256, config.get(FunctionConfig.MEMORY_SIZE));
    assertEquals(Map.of("TABLE", "orders"), config.environment());
    assertEquals(Map.of("team", "shop", DesiredFunction.OWNER_TAG, "cluster-a/shop/orders"), config.tags());
    assertEquals(DeterministicZip.of(fn.getSpec().code.inline.files).sha256(),
        aws.function(REGION, "orders").orElseThrow().snapshot().codeSha256());
    assertEquals(List.of("1"), versionsInAws("orders"));
    assertReady(stored, "True", "Synced");
    assertEquals("function orders matches the spec; version 1 published for it", ready(stored).getMessage());
    LambdaFunctionStatus s = status(stored);
    assertEquals(1L, s.observedGeneration);
    assertEquals("orders", s.functionName);
    assertEquals("arn:aws:lambda:eu-west-1:123456789012:function:orders", s.functionArn);
    assertEquals("1", s.latestVersion);
    assertEquals(List.of("1"), versionsInStatus(stored));
    assertEquals(s.specDigest, s.versions.get(0).specDigest);
    assertEquals(NOW.toString(), s.versions.get(0).publishedAt);
    assertEquals(List.of("Created", "Published"), events.reasons(stored));
    assertEquals(1, cluster.statusPatches(stored).size(), "one status write per pass");
  }

  @Test
  void inSteadyStateNothingIsWrittenToAws() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));

    ReconcilePass<LambdaFunction> pass = reconcile(fn);

    assertEquals(Optional.of(RESYNC), pass.next());
    assertEquals(Map.of(), aws.writes());
    assertEquals(Map.of("GetFunction", 1L, "ListVersionsByFunction", 1L), aws.calls(),
        "the function, and its versions (to notice one deleted outside the operator); nothing for aliases");
    assertEquals(List.of(), events.reasons(fn));
    assertReady(fn, "True", "Synced");
  }

  /** A pass at resync of a converged resource, as ResourceReconciler marks it. */
  private ReconcilePass<LambdaFunction> drift(LambdaFunctionReconciler r, LambdaFunction resource) {
    return new Work("LambdaFunction/shop/" + resource.getMetadata().getName(), Urgency.DRIFT)
        .run(() -> ReconcilePass.run(r, cluster.read(resource), cluster));
  }

  @Test
  void aDriftCheckReadsTheLatestVersionAndListsAllOnlyEveryFewResyncs() {
    TestClock clock = new TestClock(NOW);
    LambdaFunctionReconciler r = new LambdaFunctionReconciler(aws.aws(),
        new FunctionResolver(REGION, CLUSTER, aws.aws().functions()), SETTINGS, events, clock, TestFunctions.KEY,
        ResyncSpreads.exact(RESYNC));
    LambdaFunction fn = cluster.put(TestFunctions.inline("orders", "x = 1\n"));
    ReconcilePass.run(r, cluster.read(fn), cluster);
    aws.resetCalls();
    List<Map<String, Long>> passes = new java.util.ArrayList<>();
    for (int i = 0; i < 2 * VersionPublisher.FULL_CHECKS_EVERY; i++) {
      clock.advance(RESYNC);
      drift(r, fn);
      passes.add(aws.calls());
      aws.resetCalls();
    }
    // one drift check in FULL_CHECKS_EVERY lists (GetFunction of the function, then the list); the others read the
    // function and its latest version (GetFunction, a quota of its own), nothing from the shared 15/s
    List<Integer> listing = new java.util.ArrayList<>();
    for (int i = 0; i < passes.size(); i++) {
      if (passes.get(i).containsKey("ListVersionsByFunction")) {
        listing.add(i);
        assertEquals(Map.of("GetFunction", 1L, "ListVersionsByFunction", 1L), passes.get(i));
      } else {
        assertEquals(Map.of("GetFunction", 2L), passes.get(i));
      }
    }
    assertEquals(2, listing.size(), "passes " + passes);
    assertEquals(VersionPublisher.FULL_CHECKS_EVERY, listing.get(1) - listing.get(0));
    aws.resetCalls();
    reconcile(fn);
    assertEquals(Map.of("GetFunction", 1L, "ListVersionsByFunction", 1L), aws.calls(),
        "a pass that is no drift check lists, as before");
    assertReady(fn, "True", "Synced");
  }

  @Test
  void aDriftCheckThatFindsTheLatestVersionGoneListsAndPublishesAgain() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    fn = change(fn, spec -> spec.code.inline.files = Map.of("index.py", "x = 2\n"));
    reconcile(fn);
    assertEquals(List.of("2", "1"), versionsInStatus(fn));
    aws.deleteVersionBehindOperator(REGION, "orders", "1");
    drift(reconciler, fn);
    assertEquals(List.of("2", "1"), versionsInStatus(fn), "an older version is checked only every few resyncs");
    aws.deleteVersionBehindOperator(REGION, "orders", "2");
    events.clear();

    drift(reconciler, fn);

    assertEquals(List.of("3"), versionsInStatus(fn));
    assertEquals("3", status(fn).latestVersion);
    assertEquals(List.of("VersionsMissing", "Published"), events.reasons(fn));
  }

  @Test
  void inSteadyStateAFunctionThatDoesNotPublishReadsOnlyItself() {
    LambdaFunction original = TestFunctions.inline("orders", "x = 1\n");
    original.getSpec().versions = new LambdaFunctionSpec.VersionPolicy();
    original.getSpec().versions.publish = false;
    LambdaFunction fn = created(original);

    reconcile(fn);

    assertEquals(Map.of("GetFunction", 1L), aws.calls());
  }

  @Test
  void aResyncReadsWhatTheFunctionDeclaresToTheResyncSpread() {
    LambdaFunction publishing = created(TestFunctions.inline("orders", "x = 1\n"));
    for (int i = 0; i < VersionPublisher.FULL_CHECKS_EVERY; i++) {
      drift(reconciler, publishing);
    }
    Map<Quota, Double> perResync = new java.util.EnumMap<>(Quota.class);
    ResyncSpreads.cost(aws.calls()).forEach((q, n) -> perResync.put(q, n / VersionPublisher.FULL_CHECKS_EVERY));
    assertEquals(LambdaFunctionReconciler.driftCost(publishing.getSpec()), perResync);

    LambdaFunction quiet = TestFunctions.inline("billing", "x = 1\n");
    quiet.getSpec().versions = new LambdaFunctionSpec.VersionPolicy();
    quiet.getSpec().versions.publish = false;
    quiet = created(quiet);
    reconcile(quiet);
    assertEquals(LambdaFunctionReconciler.driftCost(quiet.getSpec()), ResyncSpreads.cost(aws.calls()));
  }

  @Test
  void theResyncComesFromTheSpreadStretchedAtTenThousandFunctionsAndDeletionForgetsTheFunction() {
    ResyncSpread spread = ResyncSpreads.exact(RESYNC);
    LambdaFunctionReconciler spreading = new LambdaFunctionReconciler(aws.aws(),
        new FunctionResolver(REGION, CLUSTER, aws.aws().functions()), SETTINGS, events,
        Clock.fixed(NOW, ZoneOffset.UTC), TestFunctions.KEY, spread);
    for (int i = 1; i < 10_000; i++) {
      spread.record("LambdaFunction/other/f" + i, LambdaFunctionReconciler.driftCost(new LambdaFunctionSpec()));
    }
    LambdaFunction fn = function("orders", "x = 1\n");

    ReconcilePass<LambdaFunction> pass = ReconcilePass.run(spreading, cluster.read(fn), cluster);

    // 10,000 publishing functions: 16,667 GetFunction per resync / (0.2 × 50/s) = 1,667 s, and as much from their
    // 3,333 ListVersionsByFunction / (0.2 × 10/s).
    assertEquals(1_667, pass.next().orElseThrow().toSeconds(), 1);
    assertEquals(10_000, spread.resources());
    assertTrue(spreading.cleanup(cluster.markForDeletion(fn), cluster).isRemoveFinalizer());
    assertEquals(9_999, spread.resources());
  }

  // ---- changes made outside the operator: recovery -------------------------------------------------------------

  @Test
  void aFunctionDeletedInAwsIsCreatedAgainWithAVersionForTheCurrentSpec() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    fn = change(fn, spec -> spec.code.inline.files = Map.of("index.py", "x = 2\n"));
    reconcile(fn);
    assertEquals(List.of("2", "1"), versionsInStatus(fn));
    aws.deleteFunctionBehindOperator(REGION, "orders");
    aws.resetCalls();
    events.clear();

    ReconcilePass<LambdaFunction> pass = reconcile(fn);

    assertEquals(Optional.of(RESYNC), pass.next());
    assertEquals(DeterministicZip.of(Map.of("index.py", "x = 2\n")).sha256(),
        aws.function(REGION, "orders").orElseThrow().snapshot().codeSha256(), "created from the current spec");
    assertEquals(List.of("1"), versionsInAws("orders"));
    LambdaFunctionStatus s = status(fn);
    assertEquals("1", s.latestVersion);
    assertEquals(List.of("1"), versionsInStatus(fn), "only the version AWS has");
    assertEquals(aws.versions(REGION, "orders").get(0).codeSha256(), s.versions.get(0).codeSha256);
    assertEquals(s.specDigest, s.versions.get(0).specDigest);
    Event recreated = events.find(fn, "FunctionRecreated").orElseThrow();
    assertEquals(List.of(RecordedEvents.WARNING, "function orders was not found in eu-west-1 (deleted outside the"
        + " operator) and was created again from the spec; its versions 2, 1 are gone with it"),
        List.of(recreated.type(), recreated.message()));
    assertEquals(List.of("FunctionRecreated", "Published"), events.reasons(fn));
    assertFalse(aws.calls().containsKey("ListVersionsByFunction"), "a function created in this pass has no versions");
    assertReady(fn, "True", "Synced");
    assertEquals("function orders matches the spec; version 1 published for it", ready(fn).getMessage());
  }

  @Test
  void aFunctionDeletedInAwsThatDoesNotPublishIsCreatedAgainAndNamesNoVersion() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    fn = change(fn, spec -> {
      spec.versions = new LambdaFunctionSpec.VersionPolicy();
      spec.versions.publish = false;
    });
    reconcile(fn);
    aws.deleteFunctionBehindOperator(REGION, "orders");

    reconcile(fn);

    assertTrue(aws.function(REGION, "orders").isPresent());
    assertEquals(List.of(), versionsInAws("orders"));
    assertNull(status(fn).latestVersion);
    assertEquals(List.of(), versionsInStatus(fn));
    assertTrue(events.find(fn, "FunctionRecreated").orElseThrow().message().endsWith("its version 1 is gone with it"));
  }

  @Test
  void aVersionDeletedInAwsIsNoLongerNamedAndNothingIsPublished() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    fn = change(fn, spec -> spec.code.inline.files = Map.of("index.py", "x = 2\n"));
    reconcile(fn);
    aws.deleteVersionBehindOperator(REGION, "orders", "1");
    aws.resetCalls();
    events.clear();

    reconcile(fn);

    assertEquals(List.of("2"), versionsInStatus(fn));
    assertEquals("2", status(fn).latestVersion);
    assertEquals(Map.of(), aws.writes());
    Event missing = events.find(fn, "VersionsMissing").orElseThrow();
    assertEquals(List.of(RecordedEvents.WARNING, "version 1 of orders no longer exists in AWS (deleted outside the"
        + " operator): the status no longer names it"), List.of(missing.type(), missing.message()));
    assertReady(fn, "True", "Synced");

    events.clear();
    reconcile(fn);
    assertEquals(List.of(), events.reasons(fn), "said once");
  }

  @Test
  void theLatestVersionDeletedInAwsIsPublishedAgainForTheCurrentSpec() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    fn = change(fn, spec -> spec.code.inline.files = Map.of("index.py", "x = 2\n"));
    reconcile(fn);
    aws.deleteVersionBehindOperator(REGION, "orders", "2");
    events.clear();

    reconcile(fn);

    assertEquals(List.of("1", "3"), versionsInAws("orders"), "AWS never reuses a version number");
    assertEquals("3", status(fn).latestVersion);
    assertEquals(List.of("3", "1"), versionsInStatus(fn));
    assertEquals(List.of("VersionsMissing", "Published"), events.reasons(fn));
    assertEquals("version 2 of orders no longer exists in AWS (deleted outside the operator): the status no longer"
        + " names it (status.latestVersion was 2)", events.find(fn, "VersionsMissing").orElseThrow().message());
    assertReady(fn, "True", "Synced");
  }

  @Test
  void newCodeIsDeployedAndPublishedAsVersion2() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    fn = change(fn, spec -> spec.code.inline.files = Map.of("index.py", "x = 2\n"));

    reconcile(fn);

    assertEquals(DeterministicZip.of(Map.of("index.py", "x = 2\n")).sha256(),
        aws.function(REGION, "orders").orElseThrow().snapshot().codeSha256());
    assertEquals(List.of("1", "2"), versionsInAws("orders"));
    assertEquals("2", status(fn).latestVersion);
    assertEquals(List.of("2", "1"), versionsInStatus(fn));
    assertEquals(List.of("Updated", "Published"), events.reasons(fn));
    assertEquals("updated code", events.find(fn, "Updated").orElseThrow().message());
    assertReady(fn, "True", "Synced");
  }

  @Test
  void aConfigurationChangeIsNamedInTheEventAndPublishedAsANewVersion() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    fn = change(fn, spec -> spec.memorySize = 512);

    reconcile(fn);

    assertEquals(512, inAws("orders").get(FunctionConfig.MEMORY_SIZE));
    assertEquals(Map.of("UpdateFunctionConfiguration", 1L, "PublishVersion", 1L), aws.writes());
    assertEquals("updated memorySize", events.find(fn, "Updated").orElseThrow().message());
    assertEquals(List.of("1", "2"), versionsInAws("orders"));
    assertEquals("2", status(fn).latestVersion);
  }

  @Test
  void configurationChangedOutsideTheOperatorIsRevertedWithAWarningAndNoNewVersion() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    aws.changeConfigBehindOperator(REGION, "orders",
        c -> c.with(FunctionConfig.MEMORY_SIZE, 2048).with(FunctionConfig.TIMEOUT, 60));

    reconcile(fn);

    assertEquals(128, inAws("orders").get(FunctionConfig.MEMORY_SIZE));
    assertEquals(3, inAws("orders").get(FunctionConfig.TIMEOUT));
    Event drift = events.find(fn, "DriftReverted").orElseThrow();
    assertEquals(List.of("Warning", "reverting changes made outside the operator to: memorySize, timeout"),
        List.of(drift.type(), drift.message()));
    assertEquals(List.of("DriftReverted"), events.reasons(fn));
    assertEquals(List.of("1"), versionsInAws("orders"));
    assertReady(fn, "True", "Synced");
  }

  @Test
  void aVpcWithIpv6ForDualStackFalseConvergesThoughAwsReportsItUnset() {
    LambdaFunction original = TestFunctions.inline("orders", "x = 1\n");
    original.getSpec().vpcConfig = new LambdaFunctionSpec.VpcConfig();
    original.getSpec().vpcConfig.subnetIds = List.of("subnet-0a1b2c3d");
    original.getSpec().vpcConfig.securityGroupIds = List.of("sg-0a1b2c3d");
    original.getSpec().vpcConfig.ipv6AllowedForDualStack = false;
    LambdaFunction fn = created(original);
    assertNull(inAws("orders").get(FunctionConfig.VPC).ipv6AllowedForDualStack(), "AWS leaves false out");

    ReconcilePass<LambdaFunction> pass = reconcile(fn);

    assertEquals(Optional.of(RESYNC), pass.next());
    assertReady(fn, "True", "Synced");
    assertEquals(Map.of(), aws.writes(), "nothing to update: false and unset are the same");
    assertNull(status(fn).rejectedSpecDigest);
    assertEquals(List.of(), events.reasons(fn));
  }

  @Test
  void tagsAreAddedChangedAndRemovedWithoutANewVersion() {
    LambdaFunction original = TestFunctions.inline("orders", "x = 1\n");
    original.getSpec().tags = Map.of("team", "shop", "cost-center", "42");
    LambdaFunction fn = created(original);
    fn = change(fn, spec -> spec.tags = Map.of("team", "payments", "tier", "gold"));

    reconcile(fn);

    assertEquals(Map.of("team", "payments", "tier", "gold", DesiredFunction.OWNER_TAG, "cluster-a/shop/orders"),
        inAws("orders").tags());
    assertEquals(Map.of("TagResource", 1L, "UntagResource", 1L), aws.writes());
    assertEquals(List.of("1"), versionsInAws("orders"));
    assertEquals("updated tags", events.find(fn, "Updated").orElseThrow().message());
  }

  @Test
  void aSpecAwsRefusesIsRememberedByItsDigestAndNotTriedAgainUntilItChanges() {
    LambdaFunction fn = TestFunctions.inline("orders", "x = 1\n");
    fn.getSpec().memorySize = 64;
    LambdaFunction stored = cluster.put(fn);

    ReconcilePass<LambdaFunction> refused = reconcile(stored);

    assertFailed(stored, refused, "InvalidParameter", "MemorySize", false, Optional.empty());
    String digest = TestFunctions.resolve(cluster.read(stored), REGION, TestFunctions.noReferences()).attemptDigest();
    assertEquals(digest, status(stored).rejectedSpecDigest);
    assertTrue(aws.function(REGION, "orders").isEmpty());

    aws.resetCalls();
    ReconcilePass<LambdaFunction> again = reconcile(stored);
    assertNotNull(again.done());
    assertEquals(Optional.empty(), again.next());
    assertEquals(Map.of(), aws.calls(), "the same spec is not sent again");

    stored = change(stored, spec -> spec.memorySize = 512);
    reconcile(stored);
    assertReady(stored, "True", "Synced");
    assertNull(status(stored).rejectedSpecDigest);
    assertEquals(512, inAws("orders").get(FunctionConfig.MEMORY_SIZE));
  }

  @Test
  void aRefusedTagIsTriedAgainOnceTheTagsChangeAndPublishesNothing() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    String specDigest = status(fn).specDigest;
    fn = change(fn, spec -> spec.tags = Map.of("team", "sh\u0000p"));
    aws.failNext("TagResource", AwsFailures.invalidParameter("TagResource", "Tag value is invalid"));

    ReconcilePass<LambdaFunction> refused = reconcile(fn);

    assertFailed(fn, refused, "InvalidParameter", "Tag value is invalid", false, Optional.empty());
    assertEquals(TestFunctions.resolve(cluster.read(fn), REGION, TestFunctions.noReferences()).attemptDigest(),
        status(fn).rejectedSpecDigest);
    aws.resetCalls();
    assertNotNull(reconcile(fn).done());
    assertEquals(Map.of(), aws.calls(), "the refused spec is not sent again");

    // Tags are not in the digest of versions, but they are in the digest of the refused spec: fixed, tried again.
    fn = change(fn, spec -> spec.tags = Map.of("team", "shop"));
    reconcile(fn);

    assertReady(fn, "True", "Synced");
    assertNull(status(fn).rejectedSpecDigest);
    assertEquals("shop", inAws("orders").tags().get("team"));
    assertEquals(Map.of("TagResource", 1L), aws.writes(), "no configuration update, no publish");
    assertEquals(List.of("1"), versionsInAws("orders"));
    assertEquals(specDigest, status(fn).specDigest, "the digest of versions is the same");
  }

  @Test
  void changingOnlyTagsRetentionOrDeletionPolicyUpdatesNothingElseAndPublishesNothing() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    LambdaFunctionStatus before = status(fn);
    fn = change(fn, spec -> {
      spec.versions = new LambdaFunctionSpec.VersionPolicy();
      spec.versions.retain = 5;
      spec.deletionPolicy = LambdaFunctionSpec.DeletionPolicy.Retain;
    });

    reconcile(fn);

    assertReady(fn, "True", "Synced");
    assertEquals(Map.of(), aws.writes());
    assertEquals(List.of("1"), versionsInAws("orders"));
    assertEquals(before.specDigest, status(fn).specDigest);
    assertEquals(List.of("1"), versionsInStatus(fn));
  }

  /** A function with versions 1 to 3, in a region whose code storage holds three versions. */
  private LambdaFunction withStorageFull() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "s = 1\n"));
    for (int n = 2; n <= 3; n++) {
      String source = "s = " + n + "\n";
      fn = change(fn, spec -> spec.code.inline.files = Map.of("index.py", source));
      reconcile(fn);
    }
    assertEquals(List.of("1", "2", "3"), versionsInAws("orders"));
    aws.codeStorage(REGION, 3);
    fn = change(fn, spec -> spec.code.inline.files = Map.of("index.py", "s = 4\n"));
    ReconcilePass<LambdaFunction> refused = reconcile(fn);
    assertFailed(fn, refused, "CodeStorageExceeded", "versions.retain", false, Optional.empty());
    assertNotNull(status(fn).rejectedSpecDigest);
    aws.resetCalls();
    events.clear();
    return fn;
  }

  @Test
  void codeStorageExceededWithoutRetainDeletesNothingAndWaitsForTheSpec() {
    LambdaFunction fn = withStorageFull();

    assertNotNull(reconcile(fn).done());

    assertEquals(Map.of(), aws.calls(), "not tried again");
    assertEquals(List.of("1", "2", "3"), versionsInAws("orders"));
    assertReady(fn, "False", "CodeStorageExceeded");
  }

  @Test
  void loweringRetainAfterCodeStorageExceededDeletesOldVersionsFirstThenPublishes() {
    LambdaFunction fn = withStorageFull();
    // Someone's alias routes to version 1: it stays whatever the retention says.
    aws.setAliasBehindOperator(REGION, "orders", new AliasRouting("pinned", "1", null, 0, ""));

    // As the message advises: versions.retain. The refused spec's digest covers it, so this is a new attempt.
    fn = change(fn, spec -> {
      spec.versions = new LambdaFunctionSpec.VersionPolicy();
      spec.versions.retain = 2;
    });
    reconcile(fn);

    assertReady(fn, "True", "Synced");
    assertNull(status(fn).rejectedSpecDigest);
    // Version 2 was deleted before the publish (1: the alias's; 3: the current one), then 4 was published.
    assertEquals(List.of("1", "3", "4"), versionsInAws("orders"));
    assertEquals("4", status(fn).latestVersion);
    assertEquals(List.of("4", "3", "1"), versionsInStatus(fn));
    assertEquals(Map.of("DeleteFunction", 1L, "PublishVersion", 2L), aws.writes(), "refused once, then published");
    assertEquals(List.of("VersionsDeleted", "Published"), events.reasons(fn));
    assertEquals("deleted versions 2 of orders (versions.retain: 2)",
        events.find(fn, "VersionsDeleted").orElseThrow().message());
  }

  @Test
  void whenNothingCanBeDeletedTheRefusalStands() {
    LambdaFunction fn = withStorageFull();
    aws.setAliasBehindOperator(REGION, "orders", new AliasRouting("live", "1", "2", 0.5, ""));

    fn = change(fn, spec -> {
      spec.versions = new LambdaFunctionSpec.VersionPolicy();
      spec.versions.retain = 3;
    });
    ReconcilePass<LambdaFunction> refused = reconcile(fn);

    // retain 3 keeps 3 (the current one) with the new one; 1 and 2 are the alias's.
    assertFailed(fn, refused, "CodeStorageExceeded", "versions.retain", false, Optional.empty());
    assertEquals(List.of("1", "2", "3"), versionsInAws("orders"));
    assertEquals(Map.of("PublishVersion", 1L), aws.writes(), "published once: no room was made");
  }

  @Test
  void awsQuotingSecretValuesInARefusalLeavesNoneInStatusOrEvents() {
    cluster.put(new SecretBuilder().withNewMetadata().withName("api").withNamespace("shop").endMetadata()
        .withStringData(Map.of("key", "7391", "pin", "42")).build());
    LambdaFunction fn = TestFunctions.inline("orders", "x = 1\n");
    fn.getSpec().environment = List.of(EnvVars.fromSecret("API_KEY", "api", "key"),
        EnvVars.fromSecret("PIN", "api", "pin"), EnvVars.literal("TABLE", "orders-table"));
    LambdaFunction stored = cluster.put(fn);
    // AWS's own 4 KB error quotes every variable
    aws.failNext("CreateFunction", AwsFailures.invalidParameter("CreateFunction", "Lambda was unable to configure"
        + " your environment variables because the environment variables you have provided exceeded the 4KB limit."
        + " String measured: {\"API_KEY\":\"7391\",\"PIN\":\"42\",\"TABLE\":\"orders-table\"}"));

    ReconcilePass<LambdaFunction> refused = reconcile(stored);

    assertFailed(stored, refused, "InvalidParameter", "{\"API_KEY\":\"<redacted>\",\"PIN\":\"<redacted>\"", false,
        Optional.empty());
    assertNotNull(status(stored).rejectedSpecDigest, "still remembered as refused");
    String message = ready(stored).getMessage();
    for (String value : List.of("7391", "42", "orders-table")) {
      assertFalse(message.contains(value), message);
      assertTrue(events.all().stream().noneMatch(e -> e.message().contains(value)), value + " in an event");
    }
    assertNull(refused.error().getCause(), "AWS's exception, with its text, is not passed on");
  }

  @Test
  void throttlingIsRetriedWithBackoff() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    aws.failNext("GetFunction", AwsFailures.throttled("GetFunction"));

    ReconcilePass<LambdaFunction> pass = reconcile(fn);

    assertFailed(fn, pass, "Throttled", "TooManyRequestsException", true, Optional.empty());
    assertNull(status(fn).rejectedSpecDigest);
    assertEquals("1", status(fn).latestVersion, "the last good status stays");
    assertNotNull(reconcile(fn).done(), "the retry succeeds");
    assertReady(fn, "True", "Synced");
  }

  /**
   * A request that waits for its turn in the request budget (or that AWS throttled) ends the pass without a failure:
   * the status and the events stay as they were, and the reconcile comes back at its turn, not with backoff.
   */
  @Test
  void aRequestDeferredByTheBudgetLeavesTheStatusAsItIsAndComesBackAtItsTurn() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    fn = change(fn, spec -> spec.timeout = 9);
    String readyBefore = ready(fn).getLastTransitionTime();
    String statusBefore = io.fabric8.kubernetes.client.utils.Serialization.asJson(status(fn));
    int eventsBefore = events.all().size();
    aws.failNext("UpdateFunctionConfiguration",
        new dev.lambdaop.reconcile.Deferred("UpdateFunctionConfiguration waits for its turn", Duration.ofMillis(700)));

    ReconcilePass<LambdaFunction> pass = reconcile(fn);

    assertFalse(pass.retried(), "no backoff retry");
    assertEquals(Optional.of(Duration.ofMillis(700)), pass.next(), "back at its turn");
    assertEquals(statusBefore, io.fabric8.kubernetes.client.utils.Serialization.asJson(status(fn)),
        "the status is not written");
    assertEquals(readyBefore, ready(fn).getLastTransitionTime());
    assertEquals(eventsBefore, events.all().size(), "no event");
    assertNotNull(reconcile(fn).done(), "the next pass goes on");
    assertEquals("9", String.valueOf(inAws("orders").get(FunctionConfig.TIMEOUT)));
  }

  @Test
  void aDeletionDeferredByTheBudgetKeepsTheFinalizerAndComesBackAtItsTurn() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    aws.failNext("DeleteFunction",
        new dev.lambdaop.reconcile.Deferred("DeleteFunction waits for its turn", Duration.ofMillis(300)));

    var control = reconciler.deferrable(cluster.markForDeletion(fn), cluster);

    assertFalse(control.isRemoveFinalizer());
    assertEquals(Optional.of(300L), control.getScheduleDelay());
    assertTrue(aws.function(REGION, "orders").isPresent(), "not deleted yet");
    assertTrue(reconciler.deferrable(cluster.markForDeletion(fn), cluster).isRemoveFinalizer());
    assertTrue(aws.function(REGION, "orders").isEmpty());
  }

  private void annotateNamespace(String namespace, Map<String, String> annotations) {
    cluster.put(new NamespaceBuilder().withNewMetadata().withName(namespace).withAnnotations(annotations)
        .endMetadata().build());
  }

  @Test
  void aRoleTheNamespaceDoesNotAllowIsRefusedBeforeAnyAwsCallAndRecheckedAtResync() {
    annotateNamespace("shop", Map.of(NamespacePolicy.ALLOWED_ROLE_ARNS, "arn:aws:iam::123456789012:role/shop-*"));
    LambdaFunction stored = function("orders", "x = 1\n");

    ReconcilePass<LambdaFunction> pass = reconcile(stored);

    assertFailed(stored, pass, "RoleNotAllowed", TestFunctions.ROLE, false, Optional.of(RESYNC));
    assertTrue(ready(stored).getMessage().contains(NamespacePolicy.ALLOWED_ROLE_ARNS), ready(stored).getMessage());
    assertEquals(Map.of(), aws.calls(), "nothing passed to AWS");
    assertNull(status(stored).rejectedSpecDigest, "looked at again: the administrator may allow the role");

    // The administrator allows the role: the next pass (the resync) creates the function, without a spec change.
    annotateNamespace("shop", Map.of(NamespacePolicy.ALLOWED_ROLE_ARNS,
        "arn:aws:iam::123456789012:role/shop-*, arn:aws:iam::123456789012:role/lambda-*"));
    reconcile(stored);
    assertReady(stored, "True", "Synced");
    assertEquals(TestFunctions.ROLE, inAws("orders").get(FunctionConfig.ROLE));
  }

  @Test
  void aFunctionNameWithoutTheNamespacePrefixIsRefusedBeforeAnyAwsCall() {
    annotateNamespace("shop", Map.of(NamespacePolicy.FUNCTION_NAME_PREFIX, "shop-"));
    LambdaFunction stored = function("orders", "x = 1\n");

    ReconcilePass<LambdaFunction> pass = reconcile(stored);

    assertFailed(stored, pass, "FunctionNameNotAllowed", "\"shop-\"", false, Optional.of(RESYNC));
    assertEquals(Map.of(), aws.calls());

    // spec.functionName is immutable (CRD): the refused resource is deleted, which leaves AWS alone, and a new one
    // with an allowed name is created.
    assertTrue(reconciler.cleanup(cluster.markForDeletion(stored), cluster).isRemoveFinalizer());
    assertEquals(Map.of("GetFunction", 1L), aws.calls());
    cluster.remove(stored);
    LambdaFunction renamed = TestFunctions.inline("orders2", "x = 1\n");
    renamed.getSpec().functionName = "shop-orders";
    renamed = cluster.put(renamed);
    reconcile(renamed);
    assertReady(renamed, "True", "Synced");
    assertTrue(aws.function(REGION, "shop-orders").isPresent());
    assertFalse(aws.function(REGION, "orders").isPresent());
  }

  @Test
  void aRequiredPolicyRefusesANamespaceWithoutAnnotationsAndAllowsOneWithThem() {
    LambdaFunctionReconciler strict = new LambdaFunctionReconciler(aws.aws(),
        new FunctionResolver(REGION, CLUSTER, aws.aws().functions(), true), SETTINGS, events,
        Clock.fixed(NOW, ZoneOffset.UTC), TestFunctions.KEY, ResyncSpreads.exact(RESYNC));
    LambdaFunction stored = function("shop-orders", "x = 1\n");

    ReconcilePass<LambdaFunction> pass = ReconcilePass.run(strict, cluster.read(stored), cluster);
    assertFailed(stored, pass, "NamespacePolicyMissing", NamespacePolicy.ALLOWED_ROLE_ARNS, false,
        Optional.of(RESYNC));
    assertEquals(Map.of(), aws.calls());

    annotateNamespace("shop", Map.of(NamespacePolicy.ALLOWED_ROLE_ARNS, "*"));
    pass = ReconcilePass.run(strict, cluster.read(stored), cluster);
    assertFailed(stored, pass, "NamespacePolicyMissing", NamespacePolicy.FUNCTION_NAME_PREFIX, false,
        Optional.of(RESYNC));
    assertEquals(Map.of(), aws.calls());

    annotateNamespace("shop", Map.of(NamespacePolicy.ALLOWED_ROLE_ARNS, "*", NamespacePolicy.FUNCTION_NAME_PREFIX,
        "shop-"));
    ReconcilePass.run(strict, cluster.read(stored), cluster);
    assertReady(stored, "True", "Synced");
  }

  @Test
  void aPolicyOnAnotherNamespaceDoesNotApply() {
    annotateNamespace("billing", Map.of(NamespacePolicy.FUNCTION_NAME_PREFIX, "billing-"));
    LambdaFunction stored = function("orders", "x = 1\n");
    reconcile(stored);
    assertReady(stored, "True", "Synced");
  }

  @Test
  void aMissingSecretIsRecheckedAtResyncAndAwsIsLeftAlone() {
    LambdaFunction fn = TestFunctions.inline("orders", "x = 1\n");
    fn.getSpec().environment = List.of(EnvVars.fromSecret("API_KEY", "api", "key"));
    LambdaFunction stored = cluster.put(fn);

    ReconcilePass<LambdaFunction> pass = reconcile(stored);

    assertFailed(stored, pass, "SecretNotFound", "Secret shop/api", false, Optional.of(RESYNC));
    assertEquals(Map.of(), aws.calls());

    cluster.put(new SecretBuilder().withNewMetadata().withName("api").withNamespace("shop").endMetadata()
        .withStringData(Map.of("key", "s3cr3t")).build());
    reconcile(stored);
    assertReady(stored, "True", "Synced");
    assertEquals(Map.of("API_KEY", "s3cr3t"), inAws("orders").environment());
    assertTrue(events.all().stream().noneMatch(e -> e.message().contains("s3cr3t")));
  }

  @Test
  void aFunctionStillUpdatingIsProgressingAndLookedAtSoon() {
    LambdaFunction fn = function("orders", "x = 1\n");
    aws.holdNextUpdate(REGION, "orders");

    ReconcilePass<LambdaFunction> pass = reconcile(fn);

    assertEquals(Optional.of(LambdaFunctionReconciler.WRITE_SETTLE_RECHECK), pass.next(),
        "right after its own create, no thread waits: looked at again in a second");
    Condition progressing = ready(fn);
    assertEquals(List.of("False", "Progressing"), List.of(progressing.getStatus(), progressing.getReason()));
    assertTrue(progressing.getMessage().startsWith("waiting for the new function to become Active"),
        progressing.getMessage());
    assertNull(status(fn).observedGeneration, "the generation is not observed yet");

    assertEquals(Optional.of(SETTLE_RECHECK), reconcile(fn).next(), "still creating: looked at again later");
    aws.finishUpdate(REGION, "orders");
    reconcile(fn);
    assertReady(fn, "True", "Synced");
    assertEquals("1", status(fn).latestVersion);
  }

  @Test
  void aConfigurationUpdateStillInProgressIsVerifiedByTheNextPassAndNotSentAgain() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    fn = change(fn, spec -> spec.memorySize = 512);
    aws.holdNextUpdate(REGION, "orders");

    ReconcilePass<LambdaFunction> pass = reconcile(fn);

    assertEquals(Optional.of(LambdaFunctionReconciler.WRITE_SETTLE_RECHECK), pass.next());
    assertEquals(Map.of("UpdateFunctionConfiguration", 1L), aws.writes());
    assertReady(fn, "False", "Progressing");
    // AWS ends the update without applying the memory size (as an endpoint that ignores a setting would).
    aws.changeConfigBehindOperator(REGION, "orders", c -> c.with(FunctionConfig.MEMORY_SIZE, 128));
    aws.resetCalls();

    ReconcilePass<LambdaFunction> verified = reconcile(fn);

    assertFailed(fn, verified, "UpdateNotApplied", "memorySize", false, Optional.empty());
    assertEquals(Map.of(), aws.writes(), "not sent again");
  }

  @Test
  void aConfigurationUpdateThatTookLeavesLaterDriftToBeReverted() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    fn = change(fn, spec -> spec.memorySize = 512);
    aws.holdNextUpdate(REGION, "orders");
    reconcile(fn);
    aws.finishUpdate(REGION, "orders");
    reconcile(fn);
    assertReady(fn, "True", "Synced");

    aws.changeConfigBehindOperator(REGION, "orders", c -> c.with(FunctionConfig.MEMORY_SIZE, 128));
    reconcile(fn);

    assertReady(fn, "True", "Synced");
    assertEquals(512, inAws("orders").get(FunctionConfig.MEMORY_SIZE));
    assertTrue(events.find(fn, "DriftReverted").isPresent());
  }

  @Test
  void versionsBeyondRetainAreDeletedButNeverOneAnAliasUses() {
    LambdaFunction original = TestFunctions.inline("orders", "r = 1\n");
    original.getSpec().versions = new LambdaFunctionSpec.VersionPolicy();
    original.getSpec().versions.retain = 2;
    LambdaFunction fn = created(original);
    aws.setAliasBehindOperator(REGION, "orders", new AliasRouting("pinned", "1", null, 0, ""));

    for (int n = 2; n <= 4; n++) {
      String source = "r = " + n + "\n";
      fn = change(fn, spec -> spec.code.inline.files = Map.of("index.py", source));
      reconcile(fn);
    }

    assertEquals(List.of("1", "3", "4"), versionsInAws("orders"));
    assertEquals(List.of("4", "3", "1"), versionsInStatus(fn));
    assertEquals("deleted versions 2 of orders (versions.retain: 2)",
        events.find(fn, "VersionsDeleted").orElseThrow().message());
  }

  @Test
  void deletionWaitsForTheAliasesThatUseTheFunctionThenDeletesIt() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    LambdaAlias live = alias("orders-live", "orders");
    alias("other-live", "other");

    DeleteControl waiting = reconciler.cleanup(cluster.markForDeletion(fn), cluster);

    assertFalse(waiting.isRemoveFinalizer());
    assertEquals(Optional.of(SETTLE_RECHECK), waiting.getScheduleDelay().map(Duration::ofMillis));
    Condition ready = ready(fn);
    assertEquals(List.of("False", "DeletionWaitsForAliases",
        "deletion waits for the LambdaAliases that use this function: orders-live"),
        List.of(ready.getStatus(), ready.getReason(), ready.getMessage()));
    assertEquals(List.of("DeletionWaitsForAliases"), events.reasons(fn));
    assertTrue(aws.function(REGION, "orders").isPresent());

    cluster.remove(live);
    DeleteControl done = reconciler.cleanup(cluster.read(fn), cluster);

    assertTrue(done.isRemoveFinalizer());
    assertTrue(aws.function(REGION, "orders").isEmpty());
    assertEquals("deleted function orders from eu-west-1", events.find(fn, "Deleted").orElseThrow().message());
  }

  @Test
  void deletionPolicyRetainLeavesTheFunction() {
    LambdaFunction original = TestFunctions.inline("orders", "x = 1\n");
    original.getSpec().deletionPolicy = LambdaFunctionSpec.DeletionPolicy.Retain;
    LambdaFunction fn = created(original);

    assertTrue(reconciler.cleanup(cluster.markForDeletion(fn), cluster).isRemoveFinalizer());

    assertTrue(aws.function(REGION, "orders").isPresent());
    assertEquals(Map.of(), aws.calls());
    assertEquals(List.of("Retained"), events.reasons(fn));
  }

  @Test
  void deletingTheCrdReleasesTheResourceAndKeepsTheFunction() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    cluster.definitionDeleted(true);

    assertTrue(reconciler.delete(cluster.markForDeletion(fn), cluster).isRemoveFinalizer());

    assertTrue(aws.function(REGION, "orders").isPresent(), "an uninstall must not delete the function");
    assertEquals(Map.of(), aws.calls());
    Event released = events.find(fn, "DefinitionDeleted").orElseThrow();
    assertEquals(RecordedEvents.WARNING, released.type());
    assertTrue(released.message().contains("AWS objects are kept"), released.message());
  }

  @Test
  void aResourceDeletedWhileItsCrdStaysIsDeletedAsItsPolicySays() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));

    assertTrue(reconciler.delete(cluster.markForDeletion(fn), cluster).isRemoveFinalizer());

    assertTrue(aws.function(REGION, "orders").isEmpty());
  }

  @Test
  void aFunctionThisResourceDoesNotOwnIsNeitherTakenOverNorDeleted() {
    aws.createFunctionBehindOperator(REGION, "orders");
    LambdaFunction fn = function("orders", "x = 1\n");

    ReconcilePass<LambdaFunction> pass = reconcile(fn);

    assertFailed(fn, pass, "AlreadyExists", "was not created by lambda-operator", false, Optional.empty());
    assertEquals(Map.of(), aws.writes());

    assertTrue(reconciler.cleanup(cluster.markForDeletion(fn), cluster).isRemoveFinalizer());
    assertTrue(aws.function(REGION, "orders").isPresent());
    Event notDeleted = events.find(fn, "NotDeleted").orElseThrow();
    assertEquals(RecordedEvents.WARNING, notDeleted.type());
    assertEquals(Map.of(), aws.writes());
  }

  @Test
  void aFunctionAnotherResourceOwnsIsNamedInTheRefusal() {
    aws.createFunctionBehindOperator(REGION, "orders");
    aws.changeConfigBehindOperator(REGION, "orders", c -> c.withTags(
        new TreeMap<>(Map.of(DesiredFunction.OWNER_TAG, "billing/orders"))));
    LambdaFunction fn = function("orders", "x = 1\n");

    ReconcilePass<LambdaFunction> pass = reconcile(fn);

    assertFailed(fn, pass, "AlreadyExists", "belongs to billing/orders", false, Optional.empty());
  }

  @Test
  void aFunctionAnotherClusterOwnsUnderTheSameNamespaceAndNameIsNotTakenOverNorDeleted() {
    aws.createFunctionBehindOperator(REGION, "orders");
    aws.changeConfigBehindOperator(REGION, "orders", c -> c.withTags(
        new TreeMap<>(Map.of(DesiredFunction.OWNER_TAG, "cluster-b/shop/orders"))));
    LambdaFunction fn = function("orders", "x = 1\n");

    ReconcilePass<LambdaFunction> pass = reconcile(fn);

    assertFailed(fn, pass, "AlreadyExists", "belongs to shop/orders of cluster cluster-b", false, Optional.empty());
    assertEquals(Map.of(), aws.writes());
    reconciler.cleanup(cluster.markForDeletion(fn), cluster);
    assertTrue(aws.function(REGION, "orders").isPresent());
  }

  @Test
  void aLegacyOwnerTagOfThisResourceIsOwnedAndRewrittenWithTheClusterId() {
    aws.createFunctionBehindOperator(REGION, "orders");
    aws.changeConfigBehindOperator(REGION, "orders", c -> c.withTags(
        new TreeMap<>(Map.of(DesiredFunction.OWNER_TAG, "shop/orders"))));
    LambdaFunction fn = function("orders", "x = 1\n");

    reconcile(fn);

    assertEquals(CLUSTER + "/shop/orders",
        aws.function(REGION, "orders").orElseThrow().config().tags().get(DesiredFunction.OWNER_TAG));
    assertEquals(REGION, cluster.read(fn).getStatus().region);
  }

  @Test
  void ownerRecordsOfAliasesAndReservationsAreNotDriftToRevert() {
    LambdaFunction fn = created(TestFunctions.inline("orders", "x = 1\n"));
    String arn = aws.function(REGION, "orders").orElseThrow().snapshot().functionArn();
    aws.aws().functions().tag(REGION, "orders", arn, Map.of("lambdaop.dev/alias.live", CLUSTER + "/shop/live",
        "lambdaop.dev/concurrency", CLUSTER + "/shop/orders"));
    aws.resetCalls();

    reconcile(fn);

    assertEquals(Map.of(), aws.writes());
  }
}
