package dev.lambdaop.testbed;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The operator's main job on the local default (`make run`): starts the test bed (API server and Lambda endpoint on
 * 127.0.0.1), installs crds/, starts the operator process (dev.lambdaop.OperatorMain, configured only by environment
 * variables, as in a cluster), applies examples/ and prints each resource as its Ready condition changes. Runs until
 * Ctrl-C, then stops everything it started.
 */
public final class LocalRun {
  private static final String NAMESPACE = "default";
  private static final String[] KINDS = {"lambdafunctions", "lambdaaliases", "concurrencies", "eventsourcemappings"};

  private LocalRun() {}

  public static void main(String[] args) throws Exception {
    Path project = LocalTestbed.projectDirectory();
    System.out.println("lambda-operator local run: starting etcd, kube-apiserver and moto on 127.0.0.1 ...");
    Testbed bed = Testbed.start();
    List<Process> started = new ArrayList<>();
    // The operator reaches moto through the fault proxy, which emulates what moto lacks (MotoGaps: provisioned
    // concurrency, a mapping's alias ARN); it injects no fault here.
    FaultProxy proxy = new FaultProxy(bed.awsEndpoint());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("\nstopping the operator and the test bed ...");
      started.forEach(p -> p.descendants().forEach(ProcessHandle::destroy));
      started.forEach(Process::destroy);
      proxy.close();
      bed.close();
    }, "local-run-shutdown"));

    KubernetesClient kube = bed.kubernetesClient();
    System.out.println("  kubeconfig:    " + bed.kubeconfigPath() + "   (kubectl --kubeconfig " + bed.kubeconfigPath() + " get lfn)");
    System.out.println("  AWS endpoint:  " + bed.awsEndpoint() + " (region " + bed.awsRegion() + "; the operator's "
        + "requests go through " + proxy.uri() + ")");
    System.out.println("  CRDs:          " + Crds.install(kube, project.resolve("crds")));
    System.out.println("  IAM role:      " + bed.ensureLambdaRole("lambda-exec"));
    seedExampleArtifacts(bed);

    ProcessBuilder operator = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.lambdaop.OperatorMain").inheritIO();
    operator.environment().putAll(bed.operatorEnvironment());
    operator.environment().put("AWS_ENDPOINT_URL", proxy.uri().toString());
    operator.environment().putIfAbsent("LAMBDAOP_RESYNC_PERIOD", "1m");
    // metrics and probes on a free port (8080 may be taken on a workstation)
    String metricsPort = System.getenv().getOrDefault("LAMBDAOP_METRICS_PORT", String.valueOf(freePort()));
    operator.environment().put("LAMBDAOP_METRICS_PORT", metricsPort);
    started.add(operator.start());
    System.out.println("  operator:      pid " + started.get(0).pid() + " (dev.lambdaop.OperatorMain)");
    System.out.println("  metrics:       http://127.0.0.1:" + metricsPort + "/metrics  (/healthz, /readyz)");

    applyExamples(kube, project.resolve("examples"));
    System.out.println("\nwatching namespace " + NAMESPACE + " (Ctrl-C stops everything) ...");
    Map<String, String> shown = new LinkedHashMap<>();
    while (started.get(0).isAlive()) {
      for (String kind : KINDS) {
        for (GenericKubernetesResource r : kube.genericKubernetesResources("lambdaop.dev/v1alpha1", kindOf(kind))
            .inNamespace(NAMESPACE).list().getItems()) {
          String line = describe(r);
          String key = r.getKind() + "/" + r.getMetadata().getName();
          if (!line.equals(shown.put(key, line))) {
            System.out.println("  " + line);
          }
        }
      }
      // the next look in a second, or at once when the operator process ends
      started.get(0).waitFor(1, java.util.concurrent.TimeUnit.SECONDS);
    }
    System.out.println("the operator process ended with exit code " + started.get(0).exitValue());
    System.exit(1);
  }

  private static String kindOf(String plural) {
    return switch (plural) {
      case "lambdafunctions" -> "LambdaFunction";
      case "lambdaaliases" -> "LambdaAlias";
      case "eventsourcemappings" -> "EventSourceMapping";
      default -> "Concurrency";
    };
  }

  @SuppressWarnings("unchecked")
  private static String describe(GenericKubernetesResource r) {
    Map<String, Object> status = (Map<String, Object>) r.getAdditionalProperties().getOrDefault("status", Map.of());
    List<Map<String, Object>> conditions = (List<Map<String, Object>>) status.getOrDefault("conditions", List.of());
    Map<String, Object> ready = conditions.stream().filter(c -> "Ready".equals(c.get("type"))).findFirst().orElse(Map.of());
    String version = status.containsKey("latestVersion") ? " version=" + status.get("latestVersion") : "";
    return String.format("%-15s %-22s Ready=%-7s %-14s%s  %s", r.getKind(), r.getMetadata().getName(),
        ready.getOrDefault("status", "-"), ready.getOrDefault("reason", ""), version, ready.getOrDefault("message", ""));
  }

  private static void applyExamples(KubernetesClient kube, Path examples) throws IOException {
    try (Stream<Path> files = Files.list(examples)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
          if (doc.lines().allMatch(l -> l.isBlank() || l.startsWith("#"))) {
            continue;
          }
          GenericKubernetesResource resource = Serialization.unmarshal(doc, GenericKubernetesResource.class);
          kube.resource(resource).inNamespace(NAMESPACE).fieldManager("lambdaop-local-run").forceConflicts()
              .serverSideApply();
        }
        System.out.println("  applied:       " + examples.getParent().relativize(file));
      }
    }
  }

  /**
   * The S3 example deploys from a bucket: a small zip there, as a CI pipeline would put it. The trigger examples
   * name an SQS queue (the mapping's source) and a dead-letter queue (the async destination): created in moto.
   */
  private static void seedExampleArtifacts(Testbed bed) throws IOException {
    try (software.amazon.awssdk.services.sqs.SqsClient sqs = bed.configureAws(
        software.amazon.awssdk.services.sqs.SqsClient.builder()).build()) {
      for (String queue : List.of("orders", "orders-failed", "orders-done")) {
        sqs.createQueue(r -> r.queueName(queue));
      }
      System.out.println("  SQS queues:    orders, orders-failed, orders-done");
    }
    try (S3Client s3 = bed.configureAws(S3Client.builder()).forcePathStyle(true).build()) {
      s3.createBucket(r -> r.bucket("lambdaop-examples"));
      ByteArrayOutputStream zip = new ByteArrayOutputStream();
      try (ZipOutputStream out = new ZipOutputStream(zip)) {
        out.putNextEntry(new ZipEntry("orders.py"));
        out.write("def handler(event, context):\n    return {'orders': []}\n".getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
      s3.putObject(r -> r.bucket("lambdaop-examples").key("orders/orders-1.0.0.zip"), RequestBody.fromBytes(zip.toByteArray()));
      System.out.println("  S3 artifact:   s3://lambdaop-examples/orders/orders-1.0.0.zip");
    }
  }

  private static int freePort() {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
