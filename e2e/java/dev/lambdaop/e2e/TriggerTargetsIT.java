package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdaop.LambdaOperator;
import dev.lambdaop.api.Deployments;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.testbed.FaultProxy;
import dev.lambdaop.testbed.SampleFunctions;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetEventSourceMappingResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionUrlConfigResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * An alias as the stable target of triggers (issue 14), against the API server and moto: resource-based permissions,
 * a function URL, asynchronous invocation settings and provisioned concurrency on the alias, and EventSourceMappings
 * from SQS queues, Kinesis and DynamoDB streams to it. Each is created, updated, corrected after a change made in AWS
 * behind the operator's back, and removed, and each is checked in AWS; they stay on the alias, untouched, while a
 * canary is promoted and while one is rolled back.
 *
 * <p>This class starts its own operator (resources labelled {@link E2e#PROCESS_LABEL}=triggers) that talks to moto
 * through a {@link FaultProxy}. <b>Emulated, not moto</b> ({@link dev.lambdaop.testbed.MotoGaps}): provisioned
 * concurrency (moto has none), a mapping's FunctionArn (moto reports the version the alias pointed to; AWS the alias),
 * and PutFunctionEventInvokeConfig replacing the configuration (moto appends). The tests that rely on them say so.
 */
class TriggerTargetsIT {
  private static final String LABEL = "triggers";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API = "lambdaop.dev/v1alpha1";

  private static FaultProxy proxy;
  private static LambdaOperator operator;
  private static KubernetesClient kube;
  private static LambdaClient lambda;
  private static SqsClient sqs;
  private static KinesisClient kinesis;
  private static DynamoDbClient dynamo;
  private static String ns;
  private static AliasScenario scenario;
  private static String region;

  @BeforeAll
  static void start() {
    E2e.installCrds();
    kube = E2e.kube();
    Testbed bed = E2e.testbed();
    proxy = new FaultProxy(bed.awsEndpoint());
    // The test's own AWS calls go through the proxy too: what it changes behind the operator's back reaches moto as
    // AWS would apply it (PutFunctionEventInvokeConfig replacing, see MotoGaps).
    lambda = bed.configureAws(LambdaClient.builder()).endpointOverride(proxy.uri()).build();
    sqs = bed.configureAws(SqsClient.builder()).build();
    // moto's Kinesis speaks JSON, not the CBOR the SDK's Kinesis client sends by default
    System.setProperty("aws.cborEnabled", "false");
    kinesis = bed.configureAws(KinesisClient.builder()).build();
    dynamo = bed.configureAws(DynamoDbClient.builder()).build();
    region = bed.awsRegion();
    ns = E2e.namespace("triggers");
    scenario = new AliasScenario(ns, kube, lambda, Map.of(E2e.PROCESS_LABEL, LABEL));
    E2e.roleArn();
    operator = new LambdaOperator(kube, new AwsSettings(region, proxy.uri(), bed.awsCredentials()),
        OperatorSettings.defaults().withLabelSelector(E2e.PROCESS_LABEL + "=" + LABEL).withResyncPeriod(E2e.RESYNC));
    operator.start();
    E2e.track(operator);
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {lambda, sqs, kinesis, dynamo}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // closing a client: nothing left to do
      }
    }
  }

  // ---- permissions, function URL, asynchronous invocation ------------------------------------------------------

  @Test
  void permissionsUrlAndAsyncSettingsAreCreatedUpdatedCorrectedAndRemovedLeavingForeignStatementsAlone() {
    String fn = "trg-basic";
    scenario.functionWithAlias(fn, null);
    String queue = queueArn("trg-basic-failed");
    String apiArn = "arn:aws:execute-api:" + region + ":123456789012:abc123/*/POST/orders";
    patchAlias(fn, "{\"spec\":{"
        + "\"permissions\":[{\"statementId\":\"apigw-orders\",\"principal\":\"apigateway.amazonaws.com\","
        + "\"sourceArn\":\"" + apiArn + "\"},{\"principal\":\"s3.amazonaws.com\",\"sourceAccount\":\"123456789012\"}],"
        + "\"functionUrl\":{\"authType\":\"AWS_IAM\",\"cors\":{\"allowOrigins\":[\"https://shop.example\"],"
        + "\"allowMethods\":[\"GET\",\"POST\"],\"maxAge\":300}},"
        + "\"asyncInvoke\":{\"maximumRetryAttempts\":1,\"maximumEventAge\":\"1h\","
        + "\"onFailure\":{\"destination\":\"" + queue + "\"}}}}");

    awaitAws("the two statements on the alias", () -> {
      JsonNode apigw = statement(fn, "apigw-orders").orElseThrow();
      return apigw.path("Resource").asText().endsWith(":function:" + fn + ":live")
          && apigw.toString().contains(apiArn) && statementsOn(fn).stream().anyMatch(
              s -> s.toString().contains("s3.amazonaws.com") && s.toString().contains("123456789012"));
    });
    GetFunctionUrlConfigResponse url = awaitValue("the function URL", () -> urlConfig(fn).orElse(null));
    assertEquals("AWS_IAM", url.authTypeAsString());
    assertEquals(List.of("https://shop.example"), url.cors().allowOrigins());
    awaitAws("status.functionUrl", () -> url.functionUrl().equals(aliasStatus(fn).path("functionUrl").asText()));
    awaitAws("the async settings", () -> lambda.getFunctionEventInvokeConfig(r -> r.functionName(fn).qualifier("live"))
        .maximumRetryAttempts() == 1);
    var invoke = lambda.getFunctionEventInvokeConfig(r -> r.functionName(fn).qualifier("live"));
    assertEquals(3600, invoke.maximumEventAgeInSeconds());
    assertEquals(queue, invoke.destinationConfig().onFailure().destination());
    E2e.awaitCondition(LambdaAlias.class, ns, fn + "-live", "Ready", "True",
        a -> a.getStatus() == null ? null : a.getStatus().conditions);

    // Someone else's statement on the same alias: never touched.
    lambda.addPermission(r -> r.functionName(fn).qualifier("live").statementId("someone-else")
        .action("lambda:InvokeFunction").principal("events.amazonaws.com"));

    // Changed in AWS behind the operator's back: set back at the next resync.
    lambda.removePermission(r -> r.functionName(fn).qualifier("live").statementId("apigw-orders"));
    lambda.deleteFunctionUrlConfig(r -> r.functionName(fn).qualifier("live"));
    lambda.putFunctionEventInvokeConfig(r -> r.functionName(fn).qualifier("live").maximumRetryAttempts(0));
    awaitAws("the removed statement back", () -> statement(fn, "apigw-orders").isPresent());
    awaitAws("the URL back", () -> urlConfig(fn).isPresent());
    awaitAws("the async settings set back", () -> lambda.getFunctionEventInvokeConfig(
        r -> r.functionName(fn).qualifier("live")).maximumRetryAttempts() == 1);
    String newUrl = urlConfig(fn).orElseThrow().functionUrl();
    awaitAws("status.functionUrl follows the new URL", () -> newUrl.equals(aliasStatus(fn).path("functionUrl").asText()));

    // The spec changes: the statement is replaced (AWS has no update), the others are updated.
    String otherApi = "arn:aws:execute-api:" + region + ":123456789012:def456/*/GET/orders";
    patchAlias(fn, "{\"spec\":{\"permissions\":[{\"statementId\":\"apigw-orders\",\"principal\":"
        + "\"apigateway.amazonaws.com\",\"sourceArn\":\"" + otherApi + "\"}],"
        + "\"functionUrl\":{\"authType\":\"AWS_IAM\",\"cors\":{\"allowOrigins\":[\"https://admin.example\"]}},"
        + "\"asyncInvoke\":{\"maximumRetryAttempts\":2,\"maximumEventAge\":\"10m\"}}}");
    awaitAws("the statement for the other API, the s3 one gone", () -> statement(fn, "apigw-orders").orElseThrow()
        .toString().contains(otherApi) && statementsOn(fn).stream().noneMatch(s -> s.toString().contains("s3.")));
    awaitAws("the new CORS origin", () -> urlConfig(fn).orElseThrow().cors().allowOrigins()
        .equals(List.of("https://admin.example")));
    awaitAws("two retries, 10 minutes", () -> {
      var c = lambda.getFunctionEventInvokeConfig(r -> r.functionName(fn).qualifier("live"));
      return c.maximumRetryAttempts() == 2 && c.maximumEventAgeInSeconds() == 600;
    });
    assertTrue(statement(fn, "someone-else").isPresent(), "a statement the operator did not add stays");

    // Removed from the spec: removed from AWS, all but the foreign statement.
    patchAlias(fn, "{\"spec\":{\"permissions\":null,\"functionUrl\":null,\"asyncInvoke\":null}}");
    awaitAws("the operator's statements, URL and async settings gone", () -> statement(fn, "apigw-orders").isEmpty()
        && urlConfig(fn).isEmpty() && asyncConfig(fn).isEmpty());
    assertTrue(statement(fn, "someone-else").isPresent(), "a statement the operator did not add stays");
    awaitAws("status.functionUrl cleared", () -> aliasStatus(fn).path("functionUrl").isMissingNode()
        || aliasStatus(fn).path("functionUrl").isNull());
  }

  // ---- survival across shifts ----------------------------------------------------------------------------------

  /** Relies on the emulation of a mapping's FunctionArn (moto reports the version the alias served). */
  @Test
  void aMappingAPermissionAndTheUrlStayOnTheAliasThroughAPromotedCanaryAndARollback() {
    String fn = "trg-shift";
    scenario.functionWithAlias(fn, Deployments.canary(20, "30m"));
    patchAlias(fn, "{\"spec\":{\"permissions\":[{\"statementId\":\"from-sns\",\"principal\":\"sns.amazonaws.com\"}],"
        + "\"functionUrl\":{\"authType\":\"AWS_IAM\"}}}");
    String queue = queueArn("trg-shift-orders");
    applyMapping("trg-shift-orders", "aliasRef: {name: " + fn + "-live}\n  eventSourceArn: " + queue
        + "\n  batchSize: 10\n  functionResponseTypes: [ReportBatchItemFailures]\n");
    String aliasArn = awaitValue("the alias ARN", () -> textOrNull(aliasStatus(fn).path("aliasArn")));
    GetEventSourceMappingResponse mapping = awaitMappingReady("trg-shift-orders");
    assertEquals(aliasArn, mapping.functionArn(), "the mapping targets the alias, not a version");
    String url = awaitValue("the URL", () -> urlConfig(fn).map(GetFunctionUrlConfigResponse::functionUrl).orElse(null));
    awaitAws("the statement", () -> statement(fn, "from-sns").isPresent());
    long adds = proxy.operations().getOrDefault("AddPermission", 0L);
    long removes = proxy.operations().getOrDefault("RemovePermission", 0L);
    long urlWrites = proxy.operations().getOrDefault("CreateFunctionUrlConfig", 0L)
        + proxy.operations().getOrDefault("UpdateFunctionUrlConfig", 0L);

    scenario.publishVersion2(fn);
    scenario.awaitAws(fn, "1", 0.2);
    scenario.patchControls(fn, "{\"status\":{\"promoteFull\":true}}");
    scenario.awaitAws(fn, "2", 0);
    assertTriggersUnchanged(fn, mapping, url);

    scenario.publishVersion(fn, 3);
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> scenario.awsAlias(fn).routingConfig() != null
        && scenario.awsAlias(fn).routingConfig().additionalVersionWeights().containsKey("3"));
    scenario.patchControls(fn, "{\"status\":{\"abort\":true}}");
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> scenario.awsAlias(fn).functionVersion().equals("2")
        && (scenario.awsAlias(fn).routingConfig() == null
            || scenario.awsAlias(fn).routingConfig().additionalVersionWeights().isEmpty()));
    assertTriggersUnchanged(fn, mapping, url);
    assertEquals(adds, proxy.operations().getOrDefault("AddPermission", 0L), "no statement was added again");
    assertEquals(removes, proxy.operations().getOrDefault("RemovePermission", 0L), "no statement was removed");
    assertEquals(urlWrites, proxy.operations().getOrDefault("CreateFunctionUrlConfig", 0L)
        + proxy.operations().getOrDefault("UpdateFunctionUrlConfig", 0L), "the URL was not written again");

    // kubectl lambdaop status (the real wrapper, as a user runs it) shows what reaches the alias.
    String shown = pluginStatus(fn + "-live");
    assertTrue(shown.contains("URL          " + url), shown);
    assertTrue(shown.contains("Permissions  from-sns: sns.amazonaws.com"), shown);
    assertTrue(shown.contains("Mappings     trg-shift-orders: sqs trg-shift-orders -> Enabled"), shown);
  }

  /** {@code kubectl lambdaop status NAME -n NS}, through bin/kubectl-lambdaop, plain text (not a terminal). */
  private static String pluginStatus(String alias) {
    java.nio.file.Path project = E2e.projectDir().toAbsolutePath().normalize();
    java.nio.file.Path jar = project.resolve("target/lambda-operator.jar");
    assertTrue(java.nio.file.Files.isRegularFile(jar), jar + " is missing: mvn verify packages it first");
    ProcessBuilder builder = new ProcessBuilder(project.resolve("bin/kubectl-lambdaop").toString(), "status", alias,
        "-n", ns, "--ascii").redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("KUBECONFIG", E2e.testbed().kubeconfigPath());
    builder.environment().put("LAMBDAOP_JAR", jar.toString());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().put("LANG", "C");
    try {
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(process.waitFor(90, java.util.concurrent.TimeUnit.SECONDS), "the plugin ended");
      return output;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void assertTriggersUnchanged(String fn, GetEventSourceMappingResponse mapping, String url) {
    GetEventSourceMappingResponse now = lambda.getEventSourceMapping(r -> r.uuid(mapping.uuid()));
    assertEquals(mapping.functionArn(), now.functionArn(), "the mapping still targets the alias");
    assertEquals(mapping.uuid(), mappingStatus("trg-shift-orders").path("uuid").asText(), "the same mapping");
    assertEquals(url, urlConfig(fn).orElseThrow().functionUrl(), "the same URL");
    JsonNode statement = statement(fn, "from-sns").orElseThrow();
    assertTrue(statement.path("Resource").asText().endsWith(":" + fn + ":live"), statement.toString());
  }

  // ---- provisioned concurrency (emulated) ----------------------------------------------------------------------

  /** <b>Emulated</b>: moto has no provisioned concurrency; the proxy answers its three operations as AWS does. */
  @Test
  void provisionedConcurrencyIsSetOnTheAliasReportedAndItsFailureSaid() {
    String fn = "trg-pc";
    scenario.functionWithAlias(fn, Deployments.canary(50, "30m"));
    patchAlias(fn, "{\"spec\":{\"provisionedConcurrency\":3}}");
    awaitAws("3 provisioned on the alias", () -> proxy.motoGaps().provisionedConcurrency(fn, "live")
        .equals(Optional.of(3)));
    awaitAws("READY with 3 available in status", () -> {
      JsonNode pc = aliasStatus(fn).path("provisionedConcurrency");
      return pc.path("status").asText().equals("READY") && pc.path("available").asInt() == 3
          && pc.path("requested").asInt() == 3;
    });

    // A shift moves the alias's routing: AWS allocates the provisioned concurrency anew across both versions.
    scenario.publishVersion2(fn);
    scenario.awaitAws(fn, "1", 0.5);
    awaitAws("READY again during the shift", () -> aliasStatus(fn).path("provisionedConcurrency").path("status")
        .asText().equals("READY"));
    assertEquals(Optional.of(3), proxy.motoGaps().provisionedConcurrency(fn, "live"), "still on the alias");

    proxy.motoGaps().failProvisioning(fn, "live", "FUNCTION_ERROR_INIT_FAILURE: Init failed");
    awaitAws("FAILED said in Ready", () -> {
      JsonNode ready = condition(aliasResource(fn), "Ready");
      return ready.path("status").asText().equals("False") && ready.path("message").asText().contains("Init failed");
    });
    patchAlias(fn, "{\"spec\":{\"provisionedConcurrency\":5}}");
    awaitAws("5 READY", () -> aliasStatus(fn).path("provisionedConcurrency").path("available").asInt() == 5);
    patchAlias(fn, "{\"spec\":{\"provisionedConcurrency\":null}}");
    awaitAws("removed from the alias", () -> proxy.motoGaps().provisionedConcurrency(fn, "live").isEmpty());
  }

  // ---- EventSourceMapping ---------------------------------------------------------------------------------------

  @Test
  void aQueueMappingIsCreatedUpdatedCorrectedReplacedAndDeleted() {
    String fn = "trg-sqs";
    scenario.functionWithAlias(fn, null);
    String queue = queueArn("trg-sqs-orders");
    applyMapping("trg-sqs", "aliasRef: {name: " + fn + "-live}\n  eventSourceArn: " + queue
        + "\n  batchSize: 10\n  functionResponseTypes: [ReportBatchItemFailures]\n"
        + "  scalingConfig: {maximumConcurrency: 5}\n");
    GetEventSourceMappingResponse created = awaitMappingReady("trg-sqs");
    assertEquals(10, created.batchSize());
    assertEquals(List.of("ReportBatchItemFailures"), created.functionResponseTypesAsStrings());
    assertEquals(5, created.scalingConfig().maximumConcurrency());
    assertEquals("Enabled", mappingStatus("trg-sqs").path("state").asText());

    applyMapping("trg-sqs", "aliasRef: {name: " + fn + "-live}\n  eventSourceArn: " + queue
        + "\n  batchSize: 5\n  enabled: false\n  functionResponseTypes: [ReportBatchItemFailures]\n"
        + "  scalingConfig: {maximumConcurrency: 5}\n");
    awaitAws("batch 5, disabled", () -> {
      GetEventSourceMappingResponse m = lambda.getEventSourceMapping(r -> r.uuid(created.uuid()));
      return m.batchSize() == 5 && m.state().equals("Disabled");
    });
    awaitAws("status Disabled", () -> mappingStatus("trg-sqs").path("state").asText().equals("Disabled"));

    // Changed in AWS, then deleted in AWS: set back, then created again.
    lambda.updateEventSourceMapping(r -> r.uuid(created.uuid()).batchSize(7));
    awaitAws("batch set back to 5", () -> lambda.getEventSourceMapping(r -> r.uuid(created.uuid())).batchSize() == 5);
    lambda.deleteEventSourceMapping(r -> r.uuid(created.uuid()));
    String recreated = awaitValue("a new mapping", () -> {
      String uuid = textOrNull(mappingStatus("trg-sqs").path("uuid"));
      return uuid != null && !uuid.equals(created.uuid()) ? uuid : null;
    });
    assertEquals(5, lambda.getEventSourceMapping(r -> r.uuid(recreated)).batchSize());

    // Another queue: a new mapping, the old one removed.
    String other = queueArn("trg-sqs-returns");
    applyMapping("trg-sqs", "aliasRef: {name: " + fn + "-live}\n  eventSourceArn: " + other + "\n  batchSize: 5\n");
    String replaced = awaitValue("the mapping of the other queue", () -> {
      String uuid = textOrNull(mappingStatus("trg-sqs").path("uuid"));
      return uuid != null && !uuid.equals(recreated) ? uuid : null;
    });
    assertEquals(other, lambda.getEventSourceMapping(r -> r.uuid(replaced)).eventSourceArn());
    awaitAws("the first queue's mapping deleted", () -> mappingGone(recreated));

    mappings().withName("trg-sqs").delete();
    awaitAws("deleted with the resource", () -> mappingGone(replaced));
  }

  @Test
  void streamMappingsByFunctionRefAndByFunctionNameAndARetainedOne() {
    String fn = "trg-streams";
    scenario.functionWithAlias(fn, null);
    kinesis.createStream(r -> r.streamName("trg-clicks").shardCount(1));
    String stream = await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> kinesis.describeStreamSummary(
        r -> r.streamName("trg-clicks")).streamDescriptionSummary().streamARN(), a -> a != null);
    applyMapping("trg-clicks", "functionRef: {name: " + fn + "}\n  qualifier: live\n  eventSourceArn: " + stream
        + "\n  startingPosition: LATEST\n  batchSize: 200\n  parallelizationFactor: 2\n"
        + "  bisectBatchOnFunctionError: true\n  maximumRetryAttempts: 3\n");
    GetEventSourceMappingResponse clicks = awaitMappingReady("trg-clicks");
    assertEquals(200, clicks.batchSize());
    assertEquals(2, clicks.parallelizationFactor());
    assertTrue(clicks.bisectBatchOnFunctionError());
    assertEquals(3, clicks.maximumRetryAttempts());
    assertTrue(clicks.functionArn().endsWith(":function:" + fn + ":live"), clicks.functionArn());

    String table = "trg-orders-table";
    dynamo.createTable(r -> r.tableName(table)
        .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
        .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))
        .billingMode("PAY_PER_REQUEST")
        .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_IMAGE)));
    String tableStream = dynamo.describeTable(r -> r.tableName(table)).table().latestStreamArn();
    applyMapping("trg-table", "functionName: " + fn + "\n  eventSourceArn: " + tableStream
        + "\n  startingPosition: TRIM_HORIZON\n  deletionPolicy: Retain\n");
    GetEventSourceMappingResponse tableMapping = awaitMappingReady("trg-table");
    assertEquals(tableStream, tableMapping.eventSourceArn());

    mappings().withName("trg-table").delete();
    await().atMost(E2e.TIMEOUT).until(() -> mappings().withName("trg-table").get() == null);
    assertFalse(mappingGone(tableMapping.uuid()), "deletionPolicy Retain leaves the mapping in AWS");
    lambda.deleteEventSourceMapping(r -> r.uuid(tableMapping.uuid()));
    mappings().withName("trg-clicks").delete();
    awaitAws("the stream mapping deleted", () -> mappingGone(clicks.uuid()));
  }

  @Test
  void aMappingCannotTargetAFunctionAnotherNamespaceOwns() {
    String fn = "trg-owned";
    kube.resource(labelled(SampleFunctions.inline(ns, fn, E2e.roleArn(), "v = 1\n"))).create();
    E2e.awaitCondition(dev.lambdaop.api.LambdaFunction.class, ns, fn, "Ready", "True",
        r -> r.getStatus() == null ? null : r.getStatus().conditions);
    String other = E2e.namespace("triggers-tenant");
    String queue = queueArn("trg-owned-queue");
    GenericKubernetesResource mapping = Serialization.unmarshal("apiVersion: " + API + "\nkind: EventSourceMapping\n"
        + "metadata:\n  name: steal\n  namespace: " + other + "\n  labels: {" + E2e.PROCESS_LABEL + ": " + LABEL
        + "}\nspec:\n  functionName: " + fn + "\n  eventSourceArn: " + queue + "\n", GenericKubernetesResource.class);
    kube.resource(mapping).create();
    awaitAws("Ready=False for the other namespace's function", () -> {
      JsonNode ready = condition(JSON.valueToTree(kube.genericKubernetesResources(API, "EventSourceMapping")
          .inNamespace(other).withName("steal").get()), "Ready");
      return ready.path("status").asText().equals("False") && ready.path("message").asText().contains(fn);
    });
    assertTrue(lambda.listEventSourceMappings(r -> r.eventSourceArn(queue)).eventSourceMappings().isEmpty(),
        "nothing was mapped to another namespace's function");
  }

  // ---- refused at admission -------------------------------------------------------------------------------------

  @Test
  void impossibleCombinationsAreRefusedAtApplyNamingTheField() {
    String queue = "arn:aws:sqs:" + region + ":123456789012:q";
    String fifo = queue + ".fifo";
    String stream = "arn:aws:kinesis:" + region + ":123456789012:stream/s";
    assertRefused("startingPosition", mappingYaml("bad-1", "functionName: f\n  eventSourceArn: " + queue
        + "\n  startingPosition: LATEST\n"));
    assertRefused("batchSize", mappingYaml("bad-2", "functionName: f\n  eventSourceArn: " + fifo
        + "\n  batchSize: 20\n"));
    assertRefused("startingPosition", mappingYaml("bad-3", "functionName: f\n  eventSourceArn: " + stream + "\n"));
    assertRefused("scalingConfig", mappingYaml("bad-4", "functionName: f\n  eventSourceArn: " + stream
        + "\n  startingPosition: LATEST\n  scalingConfig: {maximumConcurrency: 5}\n"));
    assertRefused("aliasRef", mappingYaml("bad-5", "functionName: f\n  aliasRef: {name: a}\n  eventSourceArn: "
        + queue + "\n"));
    assertRefused("parallelizationFactor", mappingYaml("bad-6", "functionName: f\n  eventSourceArn: " + queue
        + "\n  parallelizationFactor: 2\n"));
    assertRefused("functionUrlAuthType", aliasYaml("bad-7", "permissions: [{principal: '*', "
        + "action: 'lambda:InvokeFunction', functionUrlAuthType: NONE}]"));
    assertRefused("maximumRetryAttempts", aliasYaml("bad-8", "asyncInvoke: {maximumRetryAttempts: 3}"));
    assertRefused("maximumEventAge", aliasYaml("bad-9", "asyncInvoke: {maximumEventAge: 30s}"));
    assertRefused("authType", aliasYaml("bad-10", "functionUrl: {authType: OPEN}"));
  }

  private static void assertRefused(String field, String yaml) {
    GenericKubernetesResource r = Serialization.unmarshal(yaml, GenericKubernetesResource.class);
    KubernetesClientException e = assertThrows(KubernetesClientException.class, () -> kube.resource(r).create(),
        "refused at apply: " + yaml);
    assertEquals(422, e.getCode(), e.getMessage());
    assertTrue(e.getMessage().contains(field), "the message names " + field + ": " + e.getMessage());
  }

  private static String mappingYaml(String name, String spec) {
    return "apiVersion: " + API + "\nkind: EventSourceMapping\nmetadata:\n  name: " + name + "\n  namespace: " + ns
        + "\nspec:\n  " + spec;
  }

  private static String aliasYaml(String name, String specLine) {
    return "apiVersion: " + API + "\nkind: LambdaAlias\nmetadata:\n  name: " + name + "\n  namespace: " + ns
        + "\nspec:\n  functionName: f\n  " + specLine + "\n";
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> T labelled(T resource) {
    resource.getMetadata().setLabels(Map.of(E2e.PROCESS_LABEL, LABEL));
    return resource;
  }

  private static String queueArn(String name) {
    String url = sqs.createQueue(r -> r.queueName(name)).queueUrl();
    return sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN)).attributes()
        .get(QueueAttributeName.QUEUE_ARN);
  }

  private static void patchAlias(String fn, String mergePatch) {
    kube.resources(LambdaAlias.class).inNamespace(ns).withName(fn + "-live")
        .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch);
  }

  private static JsonNode aliasResource(String fn) {
    return JSON.valueToTree(kube.genericKubernetesResources(API, "LambdaAlias").inNamespace(ns).withName(fn + "-live")
        .get());
  }

  private static JsonNode aliasStatus(String fn) {
    return aliasResource(fn).path("status");
  }

  private static io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
      io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
      io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> mappings() {
    return kube.genericKubernetesResources(API, "EventSourceMapping").inNamespace(ns);
  }

  private static void applyMapping(String name, String spec) {
    String yaml = "apiVersion: " + API + "\nkind: EventSourceMapping\nmetadata:\n  name: " + name + "\n  namespace: "
        + ns + "\n  labels: {" + E2e.PROCESS_LABEL + ": " + LABEL + "}\nspec:\n  " + spec;
    kube.resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class)).fieldManager("triggers-it")
        .forceConflicts().serverSideApply();
  }

  private static JsonNode mappingStatus(String name) {
    GenericKubernetesResource r = mappings().withName(name).get();
    return r == null ? JSON.missingNode() : JSON.valueToTree(r).path("status");
  }

  /** Waits for the mapping's Ready=True of its generation, then reads it from AWS by status.uuid. */
  private static GetEventSourceMappingResponse awaitMappingReady(String name) {
    awaitAws("EventSourceMapping " + name + " Ready", () -> {
      JsonNode r = JSON.valueToTree(mappings().withName(name).get());
      JsonNode ready = condition(r, "Ready");
      return ready.path("status").asText().equals("True")
          && ready.path("observedGeneration").asLong() == r.path("metadata").path("generation").asLong();
    });
    String uuid = mappingStatus(name).path("uuid").asText();
    return lambda.getEventSourceMapping(r -> r.uuid(uuid));
  }

  private static boolean mappingGone(String uuid) {
    try {
      lambda.getEventSourceMapping(r -> r.uuid(uuid));
      return false;
    } catch (ResourceNotFoundException e) {
      return true;
    }
  }

  private static JsonNode condition(JsonNode resource, String type) {
    for (JsonNode c : resource.path("status").path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c;
      }
    }
    return JSON.missingNode();
  }

  private static List<JsonNode> statementsOn(String fn) {
    try {
      JsonNode policy = JSON.readTree(lambda.getPolicy(r -> r.functionName(fn).qualifier("live")).policy());
      List<JsonNode> out = new java.util.ArrayList<>();
      policy.path("Statement").forEach(s -> {
        if (s.path("Resource").asText().endsWith(":" + fn + ":live")) {
          out.add(s);
        }
      });
      return out;
    } catch (ResourceNotFoundException e) {
      return List.of();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Optional<JsonNode> statement(String fn, String sid) {
    return statementsOn(fn).stream().filter(s -> sid.equals(s.path("Sid").asText())).findFirst();
  }

  private static Optional<GetFunctionUrlConfigResponse> urlConfig(String fn) {
    try {
      return Optional.of(lambda.getFunctionUrlConfig(r -> r.functionName(fn).qualifier("live")));
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
  }

  private static Optional<Object> asyncConfig(String fn) {
    try {
      return Optional.of(lambda.getFunctionEventInvokeConfig(r -> r.functionName(fn).qualifier("live")));
    } catch (ResourceNotFoundException e) {
      return Optional.empty();
    }
  }

  private static String textOrNull(JsonNode node) {
    return node.isMissingNode() || node.isNull() || node.asText().isEmpty() ? null : node.asText();
  }

  /** Waits until {@code done} holds (exceptions count as not yet); says what never happened. */
  private static void awaitAws(String what, Callable<Boolean> done) {
    try {
      await().atMost(E2e.TIMEOUT).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(done);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("never: " + what, e);
    }
  }

  private static <T> T awaitValue(String what, Callable<T> value) {
    try {
      return await().atMost(E2e.TIMEOUT).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
          .until(value, v -> v != null);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("never: " + what, e);
    }
  }
}
