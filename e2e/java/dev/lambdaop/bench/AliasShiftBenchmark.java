package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.configureLogging;
import static org.awaitility.Awaitility.await;
import static dev.lambdaop.bench.BenchSupport.sum;
import static dev.lambdaop.bench.BenchSupport.writes;
import static dev.lambdaop.bench.BenchSupport.delta;
import static dev.lambdaop.bench.BenchSupport.withRetries;
import static dev.lambdaop.bench.BenchSupport.forAll;
import static dev.lambdaop.bench.BenchSupport.fixed;
import static dev.lambdaop.bench.BenchSupport.max;
import static dev.lambdaop.bench.BenchSupport.seconds;
import static dev.lambdaop.bench.BenchSupport.startWatchdog;

import dev.lambdaop.LambdaOperator;
import dev.lambdaop.api.Durations;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.sdk.AwsCallCounter;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.aws.sdk.WriteBudget;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.shift.ShiftStep;
import dev.lambdaop.shift.TrafficShiftPlan;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.Crds;
import dev.lambdaop.testbed.SampleFunctions;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.core.ConditionTimeoutException;
import java.time.Instant;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetAliasResponse;

/**
 * A benchmark, not a test: N progressive traffic shifts at once against the test bed. It starts the test bed
 * ({@link Testbed#start()}, local by default), installs crds/, starts the operator in this JVM (resync 60 s, so that
 * resyncs do not interfere; the AWS write budget at its default), then
 * <ol>
 *   <li>creates N LambdaFunctions, waits until they are Ready, creates N LambdaAliases on them (version latest,
 *       deployment Linear with {@code stepWeight} and {@code interval}) and waits until every alias is Ready on
 *       version 1;</li>
 *   <li>changes the code of all N functions at once: each publishes version 2, and each alias shifts to it
 *       (20, 40, 60, 80, 100% by default);</li>
 *   <li>records every step of every alias as the operator writes it in status (an informer on the LambdaAliases),
 *       and, for a sample of aliases, as AWS reports it (GetAlias every {@code poll}), and measures each step's
 *       lateness against its schedule: the previous step's status.stepStartedAt + interval;</li>
 *   <li>after the shift, watches for a short while that nothing more is written, and checks every alias in AWS.</li>
 * </ol>
 * It prints the lateness (p50/p99/max), the first step's delay and the shift's duration, steps skipped or applied
 * twice, AWS calls per step by operation, the write budget's waits with a timeline, and a final RESULT line. Every
 * wait is bounded. Exit code 0 when every alias went through every step once, 1 when a step was skipped, applied
 * twice or an alias did not end on version 2 alone (FAIL), 2 when the benchmark could not complete (for example the
 * shift did not finish within {@code timeout}).
 *
 * <p>Settings (system properties): {@code n} (or the first argument; default 100), {@code interval} (default 5s),
 * {@code stepWeight} (default 20), {@code timeout} (limit of each wait: setup and shift; default 10m), {@code sample}
 * (aliases polled in AWS, default 10), {@code poll} (default 200ms), {@code resync} (default 60s), {@code threads}
 * (client threads that create and patch, default 8), {@code writesPerSecond} and {@code writeBurst} (the AWS write
 * budget; default: the operator's defaults, 10 and 10; for experiments only), {@code bench.log} (default WARN),
 * {@code lambdaop.projectDir}, {@code lambdaop.testbed}.
 */
public final class AliasShiftBenchmark {
  private static final String ROLE_NAME = "lambda-exec";
  private static final String ALIAS = "live";
  private static final String OLD = "1";
  private static final String NEW = "2";
  private static final int EXIT_ANOMALY = 1;
  private static final int EXIT_ERROR = 2;
  /** Lateness above this counts as late in the timeline. */
  private static final long LATE_MS = 1000;

  private final int n;
  private final String intervalText;
  private final Duration interval;
  private final int stepWeight;
  private final Duration timeout;
  private final int sample;
  private final Duration poll;
  private final Duration resync;
  private final int threads;
  private final Path projectDir;
  /** null: the operator's defaults (LAMBDAOP_AWS_WRITES_PER_SECOND / _WRITE_BURST defaults). */
  private final Double writesPerSecond;
  private final Double writeBurst;
  /** The weights of a shift, in order: 20, 40, 60, 80, 100. */
  private final List<Integer> weights;
  private final FunctionTracker functions = new FunctionTracker();
  private final AliasTracker aliases = new AliasTracker();

  private AliasShiftBenchmark(int n, String intervalText, int stepWeight, Duration timeout, int sample, Duration poll,
      Duration resync, int threads, Path projectDir, Double writesPerSecond, Double writeBurst) {
    this.n = n;
    this.intervalText = intervalText;
    this.interval = Durations.parse(intervalText);
    this.stepWeight = stepWeight;
    this.timeout = timeout;
    this.sample = Math.min(sample, n);
    this.poll = poll;
    this.resync = resync;
    this.threads = threads;
    this.projectDir = projectDir;
    this.writesPerSecond = writesPerSecond;
    this.writeBurst = writeBurst;
    List<Integer> w = new ArrayList<>();
    for (ShiftStep step : TrafficShiftPlan.linear(stepWeight, interval)) {
      if (step.isWeight()) {
        w.add(step.setWeight());
      }
    }
    w.add(100);
    this.weights = List.copyOf(w);
  }

  public static void main(String[] args) {
    int exit;
    try {
      configureLogging(System.getProperty("bench.log", "WARN"));
      // load the benchmark's own classes now: a build running meanwhile may replace target/test-classes
      for (Class<?> nested : AliasShiftBenchmark.class.getDeclaredClasses()) {
        Class.forName(nested.getName(), true, AliasShiftBenchmark.class.getClassLoader());
      }
      int n = Integer.parseInt(args.length > 0 ? args[0].trim() : System.getProperty("n", "100").trim());
      if (n < 1) {
        throw new IllegalArgumentException("n must be at least 1");
      }
      String interval = System.getProperty("interval", "5s").trim();
      if (Durations.parse(interval).isZero()) {
        throw new IllegalArgumentException("interval must be positive");
      }
      int stepWeight = Integer.parseInt(System.getProperty("stepWeight", "20").trim());
      if (stepWeight < 1 || stepWeight > 99) {
        throw new IllegalArgumentException("stepWeight must be 1 to 99 (the CRD's range)");
      }
      Duration timeout = Durations.parse(System.getProperty("timeout", "10m").trim());
      int sample = Math.max(0, Integer.parseInt(System.getProperty("sample", "10").trim()));
      Duration poll = Durations.parse(System.getProperty("poll", "200ms").trim());
      Duration resync = Durations.parse(System.getProperty("resync", "60s").trim());
      int threads = Math.max(1, Integer.parseInt(System.getProperty("threads", "8").trim()));
      Path projectDir = Path.of(System.getProperty("lambdaop.projectDir", ".")).toAbsolutePath().normalize();
      Double writesPerSecond = optionalPositive("writesPerSecond");
      Double writeBurst = optionalPositive("writeBurst");
      startWatchdog(timeout.multipliedBy(3).plus(Duration.ofMinutes(10)));
      exit = new AliasShiftBenchmark(n, interval, stepWeight, timeout, sample, poll, resync, threads, projectDir,
          writesPerSecond, writeBurst).run();
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
    System.out.printf(Locale.ROOT, "lambda-operator alias benchmark: N=%d LambdaAliases shifting at once, Linear"
        + " stepWeight %d every %s (weights %s), resync %s, limit %s per wait, %d aliases polled in AWS every %s%n",
        n, stepWeight, intervalText, weights, text(resync), text(timeout), sample, text(poll));
    Testbed bed = Testbed.start();
    LambdaOperator operator = null;
    SharedIndexInformer<LambdaFunction> functionInformer = null;
    SharedIndexInformer<LambdaAlias> aliasInformer = null;
    AwsPoller poller = null;
    Sampler sampler = null;
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
      OperatorSettings settings = OperatorSettings.defaults().withResyncPeriod(resync);
      if (writesPerSecond != null || writeBurst != null) {
        settings = settings.withAwsWrites(writesPerSecond != null ? writesPerSecond : settings.awsWritesPerSecond(),
            writeBurst != null ? writeBurst : settings.awsWriteBurst());
      }
      operator = new LambdaOperator(kube, new AwsSettings(bed.awsRegion(), bed.awsEndpoint(), bed.awsCredentials()),
          settings);
      operator.start();
      String ns = "shift-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
      kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
      functionInformer = kube.resources(LambdaFunction.class).inNamespace(ns).runnableInformer(0);
      functionInformer.addEventHandler(functions);
      functionInformer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
      aliasInformer = kube.resources(LambdaAlias.class).inNamespace(ns).runnableInformer(0);
      aliasInformer.addEventHandler(aliases);
      aliasInformer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
      WriteBudget budget = operator.writeBudget(bed.awsRegion());
      System.out.printf(Locale.ROOT, "setup: test bed (AWS endpoint %s, %s), CRDs, role, operator, namespace %s:"
          + " %.1f s; AWS write budget %.0f/s, burst %.0f%s%n", bed.awsEndpoint(), bed.awsRegion(), ns, seconds(t0),
          budget.perSecond(), settings.awsWriteBurst(), writesPerSecond == null && writeBurst == null ? " (defaults)"
              : " (NOT the defaults: -DwritesPerSecond/-DwriteBurst)");

      List<String> names = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        names.add(String.format(Locale.ROOT, "shift-%05d", i));
      }

      // 1. N functions, then N aliases on them, all on version 1
      long createStart = System.nanoTime();
      forAll(pool, names, name -> withRetries(() -> kube.resources(LambdaFunction.class).inNamespace(ns)
          .resource(SampleFunctions.inline(ns, name, role, source(name, 1))).create()));
      SharedIndexInformer<LambdaFunction> functionStore = functionInformer;
      awaitAll("create functions", createStart, names,
          name -> functionReady(functionInformer(functionStore, ns, name), OLD),
          name -> functions.lastState.getOrDefault(name, "no status yet"));
      System.out.printf(Locale.ROOT, "create: %d LambdaFunctions Ready on version 1 after %.1f s%n", n,
          seconds(createStart));
      long aliasStart = System.nanoTime();
      forAll(pool, names, name -> withRetries(() -> kube.resources(LambdaAlias.class).inNamespace(ns)
          .resource(alias(ns, name)).create()));
      SharedIndexInformer<LambdaAlias> aliasStore = aliasInformer;
      awaitAll("create aliases", aliasStart, names,
          name -> aliasReadyOn(aliasStore.getStore().getByKey(ns + "/" + aliasName(name)), OLD),
          name -> aliases.describe(aliasName(name)));
      System.out.printf(Locale.ROOT, "create: %d LambdaAliases Ready on version 1 after %.1f s%n", n,
          seconds(aliasStart));
      // let the budget refill and stray reconciles end, so that the shift starts from a quiet operator
      Thread.sleep(Math.max(2000, (long) (1000 * settings.awsWriteBurst() / budget.perSecond()) + 1000));

      // 2. new code for all N: each function publishes version 2 and each alias shifts to it
      List<String> sampled = new ArrayList<>();
      for (int i = 0; i < sample; i++) {
        sampled.add(names.get((int) ((long) i * n / sample)));
      }
      poller = new AwsPoller(bed, sampled, poll);
      poller.start();
      AwsPoller started = poller;
      sampler = new Sampler(operator.awsCalls(), budget);
      sampler.start();
      Thread.sleep(Math.max(500, 2 * poll.toMillis())); // the poller's first view of every sampled alias
      Map<String, Map<String, Long>> callsByFunctionBefore = new TreeMap<>();
      for (String name : names) {
        callsByFunctionBefore.put(name, operator.awsCalls().snapshot(name));
      }
      Window shift = new Window("shift", operator.awsCalls(), budget);
      aliases.shiftStartMs = shift.startMs;
      aliases.statusWrites.set(0);
      forAll(pool, names, name -> {
        String patch = Serialization.asJson(Map.of("spec", Map.of("code", Map.of("inline", Map.of("files",
            Map.of("index.py", source(name, 2)))))));
        withRetries(() -> kube.resources(LambdaFunction.class).inNamespace(ns).withName(name)
            .patch(PatchContext.of(PatchType.JSON_MERGE), patch));
      });
      System.out.printf(Locale.ROOT, "shift: %d code changes applied in %.1f s; waiting for every alias to reach 100%%"
          + " of version 2 (limit %s) ...%n", n, shift.elapsedSeconds(), text(timeout));
      Window aliasesOnly = awaitShift(shift, names, ns, functionInformer, aliasInformer, operator.awsCalls(), budget);
      long lastPromotedMs = names.stream().mapToLong(name -> aliases.promotedAt(aliasName(name), shift.startMs))
          .max().orElse(shift.startMs);
      shift.endAt(lastPromotedMs);
      long statusWrites = aliases.statusWrites.get();
      if (aliasesOnly != null) {
        aliasesOnly.endAt(lastPromotedMs);
      }
      System.out.printf(Locale.ROOT, "shift: every alias at 100%% of version 2 after %.1f s%n",
          (lastPromotedMs - shift.startMs) / 1000.0);
      // the poller's last view of the sampled aliases: a bounded wait for AWS to show version 2 alone
      try {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> started.allOn(NEW));
      } catch (ConditionTimeoutException e) {
        // reported below: the sampled aliases AWS did not show on version 2 alone
      }

      // 3. after 100%: nothing more should be written
      Duration tailLength = max(interval.multipliedBy(2), Duration.ofSeconds(10));
      Window tail = new Window("after 100%", operator.awsCalls(), budget);
      System.out.printf(Locale.ROOT, "after: no change for %s; the operator should write nothing ...%n",
          text(tailLength));
      Thread.sleep(tailLength.toMillis());
      tail.end();
      poller.close();
      sampler.close();
      Map<String, Long> updateAliasPerFunction = new TreeMap<>();
      for (String name : names) {
        Map<String, Long> d = delta(operator.awsCalls().snapshot(name), callsByFunctionBefore.get(name));
        updateAliasPerFunction.put(name, d.getOrDefault("UpdateAlias", 0L));
      }

      // 4. every alias in AWS and in status
      List<String> wrongEnd = finalCheck(bed, names, ns, aliasInformer);

      Analysis analysis = analyze(names, sampled, shift.startMs, poller);
      summary = report(analysis, shift, aliasesOnly, tail, sampler, poller, updateAliasPerFunction, wrongEnd,
          budget, statusWrites);
      exit = analysis.anomalies.isEmpty() && wrongEnd.isEmpty() && analysis.missingSteps() == 0
          && updateAliasPerFunction.values().stream().allMatch(c -> c == weights.size()) ? 0 : EXIT_ANOMALY;
    } finally {
      pool.shutdownNow();
      if (poller != null) {
        poller.close();
      }
      if (sampler != null) {
        sampler.close();
      }
      if (aliasInformer != null) {
        aliasInformer.close();
      }
      if (functionInformer != null) {
        functionInformer.close();
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

  private static LambdaFunction functionInformer(SharedIndexInformer<LambdaFunction> informer, String ns,
      String name) {
    return informer.getStore().getByKey(ns + "/" + name);
  }

  /**
   * Waits (bounded by {@code timeout}) until every alias is at 100% of version 2. Returns the window from the moment
   * every function was Ready on version 2 (from then on only the aliases call AWS), or null if that was not seen
   * before the last alias finished.
   */
  private Window awaitShift(Window shift, List<String> names, String ns,
      SharedIndexInformer<LambdaFunction> functionInformer, SharedIndexInformer<LambdaAlias> aliasInformer,
      AwsCallCounter counter, WriteBudget budget) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long lastReport = System.nanoTime();
    Window aliasesOnly = null;
    while (true) {
      int functionsReady = 0;
      int promoted = 0;
      List<String> pending = new ArrayList<>();
      for (String name : names) {
        if (functionReady(functionInformer(functionInformer, ns, name), NEW)) {
          functionsReady++;
        }
        LambdaAlias a = aliasInformer.getStore().getByKey(ns + "/" + aliasName(name));
        if (a != null && a.getStatus() != null && NEW.equals(a.getStatus().stableVersion)
            && a.getStatus().canaryVersion == null) {
          promoted++;
        } else {
          pending.add(name);
        }
      }
      if (aliasesOnly == null && functionsReady == n) {
        aliasesOnly = new Window("aliases only", counter, budget);
        System.out.printf(Locale.ROOT, "  shift: every function Ready on version 2 after %.1f s%n",
            shift.elapsedSeconds());
      }
      if (pending.isEmpty()) {
        return aliasesOnly;
      }
      long now = System.nanoTime();
      if (now - deadline > 0) {
        StringBuilder why = new StringBuilder();
        for (String name : pending.subList(0, Math.min(5, pending.size()))) {
          why.append("\n  ").append(aliasName(name)).append(": ").append(aliases.describe(aliasName(name)));
        }
        throw new IllegalStateException("shift: " + pending.size() + " of " + n + " LambdaAliases not at 100% of"
            + " version 2 within " + text(timeout) + " (functions Ready on version 2: " + functionsReady + "/" + n
            + "); for example:" + why);
      }
      if (now - lastReport > TimeUnit.SECONDS.toNanos(15)) {
        lastReport = now;
        System.out.printf(Locale.ROOT, "  shift: after %.0f s: functions Ready on version 2 %d/%d, aliases at 100%%"
            + " %d/%d, steps written in status %d/%d, AWS write budget waits %d%n", shift.elapsedSeconds(),
            functionsReady, n, promoted, n, aliases.stepsSince(shift.startMs), n * weights.size(),
            budget.waits() - shift.waitsBefore);
      }
      Thread.sleep(100);
    }
  }

  /** Waits (bounded by {@code timeout}) until the condition holds for every name. */
  private void awaitAll(String what, long start, List<String> names, java.util.function.Predicate<String> done,
      java.util.function.Function<String, String> state) throws InterruptedException {
    long deadline = start + timeout.toNanos();
    long lastReport = System.nanoTime();
    while (true) {
      List<String> pending = names.stream().filter(name -> !done.test(name)).toList();
      if (pending.isEmpty()) {
        return;
      }
      long now = System.nanoTime();
      if (now - deadline > 0) {
        StringBuilder why = new StringBuilder();
        for (String name : pending.subList(0, Math.min(5, pending.size()))) {
          why.append("\n  ").append(name).append(": ").append(state.apply(name));
        }
        throw new IllegalStateException(what + ": " + pending.size() + " of " + names.size() + " not Ready on"
            + " version 1 within " + text(timeout) + "; for example:" + why);
      }
      if (now - lastReport > TimeUnit.SECONDS.toNanos(30)) {
        lastReport = now;
        System.out.printf(Locale.ROOT, "  %s: %d/%d after %.0f s%n", what, names.size() - pending.size(),
            names.size(), seconds(start));
      }
      Thread.sleep(100);
    }
  }

  /** Ready=True for the current generation, with this version published. */
  private static boolean functionReady(LambdaFunction fn, String version) {
    if (fn == null || fn.getStatus() == null || !version.equals(fn.getStatus().latestVersion)) {
      return false;
    }
    Long generation = fn.getMetadata().getGeneration();
    return generation != null && generation.equals(fn.getStatus().observedGeneration)
        && Conditions.find(fn.getStatus().conditions, Conditions.READY)
            .map(c -> "True".equals(c.getStatus()) && generation.equals(c.getObservedGeneration())).orElse(false);
  }

  /** Ready=True for the current generation, the alias created in AWS, all traffic on this version. */
  private static boolean aliasReadyOn(LambdaAlias a, String version) {
    if (a == null || a.getStatus() == null) {
      return false;
    }
    LambdaAliasStatus s = a.getStatus();
    Long generation = a.getMetadata().getGeneration();
    return version.equals(s.stableVersion) && s.canaryVersion == null && s.aliasArn != null && generation != null
        && generation.equals(s.observedGeneration)
        && Conditions.find(s.conditions, Conditions.READY)
            .map(c -> "True".equals(c.getStatus()) && generation.equals(c.getObservedGeneration())).orElse(false);
  }

  /** Every alias in AWS on version 2 with no weighted routing, and its status records the promotion. */
  private List<String> finalCheck(Testbed bed, List<String> names, String ns,
      SharedIndexInformer<LambdaAlias> aliasInformer) {
    List<String> wrong = new ArrayList<>();
    try (LambdaClient lambda = bed.configureAws(LambdaClient.builder())
        .httpClient(ApacheHttpClient.builder().maxConnections(4).build()).build()) {
      for (String name : names) {
        GetAliasResponse a = lambda.getAlias(r -> r.functionName(name).name(ALIAS));
        boolean routed = a.routingConfig() != null && a.routingConfig().hasAdditionalVersionWeights()
            && !a.routingConfig().additionalVersionWeights().isEmpty();
        if (!NEW.equals(a.functionVersion()) || routed) {
          wrong.add(name + " in AWS: version " + a.functionVersion() + (routed ? ", routing "
              + a.routingConfig().additionalVersionWeights() : ""));
        }
        LambdaAlias alias = aliasInformer.getStore().getByKey(ns + "/" + aliasName(name));
        LambdaAliasStatus s = alias == null ? null : alias.getStatus();
        if (s == null || s.history.isEmpty() || !"Promoted".equals(s.history.get(0).result)
            || !NEW.equals(s.history.get(0).toVersion)) {
          wrong.add(aliasName(name) + " status.history[0] is not Promoted to version 2: "
              + (s == null || s.history.isEmpty() ? "empty" : s.history.get(0).result + " to "
                  + s.history.get(0).toVersion));
        }
      }
    } catch (SdkException e) {
      wrong.add("GetAlias failed: " + e.getMessage());
    }
    return wrong;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // analysis

  /** One step as the operator wrote it in status (or, with {@code aws}, as the poller saw it in AWS). */
  record Step(String alias, int fromWeight, int weight, long atMs, Long scheduleMs, Long stepStartedAtMs,
      Long publishedMs) {
    Long latenessMs() {
      return scheduleMs == null ? null : atMs - scheduleMs;
    }
  }

  static final class Analysis {
    final List<Step> statusSteps = new ArrayList<>();
    final List<Step> awsSteps = new ArrayList<>();
    final List<String> anomalies = new ArrayList<>();
    final List<String> awsNotes = new ArrayList<>();
    /** Steps whose status.stepStartedAt is not their schedule: applied more than the catch-up limit late. */
    final List<String> rebased = new ArrayList<>();
    final List<Double> holdStatusMs = new ArrayList<>();
    final List<Double> holdAwsMs = new ArrayList<>();
    final List<Double> shiftStatusS = new ArrayList<>();
    final List<Double> shiftAwsS = new ArrayList<>();
    final Map<Integer, Integer> skippedByWeight = new TreeMap<>();
    int expectedSteps;
    int skipped;
    int repeated;

    int missingSteps() {
      return Math.max(0, expectedSteps - statusSteps.size());
    }
  }

  private Analysis analyze(List<String> names, List<String> sampled, long shiftStartMs, AwsPoller poller) {
    Analysis a = new Analysis();
    a.expectedSteps = n * weights.size();
    long intervalMs = interval.toMillis();
    for (String name : names) {
      String alias = aliasName(name);
      Long published = functions.publishedAt.get(name);
      int prev = 0;
      Long prevStart = null;
      Long prevAt = null;
      int expected = 0;
      for (Obs o : aliases.observations(alias)) {
        if (o.atMs < shiftStartMs) {
          continue;
        }
        int w = o.weightOf(NEW);
        Long start = parse(o.stepStartedAt);
        if (w == prev) {
          if (w > 0 && w < 100 && start != null && prevStart != null && !start.equals(prevStart)) {
            a.anomalies.add(alias + ": status.stepStartedAt changed from " + text(prevStart) + " to "
                + text(start) + " while the weight stayed " + w + "% (a step restarted)");
            prevStart = start;
          }
          continue;
        }
        Long schedule = prev == 0 ? null : prevStart == null ? null : prevStart + intervalMs;
        Step step = new Step(alias, prev, w, o.atMs, schedule, start, published);
        a.statusSteps.add(step);
        if (prevAt != null && prev > 0) {
          a.holdStatusMs.add((double) (o.atMs - prevAt));
        }
        int index = weights.indexOf(w);
        if (index < 0) {
          a.anomalies.add(alias + ": weight " + w + "% is not a step of the shift " + weights);
        } else if (index < expected) {
          a.repeated++;
          a.anomalies.add(alias + ": weight went from " + prev + "% back to " + w + "% (a step applied twice) at "
              + text(o.atMs));
        } else if (index > expected) {
          a.skipped += index - expected;
          weights.subList(expected, index).forEach(sw -> a.skippedByWeight.merge(sw, 1, Integer::sum));
          a.anomalies.add(String.format(Locale.ROOT, "%s: weight went from %d%% to %d%%, skipping %s, %.1f s after"
              + " the previous step's schedule (status.stepStartedAt %s -> %s, currentStepIndex %s)", alias, prev, w,
              weights.subList(expected, index), schedule == null ? Double.NaN : (o.atMs - schedule) / 1000.0,
              prevStart == null ? "-" : text(prevStart), start == null ? "-" : text(start), o.stepIndex));
        }
        if (schedule != null && start != null && !start.equals(schedule)
            && (start - schedule) % intervalMs != 0) {
          a.rebased.add(String.format(Locale.ROOT, "%s: %d%% written %.1f s after its schedule %s; status.stepStartedAt"
              + " %s (the following steps move by %.1f s)", alias, w, (o.atMs - schedule) / 1000.0, text(schedule),
              text(start), (start - schedule) / 1000.0));
        }
        if (w == 100 && published != null) {
          a.shiftStatusS.add((o.atMs - published) / 1000.0);
        }
        expected = index < 0 ? expected : Math.max(expected, index + 1);
        prev = w;
        prevStart = start;
        prevAt = o.atMs;
      }
      if (expected < weights.size()) {
        a.anomalies.add(alias + ": status never reached " + weights.subList(expected, weights.size())
            + "; last seen: " + aliases.describe(alias));
      }
    }

    // AWS side: the sampled aliases, with the schedule from the status the operator wrote for the previous step
    for (String name : sampled) {
      String alias = aliasName(name);
      Long published = functions.publishedAt.get(name);
      Map<Integer, Long> startOfWeight = new TreeMap<>();
      for (Step s : a.statusSteps) {
        if (s.alias.equals(alias) && s.stepStartedAtMs != null) {
          startOfWeight.putIfAbsent(s.weight, s.stepStartedAtMs);
        }
      }
      int prev = 0;
      Long prevAt = null;
      List<Integer> seen = new ArrayList<>();
      for (AwsObs o : poller.changes(name)) {
        if (o.atMs < shiftStartMs) {
          continue;
        }
        if (o.error != null) {
          continue;
        }
        int w = o.weight;
        if (w == prev) {
          continue;
        }
        Long prevStart = startOfWeight.get(prev);
        Long schedule = prev == 0 ? null : prevStart == null ? null : prevStart + interval.toMillis();
        if (prev > 0 && prevStart == null) {
          a.awsNotes.add(alias + ": AWS showed " + prev + "% but no status with that weight was seen");
        }
        a.awsSteps.add(new Step(alias, prev, w, o.atMs, schedule, null, published));
        if (prevAt != null && prev > 0) {
          a.holdAwsMs.add((double) (o.atMs - prevAt));
        }
        if (w == 100 && published != null) {
          a.shiftAwsS.add((o.atMs - published) / 1000.0);
        }
        seen.add(w);
        prev = w;
        prevAt = o.atMs;
      }
      if (!seen.equals(weights)) {
        List<Integer> statusWeights = a.statusSteps.stream().filter(s -> s.alias.equals(alias)).map(Step::weight)
            .toList();
        a.awsNotes.add(alias + ": AWS weights seen by polling " + seen + ", in status " + statusWeights
            + (statusWeights.equals(weights) ? " (a weight held shorter than the poll interval is not seen)"
                : statusWeights.equals(seen) ? " (the same: skipped, not missed by polling)" : ""));
      }
    }
    return a;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // report

  private String report(Analysis a, Window shift, Window aliasesOnly, Window tail, Sampler sampler, AwsPoller poller,
      Map<String, Long> updateAliasPerFunction, List<String> wrongEnd, WriteBudget budget, long statusWrites) {
    long intervalMs = interval.toMillis();
    Stats statusLate = Stats.of(a.statusSteps.stream().map(Step::latenessMs).filter(Objects::nonNull)
        .map(Long::doubleValue).toList());
    Stats awsLate = Stats.of(a.awsSteps.stream().map(Step::latenessMs).filter(Objects::nonNull)
        .map(Long::doubleValue).toList());
    Stats statusFirst = Stats.of(a.statusSteps.stream().filter(s -> s.fromWeight == 0 && s.publishedMs != null)
        .map(s -> (double) (s.atMs - s.publishedMs)).toList());
    Stats awsFirst = Stats.of(a.awsSteps.stream().filter(s -> s.fromWeight == 0 && s.publishedMs != null)
        .map(s -> (double) (s.atMs - s.publishedMs)).toList());
    Stats statusShift = Stats.of(a.shiftStatusS);
    Stats awsShift = Stats.of(a.shiftAwsS);
    Stats statusHold = Stats.of(a.holdStatusMs);
    Stats awsHold = Stats.of(a.holdAwsMs);
    int timedSteps = weights.size() - 1;
    double ideal = timedSteps * interval.toMillis() / 1000.0;

    System.out.println();
    System.out.printf(Locale.ROOT, "Lateness of each timed step (%s, %d per alias) against its schedule: the previous"
        + " step's status.stepStartedAt + %s%n", weights.subList(1, weights.size()), timedSteps, intervalText);
    System.out.printf(Locale.ROOT, "%-34s %8s %8s %8s %8s %8s %10s%n", "", "steps", "p50 ms", "p99 ms", "max ms",
        "min ms", "late >1 s");
    printStats("(a) status written (informer)", statusLate, a.statusSteps.stream()
        .map(Step::latenessMs).filter(l -> l != null && l > LATE_MS).count());
    printStats("(b) visible in AWS (GetAlias poll)", awsLate, a.awsSteps.stream()
        .map(Step::latenessMs).filter(l -> l != null && l > LATE_MS).count());
    System.out.println("  (a) all N aliases: the time the benchmark's informer saw the status with the new weight;"
        + " (b) " + poller.functions.size() + " sampled aliases polled every " + text(poll) + " (mean GetAlias "
        + String.format(Locale.ROOT, "%.0f ms", poller.meanCallMs()) + "): the time a poll first showed the new"
        + " weight");
    System.out.printf(Locale.ROOT, "%-34s %8s %8s %8s %8s %8s%n", "", "count", "p50", "p99", "max", "min");
    printStats("first step (" + weights.get(0) + "%) after v2 published, ms (a)", statusFirst, -1);
    printStats("first step after v2 published, ms (b)", awsFirst, -1);
    printSeconds("shift duration v2 published->100%, s (a)", statusShift);
    printSeconds("shift duration v2 published->100%, s (b)", awsShift);
    printStats("time each weight held, ms (a)", statusHold, -1);
    printStats("time each weight held, ms (b)", awsHold, -1);
    System.out.printf(Locale.ROOT, "  published: when the informer saw the LambdaFunction's status.latestVersion=2;"
        + " the ideal shift is %d x %s = %.0f s after the first step; a weight should hold %d ms%n", timedSteps,
        intervalText, ideal, intervalMs);
    System.out.printf(Locale.ROOT, "  sampler: %d GetAlias polls, %d failed%s%n", poller.polls.get(),
        poller.errors.get(), poller.lastError.get() == null ? "" : " (last: " + poller.lastError.get() + ")");

    System.out.println();
    System.out.printf(Locale.ROOT, "steps: %d of %d written in status (N x %d), %d skipped, %d applied twice;"
        + " UpdateAlias per alias during the shift: %s (expected %d each)%n", a.statusSteps.size(), a.expectedSteps,
        weights.size(), a.skipped, a.repeated, histogram(updateAliasPerFunction.values()), weights.size());
    System.out.printf(Locale.ROOT, "schedule moved (a late step starts when it is applied, so the rest of the shift"
        + " moves with it): %d steps%n", a.rebased.size());
    a.rebased.stream().limit(3).forEach(r -> System.out.println("  e.g. " + r));
    if (!a.skippedByWeight.isEmpty()) {
      StringBuilder tally = new StringBuilder();
      a.skippedByWeight.forEach((w, count) -> tally.append(tally.length() == 0 ? "" : ", ").append(w).append("% x ")
          .append(count));
      Map<String, Long> paths = new TreeMap<>();
      for (String name : updateAliasPerFunction.keySet()) {
        String alias = aliasName(name);
        paths.merge(a.statusSteps.stream().filter(st -> st.alias.equals(alias)).map(st -> st.weight + "")
            .reduce((x, y) -> x + ">" + y).orElse("none"), 1L, Long::sum);
      }
      System.out.println("skipped weights (never written to the alias in AWS): " + tally + "; paths taken: " + paths);
      System.out.printf(Locale.ROOT, "  (a skipped step is a product bug: the planner ends at most one pause per"
          + " evaluation; interval %s)%n", intervalText);
    }
    System.out.println("anomalies (skipped, repeated or restarted steps; aliases that missed a weight): "
        + (a.anomalies.isEmpty() ? "none" : a.anomalies.size()));
    a.anomalies.stream().limit(8).forEach(r -> System.out.println("  " + r));
    if (a.anomalies.size() > 8) {
      System.out.println("  ... " + (a.anomalies.size() - 8) + " more");
    }
    System.out.println("AWS side (sampled aliases): " + (a.awsNotes.isEmpty() ? "every sampled alias went through "
        + weights + " in AWS" : a.awsNotes.size() + " notes"));
    a.awsNotes.stream().limit(5).forEach(r -> System.out.println("  " + r));
    System.out.println("LambdaAlias Ready=False during the shift, by reason: "
        + (aliases.notReadyDuringShift.isEmpty() ? "none" : aliases.notReadyReasons()));
    System.out.println("final state: " + (wrongEnd.isEmpty() ? "every alias in AWS on version 2 alone, status.history"
        + " Promoted" : "WRONG for " + wrongEnd.size()));
    wrongEnd.stream().limit(5).forEach(r -> System.out.println("  " + r));

    // AWS calls per step
    System.out.println();
    int stepsAll = a.statusSteps.size();
    int planned = a.expectedSteps;
    System.out.printf(Locale.ROOT, "AWS calls during the shift (from the code change to the last alias at 100%%):"
        + " per step applied (%d), per planned step (N x %d = %d), per alias (N)%n", stepsAll, weights.size(),
        planned);
    System.out.printf(Locale.ROOT, "%-28s %10s %14s %14s %10s %12s%n", "operation", "calls", "per applied",
        "per planned", "per alias", "after 100%");
    Set<String> operations = new TreeSet<>(shift.calls.keySet());
    operations.addAll(tail.calls.keySet());
    for (String op : operations) {
      long all = shift.calls.getOrDefault(op, 0L);
      System.out.printf(Locale.ROOT, "%-28s %10d %14s %14s %10s %12d%s%n", op, all, per(all, stepsAll),
          per(all, planned), per(all, n), tail.calls.getOrDefault(op, 0L),
          AwsCallCounter.isWrite(op) ? "   write" : "");
    }
    long writesAll = sum(writes(shift.calls));
    long callsAll = sum(shift.calls);
    System.out.printf(Locale.ROOT, "%-28s %10d %14s %14s %10s %12d%n", "writes", writesAll, per(writesAll, stepsAll),
        per(writesAll, planned), per(writesAll, n), sum(writes(tail.calls)));
    System.out.printf(Locale.ROOT, "%-28s %10d %14s %14s %10s %12d%n", "all calls", callsAll, per(callsAll, stepsAll),
        per(callsAll, planned), per(callsAll, n), sum(tail.calls));
    System.out.printf(Locale.ROOT, "  the code change of each function is in these counts: GetFunction,"
        + " UpdateFunctionCode, PublishVersion, ListVersionsByFunction and part of GetFunctionConfiguration (its"
        + " waits for the update to settle); the aliases read GetAlias once per reconcile, and"
        + " GetFunctionConfiguration for the target version and, while two versions are routed, the stable one%n");
    long reconciles = shift.calls.getOrDefault("GetAlias", 0L);
    System.out.printf(Locale.ROOT, "  alias reconciles (one GetAlias each): %d, %s per step applied, %d more than"
        + " steps%n", reconciles, per(reconciles, stepsAll), reconciles - stepsAll);
    if (aliasesOnly != null) {
      long r = aliasesOnly.calls.getOrDefault("GetAlias", 0L);
      System.out.printf(Locale.ROOT, "  after every function was Ready on version 2 (%.1f s, alias calls only): %d"
          + " reconciles, GetFunctionConfiguration %s per reconcile, UpdateAlias %d%n", aliasesOnly.seconds(), r,
          per(aliasesOnly.calls.getOrDefault("GetFunctionConfiguration", 0L), r),
          aliasesOnly.calls.getOrDefault("UpdateAlias", 0L));
    }
    System.out.printf(Locale.ROOT, "  shift: %.1f s; after 100%%: %.0f s with nothing changing%n", shift.seconds(),
        tail.seconds());
    System.out.printf(Locale.ROOT, "  LambdaAlias status writes seen by the informer during the shift: %d (%s per"
        + " step applied)%n", statusWrites, per(statusWrites, stepsAll));

    // write budget
    System.out.println();
    double demand = n / (interval.toMillis() / 1000.0);
    Duration waited = shift.budgetWaited();
    long waits = shift.budgetWaits();
    double rate = writesAll / Math.max(0.001, shift.seconds());
    double peak = sampler.peakWriteRate(5000, shift.startMs, shift.endMs);
    boolean limiting = waits > 0 && peak >= 0.9 * budget.perSecond();
    System.out.printf(Locale.ROOT, "write budget (%.0f writes/s): %d writes waited, %.1f s in total (mean %.0f ms per"
        + " waiting write); %.1f writes/s on average over the shift, %.1f at most over 5 s%n", budget.perSecond(),
        waits, waited.toMillis() / 1000.0, waits == 0 ? 0.0 : waited.toMillis() / (double) waits, rate, peak);
    System.out.printf(Locale.ROOT, "  demand of the steps alone: N/interval = %d/%s = %.1f UpdateAlias/s; the code"
        + " change adds 2 writes per function (UpdateFunctionCode, PublishVersion)%n", n, intervalText, demand);
    System.out.println("  limiting factor: " + (limiting
        ? "YES, the write budget: writes queued and ran at the budget's rate" + (demand > budget.perSecond()
            ? "; N/interval exceeds it, so the steps cannot keep their schedule" : "")
        : waits > 0 ? "partly: some writes waited, but the write rate stayed below the budget"
        : "no: no write waited for the budget"));
    if (aliasesOnly != null) {
      System.out.printf(Locale.ROOT, "  after every function was Ready on version 2 (only alias writes): %d writes"
          + " waited, %.1f s in total%s%n", aliasesOnly.budgetWaits(), aliasesOnly.budgetWaited().toMillis() / 1000.0,
          aliasesOnly.budgetWaits() == 0 && waits > 0 ? " (the budget limited only while the functions' code"
              + " changed: the first steps queued behind 2 writes per function)" : "");
    }
    printTimeline(a, shift, sampler, intervalMs);
    System.out.println();

    String late = String.format(Locale.ROOT, "status p50/p99/max %s/%s/%s ms (%d steps)", ms(statusLate.p(0.5)),
        ms(statusLate.p(0.99)), ms(statusLate.max()), statusLate.count());
    String lateAws = String.format(Locale.ROOT, "AWS p50/p99/max %s/%s/%s ms (%d steps, %d aliases)",
        ms(awsLate.p(0.5)), ms(awsLate.p(0.99)), ms(awsLate.max()), awsLate.count(), poller.functions.size());
    boolean pass = a.anomalies.isEmpty() && wrongEnd.isEmpty()
        && updateAliasPerFunction.values().stream().allMatch(c -> c == weights.size());
    return String.format(Locale.ROOT, "RESULT N=%d Linear %d%%/%s | steps %d/%d, skipped %d, twice %d %s |"
        + " lateness %s, %s | shift p50/max %.1f/%.1f s (ideal %.0f) | AWS calls/step %s, UpdateAlias/step %s |"
        + " budget waits %d / %.1f s%s", n, stepWeight, intervalText, a.statusSteps.size(), a.expectedSteps,
        a.skipped, a.repeated, pass ? "PASS" : "FAIL", late, lateAws, statusShift.p(0.5), statusShift.max(), ideal,
        per(callsAll, stepsAll), per(shift.calls.getOrDefault("UpdateAlias", 0L), stepsAll), waits,
        waited.toMillis() / 1000.0, limiting ? " (limiting)" : "");
  }

  private void printStats(String label, Stats s, long late) {
    System.out.printf(Locale.ROOT, "%-34s %8d %8s %8s %8s %8s%s%n", label, s.count(), ms(s.p(0.5)), ms(s.p(0.99)),
        ms(s.max()), ms(s.min()), late < 0 ? "" : String.format(Locale.ROOT, " %10d", late));
  }

  private void printSeconds(String label, Stats s) {
    System.out.printf(Locale.ROOT, "%-34s %8d %8s %8s %8s %8s%n", label, s.count(), fixed(s.p(0.5)),
        fixed(s.p(0.99)), fixed(s.max()), fixed(s.min()));
  }

  /** Per bucket of time from the code change: writes, UpdateAlias, budget waits, steps written and late steps. */
  private void printTimeline(Analysis a, Window shift, Sampler sampler, long intervalMs) {
    long span = shift.endMs - shift.startMs;
    long bucket = intervalMs;
    while (span / bucket > 30) {
      bucket += intervalMs;
    }
    System.out.printf(Locale.ROOT, "timeline from the code change (buckets of %.0f s):%n", bucket / 1000.0);
    System.out.printf(Locale.ROOT, "%10s %8s %12s %13s %14s %10s %14s%n", "t s", "writes", "UpdateAlias",
        "budget waits", "waited s", "steps", "late >1 s");
    for (long from = shift.startMs; from < shift.endMs; from += bucket) {
      long to = Math.min(shift.endMs, from + bucket);
      Sample s0 = sampler.at(from);
      Sample s1 = sampler.at(to);
      if (s0 == null || s1 == null) {
        continue;
      }
      long f = from;
      long writes = sum(writes(delta(s1.calls, s0.calls)));
      long updates = s1.calls.getOrDefault("UpdateAlias", 0L) - s0.calls.getOrDefault("UpdateAlias", 0L);
      long steps = a.statusSteps.stream().filter(st -> st.atMs >= f && st.atMs < to).count();
      long late = a.statusSteps.stream().filter(st -> st.atMs >= f && st.atMs < to && st.latenessMs() != null
          && st.latenessMs() > LATE_MS).count();
      System.out.printf(Locale.ROOT, "%4.0f-%-5.0f %8d %12d %13d %14.1f %10d %14d%n", (from - shift.startMs) / 1000.0,
          (to - shift.startMs) / 1000.0, writes, updates, s1.waits - s0.waits,
          (s1.waitedNanos - s0.waitedNanos) / 1e9, steps, late);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // resources

  private static String aliasName(String function) {
    return function + "-" + ALIAS;
  }

  private LambdaAlias alias(String ns, String function) {
    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName(aliasName(function)).withNamespace(ns).build());
    LambdaAliasSpec spec = new LambdaAliasSpec();
    spec.functionRef = new FunctionRef(function);
    spec.aliasName = ALIAS;
    spec.version = "latest";
    spec.deployment = new LambdaAliasSpec.Deployment();
    spec.deployment.strategy = LambdaAliasSpec.Strategy.Linear;
    spec.deployment.linear = new LambdaAliasSpec.Linear();
    spec.deployment.linear.stepWeight = stepWeight;
    spec.deployment.linear.interval = intervalText;
    alias.setSpec(spec);
    return alias;
  }

  /** Distinct per function and revision, so that every function has its own CodeSha256. */
  private static String source(String name, int revision) {
    return "def handler(event, context):\n"
        + "    return {'function': '" + name + "', 'revision': " + revision + "}\n";
  }

  // ---------------------------------------------------------------------------------------------------------------
  // observers

  /** When each LambdaFunction's status first named version 2 (its publication, as the operator recorded it). */
  static final class FunctionTracker implements ResourceEventHandler<LambdaFunction> {
    final Map<String, Long> publishedAt = new ConcurrentHashMap<>();
    final Map<String, String> lastState = new ConcurrentHashMap<>();

    @Override
    public void onAdd(LambdaFunction fn) {
      observe(fn);
    }

    @Override
    public void onUpdate(LambdaFunction old, LambdaFunction fn) {
      observe(fn);
    }

    @Override
    public void onDelete(LambdaFunction fn, boolean deletedFinalStateUnknown) {}

    private void observe(LambdaFunction fn) {
      long now = System.currentTimeMillis();
      String name = fn.getMetadata().getName();
      if (fn.getStatus() == null) {
        lastState.put(name, "no status yet");
        return;
      }
      if (NEW.equals(fn.getStatus().latestVersion)) {
        publishedAt.putIfAbsent(name, now);
      }
      Optional<Condition> ready = Conditions.find(fn.getStatus().conditions, Conditions.READY);
      lastState.put(name, "latestVersion " + fn.getStatus().latestVersion + ", " + ready.map(c -> "Ready="
          + c.getStatus() + " " + c.getReason() + ": " + c.getMessage()).orElse("no Ready condition"));
    }
  }

  /** A LambdaAlias's shift position as one status showed it, and when the benchmark's informer saw it. */
  record Obs(long atMs, String stable, String canary, Integer weight, Integer stepIndex, String stepStartedAt,
      String phase, String ready, String message) {
    /** Percent of traffic on {@code version}. */
    int weightOf(String version) {
      if (version.equals(canary)) {
        return weight == null ? 0 : weight;
      }
      return version.equals(stable) && canary == null ? 100 : 0;
    }

    boolean samePosition(Obs o) {
      return o != null && Objects.equals(stable, o.stable) && Objects.equals(canary, o.canary)
          && Objects.equals(weight, o.weight) && Objects.equals(stepIndex, o.stepIndex)
          && Objects.equals(stepStartedAt, o.stepStartedAt);
    }
  }

  /** Every change of shift position of every LambdaAlias, with the time it was seen. */
  static final class AliasTracker implements ResourceEventHandler<LambdaAlias> {
    private final Map<String, List<Obs>> observations = new ConcurrentHashMap<>();
    final Map<String, Set<String>> notReadyDuringShift = new ConcurrentHashMap<>();
    final AtomicLong statusWrites = new AtomicLong();
    volatile long shiftStartMs = Long.MAX_VALUE;

    @Override
    public void onAdd(LambdaAlias a) {
      observe(a);
    }

    @Override
    public void onUpdate(LambdaAlias old, LambdaAlias a) {
      if (!Objects.equals(old.getMetadata().getResourceVersion(), a.getMetadata().getResourceVersion())) {
        statusWrites.incrementAndGet();
      }
      observe(a);
    }

    @Override
    public void onDelete(LambdaAlias a, boolean deletedFinalStateUnknown) {}

    private void observe(LambdaAlias a) {
      long now = System.currentTimeMillis();
      LambdaAliasStatus s = a.getStatus();
      if (s == null) {
        return;
      }
      Optional<Condition> ready = Conditions.find(s.conditions, Conditions.READY);
      String readyText = ready.map(c -> c.getStatus() + " " + c.getReason()).orElse("none");
      if (now >= shiftStartMs && ready.isPresent() && !"True".equals(ready.get().getStatus())) {
        notReadyDuringShift.computeIfAbsent(ready.get().getReason(), k -> ConcurrentHashMap.newKeySet())
            .add(a.getMetadata().getName() + ": " + ready.get().getMessage());
      }
      Obs o = new Obs(now, s.stableVersion, s.canaryVersion, s.canaryWeight, s.currentStepIndex, s.stepStartedAt,
          s.phase == null ? null : s.phase.name(), readyText, s.message);
      List<Obs> list = observations.computeIfAbsent(a.getMetadata().getName(), k -> new CopyOnWriteArrayList<>());
      Obs last = list.isEmpty() ? null : list.get(list.size() - 1);
      if (!o.samePosition(last)) {
        list.add(o);
      } else if (!Objects.equals(o.ready, last.ready) || !Objects.equals(o.message, last.message)) {
        // same position, but keep the latest condition and message for the description
        list.set(list.size() - 1, new Obs(last.atMs, last.stable, last.canary, last.weight, last.stepIndex,
            last.stepStartedAt, o.phase, o.ready, o.message));
      }
    }

    List<Obs> observations(String alias) {
      return observations.getOrDefault(alias, List.of());
    }

    /** Time the status first showed version 2 alone (after the shift started), or Long.MIN_VALUE. */
    long promotedAt(String alias, long sinceMs) {
      for (Obs o : observations(alias)) {
        if (o.atMs >= sinceMs && o.weightOf(NEW) == 100) {
          return o.atMs;
        }
      }
      return Long.MIN_VALUE;
    }

    /** Weight changes written since then, over all aliases. */
    long stepsSince(long sinceMs) {
      long steps = 0;
      for (List<Obs> list : observations.values()) {
        int prev = 0;
        for (Obs o : list) {
          if (o.atMs < sinceMs) {
            continue;
          }
          int w = o.weightOf(NEW);
          if (w != prev) {
            steps++;
            prev = w;
          }
        }
      }
      return steps;
    }

    String describe(String alias) {
      List<Obs> list = observations(alias);
      if (list.isEmpty()) {
        return "no status yet";
      }
      Obs o = list.get(list.size() - 1);
      return "stable " + o.stable + ", canary " + o.canary + " at " + o.weight + "%, step " + o.stepIndex
          + ", stepStartedAt " + o.stepStartedAt + ", phase " + o.phase + ", Ready " + o.ready + ": " + o.message;
    }

    String notReadyReasons() {
      StringBuilder out = new StringBuilder();
      new TreeMap<>(notReadyDuringShift).forEach((reason, which) -> out.append(out.length() == 0 ? "" : ", ")
          .append(reason).append(" (").append(which.size()).append(", e.g. ").append(which.iterator().next())
          .append(")"));
      return out.toString();
    }
  }

  /** One GetAlias result that differed from the previous one for that function. */
  record AwsObs(long atMs, long sentMs, String version, int weight, String error) {}

  /** Polls GetAlias of a few aliases at a fixed rate, with its own client (not counted as the operator's calls). */
  static final class AwsPoller implements AutoCloseable {
    final List<String> functions;
    private final Duration every;
    private final LambdaClient lambda;
    private final ScheduledExecutorService scheduler;
    private final Map<String, List<AwsObs>> changes = new ConcurrentHashMap<>();
    final AtomicLong polls = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong callNanos = new AtomicLong();
    final AtomicReference<String> lastError = new AtomicReference<>();
    private volatile boolean closed;

    AwsPoller(Testbed bed, List<String> functions, Duration every) {
      this.functions = List.copyOf(functions);
      this.every = every;
      this.lambda = bed.configureAws(LambdaClient.builder())
          .httpClient(ApacheHttpClient.builder().maxConnections(Math.max(2, functions.size() + 2)).build()).build();
      this.scheduler = Executors.newScheduledThreadPool(Math.max(1, functions.size()), r -> {
        Thread t = new Thread(r, "bench-aws-poll");
        t.setDaemon(true);
        return t;
      });
    }

    void start() {
      long spread = functions.isEmpty() ? 0 : every.toNanos() / functions.size();
      for (int i = 0; i < functions.size(); i++) {
        String fn = functions.get(i);
        changes.put(fn, new CopyOnWriteArrayList<>());
        scheduler.scheduleAtFixedRate(() -> pollOnce(fn), i * spread, every.toNanos(), TimeUnit.NANOSECONDS);
      }
    }

    private void pollOnce(String fn) {
      if (closed) {
        return;
      }
      long sent = System.currentTimeMillis();
      long t = System.nanoTime();
      AwsObs o;
      try {
        GetAliasResponse a = lambda.getAlias(r -> r.functionName(fn).name(ALIAS));
        int weight;
        if (NEW.equals(a.functionVersion())) {
          weight = 100;
        } else {
          Double w = a.routingConfig() == null || !a.routingConfig().hasAdditionalVersionWeights() ? null
              : a.routingConfig().additionalVersionWeights().get(NEW);
          weight = w == null ? 0 : (int) Math.round(w * 100);
        }
        o = new AwsObs(System.currentTimeMillis(), sent, a.functionVersion(), weight, null);
      } catch (RuntimeException e) {
        if (closed) {
          return;
        }
        errors.incrementAndGet();
        lastError.set(String.valueOf(e.getMessage()));
        o = new AwsObs(System.currentTimeMillis(), sent, null, -1, String.valueOf(e.getMessage()));
      }
      callNanos.addAndGet(System.nanoTime() - t);
      polls.incrementAndGet();
      List<AwsObs> list = changes.get(fn);
      AwsObs last = null;
      for (int i = list.size() - 1; i >= 0 && last == null; i--) {
        if (list.get(i).error == null) {
          last = list.get(i);
        }
      }
      if (o.error != null || last == null || last.weight != o.weight || !Objects.equals(last.version, o.version)) {
        list.add(o);
      }
    }

    List<AwsObs> changes(String fn) {
      return changes.getOrDefault(fn, List.of());
    }

    double meanCallMs() {
      long p = polls.get();
      return p == 0 ? Double.NaN : callNanos.get() / 1e6 / p;
    }

    /** Whether the last poll of every sampled alias showed all traffic on this version. */
    boolean allOn(String version) {
      for (String fn : functions) {
        List<AwsObs> list = changes(fn);
        AwsObs last = list.isEmpty() ? null : list.get(list.size() - 1);
        if (last == null || last.error != null || !version.equals(last.version) || last.weight != 100) {
          return false;
        }
      }
      return true;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      scheduler.shutdownNow();
      try {
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      lambda.close();
    }
  }

  record Sample(long atMs, Map<String, Long> calls, long waits, long waitedNanos) {}

  /** The operator's AWS call counts and write-budget waits every 250 ms, for the timeline and the peak rate. */
  static final class Sampler implements AutoCloseable {
    private final AwsCallCounter counter;
    private final WriteBudget budget;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-sampler");
      t.setDaemon(true);
      return t;
    });

    Sampler(AwsCallCounter counter, WriteBudget budget) {
      this.counter = counter;
      this.budget = budget;
    }

    void start() {
      scheduler.scheduleAtFixedRate(() -> samples.add(new Sample(System.currentTimeMillis(), counter.snapshot(),
          budget.waits(), budget.waited().toNanos())), 0, 250, TimeUnit.MILLISECONDS);
    }

    /** The last sample at or before the time (the first one if none). */
    Sample at(long ms) {
      Sample best = samples.isEmpty() ? null : samples.get(0);
      for (Sample s : samples) {
        if (s.atMs <= ms) {
          best = s;
        } else {
          break;
        }
      }
      return best;
    }

    /** The highest write rate over any window of this length between from and to. */
    double peakWriteRate(long windowMs, long fromMs, long toMs) {
      double peak = 0;
      for (Sample s : samples) {
        if (s.atMs < fromMs || s.atMs + windowMs > toMs + 250) {
          continue;
        }
        Sample e = at(s.atMs + windowMs);
        if (e == null || e.atMs <= s.atMs) {
          continue;
        }
        double rate = sum(writes(delta(e.calls, s.calls))) / ((e.atMs - s.atMs) / 1000.0);
        peak = Math.max(peak, rate);
      }
      return peak;
    }

    @Override
    public void close() {
      scheduler.shutdownNow();
    }
  }

  /** A time window: the operator's AWS calls and write-budget waits in it. */
  static final class Window {
    final String name;
    final long startMs = System.currentTimeMillis();
    final long startNanos = System.nanoTime();
    private final AwsCallCounter counter;
    private final WriteBudget budget;
    private final Map<String, Long> callsBefore;
    final long waitsBefore;
    private final Duration waitedBefore;
    long endMs;
    Map<String, Long> calls = Map.of();
    private long waits;
    private Duration waited = Duration.ZERO;

    Window(String name, AwsCallCounter counter, WriteBudget budget) {
      this.name = name;
      this.counter = counter;
      this.budget = budget;
      this.callsBefore = counter.snapshot();
      this.waitsBefore = budget.waits();
      this.waitedBefore = budget.waited();
    }

    /** Ends now, counting calls until now; the window's length runs to {@code lastMs} (the last step). */
    void endAt(long lastMs) {
      end();
      endMs = Math.max(startMs, Math.min(lastMs, endMs));
    }

    void end() {
      endMs = System.currentTimeMillis();
      calls = delta(counter.snapshot(), callsBefore);
      waits = budget.waits() - waitsBefore;
      waited = budget.waited().minus(waitedBefore);
    }

    double elapsedSeconds() {
      return (System.nanoTime() - startNanos) / 1e9;
    }

    double seconds() {
      return (endMs - startMs) / 1000.0;
    }

    long budgetWaits() {
      return waits;
    }

    Duration budgetWaited() {
      return waited;
    }
  }

  /** Nearest-rank percentiles of a list of values. */
  record Stats(List<Double> sorted) {
    static Stats of(List<Double> values) {
      return new Stats(values.stream().sorted().toList());
    }

    int count() {
      return sorted.size();
    }

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

    double min() {
      return sorted.isEmpty() ? Double.NaN : sorted.get(0);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // helpers

  /** "5 x 98, 3 x 2": how many functions had each count. */
  private static String histogram(java.util.Collection<Long> counts) {
    Map<Long, Long> byCount = new TreeMap<>(Collections.reverseOrder());
    counts.forEach(c -> byCount.merge(c, 1L, Long::sum));
    StringBuilder out = new StringBuilder();
    byCount.forEach((count, functions) -> out.append(out.length() == 0 ? "" : ", ").append(count).append(" for ")
        .append(functions));
    return out.toString();
  }

  private static String per(long count, long steps) {
    return steps == 0 ? "-" : String.format(Locale.ROOT, "%.2f", count / (double) steps);
  }

  private static Double optionalPositive(String property) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      return null;
    }
    double d = Double.parseDouble(value.trim());
    if (d <= 0) {
      throw new IllegalArgumentException(property + " must be positive");
    }
    return d;
  }

  private static Long parse(String instant) {
    return instant == null ? null : Instant.parse(instant).toEpochMilli();
  }

  private static String text(Duration d) {
    return BenchSupport.text(d);
  }

  private static String text(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }

  private static String ms(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.0f", value);
  }

}
