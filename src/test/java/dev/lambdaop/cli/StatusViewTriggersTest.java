package dev.lambdaop.cli;

import static dev.lambdaop.cli.Fixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.EventSourceMapping;
import dev.lambdaop.api.EventSourceMappingSpec;
import dev.lambdaop.api.EventSourceMappingStatus;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `kubectl lambdaop status` shows what reaches an alias: URL, permissions, async settings, provisioned concurrency, mappings. */
class StatusViewTriggersTest {

  private static LambdaAlias alias() {
    LambdaAlias alias = Fixtures.healthy(Fixtures.alias("orders-live", null), "6");
    LambdaAliasSpec spec = alias.getSpec();
    LambdaAliasSpec.Permission apigw = new LambdaAliasSpec.Permission();
    apigw.statementId = "apigw-orders";
    apigw.principal = "apigateway.amazonaws.com";
    apigw.sourceArn = "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/POST/orders";
    LambdaAliasSpec.Permission s3 = new LambdaAliasSpec.Permission();
    s3.statementId = "from-s3";
    s3.principal = "s3.amazonaws.com";
    s3.sourceAccount = "123456789012";
    spec.permissions = List.of(apigw, s3);
    spec.functionUrl = new LambdaAliasSpec.FunctionUrl();
    spec.functionUrl.authType = LambdaAliasSpec.UrlAuthType.AWS_IAM;
    spec.functionUrl.cors = new LambdaAliasSpec.Cors();
    spec.functionUrl.cors.allowOrigins = List.of("https://shop.example");
    spec.asyncInvoke = new LambdaAliasSpec.AsyncInvoke();
    spec.asyncInvoke.maximumRetryAttempts = 1;
    spec.asyncInvoke.maximumEventAge = "1h";
    spec.asyncInvoke.onFailure = new LambdaAliasSpec.Destination();
    spec.asyncInvoke.onFailure.destination = "arn:aws:sqs:eu-west-1:123456789012:orders-failed";
    spec.provisionedConcurrency = 10;
    LambdaAliasStatus status = alias.getStatus();
    status.functionUrl = "https://abc.lambda-url.eu-west-1.on.aws/";
    status.permissions = List.of("apigw-orders");
    status.provisionedConcurrency = new LambdaAliasStatus.ProvisionedConcurrency();
    status.provisionedConcurrency.requested = 10;
    status.provisionedConcurrency.available = 4;
    status.provisionedConcurrency.status = LambdaAliasStatus.ProvisionedConcurrency.IN_PROGRESS;
    return alias;
  }

  private static EventSourceMapping mapping(String name, EventSourceMappingSpec spec, String state, boolean ready) {
    EventSourceMapping m = new EventSourceMapping();
    m.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").withGeneration(1L).build());
    m.setSpec(spec);
    EventSourceMappingStatus s = new EventSourceMappingStatus();
    s.state = state;
    Conditions.set(s.conditions, Conditions.READY, ready, ready ? "Synced" : "AlreadyExists", "", 1L, NOW);
    m.setStatus(s);
    return m;
  }

  private static EventSourceMappingSpec byAlias(String alias, String source) {
    EventSourceMappingSpec spec = new EventSourceMappingSpec();
    spec.aliasRef = new EventSourceMappingSpec.AliasRef();
    spec.aliasRef.name = alias;
    spec.eventSourceArn = source;
    return spec;
  }

  @Test
  void theUrlPermissionsAsyncSettingsProvisionedConcurrencyAndMappingsOfTheAliasAreShown() {
    List<EventSourceMapping> mappings = List.of(
        mapping("orders-queue", byAlias("orders-live", "arn:aws:sqs:eu-west-1:123456789012:orders"), "Enabled", true),
        mapping("clicks", byAlias("orders-live", "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks"), null,
            false));
    String text = StatusView.render(alias(), Fixtures.function("6"), mappings, NOW, Style.PLAIN);

    String triggers = text.lines().dropWhile(l -> !l.startsWith("URL")).takeWhile(l -> !l.startsWith("Conditions"))
        .reduce("", (a, b) -> a + b + "\n");
    assertEquals("""
        URL          https://abc.lambda-url.eu-west-1.on.aws/  (AWS_IAM, CORS https://shop.example)
        Permissions  apigw-orders: apigateway.amazonaws.com from arn:aws:execute-api:eu-west-1:123456789012:abc123/*/POST/orders
                     from-s3: s3.amazonaws.com from account 123456789012 (not in AWS yet)
        Async        1 retry · events up to 1h old · on failure → arn:aws:sqs:eu-west-1:123456789012:orders-failed
        Provisioned  4 of 10 available IN_PROGRESS
        Mappings     orders-queue: sqs orders → Enabled · Ready True
                     clicks: kinesis stream/clicks → not created yet · Ready False AlreadyExists
        """, triggers);
  }

  @Test
  void anAliasWithoutTriggerTargetsShowsNoneOfTheirLines() {
    LambdaAlias plain = Fixtures.healthy(Fixtures.alias("orders-live", null), "6");
    String text = StatusView.render(plain, Fixtures.function("6"), List.of(), NOW, Style.PLAIN);
    for (String label : List.of("URL", "Permissions", "Async", "Provisioned", "Mappings")) {
      assertFalse(text.lines().anyMatch(l -> l.startsWith(label)), label + " in\n" + text);
    }
  }

  @Test
  void aFailedAllocationSaysAwssReason() {
    LambdaAlias alias = alias();
    alias.getStatus().provisionedConcurrency.status = LambdaAliasStatus.ProvisionedConcurrency.FAILED;
    alias.getStatus().provisionedConcurrency.available = 0;
    alias.getStatus().provisionedConcurrency.statusReason = "FUNCTION_ERROR_INIT_FAILURE";
    String text = StatusView.render(alias, Fixtures.function("6"), List.of(), NOW, Style.PLAIN);
    assertTrue(text.contains("Provisioned  0 of 10 available FAILED: FUNCTION_ERROR_INIT_FAILURE"), text);
  }

  @Test
  void aMappingTargetsTheAliasByAliasRefOrByItsFunctionWithTheAliasAsQualifier() {
    LambdaAlias alias = alias();
    alias.getStatus().functionName = "orders-api";
    assertTrue(StatusView.targets(mapping("a", byAlias("orders-live", "arn:aws:sqs:r:1:q"), null, true), alias));
    assertFalse(StatusView.targets(mapping("b", byAlias("other-live", "arn:aws:sqs:r:1:q"), null, true), alias));

    EventSourceMappingSpec byRef = new EventSourceMappingSpec();
    byRef.functionRef = new FunctionRef("orders");
    byRef.qualifier = "live";
    assertTrue(StatusView.targets(mapping("c", byRef, null, true), alias));
    byRef.qualifier = "beta";
    assertFalse(StatusView.targets(mapping("d", byRef, null, true), alias));

    EventSourceMappingSpec byName = new EventSourceMappingSpec();
    byName.functionName = "orders-api:live";
    assertTrue(StatusView.targets(mapping("e", byName, null, true), alias));
    byName.functionName = "arn:aws:lambda:eu-west-1:123456789012:function:orders-api:live";
    assertTrue(StatusView.targets(mapping("f", byName, null, true), alias));
    byName.functionName = "orders-api";
    assertFalse(StatusView.targets(mapping("g", byName, null, true), alias), "the unqualified function");
    byName.qualifier = "live";
    assertTrue(StatusView.targets(mapping("h", byName, null, true), alias));

    EventSourceMapping elsewhere = mapping("i", byAlias("orders-live", "arn:aws:sqs:r:1:q"), null, true);
    elsewhere.getMetadata().setNamespace("billing");
    assertFalse(StatusView.targets(elsewhere, alias), "another namespace's alias of the same name");
  }
}
