package dev.lambdaop.eventsource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lambdaop.aws.EventSourceMappings;
import dev.lambdaop.aws.EventSourceMappings.Mapping;
import dev.lambdaop.aws.EventSourceMappings.Settings;
import dev.lambdaop.aws.sdk.AwsCalls;
import dev.lambdaop.aws.sdk.AwsClients;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.aws.sdk.SdkAws;
import dev.lambdaop.observability.OperatorMetrics;
import dev.lambdaop.reconcile.Urgency;
import dev.lambdaop.reconcile.Work;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The SDK adapter of {@link EventSourceMappings} against a Lambda endpoint stand-in on 127.0.0.1: what each request
 * carries (an update only what changes), how the answers read back, and the operations counted.
 */
class SdkEventSourceMappingsTest {
  private static final String REGION = "us-east-1";
  private static final String QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders";
  private static final String ARN = "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:u-1";
  private static final String ANSWER = "{\"UUID\":\"u-1\",\"EventSourceMappingArn\":\"" + ARN + "\","
      + "\"FunctionArn\":\"arn:aws:lambda:us-east-1:123456789012:function:orders:live\",\"EventSourceArn\":\"" + QUEUE
      + "\",\"State\":\"%s\",\"BatchSize\":5,\"MaximumBatchingWindowInSeconds\":2,"
      + "\"FilterCriteria\":{\"Filters\":[{\"Pattern\":\"{}\"}]},\"FunctionResponseTypes\":[\"ReportBatchItemFailures\"],"
      + "\"ScalingConfig\":{\"MaximumConcurrency\":20},\"DestinationConfig\":{\"OnFailure\":{\"Destination\":\"arn:dlq\"}},"
      + "\"LastProcessingResult\":\"OK\",\"StateTransitionReason\":\"USER_INITIATED\"}";

  private HttpServer server;
  private ExecutorService serverThreads;
  private final Map<String, String> bodies = new ConcurrentHashMap<>();
  private volatile boolean exists = true;
  private AwsClients clients;
  private AwsCalls calls;
  private EventSourceMappings mappings;

  @BeforeEach
  void start() throws IOException {
    serverThreads = Executors.newFixedThreadPool(2);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(serverThreads);
    server.createContext("/", this::handle);
    server.start();
    URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    clients = new AwsClients(new AwsSettings(REGION, endpoint,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))), 2);
    calls = new AwsCalls(new AwsCalls.BudgetSettings(100, 100, 100, 100, 100), new OperatorMetrics());
    mappings = SdkAws.create(clients, calls).eventSources();
  }

  @AfterEach
  void stop() throws InterruptedException {
    clients.close();
    server.stop(0);
    serverThreads.shutdownNow();
    assertTrue(serverThreads.awaitTermination(10, TimeUnit.SECONDS));
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String method = exchange.getRequestMethod();
      String path = URLDecoder.decode(exchange.getRequestURI().getRawPath(), StandardCharsets.UTF_8)
          .replaceFirst("/$", "");
      bodies.put(method + " " + path, request);
      String body;
      if (path.startsWith("/2017-03-31/tags/")) {
        body = "{\"Tags\":{\"lambdaop.dev/owner\":\"c/shop/orders-queue\"}}";
      } else if (method.equals("GET") && path.endsWith("event-source-mappings")) {
        bodies.put("query", exchange.getRequestURI().getQuery());
        body = "{\"EventSourceMappings\":[" + String.format(ANSWER, "Enabled") + "]}";
      } else if (!exists) {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", "ResourceNotFoundException");
        body = null;
      } else {
        body = String.format(ANSWER, switch (method) {
          case "POST" -> "Creating";
          case "PUT" -> "Updating";
          case "DELETE" -> "Deleting";
          default -> "Enabled";
        });
      }
      int status = body == null ? 404 : method.equals("POST") || method.equals("DELETE") ? 202 : 200;
      byte[] bytes = (body == null ? "{\"Type\":\"User\",\"message\":\"not found\"}" : body)
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static <T> T deploying(Supplier<T> body) {
    return new Work("EventSourceMapping/shop/orders-queue", Urgency.DEPLOY).run(body);
  }

  private static void assertRead(Mapping m, String state) {
    assertEquals("u-1", m.uuid());
    assertEquals(ARN, m.mappingArn());
    assertEquals("arn:aws:lambda:us-east-1:123456789012:function:orders:live", m.functionArn());
    assertEquals(state, m.state());
    assertEquals("OK", m.lastProcessingResult());
    assertEquals("USER_INITIATED", m.stateTransitionReason());
    Settings s = m.settings();
    assertEquals(QUEUE, s.eventSourceArn());
    assertEquals(5, s.batchSize());
    assertEquals(2, s.maximumBatchingWindowSeconds());
    assertEquals(List.of("{}"), s.filterPatterns());
    assertEquals(List.of("ReportBatchItemFailures"), s.functionResponseTypes());
    assertEquals(20, s.maximumConcurrency());
    assertEquals("arn:dlq", s.onFailureDestination());
  }

  @Test
  void createSendsTheSettingsAndTheOwnerTagAndReadsTheAnswer() {
    Settings wanted = new Settings(QUEUE, 5, 2, null, null, true, List.of("{}"), List.of("ReportBatchItemFailures"),
        20, null, null, null, null, null, "arn:dlq", null, null, null);

    Mapping created = deploying(() -> mappings.create(REGION, "orders:live", wanted,
        Map.of("lambdaop.dev/owner", "c/shop/orders-queue")));

    assertRead(created, "Creating");
    String sent = bodies.get("POST /2015-03-31/event-source-mappings");
    for (String part : List.of("\"FunctionName\":\"orders:live\"", "\"EventSourceArn\":\"" + QUEUE + "\"",
        "\"BatchSize\":5", "\"MaximumBatchingWindowInSeconds\":2", "\"Enabled\":true",
        "\"Tags\":{\"lambdaop.dev/owner\":\"c/shop/orders-queue\"}", "\"Filters\":[{\"Pattern\":\"{}\"}]",
        "\"MaximumConcurrency\":20", "\"Destination\":\"arn:dlq\"", "\"FunctionResponseTypes\":[\"ReportBatchItemFailures\"]")) {
      assertTrue(sent.contains(part), part + " in " + sent);
    }
  }

  @Test
  void anUpdateSendsOnlyWhatChanges() {
    Settings changes = new Settings(null, 8, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null);

    Mapping updated = deploying(() -> mappings.update(REGION, "u-1", null, changes));

    assertRead(updated, "Updating");
    assertEquals("{\"BatchSize\":8}", bodies.get("PUT /2015-03-31/event-source-mappings/u-1"));
  }

  @Test
  void getListTagsAndDeleteAreCountedAsTheirKind() {
    assertRead(deploying(() -> mappings.get(REGION, "u-1")).orElseThrow(), "Enabled");
    List<Mapping> listed = deploying(() -> mappings.list(REGION, "orders:live", QUEUE));
    assertEquals(1, listed.size());
    assertRead(listed.get(0), "Enabled");
    assertTrue(bodies.get("query").contains("FunctionName=orders%3Alive")
        || bodies.get("query").contains("FunctionName=orders:live"), bodies.get("query"));
    assertEquals(Map.of("lambdaop.dev/owner", "c/shop/orders-queue"), deploying(() -> mappings.tags(REGION, ARN)));
    assertTrue(deploying(() -> mappings.delete(REGION, "u-1")));

    exists = false;
    assertTrue(deploying(() -> mappings.get(REGION, "u-1")).isEmpty());
    assertFalse(deploying(() -> mappings.delete(REGION, "u-1")));
    assertEquals(Map.of("DeleteEventSourceMapping", 2L, "GetEventSourceMapping", 2L, "ListEventSourceMappings", 1L,
        "ListTags", 1L), calls.counter().snapshot());
  }
}
