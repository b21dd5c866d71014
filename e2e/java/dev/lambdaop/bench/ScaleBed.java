package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.seconds;

import dev.lambdaop.testbed.Crds;
import dev.lambdaop.testbed.FaultProxy;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * What a scale scenario stands on: the test bed with the CRDs and a Lambda role, the fault proxy in front of its AWS
 * endpoint (its traffic log on: every request the operator makes), a fresh namespace, the operator as its own process
 * (one after the other: {@link #startOperator}), a Lambda client of the benchmark's own straight to moto, and a pool
 * of client threads. Closing it stops the recorders, the operator, the proxy and the test bed, in that order.
 */
final class ScaleBed implements AutoCloseable {
  private static final String ROLE_NAME = "lambda-exec";
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

  final Testbed testbed;
  final ExecutorService pool;
  final ScaleSettings settings;
  FaultProxy proxy;
  KubernetesClient kube;
  String role;
  String ns;
  Path logDirectory;
  /** The benchmark's own client, not through the proxy. */
  LambdaClient lambda;
  OperatorProcess operator;
  private final Deque<AutoCloseable> recorders = new ArrayDeque<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ScaleBed(Testbed testbed, ScaleSettings settings) {
    this.testbed = testbed;
    this.settings = settings;
    this.pool = Executors.newFixedThreadPool(settings.threads(), r -> {
      Thread t = new Thread(r, "bench-client");
      t.setDaemon(true);
      return t;
    });
  }

  static ScaleBed start(ScaleSettings s, String scenario) {
    ScaleBed b = new ScaleBed(Testbed.start(), s);
    try {
      b.kube = b.testbed.kubernetesClient();
      Crds.install(b.kube, s.projectDir().resolve("crds"));
      b.role = b.testbed.ensureLambdaRole(ROLE_NAME);
      b.proxy = new FaultProxy(b.testbed.awsEndpoint(), 32);
      b.proxy.logTraffic();
      b.lambda = b.testbed.configureAws(LambdaClient.builder())
          .httpClient(ApacheHttpClient.builder().maxConnections(s.threads() + 4).build()).build();
      b.ns = scenario + "-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
      b.kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(b.ns).endMetadata().build())
          .create();
      b.logDirectory = s.projectDir().resolve("target").resolve("bench-scale").resolve(b.ns);
      return b;
    } catch (RuntimeException | Error e) {
      b.close();
      throw e;
    }
  }

  /**
   * Stops the operator process that runs (if any) and starts a new one with the test bed's environment, its AWS
   * endpoint the proxy, this namespace watched, and {@code extra} (nothing else of the operator's settings: with an
   * empty {@code extra} it runs at its defaults). Returns when it answers /readyz (within 2 minutes).
   */
  OperatorProcess startOperator(String label, Map<String, String> extra) throws InterruptedException {
    stopOperator();
    Map<String, String> env = new LinkedHashMap<>(testbed.operatorEnvironment());
    env.put("AWS_ENDPOINT_URL", proxy.uri().toString());
    env.put("LAMBDAOP_WATCH_NAMESPACES", ns);
    env.putAll(extra);
    operator = new OperatorProcess(env, settings.javaOptions(), logDirectory.resolve(label));
    operator.start();
    if (!operator.awaitReady(Duration.ofMinutes(2))) {
      throw new IllegalStateException("the operator process (" + label + ") did not answer /readyz within 2 min;"
          + " its log: " + logDirectory.resolve(label));
    }
    return operator;
  }

  /** Stops the operator process (SIGTERM), if one runs. */
  void stopOperator() {
    if (operator != null) {
      operator.close();
      operator = null;
    }
  }

  /** An informer on this namespace's resources of the type, started (within 60 s), closed with the bed. */
  <T extends HasMetadata> SharedIndexInformer<T> inform(Class<T> type, ResourceEventHandler<T> handler)
      throws Exception {
    SharedIndexInformer<T> informer = kube.resources(type).inNamespace(ns).runnableInformer(0);
    informer.addEventHandler(handler);
    recorders.push(informer);
    informer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return informer;
  }

  <C extends AutoCloseable> C closeFirst(C recorder) {
    recorders.push(recorder);
    return recorder;
  }

  void closeNow(AutoCloseable recorder) throws Exception {
    recorders.remove(recorder);
    recorder.close();
  }

  <T extends HasMetadata> T create(Class<T> type, T resource) throws InterruptedException {
    return BenchSupport.withRetries(() -> kube.resources(type).inNamespace(ns).resource(resource).create());
  }

  /** The operator's /metrics, or "" when it does not answer. */
  String metrics() {
    if (operator == null || operator.metricsPort() == 0) {
      return "";
    }
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + operator.metricsPort() + "/metrics")).timeout(Duration.ofSeconds(10))
          .build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** The sum of a Prometheus counter's samples whose labels contain {@code labels} (e.g. kind="LambdaFunction"). */
  static double metric(String scrape, String name, String labels) {
    double sum = 0;
    for (String line : scrape.split("\n")) {
      if (line.startsWith(name) && (line.length() > name.length() && (line.charAt(name.length()) == '{'
          || line.charAt(name.length()) == ' ')) && (labels == null || line.contains(labels))) {
        String[] parts = line.trim().split("\\s+");
        try {
          sum += Double.parseDouble(parts[parts.length - 1]);
        } catch (NumberFormatException ignored) {
          // not a sample
        }
      }
    }
    return sum;
  }

  /** The resident set of a process in MiB (/proc/<pid>/status VmRSS), NaN when unknown. */
  static double rssMiB(long pid) {
    if (pid <= 0) {
      return Double.NaN;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone, or no /proc
    }
    return Double.NaN;
  }

  /**
   * The heap a Java process uses after a full GC, in MiB: {@code jcmd <pid> GC.run}, then the "used" of the heap's
   * lines of {@code GC.heap_info} (those before Metaspace; any collector); NaN when jcmd fails.
   */
  static double heapAfterGcMiB(long pid) throws InterruptedException {
    if (pid <= 0) {
      return Double.NaN;
    }
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    if (jcmd(jcmd, pid, "GC.run") == null) {
      return Double.NaN;
    }
    String info = jcmd(jcmd, pid, "GC.heap_info");
    if (info == null) {
      return Double.NaN;
    }
    long usedKiB = 0;
    boolean found = false;
    for (String line : info.split("\n")) {
      if (line.trim().startsWith("Metaspace")) {
        break;
      }
      // a generation's line ("def new generation total 1K, used 2K", "garbage-first heap total 1K, used 2K"), not
      // its spaces ("eden space 1K, 50% used")
      if (!line.startsWith(" ") || line.startsWith(" garbage-first") || line.matches("^ [a-zA-Z].*generation.*")
          || line.startsWith(" PSYoungGen") || line.startsWith(" ParOldGen") || line.startsWith(" ZHeap")
          || line.startsWith(" Shenandoah")) {
        Matcher m = HEAP_USED.matcher(line);
        if (m.find()) {
          usedKiB += Long.parseLong(m.group(1));
          found = true;
        }
      }
    }
    return found ? usedKiB / 1024.0 : Double.NaN;
  }

  private static String jcmd(String jcmd, long pid, String command) throws InterruptedException {
    try {
      Process p = new ProcessBuilder(jcmd, String.valueOf(pid), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      return p.exitValue() == 0 ? out : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** The moto server's process (a descendant of this JVM whose command names moto_server), or -1. */
  static long motoPid() {
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().commandLine().map(c -> c.contains("moto_server")).orElse(false)
            || p.info().arguments().map(a -> List.of(a).stream().anyMatch(x -> x.contains("moto_server")))
                .orElse(false))
        .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
  }

  /** The machine's load: CPUs and the 1-minute load average. */
  static String load() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    return String.format(Locale.ROOT, "%d CPUs, load average %.2f (1 min)", os.getAvailableProcessors(),
        os.getSystemLoadAverage());
  }

  @Override
  public void close() {
    pool.shutdownNow();
    while (!recorders.isEmpty()) {
      try {
        recorders.pop().close();
      } catch (Exception e) {
        System.out.println("closing a recorder failed: " + e);
      }
    }
    long stop = System.nanoTime();
    stopOperator();
    if (proxy != null) {
      proxy.close();
    }
    if (lambda != null) {
      lambda.close();
    }
    testbed.close();
    System.out.printf(Locale.ROOT, "stopped the operator process, the fault proxy and the test bed in %.1f s%n",
        seconds(stop));
  }
}
