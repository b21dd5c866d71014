package dev.lambdaop.function;

import static dev.lambdaop.api.EnvVars.fromConfigMap;
import static dev.lambdaop.api.EnvVars.fromSecret;
import static dev.lambdaop.api.EnvVars.literal;
import static dev.lambdaop.function.TestFunctions.inline;
import static dev.lambdaop.function.TestFunctions.references;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The spec digest of a spec must never change across releases: every function whose digest changed would publish a
 * new version after an upgrade. The values below are what the operator computed before the configuration fields
 * were declared in one table; a change here is a change of every deployed function's digest. A spec with a Secret
 * value is digested with the installation's key since the keyed digest (those functions published one new version
 * then); the unkeyed digest of the same spec is pinned too, as the algorithm every other spec still uses.
 */
class SpecDigestTest {
  private static final ReferenceResolver REFERENCES =
      references(Map.of("api/key", "s3cr3t"), Map.of("settings/currency", "EUR"));

  private static String digest(LambdaFunction fn) {
    return TestFunctions.resolve(fn, "eu-west-1", REFERENCES).specDigest();
  }

  /** The digest before the keyed one: what a spec without Secret values still gets. */
  private static String unkeyed(LambdaFunction fn) {
    DesiredFunction d = TestFunctions.resolve(fn, "eu-west-1", REFERENCES);
    return DesiredFunction.digest(d.config(), d.code(), null);
  }

  @Test
  void theSmallestSpec() {
    assertEquals("a90c9e363b3123c6", digest(inline("orders", "def handler(e, c):\n    return 1\n")));
  }

  @Test
  void aSpecWithEveryZipField() {
    LambdaFunction fn = inline("orders", "x = 1\n");
    LambdaFunctionSpec spec = fn.getSpec();
    spec.functionName = "orders-api";
    spec.region = "us-west-2";
    spec.description = "every field";
    spec.memorySize = 1024;
    spec.timeout = 120;
    spec.architectures = List.of(LambdaFunctionSpec.Architecture.ARM64);
    spec.ephemeralStorage = new LambdaFunctionSpec.EphemeralStorage();
    spec.ephemeralStorage.size = 2048;
    spec.environment = List.of(literal("TABLE", "orders"), fromSecret("API_KEY", "api", "key"),
        fromConfigMap("CURRENCY", "settings", "currency"));
    spec.kmsKeyArn = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    spec.tracing = new LambdaFunctionSpec.TracingConfig();
    spec.tracing.mode = LambdaFunctionSpec.TracingMode.Active;
    spec.vpcConfig = new LambdaFunctionSpec.VpcConfig();
    spec.vpcConfig.subnetIds = List.of("subnet-0a1b2c3d", "subnet-0a1b2c3e");
    spec.vpcConfig.securityGroupIds = List.of("sg-0a1b2c3d");
    spec.layers = List.of("arn:aws:lambda:us-west-2:123456789012:layer:deps:3");
    spec.deadLetterConfig = new LambdaFunctionSpec.DeadLetterConfig();
    spec.deadLetterConfig.targetArn = "arn:aws:sqs:us-west-2:123456789012:orders-dlq";
    spec.logging = new LambdaFunctionSpec.LoggingConfig();
    spec.logging.logFormat = LambdaFunctionSpec.LogFormat.JSON;
    spec.logging.applicationLogLevel = LambdaFunctionSpec.LogLevel.INFO;
    spec.tags = Map.of("team", "shop");
    spec.versions = new LambdaFunctionSpec.VersionPolicy();
    spec.versions.retain = 3;
    spec.deletionPolicy = LambdaFunctionSpec.DeletionPolicy.Retain;
    assertEquals("ecef428ac969df47", unkeyed(fn));
    assertEquals("a7a983b9b4367c59", digest(fn), "API_KEY comes from a Secret: keyed");

    spec.vpcConfig.ipv6AllowedForDualStack = true;
    spec.logging.logGroup = "/custom/orders";
    spec.logging.systemLogLevel = LambdaFunctionSpec.LogLevel.WARN;
    spec.tracing.mode = LambdaFunctionSpec.TracingMode.PassThrough;
    assertEquals("74bf5915006dc3ca", unkeyed(fn));
    assertEquals("52c76fcda83354fe", digest(fn));
  }

  @Test
  void aContainerImage() {
    LambdaFunction fn = inline("images", "unused");
    fn.getSpec().runtime = null;
    fn.getSpec().handler = null;
    fn.getSpec().code.inline = null;
    fn.getSpec().code.imageUri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:1";
    assertEquals("baa807511390d508", digest(fn));
    fn.getSpec().imageConfig = new LambdaFunctionSpec.ImageConfig();
    fn.getSpec().imageConfig.command = List.of("app.handler");
    fn.getSpec().imageConfig.workingDirectory = "/app";
    assertEquals("c1195db6762e85bc", digest(fn));
  }

  @Test
  void anS3Object() {
    LambdaFunction fn = inline("from-s3", "unused");
    fn.getSpec().code.inline = null;
    fn.getSpec().code.s3 = new LambdaFunctionSpec.S3Code();
    fn.getSpec().code.s3.bucket = "artifacts";
    fn.getSpec().code.s3.key = "orders/1.4.2.zip";
    fn.getSpec().code.s3.objectVersion = "3HL4k";
    assertEquals("f14a4be5961d3ee5", digest(fn));
  }
}
