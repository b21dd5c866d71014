package dev.lambdaop.testbed;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.lambdaop.testbed.FaultProxy.RandomFaults;
import dev.lambdaop.testbed.FaultProxy.RandomFaults.Kind;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/** The fault proxy's random faults and operation names, in front of a stub on 127.0.0.1 (no test bed). */
class FaultProxyTest {
  private HttpServer target;
  private final AtomicInteger reached = new AtomicInteger();
  private FaultProxy proxy;

  @BeforeEach
  void start() throws IOException {
    target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    target.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      reached.incrementAndGet();
      byte[] ok = "{}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, ok.length);
      exchange.getResponseBody().write(ok);
      exchange.close();
    });
    target.start();
    proxy = new FaultProxy(URI.create("http://127.0.0.1:" + target.getAddress().getPort()));
  }

  @AfterEach
  void stop() {
    proxy.close();
    target.stop(0);
  }

  /** A response, or status -1 when the connection ended without one. */
  private record Answer(int status, String errorType, String body) {}

  /**
   * One HTTP/1.1 request on a new connection, sent once (the JDK's client would retry a GET whose connection closed).
   */
  private Answer send(String method, String path, String contentType, String body) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.uri().getPort())) {
      socket.setSoTimeout(120_000);
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
          + (contentType == null ? "" : "Content-Type: " + contentType + "\r\n")
          + "Content-Length: " + bytes.length + "\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (response.isEmpty()) {
        return new Answer(-1, null, "");
      }
      int status = Integer.parseInt(response.substring(9, 12));
      int split = response.indexOf("\r\n\r\n");
      String headers = response.substring(0, split).toLowerCase(Locale.ROOT);
      String type = null;
      for (String line : headers.split("\r\n")) {
        if (line.startsWith("x-amzn-errortype:")) {
          type = line.substring("x-amzn-errortype:".length()).trim();
        }
      }
      return new Answer(status, type, response.substring(split + 4));
    }
  }

  private static final String ALIAS_PATH = "/2015-03-31/functions/f/aliases/live";
  private static final String FORM = "application/x-www-form-urlencoded; charset=utf-8";

  @Test
  void everyFaultIsOfAKindThatFitsTheRequestAndOnlyAppliedTimeoutsReachTheTarget() throws Exception {
    RandomFaults chaos = proxy.injectRandom(RandomFaults.of(1.0, 42).timeoutHold(Duration.ofMillis(50)));
    int rounds = 30;
    int conflicts = 0;
    int withoutResponse = 0;
    for (int i = 0; i < rounds; i++) {
      // a Lambda write (all four kinds), a Lambda read (no conflict), a CloudWatch Query call (XML errors)
      for (String which : new String[] {"write", "read", "query"}) {
        Answer a = switch (which) {
          case "write" -> send("PUT", ALIAS_PATH, "application/json", "{}");
          case "read" -> send("GET", ALIAS_PATH, null, "");
          default -> send("POST", "/", FORM, "Action=DescribeAlarms&Version=2010-08-01");
        };
        if (a.status() == -1) {
          withoutResponse++;
          continue;
        }
        assertTrue(a.status() >= 400, "rate 1: every request fails, got " + a.status());
        if (which.equals("query")) {
          assertTrue(a.body().startsWith("<ErrorResponse"), a.body());
          assertTrue(a.status() == 500 || (a.status() == 400 && a.body().contains("<Code>Throttling</Code>")),
              a.status() + " " + a.body());
        } else {
          assertTrue(a.body().contains("\"__type\""), a.body());
          assertEquals(switch (a.status()) {
            case 500 -> "serviceexception";
            case 429 -> "toomanyrequestsexception";
            case 409 -> "resourceconflictexception";
            default -> "unexpected status " + a.status();
          }, a.errorType());
        }
        if (a.status() == 409) {
          assertEquals("write", which, "a conflict only answers a Lambda write");
          conflicts++;
        }
      }
    }
    assertEquals(3L * rounds, chaos.seen());
    assertEquals(3L * rounds, chaos.injected());
    assertEquals(conflicts, chaos.injected(Kind.CONFLICT));
    assertEquals(withoutResponse, chaos.injected(Kind.TIMEOUT_APPLIED) + chaos.injected(Kind.TIMEOUT_NOT_APPLIED));
    assertEquals(chaos.injected(Kind.TIMEOUT_APPLIED), reached.get(), "only applied timeouts were forwarded");
    assertTrue(chaos.injected(Kind.TIMEOUT_APPLIED) > 0 && chaos.injected(Kind.TIMEOUT_NOT_APPLIED) > 0
        && conflicts > 0 && chaos.injected(Kind.SERVER_ERROR) > 0 && chaos.injected(Kind.THROTTLE) > 0,
        "90 requests from seed 42 meet every kind");
    assertEquals(Map.of("DescribeAlarms", (long) rounds, "GetAlias", (long) rounds, "UpdateAlias", (long) rounds),
        proxy.operations());
  }

  @Test
  void aRateOfZeroForwardsEverythingAndClearingReleasesHeldTimeoutsAtOnce() throws Exception {
    RandomFaults none = proxy.injectRandom(RandomFaults.of(0.0, 1));
    for (int i = 0; i < 10; i++) {
      assertEquals(200, send("GET", "/2015-03-31/functions/f", null, "").status());
    }
    assertEquals(10, reached.get());
    assertEquals(10, none.seen());
    assertEquals(0, none.injected());

    // every fault a timeout held for a minute: send until one is held, then clear
    RandomFaults hold = proxy.injectRandom(RandomFaults.of(1.0, 7).timeoutHold(Duration.ofMinutes(1)));
    ExecutorService senders = Executors.newCachedThreadPool();
    try {
      Future<Answer> pending = null;
      for (int i = 0; i < 50 && pending == null; i++) {
        long before = hold.injected(Kind.TIMEOUT_APPLIED) + hold.injected(Kind.TIMEOUT_NOT_APPLIED);
        Future<Answer> f = senders.submit(() -> send("GET", "/2015-03-31/functions/f", null, ""));
        try {
          await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> f.isDone()
              || hold.injected(Kind.TIMEOUT_APPLIED) + hold.injected(Kind.TIMEOUT_NOT_APPLIED) != before);
        } catch (ConditionTimeoutException stillOpen) {
          // neither answered nor counted yet: looked at below
        }
        if (!f.isDone()) {
          pending = f;
        }
      }
      assertTrue(pending != null, "a timeout held a request");
      Future<Answer> held = pending;
      await("held without a response").during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
          .until(() -> !held.isDone());
      long cleared = System.nanoTime();
      proxy.clearRandom();
      assertEquals(-1, pending.get(10, TimeUnit.SECONDS).status(), "the connection ends without a response");
      assertTrue(System.nanoTime() - cleared < TimeUnit.SECONDS.toNanos(10), "released at once, not after the hold");
      assertEquals(200, send("GET", "/2015-03-31/functions/f", null, "").status(), "cleared: forwarded again");
    } finally {
      senders.shutdownNow();
    }
  }

  @Test
  void operationsAreNamedFromTheLambdaRestPathOrTheQueryAction() {
    String json = "application/json";
    assertEquals("CreateFunction", FaultProxy.operation("POST", "/2015-03-31/functions", json, "{}"));
    assertEquals("ListFunctions", FaultProxy.operation("GET", "/2015-03-31/functions/", json, ""));
    assertEquals("GetFunction", FaultProxy.operation("GET", "/2015-03-31/functions/f", json, ""));
    assertEquals("DeleteFunction", FaultProxy.operation("DELETE", "/2015-03-31/functions/f", json, ""));
    assertEquals("UpdateFunctionCode", FaultProxy.operation("PUT", "/2015-03-31/functions/f/code", json, "{}"));
    assertEquals("PublishVersion", FaultProxy.operation("POST", "/2015-03-31/functions/f/versions", json, "{}"));
    assertEquals("ListVersionsByFunction", FaultProxy.operation("GET", "/2015-03-31/functions/f/versions", json, ""));
    assertEquals("CreateAlias", FaultProxy.operation("POST", "/2015-03-31/functions/f/aliases", json, "{}"));
    assertEquals("GetAlias", FaultProxy.operation("GET", "/2015-03-31/functions/f/aliases/live", json, ""));
    assertEquals("UpdateAlias", FaultProxy.operation("PUT", "/2015-03-31/functions/f/aliases/live", json, "{}"));
    assertEquals("TagResource", FaultProxy.operation("POST", "/2017-03-31/tags/arn%3Aaws%3Alambda", json, "{}"));
    assertEquals("GetFunctionConfiguration",
        FaultProxy.operation("GET", "/2015-03-31/functions/f/configuration", json, ""));
    assertEquals("DescribeAlarms", FaultProxy.operation("POST", "/",
        "application/x-www-form-urlencoded; charset=utf-8", "Action=DescribeAlarms&Version=2010-08-01"));
  }
  @Test
  void lambdaThrottlingAnswers429ToLambdaRequestsOnlyAndTheTrafficLogNamesServiceAndTarget() throws Exception {
    proxy.logTraffic();
    RandomFaults throttling = proxy.injectRandom(RandomFaults.lambdaThrottling(1.0, 7));
    Answer lambda = send("GET", ALIAS_PATH, null, "");
    assertEquals(429, lambda.status());
    assertEquals("toomanyrequestsexception", lambda.errorType());
    assertTrue(lambda.body().contains("\"__type\":\"TooManyRequestsException\""), lambda.body());
    assertEquals(200, send("POST", "/", FORM, "Action=DescribeAlarms&Version=2010-08-01").status());
    assertEquals(200, send("PUT", "/bucket/key", "application/zip", "zip").status());
    assertEquals(200, send("POST", "/2015-03-31/functions/f/invocations", "application/json", "{}").status());
    assertEquals(1, throttling.seen(), "only the Lambda control-plane request counts");
    assertEquals(1, throttling.injected(Kind.THROTTLE));
    List<FaultProxy.Request> traffic = proxy.traffic();
    assertEquals(4, traffic.size());
    FaultProxy.Request first = traffic.get(0);
    assertEquals(FaultProxy.Service.LAMBDA, first.service());
    assertEquals("GetAlias", first.operation());
    assertEquals("f", first.function());
    assertEquals("live", first.alias());
    assertEquals(429, first.status());
    assertEquals(FaultProxy.Service.CLOUDWATCH, traffic.get(1).service());
    assertEquals(FaultProxy.Service.OTHER, traffic.get(2).service());
    assertEquals("orders", FaultProxy.lambdaTarget(
        "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Aorders")[0]);
    assertEquals("orders", FaultProxy.lambdaTarget("/2015-03-31/functions/orders%3A3/configuration")[0]);
  }
}
