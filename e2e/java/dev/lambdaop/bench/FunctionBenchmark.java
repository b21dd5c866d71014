package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.configureLogging;
import static dev.lambdaop.bench.BenchSupport.sum;
import static dev.lambdaop.bench.BenchSupport.writes;
import static dev.lambdaop.bench.BenchSupport.delta;
import static dev.lambdaop.bench.BenchSupport.withRetries;
import static dev.lambdaop.bench.BenchSupport.forAll;
import static dev.lambdaop.bench.BenchSupport.fixed;
import static dev.lambdaop.bench.BenchSupport.max;
import static dev.lambdaop.bench.BenchSupport.seconds;
import static dev.lambdaop.bench.BenchSupport.startWatchdog;
import static dev.lambdaop.bench.BenchSupport.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdaop.LambdaOperator;
import dev.lambdaop.aws.sdk.AwsCallCounter;
import dev.lambdaop.api.Durations;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.sdk.WriteBudget;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.Crds;
import dev.lambdaop.testbed.SampleFunctions;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A benchmark, not a test: LambdaFunction at scale against the test bed. It starts the test bed
 * ({@link Testbed#start()}, local by default), installs crds/, starts the operator in this JVM, then
 * <ol>
 *   <li>creates N LambdaFunctions at once (inline Python, distinct per function) and measures, with an informer, the
 *       time from each create request until Ready=True for that generation;</li>
 *   <li>changes nothing for at least one full resync period: the operator must make no AWS write then;</li>
 *   <li>changes the code of all N functions and measures convergence again;</li>
 *   <li>changes nothing for another resync period (no AWS write again), then checks that every status names the
 *       code of its spec;</li>
 * </ol>
 * and prints latencies, reconciles, AWS calls per function by operation and phase, the write budget's waits,
 * throttling seen in conditions, and the heap after convergence. Every wait is bounded. Exit code 0 when both quiet
 * periods made no AWS write, 1 when one did (FAIL), 2 when the benchmark could not complete.
 *
 * <p>Settings (system properties): {@code n} (or the first argument; default 200), {@code resync} (default 20s),
 * {@code timeout} (limit of each convergence phase, default 10m), {@code threads} (client threads that create and
 * patch, default 8), {@code bench.log} (level of the operator's and libraries' logs, default WARN),
 * {@code lambdaop.projectDir}, {@code lambdaop.testbed}.
 */
public final class FunctionBenchmark {
  private static final String ROLE_NAME = "lambda-exec";
  private static final int EXIT_IDLE_WRITES = 1;
  private static final int EXIT_ERROR = 2;

  private final int n;
  private final Duration resync;
  private final Duration timeout;
  private final int threads;
  private final Path projectDir;
  private final Tracker tracker = new Tracker();
  /** Code identities (zip:sha) of the sources this benchmark writes, with a readable label: "bench-00001 rev1". */
  private final Map<String, String> codeLabels = new ConcurrentHashMap<>();

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
      // load the benchmark's own classes now: a build running meanwhile may replace target/test-classes
      for (Class<?> nested : FunctionBenchmark.class.getDeclaredClasses()) {
        Class.forName(nested.getName(), true, FunctionBenchmark.class.getClassLoader());
      }
      int n = Integer.parseInt(args.length > 0 ? args[0].trim() : System.getProperty("n", "200").trim());
      if (n < 1) {
        throw new IllegalArgumentException("n must be at least 1");
      }
      Duration resync = Durations.parse(System.getProperty("resync", "20s").trim());
      Duration timeout = Durations.parse(System.getProperty("timeout", "10m").trim());
      int threads = Math.max(1, Integer.parseInt(System.getProperty("threads", "8").trim()));
      Path projectDir = Path.of(System.getProperty("lambdaop.projectDir", ".")).toAbsolutePath().normalize();
      startWatchdog(timeout.multipliedBy(2).plus(resync.multipliedBy(8)).plus(Duration.ofMinutes(10)));
      exit = new FunctionBenchmark(n, resync, timeout, threads, projectDir).run();
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
    System.out.printf(Locale.ROOT, "lambda-operator benchmark: N=%d LambdaFunctions, resync %s, limit %s per"
        + " convergence, %d client threads%n", n, text(resync), text(timeout), threads);
    Testbed bed = Testbed.start();
    LambdaOperator operator = null;
    SharedIndexInformer<LambdaFunction> informer = null;
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "bench-client");
      t.setDaemon(true);
      return t;
    });
    String summary;
    int exit;
    try {
      KubernetesClient kube = bed.kubernetesClient();
      Crds.install(kube, projectDir.resolve("crds"));
      String role = bed.ensureLambdaRole(ROLE_NAME);
      operator = new LambdaOperator(kube, new AwsSettings(bed.awsRegion(), bed.awsEndpoint(), bed.awsCredentials()),
          OperatorSettings.defaults().withResyncPeriod(resync));
      operator.start();
      String ns = "bench-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
      kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      informer = kube.resources(LambdaFunction.class).inNamespace(ns).runnableInformer(0);
      informer.addEventHandler(tracker);
      informer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
      WriteBudget budget = operator.writeBudget(bed.awsRegion());
      System.out.printf(Locale.ROOT, "setup: test bed (AWS endpoint %s, %s), CRDs, role, operator, namespace %s:"
          + " %.1f s; AWS write budget %.0f/s%n", bed.awsEndpoint(), bed.awsRegion(), ns, seconds(t0),
          budget.perSecond());

      List<String> names = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        names.add(String.format(Locale.ROOT, "bench-%05d", i));
      }

      // 1. N creates at once
      Phase create = new Phase("create", operator, budget, tracker);
      Map<String, Long> created = new ConcurrentHashMap<>();
      Map<String, Long> createGenerations = new ConcurrentHashMap<>();
      forAll(pool, names, name -> {
        LambdaFunction fn = function(ns, name, role, source(name, 1));
        created.put(name, System.nanoTime());
        LambdaFunction result = withRetries(() -> kube.resources(LambdaFunction.class).inNamespace(ns).resource(fn)
            .create());
        createGenerations.put(name, result.getMetadata().getGeneration());
      });
      System.out.printf(Locale.ROOT, "create: %d LambdaFunctions created in %.1f s; waiting for Ready ...%n", n,
          create.elapsedSeconds());
      create.latencies = awaitConverged(create, names, created, createGenerations);
      create.end();
      System.out.printf(Locale.ROOT, "create: all Ready after %.1f s%n", create.seconds());

      // 2. nothing changes
      Phase idle = quiet("idle", operator, budget);

      // 3. new code for all N
      Phase update = new Phase("update code", operator, budget, tracker);
      Map<String, Long> patched = new ConcurrentHashMap<>();
      Map<String, Long> updateGenerations = new ConcurrentHashMap<>();
      forAll(pool, names, name -> {
        String patch = Serialization.asJson(Map.of("spec", Map.of("code", Map.of("inline", Map.of("files",
            Map.of("index.py", source(name, 2)))))));
        patched.put(name, System.nanoTime());
        LambdaFunction result = withRetries(() -> kube.resources(LambdaFunction.class).inNamespace(ns).withName(name)
            .patch(PatchContext.of(PatchType.JSON_MERGE), patch));
        updateGenerations.put(name, result.getMetadata().getGeneration());
      });
      System.out.printf(Locale.ROOT, "update: %d code changes applied in %.1f s; waiting for Ready ...%n", n,
          update.elapsedSeconds());
      update.latencies = awaitConverged(update, names, patched, updateGenerations);
      update.end();
      System.out.printf(Locale.ROOT, "update: all Ready after %.1f s%n", update.seconds());

      // 4. nothing changes again; then every status should name the code of its spec
      Phase idleAfterUpdate = quiet("idle again", operator, budget);
      List<String> wrongStatus = new ArrayList<>();
      for (String name : names) {
        LambdaFunction fn = informer.getStore().getByKey(ns + "/" + name);
        String expected = DeterministicZip.of(Map.of("index.py", source(name, 2))).identity();
        String actual = fn == null || fn.getStatus() == null ? null : fn.getStatus().codeIdentity;
        if (!expected.equals(actual)) {
          wrongStatus.add(name + " status.codeIdentity is " + label(actual) + ", spec has " + label(expected));
        }
      }

      // the benchmark's own cache goes before the heap is measured
      informer.close();
      informer = null;
      Heap heap = Heap.measure();

      List<Phase> quiet = List.of(idle, idleAfterUpdate);
      summary = report(List.of(create, idle, update, idleAfterUpdate), quiet, wrongStatus, heap);
      exit = quiet.stream().allMatch(this::quietPassed) ? 0 : EXIT_IDLE_WRITES;
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
      System.out.printf(Locale.ROOT, "stopped the operator and the test bed in %.1f s%n", seconds(stop));
    }
    System.out.println(summary + String.format(Locale.ROOT, " | run %.0f s", seconds(t0)));
    return exit;
  }

  /**
   * Changes nothing for at least one full resync period, and until every function has been reconciled once more (one
   * GetFunction each), within a bound.
   */
  private Phase quiet(String name, LambdaOperator operator, WriteBudget budget) throws InterruptedException {
    Phase phase = new Phase(name, operator, budget, tracker);
    Duration minimum = resync.plus(max(Duration.ofSeconds(5), resync.dividedBy(4)));
    Duration limit = resync.multipliedBy(3).plus(Duration.ofSeconds(30));
    System.out.printf(Locale.ROOT, "%s: no change for at least %s (resync period %s) ...%n", name, text(minimum),
        text(resync));
    Thread.sleep(minimum.toMillis());
    while (phase.deltaCalls().getOrDefault("GetFunction", 0L) < n && phase.elapsed().compareTo(limit) < 0) {
      Thread.sleep(500);
    }
    phase.end();
    return phase;
  }

  private boolean quietPassed(Phase p) {
    return writes(p.calls()).isEmpty() && p.reconciles() >= n;
  }

  /** Prints the tables and returns the one-line summary (printed last, once everything has stopped). */
  private String report(List<Phase> phases, List<Phase> quiet, List<String> wrongStatus, Heap heap) {
    Phase create = phases.get(0);
    Phase update = phases.get(2);
    System.out.println();
    System.out.printf(Locale.ROOT, "%-12s %8s %8s %8s %9s %11s %12s %18s%n", "phase", "p50 s", "p95 s", "max s",
        "total s", "reconciles", "k8s updates", "budget waits");
    for (Phase p : phases) {
      Latencies l = p.latencies;
      System.out.printf(Locale.ROOT, "%-12s %8s %8s %8s %9.1f %11d %12d %18s%n", p.name,
          l == null ? "-" : fixed(l.p(0.50)), l == null ? "-" : fixed(l.p(0.95)), l == null ? "-" : fixed(l.max()),
          p.seconds(), p.reconciles(), p.k8sUpdates,
          String.format(Locale.ROOT, "%d / %.1f s", p.budgetWaits, p.budgetWaited.toMillis() / 1000.0));
    }
    System.out.println("  p50/p95/max: from each create (or patch) request to Ready=True for its generation;"
        + " total: from the phase's start to the last Ready (or its end)");
    System.out.println("  reconciles: GetFunction calls (each reconcile reads the function once);"
        + " k8s updates: changes to the LambdaFunctions seen by an informer");
    System.out.println("  budget waits: writes that waited for the AWS write budget / the sum of their waits");

    System.out.println();
    System.out.println("AWS calls per function, by operation (calls / N)");
    Set<String> operations = new TreeSet<>();
    phases.forEach(p -> operations.addAll(p.calls().keySet()));
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-28s", "operation"));
    phases.forEach(p -> header.append(String.format(Locale.ROOT, " %12s", p.name)));
    System.out.println(header);
    for (String op : operations) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s", op));
      phases.forEach(p -> line.append(String.format(Locale.ROOT, " %12s", perFunction(p.calls().get(op)))));
      System.out.println(line + (AwsCallCounter.isWrite(op) ? "   write" : ""));
    }
    for (String total : List.of("writes", "all calls")) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s", total));
      phases.forEach(p -> line.append(String.format(Locale.ROOT, " %12.2f",
          sum(total.equals("writes") ? writes(p.calls()) : p.calls()) / (double) n)));
      System.out.println(line);
    }

    System.out.println();
    Map<String, String> throttled = tracker.throttled;
    System.out.println("throttling: " + (throttled.isEmpty()
        ? "no Ready condition had reason Throttled"
        : throttled.size() + " LambdaFunctions had Ready reason Throttled, for example "
            + new TreeSet<>(throttled.keySet()).first() + ": " + throttled.values().iterator().next()));
    System.out.println("Ready=False seen, by reason: "
        + (tracker.notReady.isEmpty() ? "none" : new TreeMap<>(tracker.notReady)));
    StringBuilder rewrites = new StringBuilder("status changed after Ready without a new generation:");
    phases.forEach(p -> rewrites.append(" ").append(p.name).append(" ").append(p.rewrites).append(","));
    rewrites.setLength(rewrites.length() - 1);
    System.out.println(rewrites);
    synchronized (tracker.rewriteExamples) {
      tracker.rewriteExamples.forEach(e -> System.out.println("  e.g. " + relabel(e)));
    }
    System.out.println("status after the last quiet period: " + (wrongStatus.isEmpty()
        ? "every status.codeIdentity names the spec's code"
        : "WARN " + wrongStatus.size() + " of " + n + " statuses name other code than the spec's"));
    wrongStatus.stream().limit(3).forEach(w -> System.out.println("  e.g. " + w));

    for (Phase p : quiet) {
      Map<String, Long> w = writes(p.calls());
      String verdict;
      if (!w.isEmpty()) {
        verdict = "FAIL " + sum(w) + " AWS writes while nothing changed: " + w;
      } else if (p.reconciles() < n) {
        verdict = "FAIL only " + p.reconciles() + " reconciles of " + n + " functions: not every function was"
            + " resynced, so this proves nothing";
      } else {
        verdict = "PASS 0 AWS writes in " + p.reconciles() + " reconciles of " + n + " functions";
      }
      System.out.printf(Locale.ROOT, "no-op resync (%s, %.1f s, resync period %s): %s%n", p.name,
          p.duration().toMillis() / 1000.0, text(resync), verdict);
    }
    System.out.printf(Locale.ROOT, "heap after convergence: %d MB used after GC (committed %d MB, max %d MB);"
        + " JVM total: %d MB committed (heap + non-heap), %s resident%n", heap.usedMb, heap.committedMb, heap.maxMb,
        heap.totalCommittedMb, heap.rssMb < 0 ? "n/a" : heap.rssMb + " MB");
    System.out.println("  (this JVM runs the operator and the benchmark, whose informer was closed before measuring;"
        + " etcd, kube-apiserver and moto are other processes)");
    System.out.println();
    boolean pass = quiet.stream().allMatch(this::quietPassed);
    long quietWrites = quiet.stream().mapToLong(p -> sum(writes(p.calls()))).sum();
    return String.format(Locale.ROOT, "RESULT N=%d | create p50/p95/max %.1f/%.1f/%.1f s, all Ready %.1f s |"
        + " update p50/p95/max %.1f/%.1f/%.1f s, all Ready %.1f s | AWS calls/fn create %.2f update %.2f |"
        + " no-op resync writes %d %s | throttled %d | wrong status %d | heap %d MB", n,
        create.latencies.p(0.5), create.latencies.p(0.95), create.latencies.max(), create.seconds(),
        update.latencies.p(0.5), update.latencies.p(0.95), update.latencies.max(), update.seconds(),
        sum(create.calls()) / (double) n, sum(update.calls()) / (double) n, quietWrites, pass ? "PASS" : "FAIL",
        throttled.size(), wrongStatus.size(), heap.usedMb);
  }

  /** Waits (bounded) until every function is Ready=True for the generation it was given; returns the latencies. */
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
            + " LambdaFunctions not Ready within " + text(timeout) + "; for example:" + why);
      }
      if (now - lastReport > TimeUnit.SECONDS.toNanos(30)) {
        lastReport = now;
        System.out.printf(Locale.ROOT, "  %s: %d/%d Ready after %.0f s%n", phase.name, names.size() - pending.size(),
            names.size(), phase.elapsedSeconds());
      }
      Thread.sleep(100);
    }
  }

  private static LambdaFunction function(String ns, String name, String role, String source) {
    return SampleFunctions.inline(ns, name, role, source);
  }

  /** Distinct per function and revision, so that every function has its own CodeSha256. */
  private String source(String name, int revision) {
    String source = "def handler(event, context):\n"
        + "    return {'function': '" + name + "', 'revision': " + revision + "}\n";
    CodeSource.Zip zip = DeterministicZip.of(Map.of("index.py", source));
    codeLabels.putIfAbsent(zip.identity(), "zip(" + name + " rev" + revision + ")");
    return source;
  }

  private String label(String identity) {
    return identity == null ? "unset" : codeLabels.getOrDefault(identity, identity);
  }

  /** Replaces the code identities in a text with their labels. */
  private String relabel(String text) {
    String out = text;
    for (Map.Entry<String, String> e : codeLabels.entrySet()) {
      out = out.replace(e.getKey(), e.getValue());
    }
    return out;
  }

  /** Sees every change of the benchmark's LambdaFunctions: when each generation became Ready, and what else. */
  static final class Tracker implements ResourceEventHandler<LambdaFunction> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, Map<Long, Long>> readyAt = new ConcurrentHashMap<>();
    final Map<String, String> lastState = new ConcurrentHashMap<>();
    final Map<String, String> throttled = new ConcurrentHashMap<>();
    final Map<String, Long> notReady = new ConcurrentHashMap<>();
    final AtomicLong updates = new AtomicLong();
    /** Status changes of a LambdaFunction already Ready for its generation, without a new generation. */
    final AtomicLong rewrites = new AtomicLong();
    final List<String> rewriteExamples = Collections.synchronizedList(new ArrayList<>());

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
      updates.incrementAndGet();
      if (converged(old) && Objects.equals(old.getMetadata().getGeneration(), fn.getMetadata().getGeneration())) {
        String diff = diff(old.getStatus(), fn.getStatus());
        if (!diff.isEmpty()) {
          rewrites.incrementAndGet();
          if (rewriteExamples.size() < 3) {
            rewriteExamples.add(fn.getMetadata().getName() + " (generation " + fn.getMetadata().getGeneration()
                + "): " + diff);
          }
        }
      }
      observe(fn);
    }

    @Override
    public void onDelete(LambdaFunction fn, boolean deletedFinalStateUnknown) {}

    private void observe(LambdaFunction fn) {
      long now = System.nanoTime();
      String name = fn.getMetadata().getName();
      Long generation = fn.getMetadata().getGeneration();
      Optional<Condition> ready = ready(fn);
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
        notReady.merge(c.getReason(), 1L, Long::sum);
      }
      if (converged(fn)) {
        readyAt.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).putIfAbsent(generation, now);
      }
    }

    private static Optional<Condition> ready(LambdaFunction fn) {
      return fn.getStatus() == null || fn.getStatus().conditions == null
          ? Optional.empty()
          : Conditions.find(fn.getStatus().conditions, Conditions.READY);
    }

    /** Ready=True, for the current generation (in the condition and in status.observedGeneration). */
    private static boolean converged(LambdaFunction fn) {
      Long generation = fn.getMetadata().getGeneration();
      return generation != null && generation.equals(fn.getStatus() == null ? null : fn.getStatus().observedGeneration)
          && ready(fn).map(c -> "True".equals(c.getStatus()) && generation.equals(c.getObservedGeneration()))
              .orElse(false);
    }

    /** The status fields that differ, old -> new, abbreviated. */
    @SuppressWarnings("unchecked")
    private static String diff(Object before, Object after) {
      Map<String, Object> a = before == null ? Map.of() : JSON.convertValue(before, Map.class);
      Map<String, Object> b = after == null ? Map.of() : JSON.convertValue(after, Map.class);
      Set<String> keys = new TreeSet<>(a.keySet());
      keys.addAll(b.keySet());
      StringBuilder out = new StringBuilder();
      for (String key : keys) {
        if (!Objects.equals(a.get(key), b.get(key))) {
          out.append(out.length() == 0 ? "" : "; ").append(key).append(": ").append(abbreviate(a.get(key)))
              .append(" -> ").append(abbreviate(b.get(key)));
        }
      }
      return out.toString();
    }

    private static String abbreviate(Object value) {
      String text = String.valueOf(value);
      return text.length() <= 160 ? text : text.substring(0, 157) + "...";
    }
  }

  /** One phase: its time, its latencies (convergence phases) and what the operator did meanwhile. */
  static final class Phase {
    final String name;
    final long start = System.nanoTime();
    private final LambdaOperator operator;
    private final WriteBudget budget;
    private final Tracker tracker;
    private final Map<String, Long> callsBefore;
    private final long waitsBefore;
    private final Duration waitedBefore;
    private final long updatesBefore;
    private final long rewritesBefore;
    private long end;
    private Map<String, Long> calls;
    long lastReady;
    Latencies latencies;
    long budgetWaits;
    Duration budgetWaited;
    long k8sUpdates;
    long rewrites;

    Phase(String name, LambdaOperator operator, WriteBudget budget, Tracker tracker) {
      this.name = name;
      this.operator = operator;
      this.budget = budget;
      this.tracker = tracker;
      this.callsBefore = operator.awsCalls().snapshot();
      this.waitsBefore = budget.waits();
      this.waitedBefore = budget.waited();
      this.updatesBefore = tracker.updates.get();
      this.rewritesBefore = tracker.rewrites.get();
    }

    Map<String, Long> deltaCalls() {
      return delta(operator.awsCalls().snapshot(), callsBefore);
    }

    void end() {
      end = System.nanoTime();
      calls = deltaCalls();
      budgetWaits = budget.waits() - waitsBefore;
      budgetWaited = budget.waited().minus(waitedBefore);
      k8sUpdates = tracker.updates.get() - updatesBefore;
      rewrites = tracker.rewrites.get() - rewritesBefore;
    }

    Map<String, Long> calls() {
      return calls;
    }

    long reconciles() {
      return calls.getOrDefault("GetFunction", 0L);
    }

    Duration elapsed() {
      return Duration.ofNanos(System.nanoTime() - start);
    }

    double elapsedSeconds() {
      return (System.nanoTime() - start) / 1e9;
    }

    /** From the start to the last function Ready (convergence phases), or to the end. */
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
      MemoryUsage heap = memory.getHeapMemoryUsage();
      MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
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

  private String perFunction(Long count) {
    return count == null ? "-" : String.format(Locale.ROOT, "%.2f", count / (double) n);
  }

}
