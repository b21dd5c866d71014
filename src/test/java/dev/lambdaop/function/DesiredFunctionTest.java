package dev.lambdaop.function;

import dev.lambdaop.reconcile.SpecProblem;

import static dev.lambdaop.api.EnvVars.fromSecret;
import static dev.lambdaop.function.TestFunctions.inline;
import static dev.lambdaop.api.EnvVars.literal;
import static dev.lambdaop.function.TestFunctions.noReferences;
import static dev.lambdaop.function.TestFunctions.references;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionConfig;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.aws.CodeObjects;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DesiredFunctionTest {
  @Test
  void defaultsMatchAwsDefaultsAndTheNameDefaultsToMetadataName() {
    DesiredFunction d = TestFunctions.resolve(inline("orders", "x"), "eu-west-1", noReferences());
    assertEquals("eu-west-1", d.region());
    assertEquals("orders", d.config().functionName());
    assertEquals(128, d.config().get(FunctionConfig.MEMORY_SIZE));
    assertEquals(3, d.config().get(FunctionConfig.TIMEOUT));
    assertEquals("x86_64", d.config().architecture());
    assertEquals("", d.config().get(FunctionConfig.DESCRIPTION));
    assertEquals("cluster-a/shop/orders", d.config().tags().get(DesiredFunction.OWNER_TAG));
    assertInstanceOf(CodeSource.Zip.class, d.code());
  }

  @Test
  void specRegionAndFunctionNameWin() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().region = "us-west-2";
    fn.getSpec().functionName = "orders-api";
    DesiredFunction d = TestFunctions.resolve(fn, "eu-west-1", noReferences());
    assertEquals("us-west-2", d.region());
    assertEquals("orders-api", d.config().functionName());
  }

  @Test
  void environmentResolvesSecretReferences() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().environment = List.of(literal("TABLE", "orders"), fromSecret("API_KEY", "orders-secrets", "apiKey"));
    DesiredFunction d = TestFunctions.resolve(fn, "eu-west-1",
        references(Map.of("orders-secrets/apiKey", "s3cr3t"), Map.of()));
    assertEquals(Map.of("TABLE", "orders", "API_KEY", "s3cr3t"), d.config().environment());
    assertFalse(d.config().toString().contains("s3cr3t"), "toString must not show environment values");
  }

  @Test
  void aMissingSecretIsASpecProblemNamingIt() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().environment = List.of(fromSecret("API_KEY", "orders-secrets", "apiKey"));
    SpecProblem p = assertThrows(SpecProblem.class, () -> TestFunctions.resolve(fn, "eu-west-1", noReferences()));
    assertEquals("SecretNotFound", p.reason());
    assertTrue(p.getMessage().contains("orders-secrets"));
  }

  @Test
  void environmentOver4KbAsAwsMeasuresItIsRefusedWithItsSize() {
    // AWS measures the JSON of the Variables map: {"BIG":"vvv..."} is the value plus 10 bytes; {"A":""} is 8.
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().environment = List.of(literal("BIG", "v".repeat(4087)));
    SpecProblem p = assertThrows(SpecProblem.class, () -> TestFunctions.resolve(fn, "eu-west-1", noReferences()));
    assertEquals("EnvironmentTooLarge", p.reason());
    assertTrue(p.getMessage().contains("4097 bytes"), p.getMessage());

    fn.getSpec().environment = List.of(literal("BIG", "v".repeat(4086)));
    assertEquals(4086, TestFunctions.resolve(fn, "eu-west-1", noReferences()).config().environment().get("BIG").length());
  }

  @Test
  void environmentSizeCountsJsonSyntaxEscapingAndUtf8() {
    assertEquals(2, DesiredFunction.environmentSize(Map.of()));
    assertEquals("{\"A\":\"x\",\"B\":\"y\"}".length(),
        DesiredFunction.environmentSize(new java.util.TreeMap<>(Map.of("A", "x", "B", "y"))));
    assertEquals(8 + 4, DesiredFunction.environmentSize(Map.of("A", "\"\\")), "quote and backslash escaped");
    assertEquals(8 + 2 + 6, DesiredFunction.environmentSize(Map.of("A", "\n\u0001")), "control characters escaped");
    assertEquals(8 + 2, DesiredFunction.environmentSize(Map.of("A", "\u00e9")), "é is 2 bytes of UTF-8");
  }

  @Test
  void escapingCountsAtTheBoundary() {
    LambdaFunction fn = inline("orders", "x");
    // 4084 plain bytes + one quote written as \" (2 bytes) = 4086: exactly 4096 with the JSON around it.
    fn.getSpec().environment = List.of(literal("BIG", "v".repeat(4084) + "\""));
    assertEquals(4085, TestFunctions.resolve(fn, "r", noReferences()).config().environment().get("BIG").length());
    fn.getSpec().environment = List.of(literal("BIG", "v".repeat(4085) + "\""));
    SpecProblem p = assertThrows(SpecProblem.class, () -> TestFunctions.resolve(fn, "r", noReferences()));
    assertTrue(p.getMessage().contains("4097 bytes"), p.getMessage());
  }

  @Test
  void digestIsStableAndIgnoresTagsButFollowsCodeAndConfiguration() {
    LambdaFunction fn = inline("orders", "x");
    String digest = TestFunctions.resolve(fn, "eu-west-1", noReferences()).specDigest();
    assertEquals(digest, TestFunctions.resolve(inline("orders", "x"), "eu-west-1", noReferences()).specDigest());

    fn.getSpec().tags = Map.of("team", "shop");
    assertEquals(digest, TestFunctions.resolve(fn, "eu-west-1", noReferences()).specDigest());

    fn.getSpec().memorySize = 256;
    String configChanged = TestFunctions.resolve(fn, "eu-west-1", noReferences()).specDigest();
    assertNotEquals(digest, configChanged);

    assertNotEquals(digest, TestFunctions.resolve(inline("orders", "y"), "eu-west-1", noReferences()).specDigest());
  }

  @Test
  void aChangedSecretValueChangesTheDigestWithoutShowingTheValue() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().environment = List.of(fromSecret("API_KEY", "s", "k"));
    String one = TestFunctions.resolve(fn, "r", references(Map.of("s/k", "one"), Map.of())).specDigest();
    String two = TestFunctions.resolve(fn, "r", references(Map.of("s/k", "two"), Map.of())).specDigest();
    assertNotEquals(one, two);
    assertEquals(16, one.length());
  }

  @Test
  void s3AndImageSourcesCarryTheirIdentity() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().code.inline = null;
    fn.getSpec().code.s3 = new LambdaFunctionSpec.S3Code();
    fn.getSpec().code.s3.bucket = "artifacts";
    fn.getSpec().code.s3.key = "orders.zip";
    fn.getSpec().code.s3.objectVersion = "v3";
    assertEquals("s3:artifacts/orders.zip?versionId=v3#etag=etag-1",
        TestFunctions.resolve(fn, "r", noReferences()).code().identity());

    fn.getSpec().code.s3 = null;
    fn.getSpec().code.imageUri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:1";
    assertEquals("image:123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:1",
        TestFunctions.resolve(fn, "r", noReferences()).code().identity());
  }

  @Test
  void anS3ObjectOverwrittenAtTheSameKeyIsANewIdentity() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().code.inline = null;
    fn.getSpec().code.s3 = new LambdaFunctionSpec.S3Code();
    fn.getSpec().code.s3.bucket = "artifacts";
    fn.getSpec().code.s3.key = "orders.zip";
    DesiredFunction.S3Objects before = (r, b, k, v) -> Optional.of(new CodeObjects.ObjectState("\"aaa\"", null));
    DesiredFunction.S3Objects after = (r, b, k, v) -> Optional.of(new CodeObjects.ObjectState("\"bbb\"", null));
    DesiredFunction one = DesiredFunction.resolve(fn, new FunctionResolver("r", "cluster-a", null), noReferences(), before, TestFunctions.KEY);
    DesiredFunction two = DesiredFunction.resolve(fn, new FunctionResolver("r", "cluster-a", null), noReferences(), after, TestFunctions.KEY);
    assertEquals("s3:artifacts/orders.zip#etag=aaa", one.code().identity());
    assertNotEquals(one.specDigest(), two.specDigest());
  }

  @Test
  void aVersionedObjectIsPinnedToTheVersionSeen() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().code.inline = null;
    fn.getSpec().code.s3 = new LambdaFunctionSpec.S3Code();
    fn.getSpec().code.s3.bucket = "artifacts";
    fn.getSpec().code.s3.key = "orders.zip";
    DesiredFunction d = DesiredFunction.resolve(fn, new FunctionResolver("r", "cluster-a", null), noReferences(),
        (r, b, k, v) -> Optional.of(new CodeObjects.ObjectState("\"aaa\"", "v9")), TestFunctions.KEY);
    assertEquals("v9", ((CodeSource.S3) d.code()).objectVersion());
  }

  @Test
  void aMissingS3ObjectIsRetriedWithBackoff() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().code.inline = null;
    fn.getSpec().code.s3 = new LambdaFunctionSpec.S3Code();
    fn.getSpec().code.s3.bucket = "artifacts";
    fn.getSpec().code.s3.key = "orders.zip";
    AwsFailure f = assertThrows(AwsFailure.class,
        () -> DesiredFunction.resolve(fn, new FunctionResolver("r", "cluster-a", null), noReferences(), (r, b, k, v) -> Optional.empty(), TestFunctions.KEY));
    assertEquals("CodeNotFound", f.reason());
    assertEquals(AwsFailure.Retry.BACKOFF, f.retry());
  }

  @Test
  void publishingIsOnByDefault() {
    LambdaFunctionSpec spec = inline("orders", "x").getSpec();
    assertTrue(DesiredFunction.publishes(spec));
    spec.versions = new LambdaFunctionSpec.VersionPolicy();
    spec.versions.publish = false;
    assertFalse(DesiredFunction.publishes(spec));
  }
}
