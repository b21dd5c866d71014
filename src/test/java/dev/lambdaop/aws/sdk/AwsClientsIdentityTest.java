package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lambdaop.TestClock;
import dev.lambdaop.aws.AwsIdentity;
import dev.lambdaop.aws.Invoker;
import dev.lambdaop.observability.OperatorMetrics;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.Urgency;
import dev.lambdaop.reconcile.Work;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The clients act as the current work's AWS identity: against a stand-in on 127.0.0.1 that answers STS (AssumeRole,
 * GetCallerIdentity) and Lambda, and records which access key signed each request.
 */
class AwsClientsIdentityTest {
  private static final AwsIdentity SHOP = new AwsIdentity("arn:aws:iam::222222222222:role/lambda-operator", null);
  private static final AwsIdentity BILLING =
      new AwsIdentity("arn:aws:iam::333333333333:role/lambda-operator", "eu-west-2");
  private static final AwsIdentity LOCKED = new AwsIdentity("arn:aws:iam::444444444444:role/lambda-operator", null);
  private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/[0-9]+/([a-z0-9-]+)/([a-z]+)/");

  private final TestClock clock = new TestClock(Instant.parse("2026-01-01T10:00:00Z"));
  private HttpServer server;
  private ExecutorService serverThreads;
  /** Each request: "service key region what" (what: the STS action, or the Lambda path). */
  private final List<String> requests = new CopyOnWriteArrayList<>();
  /** The STS forms received. */
  private final List<Map<String, String>> stsForms = new CopyOnWriteArrayList<>();
  private AwsClients clients;

  @BeforeEach
  void start() throws IOException {
    serverThreads = Executors.newFixedThreadPool(4);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.setExecutor(serverThreads);
    server.createContext("/", this::handle);
    server.start();
    URI endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    clients = new AwsClients(new AwsSettings("us-east-1", endpoint,
        StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIAOPERATOR", "secret"))), 4, "ext-9", clock);
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
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String authorization = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
      Matcher m = CREDENTIAL.matcher(authorization);
      String signer = m.find() ? m.group(3) + " " + m.group(1) + " " + m.group(2) : "unsigned " + authorization;
      String token = exchange.getRequestHeaders().getFirst("X-Amz-Security-Token");
      int status = 200;
      String contentType;
      String answer;
      if (exchange.getRequestURI().getPath().startsWith("/2015-03-31/")) {
        requests.add(signer + " " + exchange.getRequestURI().getPath() + (token == null ? "" : " token=" + token));
        contentType = "application/json";
        answer = "{\"Configuration\":{\"FunctionName\":\"orders\",\"Version\":\"$LATEST\"}}";
      } else {
        Map<String, String> form = form(body);
        stsForms.add(form);
        requests.add(signer + " " + form.get("Action"));
        contentType = "text/xml";
        if ("GetCallerIdentity".equals(form.get("Action"))) {
          answer = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
              + "<GetCallerIdentityResult><Arn>arn:aws:sts::111111111111:assumed-role/lambda-operator/pod</Arn>"
              + "<UserId>AROAOPERATOR:pod</UserId><Account>111111111111</Account></GetCallerIdentityResult>"
              + "<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
        } else if (form.get("RoleArn").equals(LOCKED.roleArn())) {
          status = 403;
          answer = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
              + "<Code>AccessDenied</Code><Message>User: arn:aws:sts::111111111111:assumed-role/lambda-operator/pod"
              + " is not authorized to perform: sts:AssumeRole on resource: " + LOCKED.roleArn() + "</Message>"
              + "</Error><RequestId>r2</RequestId></ErrorResponse>";
        } else {
          String account = form.get("RoleArn").split(":")[4];
          answer = "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
              + "<Credentials><AccessKeyId>ASIA" + account + "</AccessKeyId><SecretAccessKey>s" + account
              + "</SecretAccessKey><SessionToken>token-" + account + "</SessionToken>"
              + "<Expiration>" + clock.instant().plusSeconds(Long.parseLong(form.get("DurationSeconds")))
              + "</Expiration></Credentials>"
              + "<AssumedRoleUser><AssumedRoleId>AROA" + account + ":" + form.get("RoleSessionName")
              + "</AssumedRoleId><Arn>arn:aws:sts::" + account + ":assumed-role/lambda-operator/"
              + form.get("RoleSessionName") + "</Arn></AssumedRoleUser></AssumeRoleResult>"
              + "<ResponseMetadata><RequestId>r3</RequestId></ResponseMetadata></AssumeRoleResponse>";
        }
      }
      exchange.getResponseHeaders().set("Content-Type", contentType);
      byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static Map<String, String> form(String body) {
    Map<String, String> form = new HashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return form;
  }

  private void getFunction() {
    clients.lambda(null).getFunction(r -> r.functionName("orders"));
  }

  @Test
  void eachIdentitysCallsAreSignedWithItsOwnCredentials() {
    getFunction();
    new Work("LambdaFunction/shop/orders", Urgency.DEPLOY, SHOP).run(() -> {
      getFunction();
      getFunction();
      return null;
    });
    new Work("LambdaFunction/billing/orders", Urgency.DEPLOY, BILLING).run(() -> {
      getFunction();
      return null;
    });
    new Work("LambdaFunction/plain/orders", Urgency.DEPLOY).run(() -> {
      getFunction();
      return null;
    });
    assertEquals(List.of(
        "lambda AKIAOPERATOR us-east-1 /2015-03-31/functions/orders",
        "sts AKIAOPERATOR us-east-1 AssumeRole",
        "lambda ASIA222222222222 us-east-1 /2015-03-31/functions/orders token=token-222222222222",
        "lambda ASIA222222222222 us-east-1 /2015-03-31/functions/orders token=token-222222222222",
        "sts AKIAOPERATOR us-east-1 AssumeRole",
        "lambda ASIA333333333333 eu-west-2 /2015-03-31/functions/orders token=token-333333333333",
        "lambda AKIAOPERATOR us-east-1 /2015-03-31/functions/orders"), requests);
    Map<String, String> assume = stsForms.get(0);
    assertEquals(SHOP.roleArn(), assume.get("RoleArn"));
    assertEquals("lambda-operator-shop", assume.get("RoleSessionName"));
    assertEquals("ext-9", assume.get("ExternalId"));
    assertEquals("3600", assume.get("DurationSeconds"));
    assertEquals("lambda-operator-billing", stsForms.get(1).get("RoleSessionName"));
  }

  @Test
  void explicitIdentityClientsServeOffTheReconcileThreads() {
    clients.cloudWatch(SHOP, "eu-west-1");
    clients.lambda(SHOP, null).getFunction(r -> r.functionName("orders"));
    assertEquals("lambda ASIA222222222222 us-east-1 /2015-03-31/functions/orders token=token-222222222222",
        requests.get(requests.size() - 1));
    assertEquals(1, stsForms.size(), "one session for the role, used by both clients");
    assertTrue(stsForms.get(0).get("RoleSessionName").matches("lambda-operator-[0-9a-f]{8}"));
  }

  @Test
  void aSessionIsAssumedAgainBeforeItExpires() {
    Work shop = new Work("LambdaFunction/shop/orders", Urgency.DEPLOY, SHOP);
    shop.run(() -> {
      getFunction();
      return null;
    });
    clock.advance(Duration.ofMinutes(50));
    shop.run(() -> {
      getFunction();
      return null;
    });
    assertEquals(1, stsForms.size());
    clock.advance(Duration.ofMinutes(6));
    shop.run(() -> {
      getFunction();
      return null;
    });
    assertEquals(2, stsForms.size(), "4 minutes left: assumed again");
  }

  @Test
  void anUnassumableRoleFailsItsNamespacesCallsBeforeTheyAreMade_andNoOthers() {
    AwsFailure failure = assertThrows(AwsFailure.class,
        () -> new Work("LambdaFunction/locked/orders", Urgency.DEPLOY, LOCKED).run(() -> {
          getFunction();
          return null;
        }));
    assertEquals(AccountSessions.NOT_ASSUMABLE, failure.reason());
    assertTrue(failure.getMessage().contains(LOCKED.roleArn()), failure.getMessage());
    assertTrue(failure.getMessage().contains("AccessDenied: User: arn:aws:sts::111111111111"), failure.getMessage());
    assertFalse(requests.stream().anyMatch(r -> r.startsWith("lambda")), requests.toString());
    new Work("LambdaFunction/shop/orders", Urgency.DEPLOY, SHOP).run(() -> {
      getFunction();
      return null;
    });
    assertTrue(requests.get(requests.size() - 1).startsWith("lambda ASIA222222222222"), requests.toString());
  }

  @Test
  void aHookOfANamespaceWhoseRoleCannotBeAssumedIsAFailedResult() {
    SdkInvoker invoker = new SdkInvoker(clients,
        new AwsCalls(new AwsCalls.BudgetSettings(10, 10, 50, 10, 5), new OperatorMetrics()));
    Invoker.Result result = new Work("LambdaAlias/locked/live", Urgency.STEP, LOCKED)
        .run(() -> invoker.invoke(null, "hook", "{}", Duration.ofSeconds(5)));
    assertFalse(result.succeeded());
    assertEquals(AccountSessions.NOT_ASSUMABLE, result.functionError());
  }

  @Test
  void theAccountOfAnIdentity_theOperatorsAskedOnce() {
    assertEquals("222222222222", clients.accountId(SHOP));
    assertEquals("111111111111", clients.accountId(AwsIdentity.OPERATOR));
    assertEquals("111111111111", clients.accountId(AwsIdentity.OPERATOR));
    assertEquals(List.of("sts AKIAOPERATOR us-east-1 GetCallerIdentity"), requests);
  }

  @Test
  void theNamespaceOfAWorkIsFromItsKey() {
    assertEquals("shop", AwsClients.namespaceOf(new Work("LambdaAlias/shop/live", Urgency.STEP)));
    assertEquals(null, AwsClients.namespaceOf(Work.NONE));
  }

  @Test
  void aNullRegionIsTheIdentitysDefaultRegion() {
    assertEquals("eu-west-2", clients.region(BILLING, null));
    assertEquals("us-east-1", clients.region(SHOP, null));
    assertEquals("eu-west-1", clients.region(BILLING, "eu-west-1"));
    assertEquals("eu-west-2", new Work("LambdaFunction/billing/orders", Urgency.DEPLOY, BILLING)
        .run(() -> clients.region(null)));
  }
}
