package dev.lambdaop.bench;

import ch.qos.logback.classic.Level;
import dev.lambdaop.LambdaOperator;
import dev.lambdaop.api.Durations;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.aws.AwsSettings;
import dev.lambdaop.aws.WriteBudget;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.Crds;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.LoggerFactory;

/**
 * A benchmark, not a test: LambdaFunction at scale against the test bed. It starts the test bed ({@link Testbed#start()},
 * local by default), installs crds/, starts the operator in this JVM, then
 * <ol>
 *   <li>creates N LambdaFunctions at once (inline Python, distinct per function) and measures, through an informer,
 *       the time from each create request to Ready=True for that generation;</li>
 *   <li>waits at least one full resync period with nothing changed: the operator must make no AWS write then
 *       (PASS/FAIL, exit code 1 on FAIL);</li>
 *   <li>changes the code of all N functions and measures convergence again;</li>
 * </ol>
 * and prints latencies, AWS calls per function by operation and phase, the write budget's waits, throttling seen in
 * conditions, and the heap after convergence. Every wait is bounded.
 *
 * <p>Settings (system properties): {@code n} (or the first argument, default 200), {@code resync} (default 20s),
 * {@code timeout} (per convergence phase, default 10m), {@code threads} (creating/patching threads, default 8),
 * {@code bench.log} (log level of the operator and the libraries, default WARN), {@code lambdaop.projectDir},
 * {@code lambdaop.testbed}.
 */
public final class FunctionBenchmark {
  private static final String ROLE_NAME = "lambda-exec";
  private static final String FIELD_MANAGER = "lambdaop-bench";
  private static final int EXIT_IDLE_WRITES = 1;
  private static final int EXIT_ERROR = 2;

  private final int n;
  private final Duration resync;
  private final Duration timeout;
  private final int threads;
  private final Path projectDir;
  private final Tracker tracker = new Tracker();

  private FunctionBenchmark(int n, Duration resync, Duration timeout, int threads, Path projectDir) {
    this.n = n;
    this.resync = resync;
    this.timeout = timeout;
    this.threads = threads;
    this.projectDir = projectDir;
  }

  public static void main(String[] args) {
    int exit;
    try {
      configureLogging(System.getProperty("bench.log", "WARN"));
      int n = Integer.parseInt(args.length > 0 ? args[0].trim() : System.getProperty("n", "200").trim());
      if (n < 1) {
        throw new IllegalArgumentException("n must be at least 1");
      }
      Duration resync = Durations.parse(System.getProperty("resync", "20s").trim());
      Duration timeout = Durations.parse(System.getProperty("timeout", "10m").trim());
      int threads = Integer.parseInt(System.getProperty("threads", "8").trim());
      Path projectDir = Path.of(System.getProperty("lambdaop.projectDir", ".")).toAbsolutePath().normalize();
      startWatchdog(timeout.multipliedBy(2).plus(resync.multipliedBy(4)).plus(Duration.ofMinutes(10)));
      exit = new FunctionBenchmark(n, resync, timeout, Math.max(1, threads), projectDir).run();
    } catch (Throwable e) {
      System.out.println();
      System.out.println("BENCHMARK FAILED: " + e);
      e.printStackTrace(System.out);
      exit = EXIT_ERROR;
    }
    System.out.flush();
    System.exit(exit);
  }

  private int run() throws Exception {
    long t0 = System.nanoTime();
    System.out.printf(Locale.ROOT, "lambda-operator benchmark: N=%d LambdaFunctions, resync %s, timeout %s per phase,"
        + " %d client threads%n", n, text(resync), text(timeout), threads);
    Testbed bed = Testbed.start();
    LambdaOperator operator = null;
    SharedIndexInformer<LambdaFunction> informer = null;
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "bench-client");
      t.setDaemon(true);
      return t;
    });
    try {
      KubernetesClient kube = bed.kubernetesClient();
      Crds.install(kube, projectDir.resolve("crds"));
      String role = bed.ensureLambdaRole(ROLE_NAME);
      OperatorSettings settings = OperatorSettings.defaults().withResyncPeriod(resync);
      operator = new LambdaOperator(kube, new AwsSettings(bed.awsRegion(), bed.awsEndpoint(), bed.awsCredentials()),
          settings);
      operator.start();
      String ns = "bench-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
      kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      informer = kube.resources(LambdaFunction.class).inNamespace(ns).runnableInformer(0);
      informer.addEventHandler(tracker);
      informer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
      WriteBudget budget = operator.writeBudget(bed.awsRegion());
      System.out.printf(Locale.ROOT, "setup: test bed (AWS %s, region %s), CRDs, role, operator, namespace %s"
          + " in %.1f s; AWS write budget %.0f/s%n%n", bed.awsEndpoint(), bed.awsRegion(), ns, seconds(t0),
          budget.perSecond());

      List<String> names = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        names.add(String.format(Locale.ROOT, "bench-%05d", i));
      }

      // 1. create N at once
      Phase create = new Phase("create", operator, budget, tracker);
      Map<String, Long> submitted = new ConcurrentHashMap<>();
      Map<String, Long> generations = new ConcurrentHashMap<>();
      forAll(pool, names, name -> {
        LambdaFunction fn = function(ns, name, role, source(name, 1));
        submitted.put(name, System.nanoTime());
        LambdaFunction created = withRetries(() -> kube.resources(LambdaFunction.class).inNamespace(ns).resource(fn).create());
        generations.put(name, created.getMetadata().getGeneration());
      });
      System.out.printf(Locale.ROOT, "create: %d LambdaFunctions submitted in %.1f s, waiting for Ready ...%n", n,
          create.elapsedSeconds());
      Latencies createLatencies = awaitConverged(create, names, submitted, generations);
      create.end();
      System.out.printf(Locale.ROOT, "create: converged in %.1f s%n", create.seconds());

      // 2. nothing changes for at least one full resync period
      Phase idle = new Phase("idle", operator, budget, tracker);
      Duration minimum = resync.plus(max(Duration.ofSeconds(5), resync.dividedBy(4)));
      Duration limit = resync.multipliedBy(3).plus(Duration.ofSeconds(30));
      System.out.printf(Locale.ROOT, "idle:   nothing changes for at least %s (resync %s) ...%n", text(minimum),
          text(resync));
      Thread.sleep(minimum.toMillis());
      while (idle.deltaCalls().getOrDefault("GetFunction", 0L) < n && idle.elapsed().compareTo(limit) < 0) {
        Thread.sleep(500);
      }
      idle.end();
      Map<String, Long> idleCalls = idle.calls();
      long resyncReconciles = idleCalls.getOrDefault("GetFunction", 0L);
      Map<String, Long> idleWrites = writes(idleCalls);

      // 3. change the code of all N
      Phase update = new Phase("update code", operator, budget, tracker);
      Map<String, Long> patched = new ConcurrentHashMap<>();
      Map<String, Long> newGenerations = new ConcurrentHashMap<>();
      forAll(pool, names, name -> {
        String patch = Serialization.asJson(Map.of("spec", Map.of("code", Map.of("inline", Map.of("files",
            Map.of("index.py", source(name, 2)))))));
        patched.put(name, System.nanoTime());
        LambdaFunction after = withRetries(() -> kube.resources(LambdaFunction.class).inNamespace(ns).withName(name)
            .patch(PatchContext.of(PatchType.JSON_MERGE), patch));
        newGenerations.put(name, after.getMetadata().getGeneration());
      });
      System.out.printf(Locale.ROOT, "update: %d code changes submitted in %.1f s, waiting for Ready ...%n", n,
          update.elapsedSeconds());
      Latencies updateLatencies = awaitConverged(update, names, patched, newGenerations);
      update.end();
      System.out.printf(Locale.ROOT, "update: converged in %.1f s%n", update.seconds());

      // the benchmark's own cache goes before the heap is measured
      informer.close();
      informer = null;
      Heap heap = Heap.measure();

      report(create, createLatencies, idle, resyncReconciles, idleWrites, update, updateLatencies, heap, seconds(t0));
      return idleWrites.isEmpty() && resyncReconciles >= n ? 0 : EXIT_IDLE_WRITES;
    } finally {
      pool.shutdownNow();
      if (informer != null) {
        informer.close();
      }
      long stop = System.nanoTime();
      if (operator != null) {
        operator.close();
      }
      bed.close();
      System.out.printf(Locale.ROOT, "stopped the operator and the test bed in %.1f s; total run time %.1f s%n",
          seconds(stop), seconds(t0));
    }
  }

  private void report(Phase create, Latencies createLatencies, Phase idle, long resyncReconciles,
      Map<String, Long> idleWrites, Phase update, Latencies updateLatencies, Heap heap, double total) {
    System.out.println();
    System.out.printf(Locale.ROOT, "%-12s %6s %8s %8s %8s %9s %11s %14s %16s%n", "phase", "N", "p50 s", "p95 s",
        "max s", "total s", "reconciles", "status events", "budget waits");
    for (Object[] row : List.of(new Object[] {create, createLatencies}, new Object[] {update, updateLatencies})) {
      Phase p = (Phase) row[0];
      Latencies l = (Latencies) row[1];
      System.out.printf(Locale.ROOT, "%-12s %6d %8.2f %8.2f %8.2f %9.1f %11d %14d %16s%n", p.name, l.count(),
          l.p(0.50), l.p(0.95), l.max(), p.seconds(), p.calls().getOrDefault("GetFunction", 0L), p.statusEvents(),
          p.waits() + " / " + String.format(Locale.ROOT, "%.1fs", p.waited().toMillis() / 1000.0));
    }
    System.out.printf(Locale.ROOT, "%-12s %6s %8s %8s %8s %9.1f %11d %14d %16s%n", "idle", "-", "-", "-", "-",
        idle.seconds(), resyncReconciles, idle.statusEvents(),
        idle.waits() + " / " + String.format(Locale.ROOT, "%.1fs", idle.waited().toMillis() / 1000.0));
    System.out.println("(reconciles = GetFunction calls: every reconcile of a LambdaFunction reads the function once;"
        + " status events = updates the informer saw; budget waits = writes that waited for the write budget / time)");

    System.out.println();
    System.out.println("AWS calls per function, by operation (total / N)");
    Set<String> operations = new TreeSet<>();
    operations.addAll(create.calls().keySet());
    operations.addAll(idle.calls().keySet());
    operations.addAll(update.calls().keySet());
    System.out.printf(Locale.ROOT, "%-30s %8s %8s %8s%n", "operation", "create", "idle", "update");
    for (String op : operations) {
      System.out.printf(Locale.ROOT, "%-30s %8s %8s %8s%s%n", op, perFunction(create.calls(), op),
          perFunction(idle.calls(), op), perFunction(update.calls(), op), isWrite(op) ? "   (write)" : "");
    }
    System.out.printf(Locale.ROOT, "%-30s %8.2f %8.2f %8.2f%n", "all writes", sum(writes(create.calls())) / (double) n,
        sum(writes(idle.calls())) / (double) n, sum(writes(update.calls())) / (double) n);
    System.out.printf(Locale.ROOT, "%-30s %8.2f %8.2f %8.2f%n", "all calls", sum(create.calls()) / (double) n,
        sum(idle.calls()) / (double) n, sum(update.calls()) / (double) n);

    System.out.println();
    Set<String> throttled = tracker.throttled.keySet();
    System.out.println("throttling: " + (throttled.isEmpty()
        ? "no Ready condition ever had reason Throttled"
        : throttled.size() + " resources had Ready reason Throttled at some point, e.g. "
            + throttled.stream().sorted().limit(5).toList() + ": " + tracker.throttled.values().iterator().next()));
    Map<String, Long> reasons = new TreeMap<>(tracker.notReadyReasons);
    System.out.println("Ready=False reasons seen (resource events): " + (reasons.isEmpty() ? "none" : reasons));
    boolean pass = idleWrites.isEmpty() && resyncReconciles >= n;
    String verdict;
    if (!idleWrites.isEmpty()) {
      verdict = "FAIL: " + sum(idleWrites) + " AWS writes while nothing changed: " + idleWrites;
    } else if (resyncReconciles < n) {
      verdict = "FAIL: only " + resyncReconciles + " reconciles for " + n + " functions in " + text(idle.duration())
          + ": not every function was resynced, so the check proves nothing";
    } else {
      verdict = "PASS: 0 AWS writes in " + resyncReconciles + " resync reconciles of " + n + " functions over "
          + text(idle.duration());
    }
    System.out.println("steady state (no change for >= one resync period of " + text(resync) + "): " + verdict);
    System.out.printf(Locale.ROOT, "heap after convergence: %d MB used after GC (committed %d MB, max %d MB);"
        + " JVM total: heap + non-heap committed %d MB, resident %s%n", heap.usedMb, heap.committedMb, heap.maxMb,
        heap.totalCommittedMb, heap.rssMb < 0 ? "n/a" : heap.rssMb + " MB");
    System.out.println("(one JVM runs the operator and this benchmark; the benchmark's informer was closed before"
        + " measuring; etcd, kube-apiserver and moto are other processes)");
    System.out.println();
    System.out.printf(Locale.ROOT, "RESULT N=%d create p50/p95/max %.1f/%.1f/%.1f s total %.1f s | update p50/p95/max"
        + " %.1f/%.1f/%.1f s total %.1f s | AWS calls/fn create %.1f update %.1f | idle writes %d %s | throttled %d |"
        + " heap %d MB | run %.0f s%n", n, createLatencies.p(0.5), createLatencies.p(0.95), createLatencies.max(),
        create.seconds(), updateLatencies.p(0.5), updateLatencies.p(0.95), updateLatencies.max(), update.seconds(),
        sum(create.calls()) / (double) n, sum(update.calls()) / (double) n, sum(idleWrites), pass ? "PASS" : "FAIL",
        throttled.size(), heap.usedMb, total);
  }

  /** Waits (bounded) until every function is Ready=True for the generation it was given. */
  private Latencies awaitConverged(Phase phase, List<String> names, Map<String, Long> submitted,
      Map<String, Long> generations) throws InterruptedException {
    long deadline = phase.start + timeout.toNanos();
    long lastReport = System.nanoTime();
    while (true) {
      List<Double> latencies = new ArrayList<>();
      List<String> pending = new ArrayList<>();
      long last = phase.start;
      for (String name : names) {
        Long readyAt = tracker.readyAt(name, generations.get(name));
        if (readyAt == null) {
          pending.add(name);
        } else {
          latencies.add((readyAt - submitted.get(name)) / 1e9);
          last = Math.max(last, readyAt);
        }
      }
      if (pending.isEmpty()) {
        phase.lastReady = last;
        return new Latencies(latencies);
      }
      long now = System.nanoTime();
      if (now - deadline > 0) {
        StringBuilder why = new StringBuilder();
        for (String name : pending.subList(0, Math.min(5, pending.size()))) {
          why.append("\n  ").append(name).append(": ").append(tracker.lastState.getOrDefault(name, "no status yet"));
        }
        throw new IllegalStateException(phase.name + ": " + pending.size() + " of " + names.size()
            + " functions not Ready within " + text(timeout) + "; for example:" + why);
      }
      if (now - lastReport > TimeUnit.SECONDS.toNanos(30)) {
        lastReport = now;
        System.out.printf(Locale.ROOT, "  %s: %d/%d Ready after %.0f s%n", phase.name, names.size() - pending.size(),
            names.size(), phase.elapsedSeconds());
      }
      Thread.sleep(100);
    }
  }

  /** Runs the action for every name on the pool, failing on the first error. */
  private static void forAll(ExecutorService pool, List<String> names, ThrowingConsumer action)
      throws InterruptedException, ExecutionException {
    List<Future<?>> futures = new ArrayList<>();
    for (String name : names) {
      futures.add(pool.submit(() -> {
        action.accept(name);
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
  }

  @FunctionalInterface
  private interface ThrowingConsumer {
    void accept(String name) throws Exception;
  }

  @FunctionalInterface
  private interface Call<T> {
    T call();
  }

  /** The API server may shed load (429) or fail transiently under a burst; a few retries, then fail. */
  private static <T> T withRetries(Call<T> call) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (KubernetesClientException e) {
        boolean transientError = e.getCode() == 429 || e.getCode() >= 500 || e.getCode() == 0;
        if (!transientError || attempt >= 5) {
          throw e;
        }
        Thread.sleep(200L * attempt);
      }
    }
  }

  private static LambdaFunction function(String ns, String name, String role, String source) {
    LambdaFunction fn = new LambdaFunction();
    fn.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    LambdaFunctionSpec spec = new LambdaFunctionSpec();
    spec.role = role;
    spec.runtime = "python3.12";
    spec.handler = "index.handler";
    spec.code = new LambdaFunctionSpec.Code();
    spec.code.inline = new LambdaFunctionSpec.InlineCode();
    spec.code.inline.files = Map.of("index.py", source);
    fn.setSpec(spec);
    return fn;
  }

  /** Distinct per function and revision, so that every function has its own CodeSha256. */
  private static String source(String name, int revision) {
    return "def handler(event, context):\n"
        + "    return {'function': '" + name + "', 'revision': " + revision + "}\n";
  }

  /** Watches the benchmark's LambdaFunctions: when each generation became Ready, and what went wrong meanwhile. */
  static final class Tracker implements ResourceEventHandler<LambdaFunction> {
    private final Map<String, Map<Long, Long>> readyAt = new ConcurrentHashMap<>();
    final Map<String, String> lastState = new ConcurrentHashMap<>();
    final Map<String, String> throttled = new ConcurrentHashMap<>();
    final Map<String, Long> notReadyReasons = new ConcurrentHashMap<>();
    final AtomicLong events = new AtomicLong();

    Long readyAt(String name, Long generation) {
      Map<Long, Long> byGeneration = readyAt.get(name);
      return byGeneration == null || generation == null ? null : byGeneration.get(generation);
    }

    @Override
    public void onAdd(LambdaFunction fn) {
      observe(fn);
    }

    @Override
    public void onUpdate(LambdaFunction old, LambdaFunction fn) {
      events.incrementAndGet();
      observe(fn);
    }

    @Override
    public void onDelete(LambdaFunction fn, boolean deletedFinalStateUnknown) {}

    private void observe(LambdaFunction fn) {
      long now = System.nanoTime();
      String name = fn.getMetadata().getName();
      Long generation = fn.getMetadata().getGeneration();
      List<Condition> conditions = fn.getStatus() == null ? List.of() : fn.getStatus().conditions;
      Optional<Condition> ready = Conditions.find(conditions == null ? List.of() : conditions, Conditions.READY);
      if (ready.isEmpty()) {
        lastState.put(name, "no Ready condition yet (generation " + generation + ")");
        return;
      }
      Condition c = ready.get();
      lastState.put(name, "Ready=" + c.getStatus() + " " + c.getReason() + " (generation " + generation
          + ", observed " + c.getObservedGeneration() + "): " + c.getMessage());
      if ("Throttled".equals(c.getReason())) {
        throttled.putIfAbsent(name, c.getMessage());
      }
      if (!"True".equals(c.getStatus())) {
        notReadyReasons.merge(c.getReason(), 1L, Long::sum);
      }
      if ("True".equals(c.getStatus()) && generation != null && generation.equals(c.getObservedGeneration())
          && generation.equals(fn.getStatus().observedGeneration)) {
        readyAt.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).putIfAbsent(generation, now);
      }
    }
  }

  /** One phase: its time and what the operator did in AWS during it. */
  static final class Phase {
    final String name;
    final long start = System.nanoTime();
    private final LambdaOperator operator;
    private final WriteBudget budget;
    private final Tracker tracker;
    private final Map<String, Long> callsBefore;
    private final long waitsBefore;
    private final Duration waitedBefore;
    private final long eventsBefore;
    private long end;
    long lastReady;
    private Map<String, Long> calls;
    private long waits;
    private Duration waited;
    private long statusEvents;

    Phase(String name, LambdaOperator operator, WriteBudget budget, Tracker tracker) {
      this.name = name;
      this.operator = operator;
      this.budget = budget;
      this.tracker = tracker;
      this.callsBefore = operator.awsCalls().snapshot();
      this.waitsBefore = budget.waits();
      this.waitedBefore = budget.waited();
      this.eventsBefore = tracker.events.get();
    }

    Map<String, Long> deltaCalls() {
      return delta(operator.awsCalls().snapshot(), callsBefore);
    }

    void end() {
      end = System.nanoTime();
      calls = deltaCalls();
      waits = budget.waits() - waitsBefore;
      waited = budget.waited().minus(waitedBefore);
      statusEvents = tracker.events.get() - eventsBefore;
    }

    Map<String, Long> calls() {
      return calls;
    }

    long waits() {
      return waits;
    }

    Duration waited() {
      return waited;
    }

    long statusEvents() {
      return statusEvents;
    }

    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - start);
    }

    double elapsedSeconds() {
      return (System.nanoTime() - start) / 1e9;
    }

    /** From the phase's start to the last function Ready (convergence phases), or to its end. */
    double seconds() {
      return ((lastReady != 0 ? lastReady : end) - start) / 1e9;
    }

    Duration duration() {
      return Duration.ofNanos(end - start);
    }
  }

  record Latencies(List<Double> sorted) {
    Latencies {
      sorted = sorted.stream().sorted().toList();
    }

    int count() {
      return sorted.size();
    }

    /** Nearest-rank percentile. */
    double p(double q) {
      if (sorted.isEmpty()) {
        return Double.NaN;
      }
      int rank = (int) Math.ceil(q * sorted.size());
      return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    double max() {
      return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() - 1);
    }
  }

  record Heap(long usedMb, long committedMb, long maxMb, long totalCommittedMb, long rssMb) {
    static Heap measure() throws InterruptedException {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(300);
      }
      var heap = memory.getHeapMemoryUsage();
      var nonHeap = memory.getNonHeapMemoryUsage();
      return new Heap(mb(heap.getUsed()), mb(heap.getCommitted()), mb(heap.getMax()),
          mb(heap.getCommitted() + nonHeap.getCommitted()), residentMb());
    }

    private static long residentMb() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
          }
        }
      } catch (IOException | NumberFormatException e) {
        // not Linux: no resident size
      }
      return -1;
    }

    private static long mb(long bytes) {
      return bytes / (1024 * 1024);
    }
  }

  static Map<String, Long> delta(Map<String, Long> after, Map<String, Long> before) {
    Map<String, Long> d = new TreeMap<>();
    after.forEach((op, count) -> {
      long diff = count - before.getOrDefault(op, 0L);
      if (diff != 0) {
        d.put(op, diff);
      }
    });
    return d;
  }

  /** Anything but a read (Get*, List*, Head*) changes AWS. */
  static boolean isWrite(String operation) {
    return !(operation.startsWith("Get") || operation.startsWith("List") || operation.startsWith("Head"));
  }

  static Map<String, Long> writes(Map<String, Long> calls) {
    Map<String, Long> w = new TreeMap<>();
    calls.forEach((op, count) -> {
      if (isWrite(op)) {
        w.put(op, count);
      }
    });
    return w;
  }

  private static long sum(Map<String, Long> calls) {
    return calls.values().stream().mapToLong(Long::longValue).sum();
  }

  private String perFunction(Map<String, Long> calls, String op) {
    Long count = calls.get(op);
    return count == null ? "-" : String.format(Locale.ROOT, "%.2f", count / (double) n);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static String text(Duration d) {
    long s = d.toSeconds();
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    return s % 60 == 0 && s > 0 ? (s / 60) + "m" : s + "s";
  }

  private static void configureLogging(String level) {
    if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.WARN));
      for (String name : List.of("dev.lambdaop", "io.javaoperatorsdk")) {
        context.getLogger(name).setLevel(Level.toLevel(level, Level.WARN));
      }
    }
  }

  /** Whatever happens, the benchmark ends: after this long it exits (shutdown hooks stop the test bed). */
  private static void startWatchdog(Duration limit) {
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(limit.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      System.out.println("BENCHMARK FAILED: still running after " + text(limit) + "; exiting");
      System.out.flush();
      Thread halt = new Thread(() -> {
        try {
          Thread.sleep(30_000);
        } catch (InterruptedException e) {
          // halt anyway
        }
        Runtime.getRuntime().halt(EXIT_ERROR);
      }, "bench-halt");
      halt.setDaemon(true);
      halt.start();
      System.exit(EXIT_ERROR);
    }, "bench-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}
