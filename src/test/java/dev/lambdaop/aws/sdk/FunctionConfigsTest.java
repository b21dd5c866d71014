package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.EnvVars;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.aws.CodeObjects;
import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionConfig;
import dev.lambdaop.function.DesiredFunction;
import dev.lambdaop.function.ReferenceResolver;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.testbed.SampleFunctions;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.ImageConfig;
import software.amazon.awssdk.services.lambda.model.ImageConfigResponse;
import software.amazon.awssdk.services.lambda.model.Layer;
import software.amazon.awssdk.services.lambda.model.PackageType;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionConfigurationRequest;

/**
 * Every configuration field on the wire: what CreateFunction and UpdateFunctionConfiguration send, and that the
 * function as AWS then reports it reads back equal to the spec (else every resync would write).
 */
class FunctionConfigsTest {
  private static final String ROLE = "arn:aws:iam::123456789012:role/lambda-exec";
  private static final String KMS = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  private static final String LAYER = "arn:aws:lambda:eu-west-1:123456789012:layer:deps:3";
  private static final String DLQ = "arn:aws:sqs:eu-west-1:123456789012:orders-dlq";
  private static final String IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:1";

  private static final ReferenceResolver REFERENCES = new ReferenceResolver() {
    @Override
    public String secretValue(String name, String key) {
      return "s3cr3t";
    }

    @Override
    public String configMapValue(String name, String key) {
      return "EUR";
    }
  };

  private static DesiredFunction desired(LambdaFunction fn) {
    return DesiredFunction.resolve(fn, new FunctionResolver("eu-west-1", "cluster-a", null), REFERENCES,
        (region, bucket, key, version) -> Optional.of(new CodeObjects.ObjectState("\"etag\"", version)),
        dev.lambdaop.function.DigestKey.of(new byte[32]));
  }

  private static LambdaFunction minimal() {
    return SampleFunctions.inline("shop", "orders", ROLE, "x = 1\n");
  }

  private static LambdaFunction everyZipField() {
    LambdaFunction fn = minimal();
    LambdaFunctionSpec spec = fn.getSpec();
    spec.description = "every field";
    spec.memorySize = 1024;
    spec.timeout = 120;
    spec.architectures = List.of(LambdaFunctionSpec.Architecture.ARM64);
    spec.ephemeralStorage = new LambdaFunctionSpec.EphemeralStorage();
    spec.ephemeralStorage.size = 2048;
    spec.environment = List.of(EnvVars.literal("TABLE", "orders"), EnvVars.fromSecret("API_KEY", "api", "key"));
    spec.kmsKeyArn = KMS;
    spec.tracing = new LambdaFunctionSpec.TracingConfig();
    spec.tracing.mode = LambdaFunctionSpec.TracingMode.Active;
    spec.vpcConfig = new LambdaFunctionSpec.VpcConfig();
    spec.vpcConfig.subnetIds = List.of("subnet-0a1b2c3d");
    spec.vpcConfig.securityGroupIds = List.of("sg-0a1b2c3d");
    spec.vpcConfig.ipv6AllowedForDualStack = true;
    spec.layers = List.of(LAYER);
    spec.deadLetterConfig = new LambdaFunctionSpec.DeadLetterConfig();
    spec.deadLetterConfig.targetArn = DLQ;
    spec.logging = new LambdaFunctionSpec.LoggingConfig();
    spec.logging.logGroup = "/custom/orders";
    spec.logging.logFormat = LambdaFunctionSpec.LogFormat.JSON;
    spec.logging.applicationLogLevel = LambdaFunctionSpec.LogLevel.INFO;
    spec.logging.systemLogLevel = LambdaFunctionSpec.LogLevel.WARN;
    spec.tags = Map.of("team", "shop");
    return fn;
  }

  private static LambdaFunction image() {
    LambdaFunction fn = minimal();
    fn.getSpec().runtime = null;
    fn.getSpec().handler = null;
    fn.getSpec().code.inline = null;
    fn.getSpec().code.imageUri = IMAGE;
    return fn;
  }

  private static SdkBytes zip(DesiredFunction d) {
    return SdkBytes.fromByteArray(((CodeSource.Zip) d.code()).bytes());
  }

  @Test
  void everyDeclaredFieldIsListedOnceAndHasItsWire() throws Exception {
    List<FunctionConfig.Field<?>> declared = new ArrayList<>();
    for (java.lang.reflect.Field f : FunctionConfig.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == FunctionConfig.Field.class) {
        declared.add((FunctionConfig.Field<?>) f.get(null));
      }
    }
    assertEquals(Set.copyOf(declared), Set.copyOf(FunctionConfig.FIELDS));
    assertEquals(declared.size(), FunctionConfig.FIELDS.size());
    // Reading a function back goes through every field's wire; the class refuses to load without all of them.
    FunctionConfig read = FunctionConfigs.fromAws(FunctionConfiguration.builder().build(), Map.of());
    assertEquals(128, read.get(FunctionConfig.MEMORY_SIZE));
  }

  @Test
  void theNamesOfTheFieldsAreWhatEventsAndTheDigestHaveAlwaysCalledThem() {
    assertEquals(List.of("functionName", "role", "runtime", "handler", "description", "memorySize", "timeout",
        "architecture", "ephemeralStorageSize", "environment", "kmsKeyArn", "tracingMode", "vpc", "layers",
        "deadLetterTargetArn", "logging", "tags", "imageConfig"),
        FunctionConfig.FIELDS.stream().map(FunctionConfig.Field::name).toList());
  }

  @Test
  void createSendsEveryFieldTheSpecSets() {
    DesiredFunction d = desired(everyZipField());
    CreateFunctionRequest expected = CreateFunctionRequest.builder()
        .functionName("orders").role(ROLE).description("every field").memorySize(1024).timeout(120)
        .architecturesWithStrings("arm64")
        .ephemeralStorage(e -> e.size(2048))
        .tracingConfig(t -> t.mode("Active"))
        .publish(false)
        .code(c -> c.zipFile(zip(d)))
        .packageType(PackageType.ZIP).runtime("python3.12").handler("index.handler")
        .environment(e -> e.variables(Map.of("API_KEY", "s3cr3t", "TABLE", "orders")))
        .kmsKeyArn(KMS)
        .vpcConfig(v -> v.subnetIds("subnet-0a1b2c3d").securityGroupIds("sg-0a1b2c3d").ipv6AllowedForDualStack(true))
        .layers(LAYER)
        .deadLetterConfig(q -> q.targetArn(DLQ))
        .loggingConfig(l -> l.logGroup("/custom/orders").logFormat("JSON").applicationLogLevel("INFO")
            .systemLogLevel("WARN"))
        .tags(Map.of("team", "shop", "lambdaop.dev/owner", "cluster-a/shop/orders"))
        .build();
    assertEquals(expected, FunctionConfigs.createRequest(d.config(), d.code()));
  }

  @Test
  void createLeavesOutWhatTheSpecDoesNotSetButAlwaysSendsTheDefaults() {
    DesiredFunction d = desired(minimal());
    CreateFunctionRequest expected = CreateFunctionRequest.builder()
        .functionName("orders").role(ROLE).description("").memorySize(128).timeout(3)
        .architecturesWithStrings("x86_64")
        .ephemeralStorage(e -> e.size(512))
        .tracingConfig(t -> t.mode("PassThrough"))
        .publish(false)
        .code(c -> c.zipFile(zip(d)))
        .packageType(PackageType.ZIP).runtime("python3.12").handler("index.handler")
        .tags(Map.of("lambdaop.dev/owner", "cluster-a/shop/orders"))
        .build();
    assertEquals(expected, FunctionConfigs.createRequest(d.config(), d.code()));
  }

  @Test
  void createOfAnImageSendsItsOverrides() {
    LambdaFunction fn = image();
    fn.getSpec().imageConfig = new LambdaFunctionSpec.ImageConfig();
    fn.getSpec().imageConfig.command = List.of("app.handler");
    fn.getSpec().imageConfig.workingDirectory = "/app";
    DesiredFunction d = desired(fn);
    CreateFunctionRequest expected = CreateFunctionRequest.builder()
        .functionName("orders").role(ROLE).description("").memorySize(128).timeout(3)
        .architecturesWithStrings("x86_64")
        .ephemeralStorage(e -> e.size(512))
        .tracingConfig(t -> t.mode("PassThrough"))
        .publish(false)
        .code(c -> c.imageUri(IMAGE))
        .packageType(PackageType.IMAGE)
        .imageConfig(i -> i.command("app.handler").workingDirectory("/app"))
        .tags(Map.of("lambdaop.dev/owner", "cluster-a/shop/orders"))
        .build();
    assertEquals(expected, FunctionConfigs.createRequest(d.config(), d.code()));
  }

  @Test
  void updateSendsEveryField() {
    DesiredFunction d = desired(everyZipField());
    UpdateFunctionConfigurationRequest expected = UpdateFunctionConfigurationRequest.builder()
        .functionName("orders").revisionId("rev-1").role(ROLE).description("every field").memorySize(1024)
        .timeout(120)
        .ephemeralStorage(e -> e.size(2048))
        .environment(e -> e.variables(Map.of("API_KEY", "s3cr3t", "TABLE", "orders")))
        .kmsKeyArn(KMS)
        .tracingConfig(t -> t.mode("Active"))
        .vpcConfig(v -> v.subnetIds("subnet-0a1b2c3d").securityGroupIds("sg-0a1b2c3d").ipv6AllowedForDualStack(true))
        .deadLetterConfig(q -> q.targetArn(DLQ))
        .runtime("python3.12").handler("index.handler").layers(LAYER)
        .loggingConfig(l -> l.logGroup("/custom/orders").logFormat("JSON").applicationLogLevel("INFO")
            .systemLogLevel("WARN"))
        .build();
    assertEquals(expected, FunctionConfigs.updateConfigurationRequest(d.config(), false, "rev-1"));
  }

  @Test
  void updateClearsWhatTheSpecNoLongerSets() {
    DesiredFunction d = desired(minimal());
    UpdateFunctionConfigurationRequest expected = UpdateFunctionConfigurationRequest.builder()
        .functionName("orders").revisionId("rev-1").role(ROLE).description("").memorySize(128).timeout(3)
        .ephemeralStorage(e -> e.size(512))
        .environment(e -> e.variables(Map.of()))
        .kmsKeyArn("")
        .tracingConfig(t -> t.mode("PassThrough"))
        .vpcConfig(v -> v.subnetIds(List.of()).securityGroupIds(List.of()))
        .deadLetterConfig(q -> q.targetArn(""))
        .runtime("python3.12").handler("index.handler").layers(List.of())
        .build();
    assertEquals(expected, FunctionConfigs.updateConfigurationRequest(d.config(), false, "rev-1"));
  }

  @Test
  void updateOfAnImageClearsItsOverridesAndSendsNoRuntime() {
    DesiredFunction d = desired(image());
    UpdateFunctionConfigurationRequest expected = UpdateFunctionConfigurationRequest.builder()
        .functionName("orders").revisionId(null).role(ROLE).description("").memorySize(128).timeout(3)
        .ephemeralStorage(e -> e.size(512))
        .environment(e -> e.variables(Map.of()))
        .kmsKeyArn("")
        .tracingConfig(t -> t.mode("PassThrough"))
        .vpcConfig(v -> v.subnetIds(List.of()).securityGroupIds(List.of()))
        .deadLetterConfig(q -> q.targetArn(""))
        .imageConfig(ImageConfig.builder().build())
        .build();
    assertEquals(expected, FunctionConfigs.updateConfigurationRequest(d.config(), true, null));
  }

  @Test
  void updateCodeCarriesTheArchitecture() {
    DesiredFunction d = desired(everyZipField());
    assertEquals(List.of("arm64"), FunctionConfigs.updateCodeRequest("orders", d.code(), "arm64", "rev-1")
        .architecturesAsStrings());
  }

  @Test
  void everyFieldAsAwsReportsItReadsBackAsTheSpec() {
    DesiredFunction d = desired(everyZipField());
    FunctionConfiguration reported = FunctionConfiguration.builder()
        .functionName("orders").role(ROLE).runtime("python3.12").handler("index.handler")
        .description("every field").memorySize(1024).timeout(120)
        .architecturesWithStrings("arm64")
        .ephemeralStorage(e -> e.size(2048))
        .environment(e -> e.variables(Map.of("API_KEY", "s3cr3t", "TABLE", "orders")))
        .kmsKeyArn(KMS)
        .tracingConfig(t -> t.mode("Active"))
        .vpcConfig(v -> v.subnetIds("subnet-0a1b2c3d").securityGroupIds("sg-0a1b2c3d").ipv6AllowedForDualStack(true)
            .vpcId("vpc-1"))
        .layers(Layer.builder().arn(LAYER).codeSize(10L).build())
        .deadLetterConfig(q -> q.targetArn(DLQ))
        .loggingConfig(l -> l.logGroup("/custom/orders").logFormat("JSON").applicationLogLevel("INFO")
            .systemLogLevel("WARN"))
        .build();
    var observed = FunctionConfigs.fromAws(reported, Map.of("team", "shop", "lambdaop.dev/owner", "cluster-a/shop/orders"));
    assertEquals(d.config(), observed);
  }

  @Test
  void whatAwsLeavesOutReadsBackAsTheDefaults() {
    DesiredFunction d = desired(minimal());
    FunctionConfiguration reported = FunctionConfiguration.builder()
        .functionName("orders").role(ROLE).runtime("python3.12").handler("index.handler")
        .kmsKeyArn("").deadLetterConfig(q -> q.targetArn(""))
        .build();
    assertEquals(d.config(), FunctionConfigs.fromAws(reported, Map.of("lambdaop.dev/owner", "cluster-a/shop/orders")));
  }

  @Test
  void imageOverridesReadBackAsTheSpec() {
    LambdaFunction fn = image();
    fn.getSpec().imageConfig = new LambdaFunctionSpec.ImageConfig();
    fn.getSpec().imageConfig.entryPoint = List.of("/bin/app");
    DesiredFunction d = desired(fn);
    FunctionConfiguration reported = FunctionConfiguration.builder()
        .functionName("orders").role(ROLE).description("").memorySize(128).timeout(3)
        .imageConfigResponse(ImageConfigResponse.builder()
            .imageConfig(i -> i.entryPoint("/bin/app").command(List.of()).workingDirectory("")).build())
        .build();
    assertEquals(d.config(), FunctionConfigs.fromAws(reported, Map.of("lambdaop.dev/owner", "cluster-a/shop/orders")));
    assertTrue(FunctionConfigs.fromAws(FunctionConfiguration.builder().functionName("orders").build(), Map.of())
        .toString().contains("orders"));
  }
}
