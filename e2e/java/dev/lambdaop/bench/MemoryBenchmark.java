package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.forAll;
import static dev.lambdaop.bench.BenchSupport.seconds;
import static dev.lambdaop.bench.BenchSupport.source;
import static dev.lambdaop.bench.BenchSupport.startWatchdog;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.testbed.Crds;
import dev.lambdaop.testbed.SampleFunctions;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A benchmark, not a test: the operator's memory. It starts the test bed, creates N LambdaFunctions at once, and runs
 * the operator as the container image does (the packaged jar target/lambda-operator.jar, as its own process, with the
 * chart's JVM options: {@link OperatorProcess.ChartJvm}), once per JVM variant. After each process has converged (the
 * first: every function Ready; the next ones, started on the same functions: one reconcile of each) and settled, it
 * records the process's RSS (VmRSS, VmHWM), threads, CPU time, heap used as it is and after a full GC (jcmd
 * GC.heap_info), metaspace, and a class histogram (target/bench-memory/&lt;ns&gt;/, top entries printed).
 *
 * <p>Settings (system properties): {@code n} (default 300); {@code variants}: JVM variants separated by {@code ;},
 * each the JAVA_TOOL_OPTIONS of one process, where {@code chart} stands for the chart's javaToolOptions and a
 * {@code NAME=value} word in capitals is an environment variable (e.g. {@code chart -XX:+UseSerialGC;chart
 * MALLOC_ARENA_MAX=2}; default {@code chart}); {@code limit}: the container memory limit the JVM sees (-XX:MaxRAM;
 * default the chart's, {@code none}: the machine's); {@code settle} (default 20s); {@code timeout} (default 15m);
 * {@code lambdaop.projectDir}. The AWS write budget is the highest (15/s, burst 15), for speed.
 */
public final class MemoryBenchmark {
  private static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");
  private static final Pattern METASPACE_USED = Pattern.compile("Metaspace\\s+used (\\d+)K, committed (\\d+)K");
  private static final Pattern RECONCILES = Pattern.compile(
      "lambdaop_reconciles_total\\{kind=\"LambdaFunction\",retry=\"(?:true|false)\"} ([0-9.E]+)");

  private MemoryBenchmark() {}

  /** What one process measured after it converged. */
  record Figures(String variant, double convergedSeconds, double cpuSeconds, long rssMb, long hwmMb, int threads,
      long heapUsedMb, long heapCommittedMb, long liveHeapMb, long rssAfterGcMb, long metaspaceMb) {}

  public static void main(String[] args) {
    BenchSupport.runAndExit(MemoryBenchmark::run, MemoryBenchmark.class, OperatorProcess.class, BenchSupport.class);
  }

  private static int run() throws Exception {
    int n = Integer.getInteger("n", 300);
    Path projectDir = Path.of(System.getProperty("lambdaop.projectDir", "."));
    Path jar = projectDir.resolve("target/lambda-operator.jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: mvn -o -DskipTests package");
    }
    Duration settle = Duration.ofSeconds(Long.parseLong(System.getProperty("settle", "20s").replace("s", "")));
    Duration timeout = Duration.ofMinutes(Long.parseLong(System.getProperty("timeout", "15m").replace("m", "")));
    OperatorProcess.ChartJvm chart = OperatorProcess.ChartJvm.read(projectDir.resolve(OperatorProcess.ChartJvm.VALUES));
    String limit = System.getProperty("limit", chart.memoryLimit() == null ? "none" : chart.memoryLimit());
    List<String> variants = List.of(System.getProperty("variants", "chart").split(";"));
    startWatchdog(timeout.multipliedBy(1 + variants.size()).plus(Duration.ofMinutes(5)));
    long t0 = System.nanoTime();
    System.out.printf(Locale.ROOT, "memory benchmark: N=%d, chart javaToolOptions \"%s\", container limit %s, jar %s%n",
        n, chart.javaToolOptions(), limit, jar);
    List<Figures> figures = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
      Thread t = new Thread(r, "bench-client");
      t.setDaemon(true);
      return t;
    });
    try (Testbed testbed = Testbed.start()) {
      KubernetesClient kube = testbed.kubernetesClient();
      Crds.install(kube, projectDir.resolve("crds"));
      String role = testbed.ensureLambdaRole("lambda-exec");
      String ns = "mem-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
      kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      Path out = projectDir.resolve("target").resolve("bench-memory").resolve(ns);
      Map<String, String> env = new LinkedHashMap<>(testbed.operatorEnvironment());
      env.put("LAMBDAOP_WATCH_NAMESPACES", ns);
      env.put("LAMBDAOP_AWS_WRITES_PER_SECOND", "15");
      env.put("LAMBDAOP_AWS_WRITE_BURST", "15");
      List<String> names = BenchSupport.names("mem", n);
      for (int i = 0; i < variants.size(); i++) {
        String variant = variants.get(i).strip();
        StringBuilder options = new StringBuilder();
        Map<String, String> variantEnv = new LinkedHashMap<>(env);
        Path variantJar = jar;
        for (String word : variant.split("\\s+")) {
          if (word.startsWith("jar=")) {
            variantJar = Path.of(word.substring(4));
          } else if (word.equals("chart")) {
            options.append(' ').append(chart.javaToolOptions());
          } else if (word.matches("[A-Z_]+=.*")) {
            variantEnv.put(word.substring(0, word.indexOf('=')), word.substring(word.indexOf('=') + 1));
          } else if (!word.isEmpty()) {
            options.append(' ').append(word);
          }
        }
        OperatorProcess.ChartJvm jvm = new OperatorProcess.ChartJvm(options.toString().strip(),
            limit.equals("none") ? null : limit);
        System.out.printf(Locale.ROOT, "%n[%d] %s: JAVA_TOOL_OPTIONS=\"%s\"%s%n", i + 1, variant,
            jvm.javaToolOptions(), variantEnv.size() > env.size() ? " env " + diff(variantEnv, env) : "");
        try (OperatorProcess operator = new OperatorProcess(variantEnv, List.of(), out.resolve("run-" + (i + 1)), jvm,
            variantJar)) {
          long started = System.nanoTime();
          operator.start();
          if (!operator.awaitReady(Duration.ofMinutes(3))) {
            throw new IllegalStateException("the operator process did not become ready; see " + out);
          }
          System.out.printf(Locale.ROOT, "  ready after %.1f s%n", seconds(started));
          if (i == 0) {
            forAll(pool, names, name -> BenchSupport.withRetries(() -> kube.resources(LambdaFunction.class)
                .inNamespace(ns).resource(SampleFunctions.inline(ns, name, role, source(name, 1))).create()));
            System.out.printf(Locale.ROOT, "  %d LambdaFunctions created in %.1f s%n", n, seconds(started));
          }
          awaitConverged(kube, ns, operator, n, started, timeout);
          double converged = seconds(started);
          System.out.printf(Locale.ROOT, "  converged after %.1f s; settling %d s%n", converged, settle.toSeconds());
          BenchSupport.waitUnlessStopping(settle);
          figures.add(measure(variant, converged, operator.pid(), out.resolve("run-" + (i + 1))));
          System.out.println("  " + figures.get(figures.size() - 1));
        }
      }
      System.out.println();
      System.out.printf(Locale.ROOT, "MEMORY N=%d (container limit %s; MB = MiB)%n", n, limit);
      System.out.printf(Locale.ROOT, "%-70s %9s %7s %6s %6s %7s %9s %8s %8s %8s %6s%n", "variant", "converged",
          "cpu s", "RSS", "HWM", "threads", "heap used", "commit", "live", "RSS@gc", "meta");
      for (Figures f : figures) {
        System.out.printf(Locale.ROOT, "%-70s %8.1fs %7.1f %6d %6d %7d %9d %8d %8d %8d %6d%n", f.variant(),
            f.convergedSeconds(), f.cpuSeconds(), f.rssMb(), f.hwmMb(), f.threads(), f.heapUsedMb(),
            f.heapCommittedMb(), f.liveHeapMb(), f.rssAfterGcMb(), f.metaspaceMb());
      }
      System.out.printf(Locale.ROOT, "histograms and logs in %s; %.0f s in all%n", out, seconds(t0));
    } finally {
      pool.shutdownNow();
    }
    return 0;
  }

  private static String diff(Map<String, String> a, Map<String, String> b) {
    StringBuilder d = new StringBuilder();
    a.forEach((k, v) -> {
      if (!v.equals(b.get(k))) {
        d.append(k).append('=').append(v).append(' ');
      }
    });
    return d.toString().strip();
  }

  /** Every function Ready for its generation, and the process reconciled each of them at least once. */
  private static void awaitConverged(KubernetesClient kube, String ns, OperatorProcess operator, int n, long started,
      Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long lastReport = System.nanoTime();
    while (true) {
      long ready = kube.resources(LambdaFunction.class).inNamespace(ns).list().getItems().stream()
          .filter(f -> f.getStatus() != null && BenchSupport.readyFor(f.getMetadata().getGeneration(),
              f.getStatus().observedGeneration, f.getStatus().conditions)).count();
      double reconciles = 0;
      try {
        String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.metricsPort()
            + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = RECONCILES.matcher(metrics);
        while (m.find()) {
          reconciles += Double.parseDouble(m.group(1));
        }
      } catch (IOException e) {
        // not answering now
      }
      if (ready >= n && reconciles >= n) {
        return;
      }
      if (System.nanoTime() - started > timeout.toNanos()) {
        throw new IllegalStateException(ready + " of " + n + " Ready, " + reconciles + " reconciles within "
            + timeout);
      }
      if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(30)) {
        lastReport = System.nanoTime();
        System.out.printf(Locale.ROOT, "  %d/%d Ready, %.0f reconciles after %.0f s%n", ready, n, reconciles,
            seconds(started));
      }
      BenchSupport.waitUnlessStopping(Duration.ofSeconds(2));
    }
  }

  private static Figures measure(String variant, double converged, long pid, Path dir) throws Exception {
    Map<String, Long> status = procStatus(pid);
    String[] stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat")).replaceAll(".*\\) ", "")
        .split(" ");
    double cpu = (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) / 100.0; // utime, stime in ticks (USER_HZ)
    String heap = jcmd(pid, "GC.heap_info");
    long[] used = heapUsed(heap);
    Files.writeString(dir.resolve("heap-info.txt"), heap);
    String histogram = jcmd(pid, "GC.class_histogram"); // a full GC first: what is live
    Files.writeString(dir.resolve("class-histogram.txt"), histogram);
    String liveHeap = jcmd(pid, "GC.heap_info");
    long[] live = heapUsed(liveHeap);
    Map<String, Long> afterGc = procStatus(pid);
    if (jcmd(pid, "VM.flags").contains("NativeMemoryTracking")) {
      Files.writeString(dir.resolve("native-memory.txt"), jcmd(pid, "VM.native_memory", "summary"));
    }
    Files.writeString(dir.resolve("flags.txt"), jcmd(pid, "VM.flags"));
    Matcher meta = METASPACE_USED.matcher(liveHeap);
    long metaspace = meta.find() ? Long.parseLong(meta.group(1)) / 1024 : -1;
    System.out.println("  class histogram, top 12 after a full GC:");
    histogram.lines().skip(3).limit(12).forEach(l -> System.out.println("   " + l));
    return new Figures(variant, converged, cpu, status.get("VmRSS") / 1024, status.get("VmHWM") / 1024,
        status.get("Threads").intValue(), used[0] / 1024, used[1] / 1024, live[0] / 1024,
        afterGc.get("VmRSS") / 1024, metaspace);
  }

  /** Used and committed (total) heap in KiB: the sum over the generations jcmd GC.heap_info lists. */
  private static long[] heapUsed(String heapInfo) {
    long used = 0;
    long total = 0;
    Matcher m = HEAP_USED.matcher(heapInfo);
    while (m.find()) {
      total += Long.parseLong(m.group(1));
      used += Long.parseLong(m.group(2));
    }
    return new long[] {used, total};
  }

  private static Map<String, Long> procStatus(long pid) throws IOException {
    Map<String, Long> values = new LinkedHashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
      String[] kv = line.split(":\\s+", 2);
      if (kv.length == 2 && kv[1].matches("\\d+( kB)?")) {
        values.put(kv[0], Long.parseLong(kv[1].replace(" kB", "")));
      }
    }
    return values;
  }

  private static String jcmd(long pid, String... command) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
        String.valueOf(pid)));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("jcmd " + String.join(" ", command) + " failed: " + text);
    }
    return text;
  }
}
