package dev.lambdaop.function;

import static dev.lambdaop.api.EnvVars.fromConfigMap;
import static dev.lambdaop.api.EnvVars.fromSecret;
import static dev.lambdaop.api.EnvVars.literal;
import static dev.lambdaop.function.TestFunctions.inline;
import static dev.lambdaop.function.TestFunctions.references;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.aws.CodeObjects;
import dev.lambdaop.reconcile.FunctionResolver;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The digest a refused spec is remembered by ({@link DesiredFunction#attemptDigest()}) covers every field of the
 * spec and every value it resolves to, so that any change is tried again; the digest that names versions
 * ({@link DesiredFunction#specDigest()}) stays what a version captures, so that such a change publishes nothing.
 */
class AttemptDigestTest {
  private static final ReferenceResolver REFERENCES =
      references(Map.of("api/key", "s3cr3t"), Map.of("settings/currency", "EUR"));

  /** One edit per field of LambdaFunctionSpec: a field added to the spec must be added here (see below). */
  private static final Map<String, Consumer<LambdaFunctionSpec>> EDITS = Map.ofEntries(
      Map.entry("functionName", s -> s.functionName = "orders-v2"),
      Map.entry("region", s -> s.region = "us-west-2"),
      Map.entry("role", s -> s.role = "arn:aws:iam::123456789012:role/other"),
      Map.entry("runtime", s -> s.runtime = "python3.13"),
      Map.entry("handler", s -> s.handler = "main.handler"),
      Map.entry("description", s -> s.description = "changed"),
      Map.entry("memorySize", s -> s.memorySize = 256),
      Map.entry("timeout", s -> s.timeout = 30),
      Map.entry("architectures", s -> s.architectures = List.of(LambdaFunctionSpec.Architecture.ARM64)),
      Map.entry("ephemeralStorage", s -> {
        s.ephemeralStorage = new LambdaFunctionSpec.EphemeralStorage();
        s.ephemeralStorage.size = 1024;
      }),
      Map.entry("code", s -> s.code.inline.files = Map.of("index.py", "x = 2\n")),
      Map.entry("imageConfig", s -> {
        s.imageConfig = new LambdaFunctionSpec.ImageConfig();
        s.imageConfig.workingDirectory = "/app";
      }),
      Map.entry("environment", s -> s.environment = List.of(literal("TABLE", "orders"))),
      Map.entry("kmsKeyArn", s -> s.kmsKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/abcd"),
      Map.entry("tracing", s -> {
        s.tracing = new LambdaFunctionSpec.TracingConfig();
        s.tracing.mode = LambdaFunctionSpec.TracingMode.Active;
      }),
      Map.entry("vpcConfig", s -> s.vpcConfig.ipv6AllowedForDualStack = true),
      Map.entry("layers", s -> s.layers = List.of("arn:aws:lambda:eu-west-1:123456789012:layer:deps:3")),
      Map.entry("deadLetterConfig", s -> {
        s.deadLetterConfig = new LambdaFunctionSpec.DeadLetterConfig();
        s.deadLetterConfig.targetArn = "arn:aws:sqs:eu-west-1:123456789012:dlq";
      }),
      Map.entry("logging", s -> {
        s.logging = new LambdaFunctionSpec.LoggingConfig();
        s.logging.logFormat = LambdaFunctionSpec.LogFormat.JSON;
      }),
      Map.entry("tags", s -> s.tags = Map.of("team", "payments")),
      Map.entry("versions", s -> s.versions.retain = 2),
      Map.entry("deletionPolicy", s -> s.deletionPolicy = LambdaFunctionSpec.DeletionPolicy.Retain));

  /**
   * Fields that a published version does not capture: a change of them must not publish. The region is not either:
   * a function in another region is another function, with versions of its own (and the region is immutable).
   */
  private static final Set<String> NOT_VERSIONED = Set.of("tags", "versions", "deletionPolicy", "region");

  private static LambdaFunction base() {
    LambdaFunction fn = inline("orders", "x = 1\n");
    LambdaFunctionSpec spec = fn.getSpec();
    spec.vpcConfig = new LambdaFunctionSpec.VpcConfig();
    spec.vpcConfig.subnetIds = List.of("subnet-0a1b2c3d");
    spec.vpcConfig.securityGroupIds = List.of("sg-0a1b2c3d");
    spec.vpcConfig.ipv6AllowedForDualStack = false;
    spec.tags = Map.of("team", "shop");
    spec.versions = new LambdaFunctionSpec.VersionPolicy();
    spec.versions.retain = 10;
    spec.deletionPolicy = LambdaFunctionSpec.DeletionPolicy.Delete;
    return fn;
  }

  private static DesiredFunction resolve(LambdaFunction fn) {
    return TestFunctions.resolve(fn, "eu-west-1", REFERENCES);
  }

  @Test
  void everyFieldOfTheSpecHasAnEditHere() {
    Set<String> fields = Arrays.stream(LambdaFunctionSpec.class.getFields())
        .filter(f -> !Modifier.isStatic(f.getModifiers()))
        .map(Field::getName)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(fields, new TreeSet<>(EDITS.keySet()),
        "a new spec field needs an edit in EDITS (and NOT_VERSIONED when a version does not capture it)");
  }

  @Test
  void everyFieldChangesTheAttemptDigestAndOnlyVersionedOnesTheSpecDigest() {
    DesiredFunction before = resolve(base());
    EDITS.forEach((field, edit) -> {
      LambdaFunction fn = base();
      edit.accept(fn.getSpec());
      DesiredFunction after = resolve(fn);
      assertNotEquals(before.attemptDigest(), after.attemptDigest(), field + " is a new attempt");
      if (NOT_VERSIONED.contains(field)) {
        assertEquals(before.specDigest(), after.specDigest(), field + " publishes no version");
      } else {
        assertNotEquals(before.specDigest(), after.specDigest(), field + " is captured by a version");
      }
    });
  }

  @Test
  void theSameSpecHasTheSameAttemptDigest() {
    assertEquals(resolve(base()).attemptDigest(), resolve(base()).attemptDigest());
    assertEquals(16, resolve(base()).attemptDigest().length());
    assertNotEquals(resolve(base()).specDigest(), resolve(base()).attemptDigest(), "two different digests");
  }

  @Test
  void referencedValuesAndTheS3ObjectAreNewAttempts() {
    LambdaFunction fn = base();
    fn.getSpec().environment = List.of(fromConfigMap("CURRENCY", "settings", "currency"));
    String eur = resolve(fn).attemptDigest();
    String usd = TestFunctions.resolve(fn, "eu-west-1",
        references(Map.of(), Map.of("settings/currency", "USD"))).attemptDigest();
    assertNotEquals(eur, usd);

    LambdaFunction s3 = base();
    s3.getSpec().code.inline = null;
    s3.getSpec().code.s3 = new LambdaFunctionSpec.S3Code();
    s3.getSpec().code.s3.bucket = "artifacts";
    s3.getSpec().code.s3.key = "orders.zip";
    FunctionResolver functions = new FunctionResolver("eu-west-1", "cluster-a", null);
    String one = DesiredFunction.resolve(s3, functions, REFERENCES,
        (r, b, k, v) -> Optional.of(new CodeObjects.ObjectState("\"aaa\"", null)), TestFunctions.KEY).attemptDigest();
    String two = DesiredFunction.resolve(s3, functions, REFERENCES,
        (r, b, k, v) -> Optional.of(new CodeObjects.ObjectState("\"bbb\"", null)), TestFunctions.KEY).attemptDigest();
    assertNotEquals(one, two, "the object overwritten at the same key");
  }

  @Test
  void aSecretValueIsDigestedWithTheInstallationsKeyOnly() {
    LambdaFunction fn = base();
    fn.getSpec().environment = List.of(fromSecret("API_KEY", "api", "key"));
    FunctionResolver functions = new FunctionResolver("eu-west-1", "cluster-a", null);
    DigestKey one = DigestKey.of("one".getBytes(StandardCharsets.UTF_8));
    DigestKey two = DigestKey.of("two".getBytes(StandardCharsets.UTF_8));
    DesiredFunction d = DesiredFunction.resolve(fn, functions, REFERENCES, TestFunctions.s3(), one);
    String other = DesiredFunction.resolve(fn, functions,
        references(Map.of("api/key", "0th3r"), Map.of()), TestFunctions.s3(), one).attemptDigest();
    assertNotEquals(d.attemptDigest(), other, "a new Secret value is a new attempt");
    assertNotEquals(d.attemptDigest(),
        DesiredFunction.resolve(fn, functions, REFERENCES, TestFunctions.s3(), two).attemptDigest(), "keyed");
    // Without the key nobody finds it: the unkeyed digest of the same content differs.
    assertNotEquals(d.attemptDigest(),
        DesiredFunction.attemptDigest(fn.getSpec(), d.region(), d.config(), d.code(), null));
    assertEquals(d.attemptDigest(), DesiredFunction.attemptDigest(fn.getSpec(), d.region(), d.config(), d.code(), one));
    assertTrue(d.secretVariables().contains("API_KEY"));
  }
}
