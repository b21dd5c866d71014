package dev.lambdaop.aws;

import static dev.lambdaop.aws.FunctionConfig.LOGGING;
import static dev.lambdaop.aws.FunctionConfig.MEMORY_SIZE;
import static dev.lambdaop.aws.FunctionConfig.ROLE;
import static dev.lambdaop.aws.FunctionConfig.RUNTIME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.AwsFailure.Retry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The AWS semantics of {@link InMemoryAws} that the reconcilers rely on. */
class InMemoryAwsTest {
  private static final String REGION = "eu-west-1";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final InMemoryAws fake = new InMemoryAws();
  private final Aws aws = fake.aws();

  private static FunctionConfig config(String name) {
    return InMemoryAws.minimalConfig(name).withTags(new TreeMap<>(Map.of("team", "shop")));
  }

  private static CodeSource.Zip zip(String source) {
    return DeterministicZip.of(Map.of("index.py", source));
  }

  private FunctionSnapshot created(String name) {
    aws.functions().create(REGION, config(name), zip("x = 1\n"));
    return aws.functions().state(REGION, name).orElseThrow();
  }

  /** A function with versions 1 and 2, of different code. */
  private void withTwoVersions(String name) {
    created(name);
    fake.publishBehindOperator(REGION, name, "one");
    fake.changeCodeBehindOperator(REGION, name, zip("x = 2\n"));
    fake.publishBehindOperator(REGION, name, "two");
  }

  private static AwsFailure refused(String operation, String reason, Retry retry, Executable call) {
    AwsFailure f = assertThrows(AwsFailure.class, call);
    assertEquals(operation, f.operation());
    assertEquals(reason, f.reason(), f.getMessage());
    assertEquals(retry, f.retry());
    return f;
  }

  @Test
  void aCreatedFunctionIsActiveAndReportsTheConfigurationItWasCreatedWith() {
    aws.functions().create(REGION, config("orders"), zip("x = 1\n"));
    ObservedFunction observed = aws.functions().get(REGION, "orders").orElseThrow();
    assertEquals("Active", observed.snapshot().state());
    assertEquals("Successful", observed.snapshot().lastUpdateStatus());
    assertEquals(zip("x = 1\n").sha256(), observed.snapshot().codeSha256());
    assertEquals("arn:aws:lambda:eu-west-1:123456789012:function:orders", observed.snapshot().functionArn());
    // AWS always reports a logging configuration; everything else compares equal to what was sent.
    assertEquals(new FunctionConfig.Logging("/aws/lambda/orders", "Text", null, null), observed.config().get(LOGGING));
    assertEquals(config("orders"), observed.config().with(LOGGING, null));
    assertTrue(aws.functions().get("us-east-1", "orders").isEmpty(), "regions are apart");
  }

  @Test
  void everyWriteChangesTheRevisionAndAStaleRevisionIsAConflict() {
    String first = created("orders").revisionId();
    aws.functions().updateConfiguration(REGION, config("orders").with(MEMORY_SIZE, 256), false, first);
    String second = aws.functions().state(REGION, "orders").orElseThrow().revisionId();
    assertNotEquals(first, second);
    assertEquals(256, fake.function(REGION, "orders").orElseThrow().config().get(MEMORY_SIZE));

    refused("UpdateFunctionCode", "Conflict", Retry.SOON,
        () -> aws.functions().updateCode(REGION, "orders", zip("x = 2\n"), "x86_64", first));
    aws.functions().updateCode(REGION, "orders", zip("x = 2\n"), "arm64", null);
    ObservedFunction now = fake.function(REGION, "orders").orElseThrow();
    assertEquals(zip("x = 2\n").sha256(), now.snapshot().codeSha256());
    assertEquals("arm64", now.config().architecture(), "the architecture comes with the code");
    assertEquals(Map.of("team", "shop"), now.config().tags(), "a configuration update leaves the tags");
  }

  @Test
  void tagsAreNotVersionedAndChangeNoRevision() {
    FunctionSnapshot s = created("orders");
    aws.functions().tag(REGION, "orders", s.functionArn(), Map.of("env", "prod"));
    aws.functions().untag(REGION, "orders", s.functionArn(), List.of("team"));
    ObservedFunction now = fake.function(REGION, "orders").orElseThrow();
    assertEquals(Map.of("env", "prod"), now.config().tags());
    assertEquals(s.revisionId(), now.snapshot().revisionId());
  }

  @Test
  void creatingAnExistingFunctionIsAConflict() {
    created("orders");
    refused("CreateFunction", "Conflict", Retry.SOON,
        () -> aws.functions().create(REGION, config("orders"), zip("x = 1\n")));
  }

  @Test
  void aMissingFunctionIsAbsentToReadsAndNotFoundToWrites() {
    assertTrue(aws.functions().get(REGION, "ghost").isEmpty());
    assertTrue(aws.functions().state(REGION, "ghost").isEmpty());
    assertTrue(aws.versions().traits(REGION, "ghost", "1").isEmpty());
    assertTrue(aws.aliases().get(REGION, "ghost", "live").isEmpty());
    assertFalse(aws.functions().delete(REGION, "ghost"));
    assertFalse(aws.versions().delete(REGION, "ghost", "1"));
    assertFalse(aws.aliases().delete(REGION, "ghost", "live"));
    assertFalse(aws.concurrency().delete(REGION, "ghost"));
    refused("UpdateFunctionCode", "NotFound", Retry.NEVER,
        () -> aws.functions().updateCode(REGION, "ghost", zip("x = 1\n"), "x86_64", null));
    refused("ListVersionsByFunction", "NotFound", Retry.NEVER, () -> aws.versions().list(REGION, "ghost"));
    refused("PublishVersion", "NotFound", Retry.NEVER,
        () -> aws.versions().publish(REGION, "ghost", null, null, "d"));
    refused("ListAliases", "NotFound", Retry.NEVER, () -> aws.aliases().versionsInUse(REGION, "ghost"));
    refused("GetFunctionConcurrency", "NotFound", Retry.NEVER, () -> aws.concurrency().get(REGION, "ghost"));
  }

  @Test
  void anUpdateHeldInProgressRefusesWritesUntilItFinishes() {
    created("orders");
    fake.holdNextUpdate(REGION, "orders");
    aws.functions().updateCode(REGION, "orders", zip("x = 2\n"), "x86_64", null);
    FunctionSnapshot s = aws.functions().state(REGION, "orders").orElseThrow();
    assertFalse(s.settled());
    assertEquals("InProgress", s.lastUpdateStatus());
    refused("PublishVersion", "Conflict", Retry.SOON, () -> aws.versions().publish(REGION, "orders", null, null, ""));
    refused("UpdateFunctionConfiguration", "Conflict", Retry.SOON,
        () -> aws.functions().updateConfiguration(REGION, config("orders"), false, null));

    fake.finishUpdate(REGION, "orders");
    assertTrue(aws.functions().state(REGION, "orders").orElseThrow().settled());
    assertEquals("1", aws.versions().publish(REGION, "orders", s.codeSha256(), s.revisionId(), "").version());
  }

  @Test
  void aCreationHeldIsPendingAndAFailedOneIsFailed() {
    fake.holdNextUpdate(REGION, "orders");
    assertEquals("Pending", created("orders").state());
    fake.failNextUpdate(REGION, "billing", "The role cannot be assumed");
    FunctionSnapshot failed = created("billing");
    assertTrue(failed.failed());
    assertEquals("The role cannot be assumed", failed.stateReason());
  }

  @Test
  void aFailedUpdateLeavesTheFunctionActiveWithLastUpdateStatusFailed() {
    created("orders");
    fake.failNextUpdate(REGION, "orders", "ENI limit reached");
    aws.functions().updateConfiguration(REGION, config("orders").with(MEMORY_SIZE, 512), false, null);
    FunctionSnapshot s = aws.functions().state(REGION, "orders").orElseThrow();
    assertTrue(s.settled());
    assertTrue(s.failed());
    assertEquals("Active", s.state());
    assertEquals("ENI limit reached", s.lastUpdateStatusReason());
  }

  @Test
  void versionsAreNumberedInOrderNeverReusedAndKeepWhatWasPublished() {
    FunctionSnapshot s = created("orders");
    assertEquals("1", aws.versions().publish(REGION, "orders", s.codeSha256(), s.revisionId(), "spec a").version());
    aws.functions().updateConfiguration(REGION, config("orders").with(MEMORY_SIZE, 256), false, null);
    VersionSnapshot second = aws.versions().publish(REGION, "orders", s.codeSha256(), null, "spec b");
    assertEquals("2", second.version());
    assertEquals(List.of("1", "2"),
        aws.versions().list(REGION, "orders").stream().map(VersionSnapshot::version).toList());
    assertEquals(128, fake.versionConfig(REGION, "orders", "1").orElseThrow().get(MEMORY_SIZE));
    assertEquals(256, fake.versionConfig(REGION, "orders", "2").orElseThrow().get(MEMORY_SIZE));

    assertTrue(aws.versions().delete(REGION, "orders", "2"));
    assertFalse(aws.versions().delete(REGION, "orders", "2"));
    aws.functions().updateConfiguration(REGION, config("orders").with(MEMORY_SIZE, 512), false, null);
    assertEquals("3", aws.versions().publish(REGION, "orders", null, null, "spec c").version());
  }

  @Test
  void publishingAnUnchangedLatestAgainAnswersTheNewestVersion() {
    FunctionSnapshot s = created("orders");
    VersionSnapshot first = aws.versions().publish(REGION, "orders", s.codeSha256(), s.revisionId(), "spec a");
    VersionSnapshot again = aws.versions().publish(REGION, "orders", s.codeSha256(), s.revisionId(), "spec b");
    assertEquals(first, again);
    assertEquals(1, aws.versions().list(REGION, "orders").size());
    aws.functions().tag(REGION, "orders", s.functionArn(), Map.of("env", "prod"));
    assertEquals("1", aws.versions().publish(REGION, "orders", null, null, "tags only").version(),
        "tags are not versioned");
  }

  @Test
  void publishingOtherCodeThanLatestOrAStaleRevisionIsRefused() {
    FunctionSnapshot s = created("orders");
    refused("PublishVersion", "InvalidParameter", Retry.NEVER,
        () -> aws.versions().publish(REGION, "orders", zip("other\n").sha256(), null, ""));
    refused("PublishVersion", "Conflict", Retry.SOON,
        () -> aws.versions().publish(REGION, "orders", s.codeSha256(), "an-old-revision", ""));
    assertTrue(aws.versions().list(REGION, "orders").isEmpty());
  }

  @Test
  void aliasesRouteByWeightAndRefuseAStaleRevision() {
    withTwoVersions("orders");

    AliasSnapshot live = aws.aliases().create(REGION, "orders", new AliasRouting("live", "1", "2", 0.1, null));
    assertEquals(new AliasSnapshot("live", "arn:aws:lambda:eu-west-1:123456789012:function:orders:live", "1", "", "2",
        0.1, live.revisionId()), aws.aliases().get(REGION, "orders", "live").orElseThrow());
    assertEquals(Set.of("1", "2"), aws.aliases().versionsInUse(REGION, "orders"));
    refused("CreateAlias", "Conflict", Retry.SOON,
        () -> aws.aliases().create(REGION, "orders", new AliasRouting("live", "1", null, 0, null)));

    AliasSnapshot moved = aws.aliases().update(REGION, "orders", new AliasRouting("live", "2", null, 0, "d"),
        live.revisionId());
    assertEquals("2", moved.functionVersion());
    assertNull(moved.additionalVersion());
    assertNotEquals(live.revisionId(), moved.revisionId());
    refused("UpdateAlias", "Conflict", Retry.SOON, () -> aws.aliases().update(REGION, "orders",
        new AliasRouting("live", "1", null, 0, "d"), live.revisionId()));
    refused("UpdateAlias", "NotFound", Retry.NEVER, () -> aws.aliases().update(REGION, "orders",
        new AliasRouting("canary", "1", null, 0, "d"), null));
  }

  @Test
  void aliasesRouteOnlyToPublishedVersionsThatShareRoleAndDeadLetterTarget() {
    created("orders");
    fake.publishBehindOperator(REGION, "orders", "one");
    fake.changeConfigBehindOperator(REGION, "orders", c -> c.with(ROLE, "arn:aws:iam::123456789012:role/other"));
    fake.publishBehindOperator(REGION, "orders", "two");
    refused("CreateAlias", "InvalidParameter", Retry.NEVER,
        () -> aws.aliases().create(REGION, "orders", new AliasRouting("live", "1", "2", 0.5, null)));
    refused("CreateAlias", "NotFound", Retry.NEVER,
        () -> aws.aliases().create(REGION, "orders", new AliasRouting("live", "7", null, 0, null)));
    refused("CreateAlias", "InvalidParameter", Retry.NEVER,
        () -> aws.aliases().create(REGION, "orders", new AliasRouting("live", "1", "1", 0.5, null)));
    assertEquals("other", aws.versions().traits(REGION, "orders", "2").orElseThrow().role().split("/")[1]);
  }

  @Test
  void aVersionAnAliasRoutesToCannotBeDeleted() {
    withTwoVersions("orders");
    fake.setAliasBehindOperator(REGION, "orders", new AliasRouting("live", "1", "2", 0.2, null));
    AwsFailure f = refused("DeleteFunction", "Conflict", Retry.SOON,
        () -> aws.versions().delete(REGION, "orders", "2"));
    assertTrue(f.getMessage().contains("live"), f.getMessage());
    fake.setAliasBehindOperator(REGION, "orders", new AliasRouting("live", "1", null, 0, null));
    assertTrue(aws.versions().delete(REGION, "orders", "2"));
  }

  @Test
  void reservedConcurrencyIsNotFoundForAMissingFunctionAndKeepsTheAccountsMinimum() {
    created("orders");
    created("billing");
    assertEquals(Optional.empty(), aws.concurrency().get(REGION, "orders"));
    aws.concurrency().put(REGION, "orders", 300);
    assertEquals(Optional.of(300), aws.concurrency().get(REGION, "orders"));
    assertEquals(Optional.empty(), aws.concurrency().account(REGION), "not reported unless a test sets the limit");
    assertEquals(Map.of("orders", 300), aws.concurrency().reservations(REGION));

    AwsFailure f = refused("PutFunctionConcurrency", "InvalidParameter", Retry.NEVER,
        () -> aws.concurrency().put(REGION, "billing", 601));
    assertTrue(f.getMessage().contains("UnreservedConcurrentExecution"), f.getMessage());
    aws.concurrency().put(REGION, "billing", 600);

    fake.accountConcurrency(REGION, 2000);
    assertEquals(Optional.of(new ReservedConcurrency.Account(2000, 1100)), aws.concurrency().account(REGION));
    assertTrue(aws.concurrency().delete(REGION, "orders"));
    assertEquals(Optional.empty(), fake.reservedConcurrency(REGION, "orders"));
  }

  @Test
  void aFaultIsThrownOnceAndEveryCallIsCountedByOperation() {
    created("orders");
    fake.resetCalls();
    fake.failNext("GetFunction", AwsFailures.throttled("GetFunction"));
    refused("GetFunction", "Throttled", Retry.BACKOFF, () -> aws.functions().get(REGION, "orders"));
    assertTrue(aws.functions().get(REGION, "orders").isPresent());
    assertEquals(Map.of("GetFunction", 2L), fake.calls());
    assertEquals(Map.of(), fake.writes());

    aws.concurrency().put(REGION, "orders", 10);
    assertEquals(Map.of("PutFunctionConcurrency", 1L), fake.writes());
    assertEquals(Map.of("GetFunction", 2L, "PutFunctionConcurrency", 1L), fake.calls("orders"));
    fake.setReservedConcurrencyBehindOperator(REGION, "orders", 20);
    assertEquals(3, fake.callLog().size(), "changes behind the operator are not its calls");
  }

  @Test
  void awsFailuresAreWhatTheAdapterMakesOfTheSameAnswer() {
    record Expected(AwsFailure failure, String reason, Retry retry) {}
    for (Expected e : List.of(
        new Expected(AwsFailures.notFound("GetAlias", "x"), "NotFound", Retry.NEVER),
        new Expected(AwsFailures.conflict("UpdateAlias", "x"), "Conflict", Retry.SOON),
        new Expected(AwsFailures.revisionMismatch("UpdateAlias"), "Conflict", Retry.SOON),
        new Expected(AwsFailures.invalidParameter("CreateFunction", "x"), "InvalidParameter", Retry.NEVER),
        new Expected(AwsFailures.throttled("CreateFunction"), "Throttled", Retry.BACKOFF),
        new Expected(AwsFailures.accessDenied("PutFunctionConcurrency"), "AccessDenied", Retry.NEVER),
        new Expected(AwsFailures.serviceError("GetFunction"), "AwsServiceError", Retry.BACKOFF),
        new Expected(AwsFailures.unreachable("GetFunction"), "AwsUnreachable", Retry.BACKOFF),
        new Expected(AwsFailures.codeNotFound("CreateFunction", "b", "k"), "CodeNotFound", Retry.BACKOFF))) {
      assertEquals(e.reason(), e.failure().reason());
      assertEquals(e.retry(), e.failure().retry(), e.reason());
      assertNull(e.failure().getCause());
    }
    assertTrue(AwsFailures.accessDenied("PutFunctionConcurrency").getMessage()
        .contains("lambda:PutFunctionConcurrency"));
  }

  @Test
  void s3CodeMustExistAndItsShaFollowsTheObject() {
    FunctionConfig config = config("orders");
    refused("CreateFunction", "CodeNotFound", Retry.BACKOFF,
        () -> aws.functions().create(REGION, config, new CodeSource.S3("code", "orders.zip", null, null)));
    CodeObjects.ObjectState first = fake.putObject("code", "orders.zip");
    assertEquals(Optional.of(first), aws.code().head(REGION, "code", "orders.zip", null));
    aws.functions().create(REGION, config, new CodeSource.S3("code", "orders.zip", null, first.eTag()));
    String before = fake.function(REGION, "orders").orElseThrow().snapshot().codeSha256();

    CodeObjects.ObjectState second = fake.putObject("code", "orders.zip");
    assertNotEquals(first.eTag(), second.eTag());
    aws.functions().updateCode(REGION, "orders", new CodeSource.S3("code", "orders.zip", null, second.eTag()),
        "x86_64", null);
    assertNotEquals(before, fake.function(REGION, "orders").orElseThrow().snapshot().codeSha256());
    assertTrue(aws.code().head(REGION, "code", "missing.zip", null).isEmpty());
  }

  @Test
  void aVersionedBucketKeepsEveryVersionOfAnObject() {
    fake.versionBucket("code");
    CodeObjects.ObjectState first = fake.putObject("code", "orders.zip");
    CodeObjects.ObjectState second = fake.putObject("code", "orders.zip");
    assertEquals(Optional.of(first), aws.code().head(REGION, "code", "orders.zip", first.versionId()));
    assertEquals(Optional.of(second), aws.code().head(REGION, "code", "orders.zip", null));
  }

  @Test
  void anImageFunctionReportsItsUriAndTakesNoZip() {
    FunctionConfig config = config("api");
    aws.functions().create(REGION, config, new CodeSource.Image("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1"));
    ObservedFunction api = fake.function(REGION, "api").orElseThrow();
    assertEquals("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1", api.imageUri());
    assertNull(api.config().get(RUNTIME), "an image has no runtime");
    refused("UpdateFunctionCode", "InvalidParameter", Retry.NEVER,
        () -> aws.functions().updateCode(REGION, "api", zip("x\n"), "x86_64", null));
  }

  @Test
  void hooksEchoUnlessAnswersAreQueuedAndTheirPayloadsAreKept() {
    fake.createFunctionBehindOperator(REGION, "pre-traffic");
    fake.answerInvoke(REGION, "pre-traffic", new Invoker.Result(false, "Unhandled", "{\"errorMessage\":\"no\"}"));
    assertFalse(aws.invoker().invoke(REGION, "pre-traffic", "{\"a\":1}", WAIT).succeeded());
    assertEquals(new Invoker.Result(true, null, "{\"a\":2}"), aws.invoker().invoke(REGION, "pre-traffic", "{\"a\":2}",
        WAIT));
    assertEquals(List.of("{\"a\":1}", "{\"a\":2}"), fake.invocations(REGION, "pre-traffic"));

    aws.invoker().checkInvokable(REGION, "pre-traffic");
    refused("Invoke", "NotFound", Retry.NEVER, () -> aws.invoker().checkInvokable(REGION, "ghost"));
    fake.failNext("Invoke", AwsFailures.unreachable("Invoke"));
    aws.invoker().checkInvokable(REGION, "pre-traffic");
    fake.failNext("Invoke", AwsFailures.accessDenied("Invoke"));
    refused("Invoke", "AccessDenied", Retry.NEVER, () -> aws.invoker().checkInvokable(REGION, "pre-traffic"));
  }

  @Test
  void healthCountsAlarmsInAlarmAndTheMetricsOfAVersionSinceTheMinuteAsked() {
    fake.raiseAlarm(REGION, "orders-errors");
    assertEquals(List.of("orders-errors"), aws.health().inAlarm(REGION, List.of("orders-latency", "orders-errors")));
    fake.clearAlarm(REGION, "orders-errors");
    assertEquals(List.of(), aws.health().inAlarm(REGION, List.of("orders-errors")));
    fake.resetCalls();
    assertEquals(List.of(), aws.health().inAlarm(REGION, List.of()));
    assertEquals(Map.of(), fake.calls(), "no alarms, no call");

    Instant start = Instant.parse("2025-03-01T10:00:30Z");
    fake.recordInvocations(REGION, "orders", "live", "2", start.minusSeconds(120), 50, 50);
    fake.recordInvocations(REGION, "orders", "live", "2", start.minusSeconds(20), 10, 1);
    fake.recordInvocations(REGION, "orders", "live", "2", start.plusSeconds(60), 30, 2);
    fake.recordInvocations(REGION, "orders", "live", "1", start.plusSeconds(60), 99, 99);
    assertEquals(new HealthSignals.VersionHealth(3, 40), aws.health().health(REGION, "orders", "live", "2", start));
    assertEquals(Map.of("GetMetricData", 1L), fake.calls());
  }
}
