package dev.lambdaop.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.reconcile.SpecProblem;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.io.IOException;
import java.util.Map;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {
  private final OperatorMetrics metrics = new OperatorMetrics();

  @Test
  void hooksRunningAndWaitingAreGauges() {
    java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger(3);
    metrics.hooks(running::get, () -> 7);
    running.set(4);
    String text = metrics.scrape();
    assertTrue(text.contains("lambdaop_hooks_running 4.0"), text);
    assertTrue(text.contains("lambdaop_hooks_waiting 7.0"), text);
  }

  @Test
  void theResyncPeriodsAndDriftReadsAreGauges() {
    java.util.concurrent.atomic.AtomicReference<Duration> effective =
        new java.util.concurrent.atomic.AtomicReference<>(Duration.ofMinutes(10));
    metrics.resync(Duration.ofMinutes(10), effective::get, q -> q == dev.lambdaop.aws.Quota.LAMBDA ? 2.0 : 0.0);
    effective.set(Duration.ofSeconds(5_000));
    String text = metrics.scrape();
    assertTrue(text.contains("lambdaop_resync_period_configured_seconds 600.0"), text);
    assertTrue(text.contains("lambdaop_resync_period_effective_seconds 5000.0"), text);
    assertTrue(text.contains("lambdaop_resync_drift_reads_per_second{quota=\"LAMBDA\"} 2.0"), text);
    assertTrue(text.contains("lambdaop_resync_drift_reads_per_second{quota=\"CLOUDWATCH\"} 0.0"), text);
  }

  @Test
  void awsCallsAreCountedByOperationAndOutcomeAndThrottlesSeparately() {
    metrics.awsCall("operator", "GetFunction", "success", Duration.ofMillis(3));
    metrics.awsCall("operator", "GetFunction", "success", Duration.ofMillis(5));
    metrics.awsCall("222222222222", "GetFunction", "success", Duration.ofMillis(5));
    metrics.awsCall("222222222222", "UpdateAlias", "Throttled", Duration.ofMillis(1));
    String text = metrics.scrape();
    assertTrue(text.contains("lambdaop_aws_calls_total{account=\"operator\",operation=\"GetFunction\",outcome=\"success\"} 2.0"), text);
    assertTrue(text.contains("lambdaop_aws_calls_total{account=\"222222222222\",operation=\"UpdateAlias\",outcome=\"Throttled\"} 1.0"), text);
    assertTrue(text.contains("lambdaop_aws_throttles_total{account=\"222222222222\",operation=\"UpdateAlias\"} 1.0"), text);
    assertTrue(text.contains("lambdaop_aws_calls_total{account=\"222222222222\",operation=\"GetFunction\",outcome=\"success\"} 1.0"), text);
    assertFalse(text.matches("(?s).*lambdaop_aws_throttles_total\\{[^}]*operation=\"GetFunction\".*"), text);
    assertTrue(text.contains("lambdaop_aws_call_duration_seconds_count{operation=\"GetFunction\"} 3"), text);
  }

  @Test
  void budgetWaitsShiftsAndWeights() {
    metrics.budgetDeferred("222222222222", "eu-west-1", "LAMBDA", "DEPLOY");
    metrics.budget("222222222222", "eu-west-1", "LAMBDA", () -> 7.5, () -> 3, () -> 2);
    metrics.shiftFinished("Promoted");
    metrics.shiftFinished("RolledBack");
    metrics.shiftFinished("Promoted");
    metrics.aliasWeight("shop", "orders-live", 30);
    metrics.aliasWeight("shop", "orders-live", 60);
    String text = metrics.scrape();
    assertTrue(text.contains("lambdaop_aws_budget_deferred_total{account=\"222222222222\",quota=\"LAMBDA\",region=\"eu-west-1\",urgency=\"deploy\"} 1.0"), text);
    assertTrue(text.contains("lambdaop_aws_budget_rate{account=\"222222222222\",quota=\"LAMBDA\",region=\"eu-west-1\"} 7.5"), text);
    assertTrue(text.contains("lambdaop_aws_budget_throttled_total{account=\"222222222222\",quota=\"LAMBDA\",region=\"eu-west-1\"} 2.0"), text);
    assertTrue(text.contains("lambdaop_alias_shifts_total{result=\"Promoted\"} 2.0"), text);
    assertTrue(text.contains("lambdaop_alias_shifts_total{result=\"RolledBack\"} 1.0"), text);
    assertTrue(text.contains("lambdaop_alias_canary_weight_percent{name=\"orders-live\",namespace=\"shop\"} 60.0"), text);
    metrics.aliasDeleted("shop", "orders-live");
    assertFalse(metrics.scrape().contains("orders-live"));
  }

  @Test
  void reconcilesErrorsByReasonAndDurationsWithoutWrappingTheException() {
    Metrics sdk = metrics.sdkMetrics();
    LambdaFunction fn = new LambdaFunction();
    sdk.reconcileCustomResource(fn, null, Map.of());
    sdk.failedReconciliation(fn, new OperatorException(new SpecProblem("RoleMissing", "no role", false)), Map.of());
    SpecProblem thrown = new SpecProblem("InvalidHandler", "bad", false);
    Exception seen = assertThrows(Exception.class, () -> sdk.timeControllerExecution(execution(thrown)));
    assertSame(thrown, seen, "the reconciler's exception reaches the SDK's error handling as it was thrown");
    String text = metrics.scrape();
    assertTrue(text.contains("lambdaop_reconciles_total{kind=\"LambdaFunction\",retry=\"false\"} 1.0"), text);
    assertTrue(text.contains("lambdaop_reconcile_errors_total{kind=\"LambdaFunction\",reason=\"RoleMissing\"} 1.0"), text);
    assertTrue(text.contains("lambdaop_reconcile_duration_seconds_count{controller=\"lambdafunction\",operation=\"reconcile\",outcome=\"error\"} 1"), text);
  }

  private static Metrics.ControllerExecution<Object> execution(Exception thrown) {
    return new Metrics.ControllerExecution<>() {
      public String name() { return "reconcile"; }
      public String controllerName() { return "lambdafunction"; }
      public String successTypeName(Object result) { return "resource"; }
      public ResourceID resourceID() { return new ResourceID("x", "y"); }
      public Map<String, Object> metadata() { return Map.of(); }
      public Object execute() throws Exception { throw thrown; }
    };
  }

  @Test
  void endpointsServeMetricsAndProbes() throws IOException, InterruptedException {
    metrics.shiftFinished("Promoted");
    AtomicBoolean ready = new AtomicBoolean(false);
    HttpClient http = HttpClient.newHttpClient();
    try (HttpEndpoints endpoints = new HttpEndpoints(0, metrics::scrape, () -> true, ready::get).start()) {
      String base = "http://127.0.0.1:" + endpoints.port();
      HttpResponse<String> scrape = get(http, base + "/metrics");
      assertEquals(200, scrape.statusCode());
      assertTrue(scrape.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
      assertTrue(scrape.body().contains("lambdaop_alias_shifts_total{result=\"Promoted\"} 1.0"), scrape.body());
      assertEquals(200, get(http, base + "/healthz").statusCode());
      assertEquals(503, get(http, base + "/readyz").statusCode());
      ready.set(true);
      assertEquals(200, get(http, base + "/readyz").statusCode());
      assertEquals(404, get(http, base + "/other").statusCode());
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
