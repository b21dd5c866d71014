package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.function.DigestKey;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.Deployments;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.testbed.FaultProxy;
import dev.lambdaop.testbed.FaultProxy.Fault;
import dev.lambdaop.testbed.FaultProxy.Route;
import dev.lambdaop.testbed.SampleFunctions;
import software.amazon.awssdk.core.SdkBytes;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * Replicas as the chart runs them (replicaCount: 2, so leader election on): separate operator processes of the
 * packaged jar, each with the environment of the Deployment the chart renders, a token of the chart's
 * ServiceAccount with only the chart's RBAC, and its own HOSTNAME (a pod's name). Shows that only the leader
 * reconciles, that SIGTERM ends the leader in under 10 s and releases the Lease so that the standby takes over at
 * once and reconciles, that after a SIGKILL the standby takes over when the Lease expires, that SIGTERM also ends
 * an operator without leader election in under 10 s, also while a traffic hook runs, and that a replica that cannot
 * start exits. Every process it starts ends here: by SIGTERM, which the test
 * asserts, or, if an assertion failed first, killed in {@link #stopAll()}.
 */
class FailoverIT {
  private static final Duration STOP_LIMIT = E2e.SIGTERM_LIMIT;
  /** JOSDK's defaults, which the operator keeps (see Leadership): lease duration and retry period. */
  private static final Duration LEASE_DURATION = Duration.ofSeconds(15);
  private static final Duration RETRY_PERIOD = Duration.ofSeconds(2);
  private static final int SIGTERM_EXIT = E2e.SIGTERM_EXIT;
  private static final String LABEL_VALUE = "failover";
  private static final Path WORK = Path.of("target", "failover-it");
  private static final Set<String> IDENTITY_KINDS = Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding",
      "Role", "RoleBinding");

  private static KubernetesClient kube;
  private static LambdaClient lambda;
  private static String ns;
  private static String watched;
  private static String fullname;
  private static Map<String, String> deploymentEnv;
  private static Path kubeconfig;
  private static final List<GenericKubernetesResource> clusterScoped = new ArrayList<>();
  private static final List<Replica> replicas = new ArrayList<>();

  record Replica(String name, Process process, int port, Path log) {
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
      return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    String metrics() throws IOException, InterruptedException {
      return get("/metrics").body();
    }

    void awaitReady() {
      await(name + " ready").atMost(E2e.TIMEOUT).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
          .until(() -> get("/readyz").statusCode() == 200);
    }

    String output() throws IOException {
      return Files.readString(log);
    }
  }

  @BeforeAll
  static void installTheChartsIdentity() throws IOException {
    E2e.installCrds();
    E2e.roleArn();
    kube = E2e.kube();
    lambda = E2e.lambda();
    ns = E2e.namespace("failover");
    watched = E2e.namespace("failover-watched");
    String release = "fo-" + ns;
    fullname = release + "-lambda-operator";
    Files.createDirectories(WORK);
    Path values = WORK.resolve("values-" + ns + ".yaml");
    Files.writeString(values, """
        replicaCount: 2
        watchNamespaces: [%s]
        labelSelector: %s=%s
        aws:
          region: %s
          endpointUrl: %s
        """.formatted(watched, E2e.PROCESS_LABEL, LABEL_VALUE, E2e.testbed().awsRegion(), E2e.testbed().awsEndpoint()));
    List<GenericKubernetesResource> rendered = Manifests.documents(
        OperatorIdentity.helmTemplate(release, ns, List.of("-f", values.toString())));
    for (GenericKubernetesResource doc : rendered) {
      if (IDENTITY_KINDS.contains(doc.getKind())) {
        kube.resource(doc).fieldManager("failover-it").forceConflicts().serverSideApply();
        if (doc.getMetadata().getNamespace() == null || doc.getMetadata().getNamespace().equals("kube-system")) {
          clusterScoped.add(doc);
        }
      }
    }
    Deployment deployment = new KubernetesSerialization().convertValue(rendered.stream()
        .filter(d -> d.getKind().equals("Deployment")).findFirst().orElseThrow(), Deployment.class);
    deploymentEnv = new LinkedHashMap<>();
    for (EnvVar var : deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      deploymentEnv.put(var.getName(), var.getValue() == null ? "" : var.getValue());
    }
    assertEquals("true", deploymentEnv.get("LAMBDAOP_LEADER_ELECTION"), "two replicas elect a leader");
    assertEquals(ns, deploymentEnv.get("LAMBDAOP_LEADER_ELECTION_NAMESPACE"));
    kubeconfig = OperatorIdentity.kubeconfig(ns, fullname, WORK.resolve("serviceaccount-" + ns + ".kubeconfig"));
  }

  /** One replica: the packaged jar (what the image runs) with the Deployment's environment and a pod's HOSTNAME. */
  private static Replica start(String name, Map<String, String> overrides) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:-UsePerfData", "-jar", ContainerImageIT.JAR.toString());
    builder.environment().putAll(E2e.testbed().operatorEnvironment()); // the test bed's AWS credentials
    builder.environment().putAll(deploymentEnv);
    int port = freePort();
    builder.environment().put("LAMBDAOP_METRICS_PORT", Integer.toString(port)); // not 8080 on a shared host
    builder.environment().put("KUBECONFIG", kubeconfig.toString());
    builder.environment().put("HOSTNAME", name);
    builder.environment().putAll(overrides);
    Path log = WORK.resolve(name + "-" + ns + ".log");
    Replica replica = new Replica(name, builder.redirectErrorStream(true).redirectOutput(log.toFile()).start(), port,
        log);
    replicas.add(replica);
    return replica;
  }

  private static Lease lease() {
    return kube.leases().inNamespace(ns).withName("lambda-operator").get();
  }

  private static String holder() {
    Lease lease = lease();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private static boolean heldBy(Replica replica) {
    String holder = holder();
    // the operator's identity is "<HOSTNAME>_<random>"; JOSDK's own default would be HOSTNAME alone
    return holder != null && (holder.equals(replica.name()) || holder.startsWith(replica.name() + "_"));
  }

  private static Duration awaitHolder(Replica replica, long since, Duration atMost) {
    await(replica.name() + " holds the Lease").atMost(atMost).pollInterval(Duration.ofMillis(100))
        .until(() -> heldBy(replica));
    return Duration.ofNanos(System.nanoTime() - since);
  }

  /** SIGTERM, and the time until the process was gone; fails if it is not gone within {@link #STOP_LIMIT}. */
  private static Duration sigterm(Replica replica) throws InterruptedException {
    long begin = System.nanoTime();
    replica.process().destroy(); // SIGTERM
    assertTrue(replica.process().waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS),
        replica.name() + " still running " + STOP_LIMIT.toSeconds() + " s after SIGTERM");
    Duration took = Duration.ofNanos(System.nanoTime() - begin);
    assertEquals(SIGTERM_EXIT, replica.process().exitValue(), replica.name() + ": the JVM's exit code after SIGTERM");
    System.out.printf("FailoverIT: %s ended %d ms after SIGTERM%n", replica.name(), took.toMillis());
    return took;
  }

  @Test
  void onlyTheLeaderReconcilesAndASigtermedLeaderHandsOverAtOnce() throws Exception {
    Replica a = start("failover-a", Map.of());
    long startedA = System.nanoTime();
    awaitHolder(a, startedA, E2e.TIMEOUT); // a leads before b starts: which replica leads is known
    Replica b = start("failover-b", Map.of());
    a.awaitReady();
    b.awaitReady(); // a standby is ready too (its watches are up): it waits for the Lease

    createFunction("before");
    assertNotNull(lambda.getFunctionConfiguration(x -> x.functionName(functionName("before"))));
    assertTrue(a.metrics().contains(
        "lambdaop_aws_calls_total{account=\"operator\",operation=\"CreateFunction\",outcome=\"success\"} 1.0"), a.metrics());
    String standby = b.metrics();
    assertFalse(standby.contains("lambdaop_reconciles_total{"), "the standby reconciles nothing:\n" + standby);
    assertFalse(standby.contains("operation=\"CreateFunction\""), standby);
    assertTrue(heldBy(a));

    long sigterm = System.nanoTime();
    Duration stopped = sigterm(a);
    String afterStop = holder();
    assertTrue(afterStop == null || afterStop.startsWith("failover-b_"),
        "the stopped leader gave the Lease up (no holder, or b already): " + afterStop);
    assertTrue(a.output().contains("Released Lease " + ns + "/lambda-operator"), a.output());
    Duration takeover = awaitHolder(b, sigterm, LEASE_DURATION);
    System.out.printf("FailoverIT: SIGTERM to the leader: it ended in %d ms; the standby held the Lease %d ms after "
        + "the SIGTERM%n", stopped.toMillis(), takeover.toMillis());
    // without the release the Lease would stay a's until it expires: at least 13 s after the SIGTERM (renewed every
    // 2 s, valid 15 s); with it the standby takes it at its next try, within 2.2 retry periods
    assertTrue(takeover.compareTo(STOP_LIMIT) < 0, "takeover took " + takeover.toMillis() + " ms");

    createFunction("after");
    assertNotNull(lambda.getFunctionConfiguration(x -> x.functionName(functionName("after"))));
    assertTrue(b.metrics().contains(
        "lambdaop_aws_calls_total{account=\"operator\",operation=\"CreateFunction\",outcome=\"success\"} 1.0"), b.metrics());
    assertTrue(b.output().contains("Leader: this replica (failover-b_"), b.output());

    // a crash (SIGKILL): nothing is released, the next replica takes over when the Lease expires
    Replica c = start("failover-c", Map.of());
    c.awaitReady();
    b.process().destroyForcibly(); // SIGKILL
    assertTrue(b.process().waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS));
    long killed = System.nanoTime();
    Lease held = lease();
    assertTrue(held.getSpec().getHolderIdentity().startsWith("failover-b_"), "a killed leader releases nothing");
    ZonedDateTime expires = held.getSpec().getRenewTime().plusSeconds(held.getSpec().getLeaseDurationSeconds());
    // expires at most 15 s after the kill; c tries every 2 to 4.4 s
    Duration afterKill = awaitHolder(c, killed, LEASE_DURATION.plus(RETRY_PERIOD.multipliedBy(4)));
    assertTrue(ZonedDateTime.now().isAfter(expires), "c took the Lease only after it expired (" + expires + ")");
    System.out.printf("FailoverIT: SIGKILL to the leader: the standby held the Lease %d ms after the kill%n",
        afterKill.toMillis());

    // the last replica, leading with no standby: SIGTERM ends it as quickly, and the Lease is left without holder
    sigterm(c);
    assertNull(holder(), "released, and nobody to take it");
  }

  @Test
  void withoutLeaderElectionSigtermEndsTheOperatorToo() throws Exception {
    // its own label value: it shares the watched namespace with the replicas above, not their resources
    Replica single = start("failover-single", Map.of("LAMBDAOP_LEADER_ELECTION", "false",
        "LAMBDAOP_LABEL_SELECTOR", E2e.PROCESS_LABEL + "=" + LABEL_VALUE + "-single"));
    single.awaitReady();
    Duration stopped = sigterm(single);
    System.out.printf("FailoverIT: SIGTERM without leader election: ended in %d ms%n", stopped.toMillis());
    assertTrue(single.output().contains("Stopped in"), single.output());
    assertFalse(single.output().contains("Lease"), "no leader election, no Lease:\n" + single.output());
  }

  /**
   * SIGTERM while a traffic hook runs (its invocation held by a proxy in front of moto): the leader still ends within
   * 10 s and releases the Lease. The hook's invocation is cut (the hook function goes on in AWS; the next leader
   * invokes it again).
   */
  @Test
  void sigtermWhileAHookRunsEndsTheLeaderInTime() throws Exception {
    String label = LABEL_VALUE + "-hook";
    String hook = "fo-hook-" + ns;
    lambda.createFunction(r -> r.functionName(hook).role(E2e.roleArn()).runtime("python3.12").handler("index.handler")
        .code(c -> c.zipFile(SdkBytes.fromByteArray(DeterministicZip.of(Map.of("index.py", "h = 1\n")).bytes()))));
    try (FaultProxy proxy = new FaultProxy(E2e.testbed().awsEndpoint())) {
      Fault held = proxy.inject(Fault.on(Route.INVOKE.forFunction(hook))
          .whereHeader("X-Amz-Invocation-Type", "RequestResponse").delay(Duration.ofMinutes(5)));
      try {
        Replica leader = start("failover-hook", Map.of("AWS_ENDPOINT_URL", proxy.uri().toString(),
            "LAMBDAOP_LABEL_SELECTOR", E2e.PROCESS_LABEL + "=" + label));
        awaitHolder(leader, System.nanoTime(), E2e.TIMEOUT);
        LambdaFunction fn = SampleFunctions.inline(watched, "hooked", E2e.roleArn(), "v = 1\n");
        fn.getMetadata().setLabels(Map.of(E2e.PROCESS_LABEL, label));
        fn.getSpec().functionName = functionName("hooked");
        kube.resource(fn).create();
        E2e.awaitCondition(LambdaFunction.class, watched, "hooked", Conditions.READY, "True",
            x -> x.getStatus() == null ? null : x.getStatus().conditions);
        LambdaAlias alias = new LambdaAlias();
        alias.setMetadata(new ObjectMetaBuilder().withName("hooked-live").withNamespace(watched)
            .withLabels(Map.of(E2e.PROCESS_LABEL, label)).build());
        alias.setSpec(new LambdaAliasSpec());
        alias.getSpec().functionRef = new FunctionRef("hooked");
        alias.getSpec().aliasName = "live";
        alias.getSpec().deployment = Deployments.steps(50, "10m");
        alias.getSpec().deployment.preTrafficHook = Deployments.hook(hook, "10m");
        kube.resource(alias).create();
        await("the alias on version 1").atMost(E2e.TIMEOUT).ignoreExceptions().until(() ->
            lambda.getAlias(r -> r.functionName(fn.getSpec().functionName).name("live")).functionVersion().equals("1"));
        LambdaFunction current = kube.resources(LambdaFunction.class).inNamespace(watched).withName("hooked").get();
        current.getSpec().code.inline.files = Map.of("index.py", "v = 2\n");
        E2e.update(current);
        await("the pre-traffic hook invoked").atMost(E2e.TIMEOUT).until(() ->
            proxy.arrived(Route.INVOKE.forFunction(hook), "X-Amz-Invocation-Type", "RequestResponse") >= 1);

        Duration stopped = sigterm(leader);
        System.out.printf("FailoverIT: SIGTERM with a hook in flight: ended in %d ms%n", stopped.toMillis());
        assertTrue(leader.output().contains("Released Lease " + ns + "/lambda-operator"), leader.output());
        assertNull(holder(), "released");
      } finally {
        held.release();
      }
    }
  }

  /**
   * A replica that cannot start (here: no right to the Lease in its leader election namespace, the SDK's check at
   * start) ends with exit code 1 and says why, instead of staying alive without reconciling.
   */
  @Test
  void aReplicaThatCannotStartEndsWithExitCode1() throws Exception {
    // the digest key is there (the Role in the watched namespace cannot create it), so the start gets as far as the
    // leader election, where the chart's Role in the watched namespace grants nothing on Leases
    kube.resource(new SecretBuilder().withNewMetadata().withName(DigestKey.SECRET_NAME).withNamespace(watched)
        .endMetadata().withData(Map.of("key", Base64.getEncoder().encodeToString(new byte[32]))).build()).create();
    Replica replica = start("failover-no-lease", Map.of("LAMBDAOP_LEADER_ELECTION_NAMESPACE", watched,
        "LAMBDAOP_LABEL_SELECTOR", E2e.PROCESS_LABEL + "=" + LABEL_VALUE + "-no-lease"));
    assertTrue(replica.process().waitFor(E2e.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
        "a replica that could not start is still running:\n" + replica.output());
    assertEquals(1, replica.process().exitValue(), replica.output());
    assertTrue(replica.output().contains("Could not start: No permission to lease resource"), replica.output());
  }

  private static String functionName(String name) {
    return "fo-" + name + "-" + ns;
  }

  /** A LambdaFunction for the replicas, and its wait until Ready (the leader created its function). */
  private static void createFunction(String name) {
    LambdaFunction fn = new LambdaFunction();
    fn.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(watched)
        .withLabels(Map.of(E2e.PROCESS_LABEL, LABEL_VALUE)).build());
    fn.setSpec(new LambdaFunctionSpec());
    fn.getSpec().functionName = functionName(name);
    fn.getSpec().role = E2e.roleArn();
    fn.getSpec().runtime = "python3.12";
    fn.getSpec().handler = "index.handler";
    fn.getSpec().code = new LambdaFunctionSpec.Code();
    fn.getSpec().code.inline = new LambdaFunctionSpec.InlineCode();
    fn.getSpec().code.inline.files = Map.of("index.py", "f = '" + name + "'\n");
    kube.resource(fn).create();
    E2e.awaitCondition(LambdaFunction.class, watched, name, Conditions.READY, "True",
        x -> x.getStatus() == null ? null : x.getStatus().conditions);
  }

  /**
   * The safety net: a replica still running here means an assertion failed before its SIGTERM. Killed, so that no
   * run leaves an operator behind; the cluster-scoped objects of the rendered chart are deleted.
   */
  @AfterAll
  static void stopAll() throws InterruptedException {
    for (Replica replica : replicas) {
      if (replica.process().isAlive()) {
        replica.process().destroyForcibly().waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
    for (GenericKubernetesResource doc : clusterScoped) {
      kube.resource(doc).delete();
    }
    if (lambda != null) {
      lambda.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
