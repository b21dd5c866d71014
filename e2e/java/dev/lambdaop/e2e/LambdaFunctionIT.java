package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.EnvVars;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.aws.sdk.AwsCallCounter;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.s3.S3Client;

/** LambdaFunction end to end: the real API server applies the CRD, the operator talks to the Lambda endpoint. */
class LambdaFunctionIT {
  private static String ns;
  private static KubernetesClient kube;
  private static LambdaClient lambda;
  private static S3Client s3;

  @BeforeAll
  static void start() {
    E2e.operator();
    kube = E2e.kube();
    ns = E2e.namespace("fn");
    lambda = E2e.lambda();
    s3 = E2e.s3();
  }

  @AfterAll
  static void close() {
    lambda.close();
    s3.close();
  }

  private static LambdaFunction inline(String name, String source) {
    return SampleFunctions.inline(ns, name, E2e.roleArn(), source);
  }

  private static LambdaFunction awaitReady(String name) {
    return E2e.awaitCondition(LambdaFunction.class, ns, name, Conditions.READY, "True", r -> conditions(r));
  }

  private static List<Condition> conditions(LambdaFunction r) {
    return r.getStatus() == null ? null : r.getStatus().conditions;
  }

  private static List<String> versions(String functionName) {
    return lambda.listVersionsByFunction(r -> r.functionName(functionName)).versions().stream()
        .map(FunctionConfiguration::version).filter(v -> !v.equals("$LATEST")).toList();
  }

  @Test
  void inlineFunctionIsCreatedPublishedAndReported() {
    LambdaFunction fn = inline("inline-one", "def handler(e, c):\n    return 1\n");
    fn.getSpec().memorySize = 256;
    fn.getSpec().timeout = 20;
    fn.getSpec().environment = List.of(EnvVars.literal("TABLE", "orders"));
    fn.getSpec().tags = Map.of("team", "shop");
    kube.resource(fn).create();

    LambdaFunction ready = awaitReady("inline-one");
    LambdaFunctionStatus status = ready.getStatus();
    assertEquals(ready.getMetadata().getGeneration(), status.observedGeneration);
    assertEquals("1", status.latestVersion);
    assertTrue(status.functionArn.endsWith(":function:inline-one"), status.functionArn);
    assertTrue(ready.getMetadata().getFinalizers().stream().anyMatch(f -> f.contains("lambdaop")),
        "a finalizer guards the AWS function: " + ready.getMetadata().getFinalizers());

    // The AWS side, read through the AWS SDK.
    GetFunctionResponse aws = lambda.getFunction(r -> r.functionName("inline-one"));
    assertEquals(status.functionArn, aws.configuration().functionArn());
    assertEquals(256, aws.configuration().memorySize());
    assertEquals(20, aws.configuration().timeout());
    assertEquals("python3.12", aws.configuration().runtimeAsString());
    assertEquals(Map.of("TABLE", "orders"), aws.configuration().environment().variables());
    assertEquals("shop", aws.tags().get("team"));
    assertEquals(E2e.operator().clusterId() + "/" + ns + "/inline-one", aws.tags().get("lambdaop.dev/owner"));
    String expectedSha = DeterministicZip.of(fn.getSpec().code.inline.files).sha256();
    assertEquals(expectedSha, aws.configuration().codeSha256(), "the deterministic zip is what AWS holds");
    assertEquals(List.of("1"), versions("inline-one"));
    var v1 = lambda.getFunctionConfiguration(r -> r.functionName("inline-one").qualifier("1"));
    assertEquals(expectedSha, v1.codeSha256());
    assertEquals(status.specDigest, status.versions.get(0).specDigest);
    await().atMost(E2e.TIMEOUT).until(() -> eventReasons("inline-one").containsAll(List.of("Created", "Published")));
  }

  @Test
  void secretValuesReachAwsButNeverStatusOrEvents() {
    kube.secrets().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName("api").endMetadata()
        .withStringData(Map.of("key", "sup3r-s3cret-value")).build()).create();
    LambdaFunction fn = inline("with-secret", "s = 2\n");
    fn.getSpec().environment = List.of(EnvVars.fromSecret("API_KEY", "api", "key"));
    kube.resource(fn).create();

    LambdaFunction ready = awaitReady("with-secret");
    assertEquals(Map.of("API_KEY", "sup3r-s3cret-value"),
        lambda.getFunctionConfiguration(r -> r.functionName("with-secret")).environment().variables());
    String statusJson = io.fabric8.kubernetes.client.utils.Serialization.asJson(ready.getStatus());
    assertFalse(statusJson.contains("sup3r-s3cret-value"), statusJson);

    // A new value in the Secret is deployed (the Secret is watched, not polled) and published as a new version.
    kube.secrets().inNamespace(ns).withName("api").edit(secret -> new io.fabric8.kubernetes.api.model.SecretBuilder(
        secret).withData(null).withStringData(Map.of("key", "rotated-s3cret-value")).build());
    await().atMost(E2e.TIMEOUT).until(() -> "rotated-s3cret-value".equals(lambda.getFunctionConfiguration(
        r -> r.functionName("with-secret")).environment().variables().get("API_KEY")));
    await().atMost(E2e.TIMEOUT).until(() -> "2".equals(kube.resources(LambdaFunction.class).inNamespace(ns)
        .withName("with-secret").get().getStatus().latestVersion));
    assertTrue(events("with-secret").stream().noneMatch(e -> String.valueOf(e.getNote()).contains("s3cret")));
    assertFalse(io.fabric8.kubernetes.client.utils.Serialization.asJson(kube.resources(LambdaFunction.class)
        .inNamespace(ns).withName("with-secret").get()).contains("s3cret"));
  }

  @Test
  void olderVersionsAreDeletedButNeverOneAnAliasUses() {
    LambdaFunction fn = inline("retained", "r = 1\n");
    fn.getSpec().versions = new LambdaFunctionSpec.VersionPolicy();
    fn.getSpec().versions.publish = true;
    fn.getSpec().versions.retain = 2;
    kube.resource(fn).create();
    awaitReady("retained");
    // An alias someone made outside the operator routes to version 1.
    lambda.createAlias(r -> r.functionName("retained").name("pinned").functionVersion("1"));
    for (int n = 2; n <= 4; n++) {
      LambdaFunction current = kube.resources(LambdaFunction.class).inNamespace(ns).withName("retained").get();
      current.getSpec().code.inline.files = Map.of("index.py", "r = " + n + "\n");
      E2e.update(current);
      String expected = String.valueOf(n);
      await().atMost(E2e.TIMEOUT).until(() -> expected.equals(kube.resources(LambdaFunction.class).inNamespace(ns)
          .withName("retained").get().getStatus().latestVersion));
    }
    await().atMost(E2e.TIMEOUT).until(() -> versions("retained").equals(List.of("1", "3", "4")));
    LambdaFunction done = kube.resources(LambdaFunction.class).inNamespace(ns).withName("retained").get();
    assertEquals(List.of("4", "3", "1"), done.getStatus().versions.stream().map(v -> v.version).toList());
    assertTrue(eventReasons("retained").contains("VersionsDeleted"));
  }

  @Test
  void aMissingSecretIsNamedInTheReason() {
    LambdaFunction fn = inline("missing-secret", "s = 3\n");
    fn.getSpec().environment = List.of(EnvVars.fromSecret("API_KEY", "not-there", "key"));
    kube.resource(fn).create();
    Condition c = awaitReason("missing-secret", "SecretNotFound");
    assertTrue(c.getMessage().contains("not-there"), c.getMessage());
    assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(r -> r.functionName("missing-secret")));
  }

  private static List<io.fabric8.kubernetes.api.model.events.v1.Event> events(String name) {
    return kube.events().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> e.getRegarding() != null && name.equals(e.getRegarding().getName())).toList();
  }

  private static List<String> eventReasons(String name) {
    return events(name).stream().map(io.fabric8.kubernetes.api.model.events.v1.Event::getReason).toList();
  }

  @Test
  void everyConfigurationFieldReachesAws() throws Exception {
    String layer = lambda.publishLayerVersion(r -> r.layerName("deps").content(c -> c.zipFile(
        software.amazon.awssdk.core.SdkBytes.fromByteArray(zipQuietly("python/deps.py", "D = 1\n"))))).layerVersionArn();
    LambdaFunction fn = inline("all-fields", "a = 1\n");
    LambdaFunctionSpec spec = fn.getSpec();
    spec.description = "every field";
    spec.memorySize = 1024;
    spec.timeout = 120;
    spec.architectures = List.of(LambdaFunctionSpec.Architecture.ARM64);
    spec.ephemeralStorage = new LambdaFunctionSpec.EphemeralStorage();
    spec.ephemeralStorage.size = 2048;
    spec.environment = List.of(EnvVars.literal("TABLE", "orders"), EnvVars.literal("MODE", "fast"));
    spec.kmsKeyArn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    spec.tracing = new LambdaFunctionSpec.TracingConfig();
    spec.tracing.mode = LambdaFunctionSpec.TracingMode.Active;
    spec.vpcConfig = new LambdaFunctionSpec.VpcConfig();
    spec.vpcConfig.subnetIds = List.of("subnet-0a1b2c3d");
    spec.vpcConfig.securityGroupIds = List.of("sg-0a1b2c3d");
    spec.layers = List.of(layer);
    spec.tags = Map.of("team", "shop", "cost-center", "42");
    kube.resource(fn).create();
    awaitReady("all-fields");

    var c = lambda.getFunction(r -> r.functionName("all-fields"));
    var config = c.configuration();
    assertEquals("every field", config.description());
    assertEquals(1024, config.memorySize());
    assertEquals(120, config.timeout());
    assertEquals(List.of("arm64"), config.architecturesAsStrings());
    assertEquals(2048, config.ephemeralStorage().size());
    assertEquals(Map.of("TABLE", "orders", "MODE", "fast"), config.environment().variables());
    assertEquals(spec.kmsKeyArn, config.kmsKeyArn());
    assertEquals("Active", config.tracingConfig().modeAsString());
    assertEquals(List.of("subnet-0a1b2c3d"), config.vpcConfig().subnetIds());
    assertEquals(List.of("sg-0a1b2c3d"), config.vpcConfig().securityGroupIds());
    assertEquals(List.of(layer), config.layers().stream().map(l -> l.arn()).toList());
    assertEquals("shop", c.tags().get("team"));
    assertEquals("42", c.tags().get("cost-center"));
    // moto stores no DeadLetterConfig and no LoggingConfig; the unit tests cover how they are sent and compared.

    // Tags added, changed and removed are reconciled.
    LambdaFunction current = kube.resources(LambdaFunction.class).inNamespace(ns).withName("all-fields").get();
    current.getSpec().tags = Map.of("team", "payments", "tier", "gold");
    E2e.update(current);
    await().atMost(E2e.TIMEOUT).until(() -> {
      Map<String, String> tags = lambda.getFunction(r -> r.functionName("all-fields")).tags();
      return "payments".equals(tags.get("team")) && "gold".equals(tags.get("tier"))
          && !tags.containsKey("cost-center") && (E2e.operator().clusterId() + "/" + ns + "/all-fields").equals(tags.get("lambdaop.dev/owner"));
    });
    assertEquals(List.of("1"), versions("all-fields"), "tags are not versioned: no new version");
  }

  private static byte[] zipQuietly(String name, String content) {
    try {
      return zip(name, content);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void s3FunctionIsCreatedFromTheObjectInTheBucket() throws Exception {
    byte[] zip = zip("orders.py", "def handler(e, c):\n    return 'orders'\n");
    s3.createBucket(r -> r.bucket("fn-artifacts"));
    s3.putObject(r -> r.bucket("fn-artifacts").key("orders/1.0.0.zip"), RequestBody.fromBytes(zip));

    LambdaFunction fn = inline("from-s3", "unused");
    fn.getSpec().functionName = "orders-from-s3";
    fn.getSpec().handler = "orders.handler";
    fn.getSpec().code.inline = null;
    fn.getSpec().code.s3 = new LambdaFunctionSpec.S3Code();
    fn.getSpec().code.s3.bucket = "fn-artifacts";
    fn.getSpec().code.s3.key = "orders/1.0.0.zip";
    kube.resource(fn).create();

    LambdaFunction ready = awaitReady("from-s3");
    assertEquals("1", ready.getStatus().latestVersion);
    assertEquals("orders-from-s3", ready.getStatus().functionName);
    var aws = lambda.getFunctionConfiguration(r -> r.functionName("orders-from-s3"));
    assertEquals(DeterministicZip.sha256Base64(zip), aws.codeSha256(), "AWS holds the object's bytes");
    assertEquals(aws.codeSha256(), ready.getStatus().codeSha256);
    assertEquals(List.of("1"), versions("orders-from-s3"));
  }

  @Test
  void anS3ObjectOverwrittenAtTheSameKeyIsDeployedAsANewVersion() throws Exception {
    s3.createBucket(r -> r.bucket("fn-overwrite"));
    byte[] first = zip("app.py", "def handler(e, c):\n    return 1\n");
    s3.putObject(r -> r.bucket("fn-overwrite").key("app.zip"), RequestBody.fromBytes(first));
    LambdaFunction fn = inline("s3-overwrite", "unused");
    fn.getSpec().handler = "app.handler";
    fn.getSpec().code.inline = null;
    fn.getSpec().code.s3 = new LambdaFunctionSpec.S3Code();
    fn.getSpec().code.s3.bucket = "fn-overwrite";
    fn.getSpec().code.s3.key = "app.zip";
    kube.resource(fn).create();
    assertEquals("1", awaitReady("s3-overwrite").getStatus().latestVersion);

    // A pipeline uploads a new build to the same key; the manifest does not change.
    byte[] second = zip("app.py", "def handler(e, c):\n    return 2\n");
    s3.putObject(r -> r.bucket("fn-overwrite").key("app.zip"), RequestBody.fromBytes(second));
    await().atMost(E2e.TIMEOUT).until(() -> "2".equals(kube.resources(LambdaFunction.class).inNamespace(ns)
        .withName("s3-overwrite").get().getStatus().latestVersion));
    assertEquals(DeterministicZip.sha256Base64(second),
        lambda.getFunctionConfiguration(r -> r.functionName("s3-overwrite").qualifier("2")).codeSha256());
    assertEquals(DeterministicZip.sha256Base64(first),
        lambda.getFunctionConfiguration(r -> r.functionName("s3-overwrite").qualifier("1")).codeSha256());
  }

  @Test
  void aNewObjectVersionInTheSpecDeploysThatVersion() throws Exception {
    s3.createBucket(r -> r.bucket("fn-versioned"));
    s3.putBucketVersioning(r -> r.bucket("fn-versioned").versioningConfiguration(v -> v.status("Enabled")));
    byte[] first = zip("app.py", "def handler(e, c):\n    return 'v1'\n");
    byte[] second = zip("app.py", "def handler(e, c):\n    return 'v2'\n");
    String v1 = s3.putObject(r -> r.bucket("fn-versioned").key("app.zip"), RequestBody.fromBytes(first)).versionId();
    String v2 = s3.putObject(r -> r.bucket("fn-versioned").key("app.zip"), RequestBody.fromBytes(second)).versionId();
    LambdaFunction fn = inline("s3-versioned", "unused");
    fn.getSpec().handler = "app.handler";
    fn.getSpec().code.inline = null;
    fn.getSpec().code.s3 = new LambdaFunctionSpec.S3Code();
    fn.getSpec().code.s3.bucket = "fn-versioned";
    fn.getSpec().code.s3.key = "app.zip";
    fn.getSpec().code.s3.objectVersion = v1;
    kube.resource(fn).create();
    LambdaFunction first1 = awaitReady("s3-versioned");
    assertEquals("1", first1.getStatus().latestVersion);
    // moto reads the newest object whatever S3ObjectVersion says, so the bytes deployed cannot show the pin here;
    // what the operator asked for can: the code identity it recorded names the version.
    assertTrue(first1.getStatus().codeIdentity.contains("versionId=" + v1), first1.getStatus().codeIdentity);

    LambdaFunction current = kube.resources(LambdaFunction.class).inNamespace(ns).withName("s3-versioned").get();
    current.getSpec().code.s3.objectVersion = v2;
    E2e.update(current);
    await().atMost(E2e.TIMEOUT).until(() -> "2".equals(kube.resources(LambdaFunction.class).inNamespace(ns)
        .withName("s3-versioned").get().getStatus().latestVersion));
    assertTrue(kube.resources(LambdaFunction.class).inNamespace(ns).withName("s3-versioned").get().getStatus()
        .codeIdentity.contains("versionId=" + v2));
    assertEquals(DeterministicZip.sha256Base64(second),
        lambda.getFunctionConfiguration(r -> r.functionName("s3-versioned").qualifier("2")).codeSha256());
  }

  @Test
  void aChangeMadeOutsideTheOperatorIsRevertedWithAnEvent() {
    kube.resource(inline("drifting", "d = 1\n")).create();
    awaitReady("drifting");
    lambda.updateFunctionConfiguration(r -> r.functionName("drifting").memorySize(2048).timeout(60));
    await().atMost(E2e.TIMEOUT).until(() -> {
      var c = lambda.getFunctionConfiguration(r -> r.functionName("drifting"));
      return c.memorySize() == 128 && c.timeout() == 3;
    });
    await().atMost(E2e.TIMEOUT).until(() -> events("drifting").stream().anyMatch(e -> "DriftReverted".equals(
        e.getReason()) && e.getNote().contains("memorySize") && e.getNote().contains("timeout")));
    assertEquals(List.of("1"), versions("drifting"), "reverting drift restores the published configuration");
  }

  @Test
  void environmentOver4KbIsRefusedWithItsSizeAndNothingDeployed() {
    LambdaFunction fn = inline("big-env", "b = 1\n");
    fn.getSpec().environment = List.of(EnvVars.literal("PART_ONE", "x".repeat(3000)), EnvVars.literal("PART_TWO", "y".repeat(1500)));
    kube.resource(fn).create();
    Condition c = awaitReason("big-env", "EnvironmentTooLarge");
    assertTrue(c.getMessage().contains("4529 bytes"), c.getMessage()); // the JSON AWS measures
    assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(r -> r.functionName("big-env")));
  }

  @Test
  void aContainerImageFunctionIsCreatedAndANewTagDeployed() {
    LambdaFunction fn = inline("image-fn", "unused");
    fn.getSpec().runtime = null;
    fn.getSpec().handler = null;
    fn.getSpec().code.inline = null;
    fn.getSpec().code.imageUri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:1";
    fn.getSpec().imageConfig = new LambdaFunctionSpec.ImageConfig();
    fn.getSpec().imageConfig.command = List.of("app.handler");
    fn.getSpec().imageConfig.workingDirectory = "/app";
    kube.resource(fn).create();
    assertEquals("1", awaitReady("image-fn").getStatus().latestVersion);
    GetFunctionResponse aws = lambda.getFunction(r -> r.functionName("image-fn"));
    assertEquals("Image", aws.configuration().packageTypeAsString());
    assertEquals(fn.getSpec().code.imageUri, aws.code().imageUri());
    assertEquals(List.of("app.handler"), aws.configuration().imageConfigResponse().imageConfig().command());

    LambdaFunction current = kube.resources(LambdaFunction.class).inNamespace(ns).withName("image-fn").get();
    current.getSpec().code.imageUri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:2";
    E2e.update(current);
    await().atMost(E2e.TIMEOUT).until(() -> "2".equals(kube.resources(LambdaFunction.class).inNamespace(ns)
        .withName("image-fn").get().getStatus().latestVersion));
    assertEquals("123456789012.dkr.ecr.us-east-1.amazonaws.com/orders:2",
        lambda.getFunction(r -> r.functionName("image-fn").qualifier("2")).code().imageUri());
  }

  @Test
  void anUpdateAwsAcceptsButDoesNotApplyIsReportedNotRepeated() {
    // moto accepts UpdateFunctionConfiguration with a new TracingConfig but ignores it: the same thing a real
    // endpoint that normalises a value differently would look like. The operator must not write at every resync.
    kube.resource(inline("not-applied", "n = 1\n")).create();
    awaitReady("not-applied");
    LambdaFunction current = kube.resources(LambdaFunction.class).inNamespace(ns).withName("not-applied").get();
    current.getSpec().tracing = new LambdaFunctionSpec.TracingConfig();
    current.getSpec().tracing.mode = LambdaFunctionSpec.TracingMode.Active;
    E2e.update(current);
    Condition c = awaitReason("not-applied", "UpdateNotApplied");
    assertTrue(c.getMessage().contains("tracingMode"), c.getMessage());
    long writes = writes("not-applied");
    await().during(E2e.RESYNC.multipliedBy(2)).atMost(E2e.RESYNC.multipliedBy(3))
        .until(() -> writes("not-applied") == writes);
  }

  @Test
  void aVpcWithIpv6ForDualStackFalseStaysReady() {
    // AWS (moto too) reads ipv6AllowedForDualStack: false back as unset; compared with false, every resync found a
    // difference, updated, and ended in UpdateNotApplied.
    LambdaFunction fn = inline("vpc-ipv6-off", "v = 1\n");
    fn.getSpec().vpcConfig = new LambdaFunctionSpec.VpcConfig();
    fn.getSpec().vpcConfig.subnetIds = List.of("subnet-0a1b2c3d");
    fn.getSpec().vpcConfig.securityGroupIds = List.of("sg-0a1b2c3d");
    fn.getSpec().vpcConfig.ipv6AllowedForDualStack = false;
    kube.resource(fn).create();
    awaitReady("vpc-ipv6-off");

    var vpc = lambda.getFunctionConfiguration(r -> r.functionName("vpc-ipv6-off")).vpcConfig();
    assertEquals(List.of("subnet-0a1b2c3d"), vpc.subnetIds());
    assertEquals(List.of("sg-0a1b2c3d"), vpc.securityGroupIds());
    assertFalse(Boolean.TRUE.equals(vpc.ipv6AllowedForDualStack()), "off in AWS: " + vpc.ipv6AllowedForDualStack());
    long writes = writes("vpc-ipv6-off");
    // Two resyncs compare the function with the spec again: still Synced, nothing written.
    await().during(E2e.RESYNC.multipliedBy(2)).atMost(E2e.RESYNC.multipliedBy(3)).until(() ->
        writes("vpc-ipv6-off") == writes && "Synced".equals(readyReason("vpc-ipv6-off")));
    assertEquals(List.of("1"), versions("vpc-ipv6-off"));
  }

  private static String readyReason(String name) {
    LambdaFunction r = kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).get();
    return r == null || r.getStatus() == null ? null
        : Conditions.find(r.getStatus().conditions, Conditions.READY).map(Condition::getReason).orElse(null);
  }

  @Test
  void deletingWithPolicyDeleteRemovesTheFunction() {
    kube.resource(inline("to-delete", "x = 1\n")).create();
    awaitReady("to-delete");
    assertNotNull(lambda.getFunction(r -> r.functionName("to-delete")));

    kube.resources(LambdaFunction.class).inNamespace(ns).withName("to-delete").delete();
    await().atMost(E2e.TIMEOUT).until(() -> kube.resources(LambdaFunction.class).inNamespace(ns)
        .withName("to-delete").get() == null);
    assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(r -> r.functionName("to-delete")));
  }

  @Test
  void deletingWithPolicyRetainLeavesTheFunction() {
    LambdaFunction fn = inline("to-retain", "x = 2\n");
    fn.getSpec().deletionPolicy = LambdaFunctionSpec.DeletionPolicy.Retain;
    kube.resource(fn).create();
    awaitReady("to-retain");

    kube.resources(LambdaFunction.class).inNamespace(ns).withName("to-retain").delete();
    await().atMost(E2e.TIMEOUT).until(() -> kube.resources(LambdaFunction.class).inNamespace(ns)
        .withName("to-retain").get() == null);
    assertEquals("to-retain", lambda.getFunction(r -> r.functionName("to-retain")).configuration().functionName());
    assertEquals(List.of("1"), versions("to-retain"));
  }

  @Test
  void aFunctionThatExistsAndIsNotOursIsNeitherChangedNorDeleted() throws Exception {
    byte[] zip = zip("index.py", "theirs = True\n");
    lambda.createFunction(r -> r.functionName("someone-elses").role(E2e.roleArn()).runtime("python3.12")
        .handler("index.handler").memorySize(1024)
        .code(c -> c.zipFile(software.amazon.awssdk.core.SdkBytes.fromByteArray(zip))));

    LambdaFunction fn = inline("someone-elses", "mine = True\n");
    kube.resource(fn).create();
    Condition refusal = awaitReason("someone-elses", "AlreadyExists");
    await().atMost(E2e.TIMEOUT).until(() -> eventReasons("someone-elses").contains("AlreadyExists"));
    assertTrue(refusal.getMessage().contains("spec.functionName"), refusal.getMessage());
    LambdaFunction refused = kube.resources(LambdaFunction.class).inNamespace(ns).withName("someone-elses").get();
    var theirs = lambda.getFunctionConfiguration(r -> r.functionName("someone-elses"));
    assertEquals(1024, theirs.memorySize());
    assertEquals(DeterministicZip.sha256Base64(zip), theirs.codeSha256());

    kube.resource(refused).delete();
    await().atMost(E2e.TIMEOUT).until(() -> kube.resources(LambdaFunction.class).inNamespace(ns)
        .withName("someone-elses").get() == null);
    assertEquals(1024, lambda.getFunctionConfiguration(r -> r.functionName("someone-elses")).memorySize(),
        "a function the operator did not create survives the deletion of the resource");
  }

  @Test
  void aRoleLambdaCannotAssumeIsRetriedWithBackoffUntilTheSpecIsFixed() {
    LambdaFunction fn = inline("bad-role", "x = 3\n");
    fn.getSpec().role = "arn:aws:iam::123456789012:role/does-not-exist";
    kube.resource(fn).create();
    Condition c = awaitReason("bad-role", "RoleNotAssumable");
    assertTrue(c.getMessage().contains("cannot be assumed"), c.getMessage());
    assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(r -> r.functionName("bad-role")));
    // Retried with backoff (1 s, 2 s, 4 s, ...), each retry failing the same way: one event, not one per retry.
    long creates = calls("bad-role", "CreateFunction");
    await().atMost(E2e.TIMEOUT).until(() -> calls("bad-role", "CreateFunction") >= creates + 2);
    assertEquals(1, eventReasons("bad-role").stream().filter("RoleNotAssumable"::equals).count());

    LambdaFunction latest = kube.resources(LambdaFunction.class).inNamespace(ns).withName("bad-role").get();
    latest.getSpec().role = E2e.roleArn();
    E2e.update(latest);
    assertEquals("1", awaitReady("bad-role").getStatus().latestVersion);
  }

  @Test
  void anErrorThatCannotSucceedIsNotRetriedUntilTheSpecChanges() {
    LambdaFunction fn = inline("bad-layer", "x = 4\n");
    fn.getSpec().layers = List.of("arn:aws:lambda:us-east-1:123456789012:layer:missing:1");
    kube.resource(fn).create();
    Condition c = awaitReason("bad-layer", "NotFound");
    assertTrue(c.getMessage().contains("LayerVersion"), c.getMessage());
    long creates = calls("bad-layer", "CreateFunction");
    await().during(E2e.RESYNC.multipliedBy(2)).atMost(E2e.RESYNC.multipliedBy(3))
        .until(() -> calls("bad-layer", "CreateFunction") == creates);
    assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(r -> r.functionName("bad-layer")));

    LambdaFunction latest = kube.resources(LambdaFunction.class).inNamespace(ns).withName("bad-layer").get();
    latest.getSpec().layers = null;
    E2e.update(latest);
    assertEquals("1", awaitReady("bad-layer").getStatus().latestVersion);
  }

  private static Condition awaitReason(String name, String reason) {
    return await().atMost(E2e.TIMEOUT).until(
        () -> kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).get(),
        r -> r != null && r.getStatus() != null
            && Conditions.find(r.getStatus().conditions, Conditions.READY)
                .map(c -> "False".equals(c.getStatus()) && reason.equals(c.getReason())).orElse(false))
        .getStatus().conditions.stream().filter(c -> c.getType().equals(Conditions.READY)).findFirst().orElseThrow();
  }

  @Test
  void aSpecChangeUpdatesAwsAndPublishesTheNextVersion() {
    kube.resource(inline("changing", "v = 1\n")).create();
    LambdaFunction first = awaitReady("changing");
    assertEquals("1", first.getStatus().latestVersion);

    first.getSpec().memorySize = 512;
    first.getSpec().code.inline.files = Map.of("index.py", "v = 2\n");
    LambdaFunction updated = E2e.update(first);
    LambdaFunction second = E2e.awaitCondition(LambdaFunction.class, ns, "changing", Conditions.READY, "True",
        LambdaFunctionIT::conditions);
    assertEquals(updated.getMetadata().getGeneration(), second.getStatus().observedGeneration);
    assertEquals("2", second.getStatus().latestVersion);
    var v2 = lambda.getFunctionConfiguration(r -> r.functionName("changing").qualifier("2"));
    assertEquals(512, v2.memorySize());
    assertEquals(DeterministicZip.of(Map.of("index.py", "v = 2\n")).sha256(), v2.codeSha256());
    assertEquals(List.of("1", "2"), versions("changing"));
  }

  @Test
  void steadyStateMakesNoAwsWrites() {
    // Many settings, so that every default AWS fills in must compare equal to the spec.
    LambdaFunction fn = inline("steady", "s = 1\n");
    fn.getSpec().description = "steady";
    fn.getSpec().architectures = List.of(LambdaFunctionSpec.Architecture.ARM64);
    fn.getSpec().ephemeralStorage = new LambdaFunctionSpec.EphemeralStorage();
    fn.getSpec().ephemeralStorage.size = 1024;
    fn.getSpec().tracing = new LambdaFunctionSpec.TracingConfig();
    fn.getSpec().tracing.mode = LambdaFunctionSpec.TracingMode.Active;
    fn.getSpec().logging = new LambdaFunctionSpec.LoggingConfig();
    fn.getSpec().logging.logFormat = LambdaFunctionSpec.LogFormat.JSON;
    fn.getSpec().logging.applicationLogLevel = LambdaFunctionSpec.LogLevel.INFO;
    fn.getSpec().environment = List.of(EnvVars.literal("ALPHA", "1"), EnvVars.literal("BETA", "2"));
    fn.getSpec().tags = Map.of("team", "shop", "tier", "gold");
    kube.resource(fn).create();
    awaitReady("steady");
    long writes = writes("steady");
    long reads = calls("steady", "GetFunction");
    // Three resync periods pass: the function is read again, nothing is written. The period is the shared
    // operator's effective one: longer than E2e.RESYNC once the resources earlier classes left exceed the drift
    // reads' share of the request budget (ResyncSpread).
    Duration period = E2e.operator().effectiveResyncPeriod();
    await().during(period.multipliedBy(3)).atMost(period.multipliedBy(4))
        .until(() -> writes("steady") == writes);
    assertTrue(calls("steady", "GetFunction") >= reads + 2, "resyncs read the function again");
    assertEquals(List.of("1"), versions("steady"));
  }

  /** AWS writes the operator made for one function. */
  private static long writes(String functionName) {
    return E2e.operator().awsCalls().snapshot(functionName).entrySet().stream()
        .filter(e -> AwsCallCounter.isWrite(e.getKey()))
        .mapToLong(Map.Entry::getValue).sum();
  }

  private static long calls(String functionName, String operation) {
    return E2e.operator().awsCalls().snapshot(functionName).getOrDefault(operation, 0L);
  }



  static byte[] zip(String name, String content) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      out.putNextEntry(new ZipEntry(name));
      out.write(content.getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return bytes.toByteArray();
  }
}
