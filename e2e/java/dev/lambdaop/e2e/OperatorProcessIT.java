package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * The operator as users run it: the packaged jar that the container image runs (target/lambda-operator.jar),
 * configured only by environment variables (KUBECONFIG,
 * AWS_REGION, AWS_ENDPOINT_URL, credentials from the environment, LAMBDAOP_*), and authenticated as the
 * ServiceAccount that operator/ installs, with only the RBAC that operator/ grants (a token from the API server). Its
 * probes and metrics are served on LAMBDAOP_METRICS_PORT, and with LAMBDAOP_LOG_FORMAT=json every log line is JSON.
 */
class OperatorProcessIT {
  private static String ns;
  private static KubernetesClient kube;
  private static LambdaClient lambda;
  private static Process operator;
  private static int metricsPort;
  private static final Path LOG = Path.of("target", "operator-process-it.log");

  @BeforeAll
  static void start() throws IOException {
    E2e.installCrds();
    E2e.roleArn();
    kube = E2e.kube();
    lambda = E2e.lambda();
    ns = E2e.namespace("proc");
    // what the container image runs: the packaged jar, configured by environment variables only
    ProcessBuilder builder = packagedJar();
    builder.environment().putAll(E2e.testbed().operatorEnvironment());
    metricsPort = freePort();
    builder.environment().put("LAMBDAOP_METRICS_PORT", String.valueOf(metricsPort));
    builder.environment().put("LAMBDAOP_LOG_FORMAT", "json");
    builder.environment().put("KUBECONFIG", serviceAccountKubeconfig().toString());
    builder.environment().put("LAMBDAOP_WATCH_NAMESPACES", ns);
    builder.environment().put("LAMBDAOP_LABEL_SELECTOR", E2e.PROCESS_LABEL + "=process");
    builder.environment().put("LAMBDAOP_RESYNC_PERIOD", "5s");
    // as operator/'s Deployment sets it (its own namespace): where the digest key and the Role to create it live
    builder.environment().put("LAMBDAOP_LEADER_ELECTION_NAMESPACE", OperatorIdentity.NAMESPACE);
    operator = builder.redirectErrorStream(true)
        .redirectOutput(LOG.toFile()).start();
  }

  private static ProcessBuilder packagedJar() {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:-UsePerfData", "-jar", ContainerImageIT.JAR.toString());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void probesAndMetricsAreServedAndLogsAreJson() throws Exception {
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> get("/readyz").statusCode() == 200);
    assertEquals(200, get("/healthz").statusCode());
    theOperatorProcessCreatesAndDeletesAFunctionOnce();
    String metrics = get("/metrics").body();
    assertTrue(metrics.contains("lambdaop_aws_calls_total{account=\"operator\",operation=\"CreateFunction\",outcome=\"success\"} 1.0"), metrics);
    assertTrue(metrics.contains("lambdaop_aws_calls_total{account=\"operator\",operation=\"DeleteFunction\",outcome=\"success\"}"), metrics);
    assertTrue(metrics.contains("lambdaop_reconciles_total{kind=\"LambdaFunction\",retry=\"false\"}"), metrics);
    assertTrue(metrics.contains("lambdaop_reconcile_duration_seconds_count{controller=\"lambdafunction\""), metrics);
    List<String> lines = Files.readAllLines(LOG).stream().filter(l -> !l.isBlank()).toList();
    assertFalse(lines.isEmpty());
    ObjectMapper json = new ObjectMapper();
    for (String line : lines) {
      JsonNode event = json.readTree(line);
      assertTrue(event.has("level") && event.has("loggerName") && event.has("timestamp"), line);
    }
  }

  /** SIGTERM ends the process (no leader election here; FailoverIT stops replicas that elect one). */
  @AfterAll
  static void stop() throws InterruptedException {
    lambda.close();
    if (operator != null) {
      assertTrue(E2e.endsOnSigterm(operator), "SIGTERM did not end the operator within "
          + E2e.SIGTERM_LIMIT.toSeconds() + " s (it was killed)");
      assertEquals(E2e.SIGTERM_EXIT, operator.exitValue());
    }
  }

  /**
   * Installs operator/ as a user would (its namespace, and the chart rendered with default values: ServiceAccount,
   * ClusterRole and binding, Service, Deployment; no pod runs here, there is no controller manager) and writes a
   * kubeconfig that authenticates as its ServiceAccount.
   */
  private static Path serviceAccountKubeconfig() {
    for (String manifest : List.of("namespace.yaml", "lambda-operator.yaml")) {
      for (GenericKubernetesResource doc : Manifests.documents(E2e.projectDir().resolve("operator").resolve(manifest))) {
        kube.resource(doc).fieldManager("operator-process-it").forceConflicts().serverSideApply();
      }
    }
    return OperatorIdentity.kubeconfig(OperatorIdentity.NAMESPACE, OperatorIdentity.SERVICE_ACCOUNT,
        Path.of("target", "operator-serviceaccount.kubeconfig"));
  }

  private static ProcessBuilder java(String mainClass, String... args) {
    ProcessBuilder builder = new ProcessBuilder();
    builder.command().add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    builder.command().add("-cp");
    builder.command().add(System.getProperty("java.class.path"));
    builder.command().add(mainClass);
    builder.command().addAll(java.util.List.of(args));
    return builder;
  }

  private static boolean created;

  /** Once: both tests use it, in either order. */
  private static synchronized void theOperatorProcessCreatesAndDeletesAFunctionOnce() {
    if (!created) {
      created = true;
      createAndDelete();
    }
  }

  @Test
  void theOperatorProcessCreatesAndDeletesAFunction() {
    theOperatorProcessCreatesAndDeletesAFunctionOnce();
  }

  private static void createAndDelete() {
    LambdaFunction fn = new LambdaFunction();
    fn.setMetadata(new ObjectMetaBuilder().withName("by-process").withNamespace(ns)
        .withLabels(Map.of(E2e.PROCESS_LABEL, "process")).build());
    fn.setSpec(new LambdaFunctionSpec());
    fn.getSpec().functionName = "made-by-operator-process";
    fn.getSpec().role = E2e.roleArn();
    fn.getSpec().runtime = "python3.12";
    fn.getSpec().handler = "index.handler";
    fn.getSpec().code = new LambdaFunctionSpec.Code();
    fn.getSpec().code.inline = new LambdaFunctionSpec.InlineCode();
    fn.getSpec().code.inline.files = Map.of("index.py", "p = 1\n");
    kube.resource(fn).create();

    LambdaFunction ready = E2e.awaitCondition(LambdaFunction.class, ns, "by-process", Conditions.READY, "True",
        r -> r.getStatus() == null ? null : r.getStatus().conditions);
    assertEquals("1", ready.getStatus().latestVersion);
    assertTrue(operator.isAlive());
    assertEquals(DeterministicZip.of(fn.getSpec().code.inline.files).sha256(),
        lambda.getFunctionConfiguration(r -> r.functionName("made-by-operator-process")).codeSha256());

    kube.resource(ready).delete();
    await().atMost(E2e.TIMEOUT).until(() -> kube.resources(LambdaFunction.class).inNamespace(ns)
        .withName("by-process").get() == null);
    assertThrows(ResourceNotFoundException.class,
        () -> lambda.getFunction(r -> r.functionName("made-by-operator-process")));
  }

  @Test
  void helpListsTheSettings() throws Exception {
    Process help = java("dev.lambdaop.OperatorMain", "--help").redirectErrorStream(true).start();
    String out = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(help.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, help.exitValue());
    for (String setting : new String[] {"LAMBDAOP_WATCH_NAMESPACES", "LAMBDAOP_LABEL_SELECTOR",
        "LAMBDAOP_RESYNC_PERIOD", "LAMBDAOP_LEADER_ELECTION", "AWS_ENDPOINT_URL"}) {
      assertTrue(out.contains(setting), "--help should name " + setting + ":\n" + out);
    }
  }

  /**
   * A setting that cannot work stops the process at start with exit code 2 and one line naming the variable, the
   * value and what is expected: before the write budget (a burst under one token fails every write) or anything
   * else is built.
   */
  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "LAMBDAOP_RESYNC_PERIOD   | soon     | a duration from 1s to 24h",
      "LAMBDAOP_AWS_REQUEST_BURST | 0.5    | a number from 1 to 1000",
      "AWS_REGION               | eu-west1 | a region such as eu-west-1"})
  void aBadSettingStopsTheProcessWithAMessageThatNamesIt(String variable, String value, String expected)
      throws Exception {
    Path output = Path.of("target", "operator-process-it-" + variable + ".log");
    ProcessBuilder bad = java("dev.lambdaop.OperatorMain").redirectErrorStream(true)
        .redirectOutput(output.toFile());
    bad.environment().putAll(E2e.testbed().operatorEnvironment());
    bad.environment().put(variable, value);
    Process p = bad.start();
    try {
      boolean ended = p.waitFor(30, TimeUnit.SECONDS);
      String out = Files.readString(output);
      assertTrue(ended, "still running with " + variable + "=" + value + ":\n" + out);
      assertEquals(2, p.exitValue(), out);
      assertTrue(out.contains("lambda-operator: " + variable + "=" + value + ": expected " + expected), out);
      assertFalse(out.contains("Exception"), "a message, not a stack trace:\n" + out);
    } finally {
      if (p.isAlive()) {
        p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      }
    }
  }
}
