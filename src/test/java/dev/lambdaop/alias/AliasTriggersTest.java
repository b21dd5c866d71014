package dev.lambdaop.alias;

import dev.lambdaop.TestClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
import dev.lambdaop.aws.AliasTriggers;
import dev.lambdaop.aws.AliasTriggers.AsyncConfig;
import dev.lambdaop.aws.AliasTriggers.Permission;
import dev.lambdaop.aws.AwsFailures;
import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.InMemoryAws;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.observability.OperatorMetrics;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.InMemoryCluster;
import dev.lambdaop.reconcile.ReconcilePass;
import dev.lambdaop.reconcile.ResyncSpreads;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.RecordedEvents;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A LambdaAlias as a trigger target ({@link TriggerTargets} in {@link LambdaAliasReconciler}'s flow): policy
 * statements, function URL, asynchronous invocation and provisioned concurrency created, corrected, removed, and left
 * alone by shifts; against AWS and the cluster in memory.
 */
class AliasTriggersTest {
  private static final String REGION = InMemoryAws.DEFAULT_REGION;
  private static final String API = "arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/orders";
  private static final String DLQ = "arn:aws:sqs:us-east-1:123456789012:orders-failed";
  private static final Set<String> TRIGGER_WRITES = Set.of("AddPermission", "RemovePermission",
      "CreateFunctionUrlConfig", "UpdateFunctionUrlConfig", "DeleteFunctionUrlConfig", "PutFunctionEventInvokeConfig",
      "DeleteFunctionEventInvokeConfig", "PutProvisionedConcurrencyConfig", "DeleteProvisionedConcurrencyConfig");

  private final TestClock clock = new TestClock(Instant.parse("2025-03-01T10:00:00Z"));
  private final InMemoryAws aws = new InMemoryAws(clock);
  private final InMemoryCluster<LambdaAlias> cluster = new InMemoryCluster<>(LambdaAlias.class);
  private final RecordedEvents events = new RecordedEvents();
  private final LambdaAliasReconciler reconciler = new LambdaAliasReconciler(aws.aws(),
      new FunctionResolver(REGION, "cluster-a", aws.aws().functions()), OperatorSettings.defaults(), events,
      new OperatorMetrics(), HookRuns.onCallingThread(aws.aws().invoker(), clock), clock,
      ResyncSpreads.exact(Duration.ofMinutes(10)));
  private LambdaFunction function;
  private int code;

  // ---- the world ----

  private ReconcilePass<LambdaAlias> reconcile(LambdaAlias resource) {
    return ReconcilePass.run(reconciler, cluster.read(resource), cluster);
  }

  private void functionWithVersion1() {
    aws.createFunctionBehindOperator(REGION, "orders");
    function = new LambdaFunction();
    function.setMetadata(new ObjectMetaBuilder().withName("orders").withNamespace("shop").build());
    function.setStatus(new LambdaFunctionStatus());
    function.getStatus().functionName = "orders";
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

  /** LambdaAlias shop/orders-live (alias live) with the spec {@code setup} makes, reconciled once. */
  private LambdaAlias alias(Consumer<LambdaAliasSpec> setup) {
    functionWithVersion1();
    LambdaAlias a = new LambdaAlias();
    a.setMetadata(new ObjectMetaBuilder().withName("orders-live").withNamespace("shop").build());
    a.setSpec(new LambdaAliasSpec());
    a.getSpec().functionRef = new FunctionRef("orders");
    a.getSpec().aliasName = "live";
    setup.accept(a.getSpec());
    a = cluster.put(a);
    reconcile(a);
    return a;
  }

  private LambdaAlias edit(LambdaAlias resource, Consumer<LambdaAliasSpec> change) {
    LambdaAlias a = cluster.read(resource);
    change.accept(a.getSpec());
    return cluster.put(a);
  }

  private void forget() {
    aws.resetCalls();
    events.clear();
  }

  private static LambdaAliasSpec.Permission apiGateway() {
    LambdaAliasSpec.Permission p = new LambdaAliasSpec.Permission();
    p.statementId = "apigw-orders";
    p.principal = "apigateway.amazonaws.com";
    p.sourceArn = API;
    return p;
  }

  private static LambdaAliasSpec.FunctionUrl url(LambdaAliasSpec.UrlAuthType auth) {
    LambdaAliasSpec.FunctionUrl u = new LambdaAliasSpec.FunctionUrl();
    u.authType = auth;
    u.cors = new LambdaAliasSpec.Cors();
    u.cors.allowOrigins = List.of("https://shop.example");
    u.cors.allowMethods = List.of("GET", "POST");
    u.cors.maxAge = 300;
    return u;
  }

  private static LambdaAliasSpec.AsyncInvoke async() {
    LambdaAliasSpec.AsyncInvoke a = new LambdaAliasSpec.AsyncInvoke();
    a.maximumRetryAttempts = 1;
    a.maximumEventAge = "1h";
    a.onFailure = new LambdaAliasSpec.Destination();
    a.onFailure.destination = DLQ;
    return a;
  }

  /** Everything: a statement, a URL, async invocation, provisioned concurrency 5. */
  private static void everything(LambdaAliasSpec spec) {
    spec.permissions = List.of(apiGateway());
    spec.functionUrl = url(LambdaAliasSpec.UrlAuthType.AWS_IAM);
    spec.asyncInvoke = async();
    spec.provisionedConcurrency = 5;
  }

  private LambdaAliasStatus status(LambdaAlias a) {
    return cluster.read(a).getStatus();
  }

  private Condition ready(LambdaAlias a) {
    return Conditions.find(status(a).conditions, Conditions.READY).orElseThrow();
  }

  private Map<String, Permission> statements() {
    return aws.statements(REGION, "orders", "live");
  }

  private Map<String, Long> triggerWrites() {
    Map<String, Long> writes = new java.util.TreeMap<>(aws.writes());
    writes.keySet().retainAll(TRIGGER_WRITES);
    return writes;
  }

  // ---- flows ----

  @Test
  void createsEveryTriggerTargetOnTheAliasAndReportsIt() {
    LambdaAlias a = alias(AliasTriggersTest::everything);

    assertEquals(Map.of("AddPermission", 1L, "CreateFunctionUrlConfig", 1L, "PutFunctionEventInvokeConfig", 1L,
        "PutProvisionedConcurrencyConfig", 1L), triggerWrites());
    assertEquals(new Permission("apigw-orders", "apigateway.amazonaws.com", "lambda:InvokeFunction", API, null,
        null, null), statements().get("apigw-orders"));
    AliasTriggers.UrlConfig url = aws.functionUrl(REGION, "orders", "live").orElseThrow();
    assertEquals(List.of("AWS_IAM", "BUFFERED", List.of("https://shop.example")),
        List.of(url.authType(), url.invokeMode(), url.cors().allowOrigins()));
    assertEquals(new AsyncConfig(1, 3600, null, DLQ), aws.asyncInvoke(REGION, "orders", "live").orElseThrow());
    assertEquals(5, aws.provisionedConcurrency(REGION, "orders", "live").orElseThrow().requested());

    LambdaAliasStatus s = status(a);
    assertEquals(List.of("apigw-orders"), s.permissions);
    assertEquals(url.url(), s.functionUrl);
    assertTrue(s.asyncInvokeConfigured);
    assertEquals(List.of(5, "IN_PROGRESS"), List.of(s.provisionedConcurrency.requested, s.provisionedConcurrency.status));
    assertEquals("True", ready(a).getStatus());
    assertEquals("all traffic on version 1", s.message, "no shift: nothing to add about provisioned concurrency");
    assertTrue(events.find(a, "FunctionUrlCreated").isPresent());

    aws.finishProvisioning(REGION, "orders", "live");
    reconcile(a);
    assertEquals(List.of(5, 5, 5, "READY"), List.of(status(a).provisionedConcurrency.requested,
        status(a).provisionedConcurrency.available, status(a).provisionedConcurrency.allocated,
        status(a).provisionedConcurrency.status));
  }

  @Test
  void aSteadyStateReadsOneOfEachAndWritesNothing() {
    LambdaAlias a = alias(AliasTriggersTest::everything);
    aws.finishProvisioning(REGION, "orders", "live");
    reconcile(a);
    forget();

    reconcile(a);

    assertEquals(Map.of(), aws.writes());
    assertEquals(Map.of("GetAlias", 1L, "GetFunction", 2L, "GetPolicy", 1L, "GetFunctionUrlConfig", 1L,
        "GetFunctionEventInvokeConfig", 1L, "GetProvisionedConcurrencyConfig", 1L), aws.calls());
    assertEquals(LambdaAliasReconciler.driftCost(cluster.read(a).getSpec()), ResyncSpreads.cost(aws.calls()));
    assertEquals(List.of(), events.of(a));
  }

  @Test
  void anAliasWithoutTriggerTargetsReadsNoneOfThem() {
    LambdaAlias a = alias(spec -> {});
    forget();

    reconcile(a);

    assertEquals(Map.of("GetAlias", 1L, "GetFunction", 2L), aws.calls());
  }

  @Test
  void driftInAwsIsCorrected() {
    LambdaAlias a = alias(AliasTriggersTest::everything);
    String firstUrl = status(a).functionUrl;
    aws.removeStatementBehindOperator(REGION, "orders", "live", "apigw-orders");
    aws.setFunctionUrlBehindOperator(REGION, "orders", "live", null);
    aws.setAsyncInvokeBehindOperator(REGION, "orders", "live", new AsyncConfig(2, 21600, null, null));
    forget();

    reconcile(a);

    assertEquals(Map.of("AddPermission", 1L, "CreateFunctionUrlConfig", 1L, "PutFunctionEventInvokeConfig", 1L),
        triggerWrites());
    assertTrue(statements().containsKey("apigw-orders"));
    assertEquals(new AsyncConfig(1, 3600, null, DLQ), aws.asyncInvoke(REGION, "orders", "live").orElseThrow());
    String newUrl = aws.functionUrl(REGION, "orders", "live").orElseThrow().url();
    assertNotEquals(firstUrl, newUrl, "a URL created again is a new one");
    assertEquals(newUrl, status(a).functionUrl);
  }

  @Test
  void aStatementChangedInAwsIsReplaced() {
    LambdaAlias a = alias(spec -> spec.permissions = List.of(apiGateway()));
    aws.removeStatementBehindOperator(REGION, "orders", "live", "apigw-orders");
    aws.addStatementBehindOperator(REGION, "orders", "live", new Permission("apigw-orders", "*",
        "lambda:InvokeFunction", null, null, null, null));
    forget();

    reconcile(a);

    assertEquals(Map.of("AddPermission", 1L, "RemovePermission", 1L), triggerWrites());
    assertEquals("apigateway.amazonaws.com", statements().get("apigw-orders").principal());
  }

  @Test
  void statementsTheOperatorDidNotAddAreNeverTouched() {
    LambdaAlias a = alias(spec -> spec.permissions = List.of(apiGateway()));
    Permission foreign = new Permission("someone-else", "s3.amazonaws.com", "lambda:InvokeFunction", null, null,
        null, null);
    aws.addStatementBehindOperator(REGION, "orders", "live", foreign);
    forget();

    edit(a, spec -> spec.permissions = null);
    reconcile(a);

    assertEquals(Map.of("RemovePermission", 1L), triggerWrites());
    assertEquals(Map.of("someone-else", foreign), statements());
    assertNull(status(a).permissions);

    // The spec asks for the foreign statement's id with another content: refused, the statement left as it is.
    LambdaAliasSpec.Permission same = apiGateway();
    same.statementId = "someone-else";
    edit(a, spec -> spec.permissions = List.of(same));
    forget();
    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertEquals(Map.of(), triggerWrites());
    assertEquals(Map.of("someone-else", foreign), statements());
    assertEquals(List.of("False", "StatementIdInUse"), List.of(ready(a).getStatus(), ready(a).getReason()));
    assertTrue(ready(a).getMessage().contains("spec.permissions[].statementId"), ready(a).getMessage());
    assertTrue(pass.noRetry());
  }

  @Test
  void anEditedEntryIsRemovedAndAddedAgainAndDerivedIdsFollowTheContent() {
    LambdaAliasSpec.Permission s3 = new LambdaAliasSpec.Permission();
    s3.principal = "s3.amazonaws.com";
    s3.sourceAccount = "123456789012";
    LambdaAlias a = alias(spec -> spec.permissions = List.of(s3));
    String id = status(a).permissions.get(0);
    assertTrue(id.startsWith("lambdaop-"), id);
    assertEquals("123456789012", statements().get(id).sourceAccount());
    forget();

    LambdaAliasSpec.Permission changed = new LambdaAliasSpec.Permission();
    changed.principal = "s3.amazonaws.com";
    changed.sourceAccount = "210987654321";
    edit(a, spec -> spec.permissions = List.of(changed));
    reconcile(a);

    assertEquals(Map.of("AddPermission", 1L, "RemovePermission", 1L), triggerWrites());
    String newId = status(a).permissions.get(0);
    assertNotEquals(id, newId);
    assertEquals(Set.of(newId), statements().keySet());
  }

  @Test
  void removingAFieldRemovesWhatTheOperatorPutInAws() {
    LambdaAlias a = alias(AliasTriggersTest::everything);
    forget();

    edit(a, spec -> {
      spec.permissions = null;
      spec.functionUrl = null;
      spec.asyncInvoke = null;
      spec.provisionedConcurrency = 0;
    });
    reconcile(a);

    assertEquals(Map.of("DeleteFunctionEventInvokeConfig", 1L, "DeleteFunctionUrlConfig", 1L,
        "DeleteProvisionedConcurrencyConfig", 1L, "RemovePermission", 1L), triggerWrites());
    assertEquals(Map.of(), statements());
    assertEquals(Optional.empty(), aws.functionUrl(REGION, "orders", "live"));
    assertEquals(Optional.empty(), aws.asyncInvoke(REGION, "orders", "live"));
    assertEquals(Optional.empty(), aws.provisionedConcurrency(REGION, "orders", "live"));
    LambdaAliasStatus s = status(a);
    assertEquals(java.util.Arrays.asList(null, null, null, null), java.util.Arrays.asList(s.permissions,
        s.functionUrl, s.asyncInvokeConfigured, s.provisionedConcurrency));
    assertEquals("True", ready(a).getStatus());

    forget();
    reconcile(a);
    assertEquals(Map.of("GetAlias", 1L, "GetFunction", 2L), aws.calls(), "nothing recorded, nothing read");
  }

  @Test
  void aPublicUrlGetsThePublicStatementWhichGoesWithIt() {
    LambdaAlias a = alias(spec -> spec.functionUrl = url(LambdaAliasSpec.UrlAuthType.NONE));

    Permission added = statements().get("lambdaop-function-url-public");
    assertEquals(new Permission("lambdaop-function-url-public", "*", "lambda:InvokeFunctionUrl", null, null, null,
        "NONE"), added);
    assertEquals(List.of("lambdaop-function-url-public"), status(a).permissions);
    assertEquals(LambdaAliasReconciler.driftCost(cluster.read(a).getSpec()).get(dev.lambdaop.aws.Quota.LAMBDA_GET_POLICY),
        1.0);
    forget();

    edit(a, spec -> spec.functionUrl.authType = LambdaAliasSpec.UrlAuthType.AWS_IAM);
    reconcile(a);

    assertEquals(Map.of("RemovePermission", 1L, "UpdateFunctionUrlConfig", 1L), triggerWrites());
    assertEquals(Map.of(), statements());
    assertEquals("AWS_IAM", aws.functionUrl(REGION, "orders", "live").orElseThrow().authType());
  }

  @Test
  void triggerTargetsSurviveAShiftItsPromotionAndARollbackUnchanged() {
    LambdaAlias a = alias(spec -> {
      everything(spec);
      spec.deployment = Deployments.canary(10, "5m");
    });
    aws.finishProvisioning(REGION, "orders", "live");
    reconcile(a);
    Map<String, Permission> statements = statements();
    AliasTriggers.UrlConfig url = aws.functionUrl(REGION, "orders", "live").orElseThrow();
    forget();

    publish();
    reconcile(a);
    assertEquals(10, status(a).canaryWeight);
    aws.finishProvisioning(REGION, "orders", "live");
    clock.advance(Duration.ofMinutes(5));
    reconcile(a);
    assertEquals(Phase.Healthy, status(a).phase);
    assertEquals("2", status(a).stableVersion);

    publish();
    reconcile(a);
    assertEquals(10, status(a).canaryWeight);
    cluster.mergeStatus(cluster.read(a), "{\"abort\":true}");
    reconcile(a);
    assertEquals(Phase.Degraded, status(a).phase);

    assertEquals(Map.of(), triggerWrites());
    assertEquals(statements, statements());
    assertEquals(url, aws.functionUrl(REGION, "orders", "live").orElseThrow());
    assertEquals(new AsyncConfig(1, 3600, null, DLQ), aws.asyncInvoke(REGION, "orders", "live").orElseThrow());
    assertEquals(url.url(), status(a).functionUrl);
    assertEquals(List.of("apigw-orders"), status(a).permissions);
  }

  @Test
  void aPassThatWatchesAShiftReadsOnlyTheProvisionedConcurrencyAndSaysWhenItIsNotReady() {
    LambdaAlias a = alias(spec -> {
      everything(spec);
      spec.deployment = Deployments.canary(10, "5m");
      spec.deployment.rollback = new LambdaAliasSpec.Rollback();
      spec.deployment.rollback.alarms = List.of("orders-errors");
    });
    aws.finishProvisioning(REGION, "orders", "live");
    reconcile(a);
    publish();
    // the shift's first step: AWS spreads the alias's provisioned concurrency over both versions (in progress)
    reconcile(a);
    forget();

    clock.advance(Duration.ofSeconds(5));
    reconcile(a);

    Map<String, Long> calls = aws.calls();
    assertEquals(1L, calls.get("GetProvisionedConcurrencyConfig"));
    assertFalse(calls.containsKey("GetPolicy") || calls.containsKey("GetFunctionUrlConfig")
        || calls.containsKey("GetFunctionEventInvokeConfig"), calls.toString());
    LambdaAliasStatus s = status(a);
    assertEquals("IN_PROGRESS", s.provisionedConcurrency.status);
    assertTrue(s.message.contains("provisioned concurrency is still being allocated (5 of 5)"), s.message);
    assertEquals(10, s.canaryWeight);

    aws.finishProvisioning(REGION, "orders", "live");
    reconcile(a);
    assertFalse(status(a).message.contains("provisioned concurrency"), status(a).message);
  }

  @Test
  void aShiftsNextStepWaitsUntilTheProvisionedConcurrencyIsReady() {
    LambdaAlias a = alias(spec -> {
      spec.provisionedConcurrency = 5;
      spec.deployment = Deployments.steps(10, "1m", 50, "1m");
    });
    aws.finishProvisioning(REGION, "orders", "live");
    publish();
    reconcile(a);
    assertEquals(10, status(a).canaryWeight);
    assertEquals("IN_PROGRESS", aws.provisionedConcurrency(REGION, "orders", "live").orElseThrow().status());

    clock.advance(Duration.ofMinutes(1));
    ReconcilePass<LambdaAlias> held = reconcile(a);

    LambdaAliasStatus s = status(a);
    assertEquals(10, s.canaryWeight, "the step to 50% waits");
    assertEquals(0.1, aws.alias(REGION, "orders", "live").orElseThrow().additionalWeight(), 1e-9);
    assertEquals("shifting: 10% to version 2; the next step waits until the provisioned concurrency is READY"
        + " (5 of 5 allocated)", s.message);
    assertEquals(Phase.Progressing, s.phase);
    assertEquals("True", ready(a).getStatus());
    assertTrue(held.next().orElseThrow().compareTo(Duration.ofSeconds(6)) < 0, held.next().toString());

    aws.finishProvisioning(REGION, "orders", "live");
    reconcile(a);
    assertEquals(50, status(a).canaryWeight, "taken as soon as it is READY");
    assertEquals(clock.instant().toString(), Instant.parse(status(a).stepStartedAt).toString());

    // a promote does not wait
    clock.advance(Duration.ofMinutes(1));
    cluster.mergeStatus(cluster.read(a), "{\"promoteFull\":true}");
    reconcile(a);
    assertEquals(Phase.Healthy, status(a).phase);
    assertEquals("2", status(a).stableVersion);
  }

  @Test
  void provisionedConcurrencyThatFailsMakesReadyFalseWithAwssReason() {
    LambdaAlias a = alias(spec -> spec.provisionedConcurrency = 5);
    aws.failProvisioning(REGION, "orders", "live", "FUNCTION_ERROR_INIT_FAILURE: init failed");

    reconcile(a);

    Condition ready = ready(a);
    assertEquals(List.of("False", "ProvisionedConcurrencyFailed"), List.of(ready.getStatus(), ready.getReason()));
    assertTrue(ready.getMessage().contains("FUNCTION_ERROR_INIT_FAILURE: init failed"), ready.getMessage());
    assertEquals("FAILED", status(a).provisionedConcurrency.status);
    assertEquals("1", status(a).stableVersion, "the routing is as it was");
    String since = ready.getLastTransitionTime();

    clock.advance(Duration.ofMinutes(3));
    reconcile(a);
    assertEquals(since, ready(a).getLastTransitionTime(), "still False since it failed");

    edit(a, spec -> spec.provisionedConcurrency = 3);
    reconcile(a);
    assertEquals("IN_PROGRESS", status(a).provisionedConcurrency.status);
    assertEquals("True", ready(a).getStatus());
  }

  @Test
  void awsRefusalsNameTheFieldOrAreRetried() {
    LambdaAlias a = alias(spec -> {});
    aws.failNext("PutFunctionEventInvokeConfig", AwsFailures.invalidParameter("PutFunctionEventInvokeConfig",
        "The destination ARN is not valid"));
    edit(a, spec -> spec.asyncInvoke = async());

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertEquals(List.of("False", "InvalidParameter"), List.of(ready(a).getStatus(), ready(a).getReason()));
    assertTrue(ready(a).getMessage().contains("check spec.asyncInvoke"), ready(a).getMessage());
    assertTrue(pass.noRetry());
    assertEquals("1", status(a).stableVersion);

    aws.failNext("AddPermission", AwsFailures.conflict("AddPermission", "The operation cannot be performed at this"
        + " time. An update is in progress for resource"));
    edit(a, spec -> spec.permissions = List.of(apiGateway()));
    pass = reconcile(a);
    assertEquals("Conflict", ready(a).getReason());
    assertTrue(pass.retried());

    reconcile(a);
    assertEquals("True", ready(a).getStatus());
    assertEquals(List.of("apigw-orders"), status(a).permissions);
  }

  @Test
  void aStatementAddedBeforeAFailureIsRecorded() {
    LambdaAlias a = alias(spec -> {});
    aws.failNext("CreateFunctionUrlConfig", AwsFailures.serviceError("CreateFunctionUrlConfig"));
    edit(a, spec -> {
      spec.permissions = List.of(apiGateway());
      spec.functionUrl = url(LambdaAliasSpec.UrlAuthType.AWS_IAM);
    });

    ReconcilePass<LambdaAlias> pass = reconcile(a);

    assertTrue(pass.retried());
    assertEquals("AwsServiceError", ready(a).getReason());
    assertEquals(List.of("apigw-orders"), status(a).permissions, "the statement added is the operator's");
    forget();

    reconcile(a);
    assertEquals(Map.of("CreateFunctionUrlConfig", 1L), triggerWrites());
    assertEquals("True", ready(a).getStatus());
  }

  @Test
  void deletingTheLambdaAliasDeletesTheAliasAndWithItWhatIsOnIt() {
    LambdaAlias a = alias(AliasTriggersTest::everything);
    forget();

    reconciler.cleanup(cluster.markForDeletion(cluster.read(a)), cluster);

    assertEquals(Optional.empty(), aws.alias(REGION, "orders", "live"));
    assertEquals(Map.of(), statements());
    assertEquals(Optional.empty(), aws.functionUrl(REGION, "orders", "live"));
    assertEquals(Map.of(), triggerWrites(), "AWS drops them with the alias");
  }

  @Test
  void aSpecProblemIsReportedBeforeAnythingIsWritten() {
    LambdaAlias a = alias(spec -> {});
    forget();
    LambdaAliasSpec.Permission one = new LambdaAliasSpec.Permission();
    one.principal = "s3.amazonaws.com";
    LambdaAliasSpec.Permission two = new LambdaAliasSpec.Permission();
    two.principal = "s3.amazonaws.com";
    edit(a, spec -> spec.permissions = List.of(one, two));

    reconcile(a);

    assertEquals(List.of("False", "InvalidSpec"), List.of(ready(a).getStatus(), ready(a).getReason()));
    assertTrue(ready(a).getMessage().contains("spec.permissions[1]"), ready(a).getMessage());
    assertEquals(Map.of(), aws.calls());
  }
}
