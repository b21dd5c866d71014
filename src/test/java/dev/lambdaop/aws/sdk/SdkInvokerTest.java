package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lambdaop.aws.Invoker;
import dev.lambdaop.observability.OperatorMetrics;
import dev.lambdaop.reconcile.AwsFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The hook invocation's transport, against a Lambda endpoint stand-in on 127.0.0.1 that counts the requests it gets:
 * a hook is one request, whatever happens (no answer in time, AWS's 5xx or throttling), while the DryRun check goes
 * through the control plane's client, which the SDK retries.
 */
class SdkInvokerTest {
  private static final Duration MARGIN = Duration.ofMillis(300);

  private HttpServer server;
  private ExecutorService serverThreads;
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private volatile Answer answer;
  private AwsClients clients;
  private SdkInvoker invoker;

  /** What the stand-in answers every invocation with. */
  private record Answer(int status, String errorType, String functionError, String body, boolean hold) {}

  @BeforeEach
  void start() throws IOException {
    serverThreads = Executors.newFixedThreadPool(4);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(serverThreads);
    server.createContext("/", this::handle);
    server.start();
    URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    clients = new AwsClients(new AwsSettings("us-east-1", endpoint,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))), 4);
    invoker = new SdkInvoker(clients, new AwsCalls(new AwsCalls.BudgetSettings(10, 10, 50, 10, 5), new OperatorMetrics()), MARGIN);
  }

  @AfterEach
  void stop() throws InterruptedException {
    release.countDown();
    clients.close();
    server.stop(0);
    serverThreads.shutdownNow();
    assertTrue(serverThreads.awaitTermination(10, TimeUnit.SECONDS), "the stand-in's threads end");
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      String type = exchange.getRequestHeaders().getFirst("X-Amz-Invocation-Type");
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " " + type);
      Answer a = answer;
      if (a.hold()) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      if (a.errorType() != null) {
        exchange.getResponseHeaders().set("x-amzn-ErrorType", a.errorType());
      }
      if (a.functionError() != null) {
        exchange.getResponseHeaders().set("X-Amz-Function-Error", a.functionError());
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  private List<String> hookRequests() {
    return requests.stream().filter(r -> r.endsWith("RequestResponse")).toList();
  }

  @Test
  void aHookThatGivesNoAnswerInTimeIsInvokedOnceAndTimesOut() {
    // the SDK's first call loads and builds a lot, within the call's timeout: not what this test measures
    answer = new Answer(200, null, null, "{}", false);
    assertTrue(invoker.invoke(null, "smoke", "{}", Duration.ofSeconds(30)).succeeded());
    requests.clear();
    answer = new Answer(200, null, null, "", true);

    long start = System.nanoTime();
    Invoker.Result result = invoker.invoke(null, "smoke", "{}", Duration.ofSeconds(1));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertFalse(result.succeeded());
    assertTrue(result.timedOut(), result.toString());
    assertEquals("timed out after 1s300ms (its timeout 1s plus 300ms for the network) without an answer; invoked"
        + " once, not retried", result.payload());
    assertEquals(List.of("POST /2015-03-31/functions/smoke/invocations RequestResponse"), requests);
    assertTrue(took.compareTo(Duration.ofMillis(1300)) >= 0 && took.compareTo(Duration.ofSeconds(5)) < 0,
        "waited the hook's timeout plus the margin: " + took);
  }

  @Test
  void awsServiceErrorsAndThrottlingAreNotRetried() {
    answer = new Answer(500, "ServiceException", null, "{\"Type\":\"Service\",\"message\":\"boom\"}", false);
    Invoker.Result failed = invoker.invoke(null, "smoke", "{}", Duration.ofSeconds(5));
    assertFalse(failed.succeeded());
    assertEquals("ServiceException", failed.functionError());
    assertEquals("Lambda refused the invocation: ServiceException: boom; not retried", failed.payload());
    assertEquals(1, hookRequests().size(), requests.toString());

    answer = new Answer(429, "TooManyRequestsException", null,
        "{\"Type\":\"User\",\"message\":\"Rate exceeded\",\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\"}",
        false);
    Invoker.Result throttled = invoker.invoke(null, "smoke", "{}", Duration.ofSeconds(5));
    assertEquals("TooManyRequestsException", throttled.functionError());
    assertEquals(2, hookRequests().size(), requests.toString());
  }

  @Test
  void theAnswerDecides() {
    answer = new Answer(200, null, null, "{\"status\":\"Succeeded\"}", false);
    Invoker.Result passed = invoker.invoke(null, "smoke", "{\"hook\":\"pre-traffic\"}", Duration.ofSeconds(5));
    assertTrue(passed.succeeded(), passed.toString());
    assertEquals("{\"status\":\"Succeeded\"}", passed.payload());

    answer = new Answer(200, null, "Unhandled", "{\"errorMessage\":\"boom\"}", false);
    Invoker.Result failed = invoker.invoke(null, "smoke", "{}", Duration.ofSeconds(5));
    assertFalse(failed.succeeded());
    assertEquals("Unhandled", failed.functionError());
    assertEquals(2, hookRequests().size());
  }

  @Test
  void theDryRunCheckIsAControlPlaneCallThatTheSdkRetries() {
    answer = new Answer(500, "ServiceException", null, "{\"Type\":\"Service\",\"message\":\"boom\"}", false);

    AwsFailure refused = assertThrows(AwsFailure.class, () -> invoker.checkInvokable(null, "smoke"));

    assertEquals("AwsServiceError", refused.reason());
    assertTrue(requests.size() > 1 && requests.stream().allMatch(r -> r.endsWith("DryRun")), requests.toString());
  }
}
