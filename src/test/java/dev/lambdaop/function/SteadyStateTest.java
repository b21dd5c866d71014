package dev.lambdaop.function;

import dev.lambdaop.api.EnvVars;
import static dev.lambdaop.function.TestFunctions.inline;
import static dev.lambdaop.function.TestFunctions.noReferences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionConfig;
import dev.lambdaop.aws.sdk.FunctionConfigs;
import dev.lambdaop.aws.FunctionSnapshot;
import dev.lambdaop.aws.ObservedFunction;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;

/**
 * A function exactly as AWS reports it after creating it from a spec must plan no write: AWS fills in defaults
 * (tracing, /tmp size, logging, an empty VPC) that the spec leaves out, and they must not look like drift.
 */
class SteadyStateTest {
  private static ObservedFunction asAwsReports(DesiredFunction d, FunctionConfiguration.Builder extra) {
    FunctionConfiguration c = extra
        .functionName(d.config().functionName())
        .role(d.config().get(FunctionConfig.ROLE))
        .runtime(d.config().get(FunctionConfig.RUNTIME))
        .handler(d.config().get(FunctionConfig.HANDLER))
        .description(d.config().get(FunctionConfig.DESCRIPTION))
        .memorySize(d.config().get(FunctionConfig.MEMORY_SIZE))
        .timeout(d.config().get(FunctionConfig.TIMEOUT))
        .codeSha256(((CodeSource.Zip) d.code()).sha256())
        .architecturesWithStrings("x86_64")
        .ephemeralStorage(e -> e.size(512))
        .tracingConfig(t -> t.mode("PassThrough"))
        .loggingConfig(l -> l.logFormat("Text").logGroup("/aws/lambda/" + d.config().functionName()))
        .vpcConfig(v -> v.subnetIds(List.of()).securityGroupIds(List.of()))
        .build();
    return new ObservedFunction(new FunctionSnapshot(c.functionName(), "arn", "Active", null, "Successful", null,
        c.codeSha256(), null), FunctionConfigs.fromAws(c, d.config().tags()), null);
  }

  @Test
  void aMinimalSpecAsAwsReportsItPlansNothing() {
    DesiredFunction d = TestFunctions.resolve(inline("orders", "x"), "eu-west-1", noReferences());
    FunctionPlan plan = FunctionPlanner.plan(d, asAwsReports(d, FunctionConfiguration.builder()), null, null);
    assertTrue(plan.isEmpty(), "planned: " + plan.describe());
  }

  @Test
  void environmentAsAwsReportsItPlansNothing() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().environment = List.of(EnvVars.literal("TABLE", "orders"));
    DesiredFunction d = TestFunctions.resolve(fn, "eu-west-1", noReferences());
    ObservedFunction o = asAwsReports(d, FunctionConfiguration.builder()
        .environment(e -> e.variables(Map.of("TABLE", "orders"))));
    assertTrue(FunctionPlanner.plan(d, o, null, null).isEmpty());
  }

  @Test
  void aSettingRemovedFromAwsDefaultsIsStillSeen() {
    DesiredFunction d = TestFunctions.resolve(inline("orders", "x"), "eu-west-1", noReferences());
    ObservedFunction o = asAwsReports(d, FunctionConfiguration.builder());
    ObservedFunction active = new ObservedFunction(o.snapshot(), o.config()
        .with(FunctionConfig.EPHEMERAL_STORAGE_SIZE, 1024).with(FunctionConfig.TRACING_MODE, "Active"), null);
    assertEquals(List.of("ephemeralStorageSize", "tracingMode"), FunctionPlanner.plan(d, active, null, null).changedFields());
  }
}
