package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lambdaop.aws.AliasRouting;
import dev.lambdaop.aws.AliasSnapshot;
import dev.lambdaop.aws.Aws;
import dev.lambdaop.observability.OperatorMetrics;
import dev.lambdaop.reconcile.Urgency;
import dev.lambdaop.reconcile.Work;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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
 * What the adapter's reads cost, against a Lambda endpoint stand-in on 127.0.0.1 that counts requests: drift checks
 * of N aliases of one function share one ListAliases, other passes read GetAlias; a version's traits are read once
 * (GetFunction with a qualifier, not GetFunctionConfiguration); whether a version exists is always read.
 */
class LambdaReadsTest {
  private static final String REGION = "us-east-1";

  private HttpServer server;
  private ExecutorService serverThreads;
  private final Map<String, Integer> requests = new ConcurrentHashMap<>();
  /** The aliases of function "orders" in the stand-in, by name: the version each routes to. */
  private final Map<String, String> aliases = new ConcurrentHashMap<>();
  private volatile boolean versionExists = true;
  private AwsClients clients;
  private AwsCalls calls;
  private Aws aws;

  @BeforeEach
  void start() throws IOException {
    serverThreads = Executors.newFixedThreadPool(4);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(serverThreads);
    server.createContext("/", this::handle);
    server.start();
    URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    clients = new AwsClients(new AwsSettings(REGION, endpoint,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))), 4);
    calls = new AwsCalls(new AwsCalls.BudgetSettings(100, 100, 100, 100, 100), new OperatorMetrics());
    aws = SdkAws.create(clients, calls, Duration.ofMinutes(5));
    for (int i = 1; i <= 5; i++) {
      aliases.put("a" + i, "1");
    }
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
      exchange.getRequestBody().readAllBytes();
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      String[] p = path.split("/"); // "", "2015-03-31", "functions", name, ["aliases", [alias]]
      String operation;
      String body;
      int status = 200;
      if (p.length == 4 && method.equals("GET")) {
        operation = "GetFunction";
        body = versionExists ? "{\"Configuration\":{\"FunctionName\":\"orders\",\"Version\":\"1\","
            + "\"Role\":\"arn:aws:iam::123456789012:role/r\",\"CodeSha256\":\"abc\"}}" : null;
      } else if (p.length == 5 && method.equals("GET")) {
        operation = "ListAliases";
        StringBuilder list = new StringBuilder();
        new TreeMap<>(aliases).forEach((name, version) -> list.append(list.isEmpty() ? "" : ",").append(alias(name)));
        body = "{\"Aliases\":[" + list + "]}";
      } else if (p.length == 6 && method.equals("GET")) {
        operation = "GetAlias";
        body = aliases.containsKey(p[5]) ? alias(p[5]) : null;
      } else if (p.length == 6 && method.equals("PUT")) {
        operation = "UpdateAlias";
        aliases.put(p[5], "2");
        body = alias(p[5]);
      } else {
        operation = method + " " + path;
        body = null;
      }
      requests.merge(operation, 1, Integer::sum);
      if (body == null) {
        status = 404;
        exchange.getResponseHeaders().set("x-amzn-ErrorType", "ResourceNotFoundException");
        body = "{\"Type\":\"User\",\"message\":\"not found\"}";
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private String alias(String name) {
    return "{\"Name\":\"" + name + "\",\"FunctionVersion\":\"" + aliases.get(name) + "\",\"AliasArn\":"
        + "\"arn:aws:lambda:us-east-1:123456789012:function:orders:" + name + "\",\"RevisionId\":\"r-"
        + aliases.get(name) + "\"}";
  }

  private static <T> T at(Urgency urgency, String key, Supplier<T> body) {
    return new Work("LambdaAlias/ns/" + key, urgency).run(body);
  }

  @Test
  void driftChecksOfFiveAliasesOfOneFunctionCostOneListAliases() {
    for (int i = 1; i <= 5; i++) {
      String name = "a" + i;
      Optional<AliasSnapshot> a = at(Urgency.DRIFT, name, () -> aws.aliases().get(REGION, "orders", name));
      assertEquals("1", a.orElseThrow().functionVersion());
      assertEquals("r-1", a.orElseThrow().revisionId());
    }
    assertTrue(at(Urgency.DRIFT, "gone", () -> aws.aliases().get(REGION, "orders", "gone")).isEmpty());

    assertEquals(Map.of("ListAliases", 1), requests);
    assertEquals(Map.of("ListAliases", 1L), calls.counter().snapshot());
  }

  @Test
  void aPassThatMayWriteReadsTheAliasItself() {
    at(Urgency.DRIFT, "a1", () -> aws.aliases().get(REGION, "orders", "a1"));
    for (Urgency u : List.of(Urgency.ROLLBACK, Urgency.STEP, Urgency.DEPLOY)) {
      at(u, "a1", () -> aws.aliases().get(REGION, "orders", "a1"));
    }
    assertEquals(Map.of("ListAliases", 1, "GetAlias", 3), requests);
  }

  @Test
  void theOperatorsOwnWriteKeepsTheListingTrue() {
    at(Urgency.DRIFT, "a1", () -> aws.aliases().get(REGION, "orders", "a1"));
    at(Urgency.STEP, "a1", () -> aws.aliases().update(REGION, "orders",
        new AliasRouting("a1", "2", null, 0, ""), "r-1"));

    AliasSnapshot a1 = at(Urgency.DRIFT, "a1", () -> aws.aliases().get(REGION, "orders", "a1")).orElseThrow();

    assertEquals(List.of("2", "r-2"), List.of(a1.functionVersion(), a1.revisionId()));
    assertEquals(Map.of("ListAliases", 1, "UpdateAlias", 1), requests);
  }

  @Test
  void theVersionsInUseRenewTheListing() {
    assertEquals(java.util.Set.of("1"), aws.aliases().versionsInUse(REGION, "orders"));
    at(Urgency.DRIFT, "a2", () -> aws.aliases().get(REGION, "orders", "a2"));
    assertEquals(Map.of("ListAliases", 1), requests);
  }

  @Test
  void aVersionsTraitsAreReadOnceWithGetFunctionButItsExistenceEveryTime() {
    for (int i = 0; i < 3; i++) {
      assertEquals("arn:aws:iam::123456789012:role/r",
          aws.versions().traits(REGION, "orders", "1").orElseThrow().role());
    }
    assertEquals(Map.of("GetFunction", 1), requests);

    versionExists = false;
    assertTrue(aws.versions().version(REGION, "orders", "1").isEmpty());
    assertEquals(Map.of("GetFunction", 2), requests);
    assertTrue(aws.versions().traits(REGION, "orders", "1").isEmpty(), "a version found gone is not kept");
    assertEquals(Map.of("GetFunction", 3), requests);
  }
}
