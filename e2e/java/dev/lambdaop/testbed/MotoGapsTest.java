package dev.lambdaop.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdaop.TestClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The proxy's emulation of what moto lacks (no test bed): provisioned concurrency, mapping ARNs, event invoke Put. */
class MotoGapsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PC = "/2019-09-30/functions/orders/provisioned-concurrency";
  private final TestClock clock = new TestClock(Instant.parse("2026-12-02T06:00:00Z"));
  private final MotoGaps gaps = new MotoGaps(clock).allocation(Duration.ofSeconds(2));

  private JsonNode answer(String method, String query, String body, int status) throws Exception {
    MotoGaps.Answer a = gaps.answer(method, PC, query, body, "eu-west-1").orElseThrow();
    assertEquals(status, a.status(), a.body());
    return a.body().isEmpty() ? null : JSON.readTree(a.body());
  }

  @Test
  void provisionedConcurrencyIsInProgressThenReadyAndAllocatedAnewWhenTheAliasRoutingChanges() throws Exception {
    answer("GET", "Qualifier=live", "", 404);
    JsonNode put = answer("PUT", "Qualifier=live", "{\"ProvisionedConcurrentExecutions\":5}", 202);
    assertEquals("IN_PROGRESS", put.get("Status").asText());
    assertEquals(0, put.get("AvailableProvisionedConcurrentExecutions").asInt());
    clock.advance(Duration.ofSeconds(2));
    JsonNode ready = answer("GET", "Qualifier=live", "", 200);
    assertEquals("READY", ready.get("Status").asText());
    assertEquals(5, ready.get("AvailableProvisionedConcurrentExecutions").asInt());
    assertEquals(5, ready.get("RequestedProvisionedConcurrentExecutions").asInt());

    gaps.correct("PUT", "/2015-03-31/functions/orders/aliases/live", "{}", 200, "{}");
    assertEquals("IN_PROGRESS", answer("GET", "Qualifier=live", "", 200).get("Status").asText());
    gaps.correct("PUT", "/2015-03-31/functions/orders/aliases/other", "{}", 200, "{}");
    clock.advance(Duration.ofSeconds(2));
    assertEquals("READY", answer("GET", "Qualifier=live", "", 200).get("Status").asText());

    JsonNode list = answer("GET", "List=ALL", "", 200);
    assertEquals("arn:aws:lambda:eu-west-1:123456789012:function:orders:live",
        list.get("ProvisionedConcurrencyConfigs").get(0).get("FunctionArn").asText());
    answer("DELETE", "Qualifier=live", "", 204);
    answer("GET", "Qualifier=live", "", 404);
    answer("PUT", "Qualifier=%24LATEST", "{\"ProvisionedConcurrentExecutions\":5}", 400);
    answer("PUT", "Qualifier=live", "{\"ProvisionedConcurrentExecutions\":0}", 400);
  }

  @Test
  void anArmedFailureEndsTheNextAllocationFailedWithItsReason() throws Exception {
    answer("PUT", "Qualifier=live", "{\"ProvisionedConcurrentExecutions\":3}", 202);
    gaps.failProvisioning("orders", "live", "not enough concurrency in the account");
    clock.advance(Duration.ofSeconds(3));
    JsonNode failed = answer("GET", "Qualifier=live", "", 200);
    assertEquals("FAILED", failed.get("Status").asText());
    assertEquals("not enough concurrency in the account", failed.get("StatusReason").asText());
    answer("PUT", "Qualifier=live", "{\"ProvisionedConcurrentExecutions\":2}", 202);
    clock.advance(Duration.ofSeconds(3));
    assertEquals("READY", answer("GET", "Qualifier=live", "", 200).get("Status").asText());
  }

  @Test
  void aMappingReportsTheQualifiedArnItWasCreatedWithNotTheVersionMotoResolved() throws Exception {
    String created = gaps.correct("POST", "/2015-03-31/event-source-mappings/", "{\"FunctionName\":\"orders:live\"}",
        201, "{\"UUID\":\"u1\",\"FunctionArn\":\"arn:aws:lambda:eu-west-1:123456789012:function:orders:3\"}");
    assertEquals("arn:aws:lambda:eu-west-1:123456789012:function:orders:live",
        JSON.readTree(created).get("FunctionArn").asText());
    String listed = gaps.correct("GET", "/2015-03-31/event-source-mappings/", "", 200,
        "{\"EventSourceMappings\":[{\"UUID\":\"u1\",\"FunctionArn\":\"arn:aws:lambda:eu-west-1:1:function:orders:4\"},"
            + "{\"UUID\":\"unknown\",\"FunctionArn\":\"arn:aws:lambda:eu-west-1:1:function:x:2\"}]}");
    JsonNode mappings = JSON.readTree(listed).get("EventSourceMappings");
    assertEquals("arn:aws:lambda:eu-west-1:1:function:orders:live", mappings.get(0).get("FunctionArn").asText());
    assertEquals("arn:aws:lambda:eu-west-1:1:function:x:2", mappings.get(1).get("FunctionArn").asText());
    gaps.correct("PUT", "/2015-03-31/event-source-mappings/u1",
        "{\"FunctionName\":\"arn:aws:lambda:eu-west-1:1:function:orders\"}", 202,
        "{\"UUID\":\"u1\",\"FunctionArn\":\"arn:aws:lambda:eu-west-1:1:function:orders\"}");
    String got = gaps.correct("GET", "/2015-03-31/event-source-mappings/u1", "", 200,
        "{\"UUID\":\"u1\",\"FunctionArn\":\"arn:aws:lambda:eu-west-1:1:function:orders\"}");
    assertEquals("arn:aws:lambda:eu-west-1:1:function:orders", JSON.readTree(got).get("FunctionArn").asText());
  }

  @Test
  void qualifiersAndTheRequestsMotoNeedsFirst() {
    assertEquals("live", MotoGaps.qualifierOf("orders:live"));
    assertEquals("live", MotoGaps.qualifierOf("arn:aws:lambda:eu-west-1:1:function:orders:live"));
    assertNull(MotoGaps.qualifierOf("orders"));
    assertNull(MotoGaps.qualifierOf("arn:aws:lambda:eu-west-1:1:function:orders"));
    assertTrue(gaps.deleteFirst("PUT", "/2019-09-25/functions/orders/event-invoke-config"));
    assertFalse(gaps.deleteFirst("GET", "/2019-09-25/functions/orders/event-invoke-config"));
    assertEquals("eu-west-1", MotoGaps.region(
        "AWS4-HMAC-SHA256 Credential=AKID/20261202/eu-west-1/lambda/aws4_request, SignedHeaders=host"));
    assertTrue(gaps.answer("GET", "/2015-03-31/functions/orders", null, "", "eu-west-1").isEmpty());
  }
}
