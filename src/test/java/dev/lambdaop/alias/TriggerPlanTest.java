package dev.lambdaop.alias;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.aws.AliasTriggers.AsyncConfig;
import dev.lambdaop.aws.AliasTriggers.Cors;
import dev.lambdaop.aws.AliasTriggers.Permission;
import dev.lambdaop.aws.AliasTriggers.Provisioned;
import dev.lambdaop.aws.AliasTriggers.UrlConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link TriggerPlan}: statement ids, policy statements by meaning, URL and async comparison, status mapping. */
class TriggerPlanTest {
  private static final String ALIAS_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:orders:live";
  private static final String API = "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/POST/orders";

  private static LambdaAliasSpec.Permission entry(String principal, String sourceArn) {
    LambdaAliasSpec.Permission p = new LambdaAliasSpec.Permission();
    p.principal = principal;
    p.sourceArn = sourceArn;
    return p;
  }

  private static Permission permission(String id, String principal, String sourceArn) {
    return new Permission(id, principal, "lambda:InvokeFunction", sourceArn, null, null, null);
  }

  private static String policy(String... statements) {
    return "{\"Version\":\"2012-10-17\",\"Id\":\"default\",\"Statement\":[" + String.join(",", statements) + "]}";
  }

  private static String statement(String sid, String principal, String action, String resource, String condition) {
    return "{\"Sid\":\"" + sid + "\",\"Effect\":\"Allow\",\"Principal\":" + principal + ",\"Action\":\"" + action
        + "\",\"Resource\":\"" + resource + "\"" + (condition == null ? "" : ",\"Condition\":" + condition) + "}";
  }

  // ---- statement ids ----

  @Test
  void aDerivedIdIsStableShortAndFollowsTheContent() {
    String id = TriggerPlan.statementId(entry("apigateway.amazonaws.com", API));
    assertEquals(id, TriggerPlan.statementId(entry("apigateway.amazonaws.com", API)));
    assertTrue(id.matches("^lambdaop-[0-9a-f]{16}$"), id);
    assertNotEquals(id, TriggerPlan.statementId(entry("apigateway.amazonaws.com", API + "x")));
    LambdaAliasSpec.Permission url = entry("apigateway.amazonaws.com", API);
    url.action = "lambda:InvokeFunction";
    assertEquals(id, TriggerPlan.statementId(url), "the default action written out is the same entry");
    url.statementId = "apigw-orders";
    assertEquals("apigw-orders", TriggerPlan.statementId(url));
  }

  @Test
  void twoEntriesWithTheSameIdAreASpecProblemNamingThem() {
    LambdaAliasSpec spec = new LambdaAliasSpec();
    spec.permissions = List.of(entry("s3.amazonaws.com", null), entry("s3.amazonaws.com", null));
    List<String> problems = TriggerPlan.problems(spec);
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).startsWith("spec.permissions[1]: the same statement id"), problems.get(0));
  }

  @Test
  void specProblemsNameTheirField() {
    LambdaAliasSpec spec = new LambdaAliasSpec();
    LambdaAliasSpec.Permission p = entry("*", null);
    p.functionUrlAuthType = LambdaAliasSpec.UrlAuthType.NONE;
    spec.permissions = List.of(p);
    spec.asyncInvoke = new LambdaAliasSpec.AsyncInvoke();
    spec.asyncInvoke.maximumEventAge = "7h";
    spec.provisionedConcurrency = -1;
    List<String> problems = TriggerPlan.problems(spec);
    assertEquals(3, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("spec.permissions[0].functionUrlAuthType"));
    assertTrue(problems.get(1).startsWith("spec.asyncInvoke.maximumEventAge"));
    assertTrue(problems.get(2).startsWith("spec.provisionedConcurrency"));
    spec.asyncInvoke.maximumEventAge = "90500ms";
    assertTrue(TriggerPlan.problems(spec).get(1).contains("whole seconds"));
  }

  @Test
  void aPublicUrlGetsItsStatementUnlessTheSpecListsOne() {
    LambdaAliasSpec spec = new LambdaAliasSpec();
    spec.functionUrl = new LambdaAliasSpec.FunctionUrl();
    spec.functionUrl.authType = LambdaAliasSpec.UrlAuthType.NONE;
    assertEquals(List.of(TriggerPlan.publicUrlStatement()), TriggerPlan.desiredPermissions(spec));
    assertEquals("lambdaop-function-url-public", TriggerPlan.publicUrlStatement().statementId());

    LambdaAliasSpec.Permission own = entry("*", null);
    own.statementId = "public-url";
    own.action = "lambda:InvokeFunctionUrl";
    own.functionUrlAuthType = LambdaAliasSpec.UrlAuthType.NONE;
    spec.permissions = List.of(own);
    assertEquals(List.of("public-url"), TriggerPlan.desiredPermissions(spec).stream().map(Permission::statementId)
        .toList());

    spec.permissions = null;
    spec.functionUrl.authType = LambdaAliasSpec.UrlAuthType.AWS_IAM;
    assertEquals(List.of(), TriggerPlan.desiredPermissions(spec));
  }

  // ---- policy statements ----

  @Test
  void statementsAreReadAsAwsWritesThemAndOnlyThoseOnTheAlias() {
    String doc = policy(
        statement("a", "{\"Service\":\"apigateway.amazonaws.com\"}", "lambda:InvokeFunction", ALIAS_ARN,
            "{\"ArnLike\":{\"AWS:SourceArn\":\"" + API + "\"}}"),
        statement("b", "\"*\"", "lambda:InvokeFunctionUrl", ALIAS_ARN,
            "{\"StringEquals\":{\"lambda:FunctionUrlAuthType\":\"NONE\"}}"),
        statement("other", "{\"Service\":\"s3.amazonaws.com\"}", "lambda:InvokeFunction",
            "arn:aws:lambda:eu-west-1:123456789012:function:orders:canary", null));
    Map<String, TriggerPlan.Statement> found = TriggerPlan.statements(doc, ALIAS_ARN);
    assertEquals(List.of("a", "b"), List.copyOf(found.keySet()));
    assertTrue(TriggerPlan.matches(permission("a", "apigateway.amazonaws.com", API), found.get("a")));
    assertTrue(TriggerPlan.matches(TriggerPlan.publicUrlStatement(), found.get("b")));
    assertFalse(TriggerPlan.matches(permission("a", "apigateway.amazonaws.com", API + "x"), found.get("a")));
    assertFalse(TriggerPlan.matches(permission("a", "apigateway.amazonaws.com", null), found.get("a")),
        "a condition AWS has that the spec does not");
    assertFalse(TriggerPlan.matches(permission("a", "events.amazonaws.com", API), found.get("a")));
    assertEquals(Map.of(), TriggerPlan.statements(null, ALIAS_ARN));
  }

  @Test
  void anAccountIsItsRootArnAndConditionKeysAnyCase() {
    String doc = policy(statement("x", "{\"AWS\":\"arn:aws:iam::210987654321:root\"}", "lambda:InvokeFunction",
        ALIAS_ARN, "{\"StringEquals\":{\"aws:sourceaccount\":\"123456789012\",\"AWS:PrincipalOrgID\":\"o-abcdefghij\"}}"));
    TriggerPlan.Statement s = TriggerPlan.statements(doc, ALIAS_ARN).get("x");
    assertTrue(TriggerPlan.matches(new Permission("x", "210987654321", "lambda:InvokeFunction", null, "123456789012",
        "o-abcdefghij", null), s));
    assertFalse(TriggerPlan.matches(new Permission("x", "210987654321", "lambda:InvokeFunction", null,
        "123456789012", null, null), s));
  }

  @Test
  void permissionChangesAddRemoveReplaceAndNeverTouchForeignStatements() {
    String doc = policy(
        statement("keep", "{\"Service\":\"s3.amazonaws.com\"}", "lambda:InvokeFunction", ALIAS_ARN, null),
        statement("changed", "{\"Service\":\"s3.amazonaws.com\"}", "lambda:InvokeFunction", ALIAS_ARN, null),
        statement("dropped", "{\"Service\":\"s3.amazonaws.com\"}", "lambda:InvokeFunction", ALIAS_ARN, null),
        statement("foreign", "{\"Service\":\"sns.amazonaws.com\"}", "lambda:InvokeFunction", ALIAS_ARN, null),
        statement("taken", "{\"Service\":\"sns.amazonaws.com\"}", "lambda:InvokeFunction", ALIAS_ARN, null),
        statement("lost-record", "{\"Service\":\"sqs.amazonaws.com\"}", "lambda:InvokeFunction", ALIAS_ARN, null));
    List<Permission> wanted = List.of(permission("keep", "s3.amazonaws.com", null),
        permission("changed", "events.amazonaws.com", null), permission("new", "s3.amazonaws.com", null),
        permission("taken", "s3.amazonaws.com", null), permission("lost-record", "sqs.amazonaws.com", null),
        permission("gone", "s3.amazonaws.com", null));
    TriggerPlan.PermissionChanges c = TriggerPlan.permissions(wanted, TriggerPlan.statements(doc, ALIAS_ARN),
        List.of("keep", "changed", "dropped", "gone"));
    assertEquals(List.of("changed", "dropped"), c.remove());
    assertEquals(List.of("changed", "new", "gone"), c.add().stream().map(Permission::statementId).toList());
    assertEquals(List.of("lost-record"), c.adopted());
    assertEquals(List.of("taken"), c.conflicts());
  }

  // ---- function URL ----

  @Test
  void aUrlComparesInvokeModeInAnyCaseAndCorsByMeaning() {
    LambdaAliasSpec.FunctionUrl spec = new LambdaAliasSpec.FunctionUrl();
    spec.authType = LambdaAliasSpec.UrlAuthType.AWS_IAM;
    UrlConfig wanted = TriggerPlan.desiredUrl(spec);
    assertEquals(new UrlConfig(null, "AWS_IAM", "BUFFERED", null), wanted);
    assertTrue(TriggerPlan.urlMatches(wanted, new UrlConfig("u", "AWS_IAM", "Buffered", null)), "moto's default");
    assertTrue(TriggerPlan.urlMatches(wanted, new UrlConfig("u", "AWS_IAM", null, null)));
    assertTrue(TriggerPlan.urlMatches(wanted, new UrlConfig("u", "AWS_IAM", "BUFFERED",
        new Cors(List.of(), List.of(), List.of(), List.of(), null, false))), "an empty CORS is none");
    assertFalse(TriggerPlan.urlMatches(wanted, new UrlConfig("u", "NONE", "BUFFERED", null)));
    assertFalse(TriggerPlan.urlMatches(wanted, new UrlConfig("u", "AWS_IAM", "RESPONSE_STREAM", null)));

    spec.cors = new LambdaAliasSpec.Cors();
    spec.cors.allowOrigins = List.of("https://shop.example");
    spec.cors.allowMethods = List.of("get", "POST");
    spec.cors.allowHeaders = List.of("X-Trace");
    spec.cors.maxAge = 300;
    wanted = TriggerPlan.desiredUrl(spec);
    assertTrue(TriggerPlan.urlMatches(wanted, new UrlConfig("u", "AWS_IAM", "BUFFERED",
        new Cors(List.of("https://shop.example"), List.of("POST", "GET"), List.of("x-trace"), List.of(), 300, null))));
    assertFalse(TriggerPlan.urlMatches(wanted, new UrlConfig("u", "AWS_IAM", "BUFFERED",
        new Cors(List.of("https://shop.example"), List.of("POST", "GET"), List.of("x-trace"), List.of(), 600, null))));
    assertFalse(TriggerPlan.urlMatches(wanted, new UrlConfig("u", "AWS_IAM", "BUFFERED", null)));
  }

  // ---- asynchronous invocation ----

  @Test
  void asyncConfigComparesUnsetFieldsAsAwsDefaults() {
    LambdaAliasSpec.AsyncInvoke spec = new LambdaAliasSpec.AsyncInvoke();
    spec.maximumEventAge = "1h";
    spec.onFailure = new LambdaAliasSpec.Destination();
    spec.onFailure.destination = "arn:aws:sqs:eu-west-1:123456789012:dlq";
    AsyncConfig wanted = TriggerPlan.desiredAsync(spec);
    assertEquals(new AsyncConfig(null, 3600, null, "arn:aws:sqs:eu-west-1:123456789012:dlq"), wanted);
    assertTrue(TriggerPlan.asyncMatches(wanted, new AsyncConfig(2, 3600, null,
        "arn:aws:sqs:eu-west-1:123456789012:dlq")));
    assertFalse(TriggerPlan.asyncMatches(wanted, new AsyncConfig(1, 3600, null,
        "arn:aws:sqs:eu-west-1:123456789012:dlq")));
    assertFalse(TriggerPlan.asyncMatches(wanted, new AsyncConfig(2, 3600, null, null)));
    assertFalse(TriggerPlan.asyncMatches(wanted, new AsyncConfig(2, 21600, null,
        "arn:aws:sqs:eu-west-1:123456789012:dlq")));
  }

  // ---- provisioned concurrency ----

  @Test
  void provisionedConcurrencyStatusAndWhatItMeansForReadyAndShifts() {
    LambdaAliasStatus.ProvisionedConcurrency s = TriggerPlan.status(new Provisioned(10, 0, 4, "IN_PROGRESS", ""));
    assertEquals(List.of(10, 0, 4, "IN_PROGRESS"), List.of(s.requested, s.available, s.allocated, s.status));
    assertNull(s.statusReason, "an empty reason is none");
    assertNull(TriggerPlan.failure(s, "live"));
    assertEquals("; provisioned concurrency is still being allocated (4 of 10): the versions of the shift may serve"
        + " cold starts until it is READY", TriggerPlan.warming(s, true));
    assertNull(TriggerPlan.warming(s, false), "no shift: nothing to say beyond status.provisionedConcurrency");

    LambdaAliasStatus.ProvisionedConcurrency failed = TriggerPlan.status(new Provisioned(10, 0, 0, "FAILED",
        "Reserved concurrency is not enough"));
    assertTrue(TriggerPlan.failure(failed, "live").contains("Reserved concurrency is not enough"));
    assertTrue(TriggerPlan.failure(failed, "live").contains("spec.provisionedConcurrency"));
    assertNull(TriggerPlan.warming(failed, true));
    assertNull(TriggerPlan.failure(TriggerPlan.status(new Provisioned(10, 10, 10, "READY", null)), "live"));

    assertEquals("4 of 10 allocated", TriggerPlan.warming(java.util.Optional.of(new Provisioned(10, 0, 4,
        "IN_PROGRESS", null))));
    assertNull(TriggerPlan.warming(java.util.Optional.of(new Provisioned(10, 10, 10, "READY", null))));
    assertNull(TriggerPlan.warming(java.util.Optional.of(new Provisioned(10, 0, 0, "FAILED", "x"))),
        "FAILED is not waited for");
    assertNull(TriggerPlan.warming(java.util.Optional.empty()));
    assertNull(TriggerPlan.warming((java.util.Optional<Provisioned>) null), "not read");

    LambdaAliasSpec spec = new LambdaAliasSpec();
    assertEquals(0, TriggerPlan.wantedProvisioned(spec));
    spec.provisionedConcurrency = 0;
    assertEquals(0, TriggerPlan.wantedProvisioned(spec));
    spec.provisionedConcurrency = 5;
    assertEquals(5, TriggerPlan.wantedProvisioned(spec));
  }
}
