package dev.lambdaop.function;

import dev.lambdaop.api.EnvVars;
import static dev.lambdaop.function.TestFunctions.inline;
import static dev.lambdaop.function.TestFunctions.noReferences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.aws.FunctionConfig;
import dev.lambdaop.aws.FunctionSnapshot;
import dev.lambdaop.aws.ObservedFunction;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FunctionPlannerTest {
  /** What AWS would report right after the desired function was applied. */
  private static ObservedFunction applied(DesiredFunction d) {
    String sha = d.code() instanceof dev.lambdaop.aws.CodeSource.Zip zip ? zip.sha256() : "sha-from-s3";
    String image = d.code() instanceof dev.lambdaop.aws.CodeSource.Image i ? i.uri() : null;
    FunctionConfig observed = d.config().with(FunctionConfig.LOGGING,
        new FunctionConfig.Logging("/aws/lambda/x", "Text", null, null));
    return new ObservedFunction(new FunctionSnapshot(d.config().functionName(), "arn", "Active", null, "Successful",
        null, sha, "rev-1"), observed, image);
  }

  private static DesiredFunction desired(LambdaFunction fn) {
    return TestFunctions.resolve(fn, "eu-west-1", noReferences());
  }

  @Test
  void steadyStatePlansNothing() {
    DesiredFunction d = desired(inline("orders", "x"));
    FunctionPlan plan = FunctionPlanner.plan(d, applied(d), d.code().identity(), null);
    assertTrue(plan.isEmpty(), plan.describe());
  }

  @Test
  void newInlineSourceUpdatesCodeOnly() {
    DesiredFunction before = desired(inline("orders", "x"));
    DesiredFunction after = desired(inline("orders", "y"));
    FunctionPlan plan = FunctionPlanner.plan(after, applied(before), before.code().identity(), null);
    assertTrue(plan.updateCode());
    assertFalse(plan.updateConfiguration());
    assertEquals("code", plan.describe());
  }

  @Test
  void configurationChangesAreNamedWithoutValues() {
    LambdaFunction fn = inline("orders", "x");
    DesiredFunction before = desired(fn);
    fn.getSpec().memorySize = 512;
    fn.getSpec().environment = List.of(EnvVars.literal("TOKEN", "hidden-value"));
    FunctionPlan plan = FunctionPlanner.plan(desired(fn), applied(before), before.code().identity(), null);
    assertFalse(plan.updateCode());
    assertTrue(plan.updateConfiguration());
    assertEquals(List.of("memorySize", "environment"), plan.changedFields());
    assertFalse(plan.describe().contains("hidden-value"));
  }

  @Test
  void driftOutsideTheOperatorIsFound() {
    DesiredFunction d = desired(inline("orders", "x"));
    ObservedFunction drifted = applied(d);
    FunctionConfig c = drifted.config();
    FunctionConfig changed = c.with(FunctionConfig.TIMEOUT, 30).with(FunctionConfig.TRACING_MODE, "Active");
    FunctionPlan plan = FunctionPlanner.plan(d, new ObservedFunction(drifted.snapshot(), changed, null),
        d.code().identity(), null);
    assertEquals(List.of("timeout", "tracingMode"), plan.changedFields());
  }

  @Test
  void loggingLeftUnsetIsNotComparedButSetLoggingIs() {
    LambdaFunction fn = inline("orders", "x");
    DesiredFunction d = desired(fn);
    assertTrue(FunctionPlanner.plan(d, applied(d), d.code().identity(), null).isEmpty());
    fn.getSpec().logging = new LambdaFunctionSpec.LoggingConfig();
    fn.getSpec().logging.logFormat = LambdaFunctionSpec.LogFormat.JSON;
    FunctionPlan plan = FunctionPlanner.plan(desired(fn), applied(d), d.code().identity(), null);
    assertEquals(List.of("logging"), plan.changedFields());
  }

  @Test
  void loggingSettingsLeftUnsetAreNotCompared() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().logging = new LambdaFunctionSpec.LoggingConfig();
    fn.getSpec().logging.logFormat = LambdaFunctionSpec.LogFormat.JSON;
    fn.getSpec().logging.applicationLogLevel = LambdaFunctionSpec.LogLevel.INFO;
    DesiredFunction d = desired(fn);
    ObservedFunction o = applied(d);
    // AWS fills in the log group and the system log level the spec left out.
    ObservedFunction asAws = new ObservedFunction(o.snapshot(),
        o.config().with(FunctionConfig.LOGGING, new FunctionConfig.Logging("/aws/lambda/orders", "JSON", "INFO", "WARN")),
        null);
    assertTrue(FunctionPlanner.plan(d, asAws, d.code().identity(), null).isEmpty());
    ObservedFunction changed = new ObservedFunction(o.snapshot(),
        o.config().with(FunctionConfig.LOGGING, new FunctionConfig.Logging("/aws/lambda/orders", "JSON", "DEBUG", "WARN")),
        null);
    assertEquals(List.of("logging"), FunctionPlanner.plan(d, changed, d.code().identity(), null).changedFields());
    ObservedFunction notReported = new ObservedFunction(o.snapshot(), o.config().with(FunctionConfig.LOGGING, null), null);
    assertTrue(FunctionPlanner.plan(d, notReported, d.code().identity(), null).isEmpty());
  }

  @Test
  void ipv6ForDualStackFalseIsWhatAwsReportsAsUnset() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().vpcConfig = new LambdaFunctionSpec.VpcConfig();
    fn.getSpec().vpcConfig.subnetIds = List.of("subnet-0a1b2c3d");
    fn.getSpec().vpcConfig.securityGroupIds = List.of("sg-0a1b2c3d");
    fn.getSpec().vpcConfig.ipv6AllowedForDualStack = false;
    DesiredFunction d = desired(fn);
    ObservedFunction o = applied(d);
    // AWS (and moto) leave false out: it reads back as null.
    FunctionConfig.Vpc reported = new FunctionConfig.Vpc(List.of("subnet-0a1b2c3d"), List.of("sg-0a1b2c3d"), null);
    ObservedFunction asAws = new ObservedFunction(o.snapshot(), o.config().with(FunctionConfig.VPC, reported), null);
    assertTrue(FunctionPlanner.plan(d, asAws, d.code().identity(), null).isEmpty());
    assertEquals(List.of(), FunctionPlanner.configurationChanges(d.config(), asAws.config()), "not 'not applied'");

    // true still differs from unset, both ways, and the VPC itself is still compared.
    fn.getSpec().vpcConfig.ipv6AllowedForDualStack = true;
    assertEquals(List.of("vpc"), FunctionPlanner.plan(desired(fn), asAws, d.code().identity(), null).changedFields());
    fn.getSpec().vpcConfig.ipv6AllowedForDualStack = null;
    ObservedFunction ipv6 = new ObservedFunction(o.snapshot(), o.config().with(FunctionConfig.VPC,
        new FunctionConfig.Vpc(List.of("subnet-0a1b2c3d"), List.of("sg-0a1b2c3d"), true)), null);
    assertEquals(List.of("vpc"), FunctionPlanner.plan(desired(fn), ipv6, d.code().identity(), null).changedFields());
    ObservedFunction otherSubnet = new ObservedFunction(o.snapshot(), o.config().with(FunctionConfig.VPC,
        new FunctionConfig.Vpc(List.of("subnet-0a1b2c3e"), List.of("sg-0a1b2c3d"), null)), null);
    assertEquals(List.of("vpc"), FunctionPlanner.plan(d, otherSubnet, d.code().identity(), null).changedFields());
    ObservedFunction noVpc = new ObservedFunction(o.snapshot(), o.config().with(FunctionConfig.VPC, null), null);
    assertEquals(List.of("vpc"), FunctionPlanner.plan(d, noVpc, d.code().identity(), null).changedFields());
  }

  @Test
  void architectureTravelsWithTheCode() {
    LambdaFunction fn = inline("orders", "x");
    DesiredFunction before = desired(fn);
    fn.getSpec().architectures = List.of(LambdaFunctionSpec.Architecture.ARM64);
    FunctionPlan plan = FunctionPlanner.plan(desired(fn), applied(before), before.code().identity(), null);
    assertTrue(plan.updateCode());
    assertFalse(plan.updateConfiguration());
  }

  @Test
  void tagsAreAddedChangedAndRemovedButAwsTagsAreLeftAlone() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().tags = Map.of("team", "shop", "tier", "gold");
    DesiredFunction d = desired(fn);
    ObservedFunction o = applied(d);
    TreeMap<String, String> awsTags = new TreeMap<>(Map.of("team", "web", "old", "x", "aws:cloudformation:stack-name",
        "s", DesiredFunction.OWNER_TAG, "cluster-a/shop/orders"));
    ObservedFunction tagged = new ObservedFunction(o.snapshot(), o.config().withTags(awsTags), null);
    FunctionPlan plan = FunctionPlanner.plan(d, tagged, d.code().identity(), null);
    assertEquals(Map.of("team", "shop", "tier", "gold"), plan.tagsToSet());
    assertEquals(Set.of("old"), plan.tagsToRemove());
    assertFalse(plan.updateConfiguration());
  }

  @Test
  void s3CodeRedeploysOnANewIdentityOrCodeReplacedOutsideTheOperator() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().code.inline = null;
    fn.getSpec().code.s3 = new LambdaFunctionSpec.S3Code();
    fn.getSpec().code.s3.bucket = "artifacts";
    fn.getSpec().code.s3.key = "orders.zip";
    DesiredFunction d = desired(fn);
    ObservedFunction o = applied(d);
    assertFalse(FunctionPlanner.plan(d, o, d.code().identity(), "sha-from-s3").updateCode());
    assertTrue(FunctionPlanner.plan(d, o, "s3:artifacts/other.zip", "sha-from-s3").updateCode());
    assertTrue(FunctionPlanner.plan(d, o, d.code().identity(), "another-sha").updateCode());
  }

  @Test
  void imageCodeComparesTheUri() {
    LambdaFunction fn = inline("orders", "x");
    fn.getSpec().code.inline = null;
    fn.getSpec().runtime = null;
    fn.getSpec().handler = null;
    fn.getSpec().code.imageUri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:1";
    DesiredFunction d = desired(fn);
    ObservedFunction o = applied(d);
    assertFalse(FunctionPlanner.plan(d, o, null, null).updateCode());
    fn.getSpec().code.imageUri = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:2";
    assertTrue(FunctionPlanner.plan(desired(fn), o, null, null).updateCode());
  }
}
