package dev.lambdaop.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.lambdaop.aws.sdk.AwsCallCounter;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * What the benchmarks share: formatting, log levels, a watchdog that ends a stuck run, the functions' code, parallel
 * work with retries against a loaded API server, and arithmetic on AWS call counts.
 */
final class BenchSupport {
  static final int EXIT_ERROR = 2;

  private BenchSupport() {}

  @FunctionalInterface
  interface Benchmark {
    /** Runs the benchmark; returns its exit code. */
    int run() throws Exception;
  }

  /**
   * A benchmark's main: logging from {@code bench.log}, the classes loaded, then the run; exits with its code, or
   * with {@link #EXIT_ERROR} when it could not complete.
   */
  static void runAndExit(Benchmark benchmark, Class<?>... classes) {
    int exit;
    try {
      configureLogging(System.getProperty("bench.log", "WARN"));
      preload(classes);
      exit = benchmark.run();
    } catch (Throwable e) {
      System.out.println();
      System.out.println("BENCHMARK FAILED: " + e);
      e.printStackTrace(System.out);
      exit = EXIT_ERROR;
    }
    System.out.flush();
    System.exit(exit);
  }

  /** The RESULT line, printed last, once everything has stopped. */
  static void printResult(String result, long startNanos) {
    System.out.println(result + String.format(Locale.ROOT, " | run %.0f s", seconds(startNanos)));
  }

  /**
   * Loads the classes (and their nested classes) now: a build running meanwhile may replace target/test-classes
   * under a benchmark that has been running for minutes.
   */
  static void preload(Class<?>... classes) throws ClassNotFoundException {
    for (Class<?> c : classes) {
      Class.forName(c.getName(), true, c.getClassLoader());
      preload(c.getDeclaredClasses());
    }
  }

  /** {@code <prefix>-00000} to {@code <prefix>-<n-1>}. */
  static List<String> names(String prefix, int n) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      names.add(String.format(Locale.ROOT, "%s-%05d", prefix, i));
    }
    return names;
  }

  /** Distinct per function and revision, so that every function has its own CodeSha256. */
  static String source(String name, int revision) {
    return "def handler(event, context):\n"
        + "    return {'function': '" + name + "', 'revision': " + revision + "}\n";
  }

  /** Ready=True for this generation, both in the condition and in status.observedGeneration. */
  static boolean readyFor(Long generation, Long observedGeneration, List<Condition> conditions) {
    return generation != null && generation.equals(observedGeneration) && conditions != null
        && Conditions.find(conditions, Conditions.READY)
            .map(c -> "True".equals(c.getStatus()) && generation.equals(c.getObservedGeneration())).orElse(false);
  }

  static String fixed(double seconds) {
    return String.format(Locale.ROOT, "%.2f", seconds);
  }

  /** Whole milliseconds, or "-" for none. */
  static String ms(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.0f", value);
  }

  /** count / of, two decimals, or "-" when {@code of} is zero. */
  static String per(long count, long of) {
    return of == 0 ? "-" : String.format(Locale.ROOT, "%.2f", count / (double) of);
  }

  static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  static String text(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.toSeconds();
    return s % 60 == 0 && s > 0 ? (s / 60) + "m" : s + "s";
  }

  static void configureLogging(String level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      Level l = Level.toLevel(level, Level.WARN);
      for (String name : List.of(org.slf4j.Logger.ROOT_LOGGER_NAME, "dev.lambdaop", "io.javaoperatorsdk")) {
        context.getLogger(name).setLevel(l);
      }
    }
  }

  /** Counted down when the benchmark's JVM stops (Ctrl-C, exit): every wait of the benchmark ends then. */
  private static final CountDownLatch STOPPING = new CountDownLatch(1);

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(STOPPING::countDown, "bench-stopping"));
  }

  /**
   * Waits for the benchmark to stop, at most {@code limit}: the pause between two looks of a loop that polls (each
   * loop has its own deadline), or a measured window in which the benchmark only watches. Returns at once, with an
   * InterruptedException, when the benchmark stops, so that no loop outlives it.
   */
  static void waitUnlessStopping(Duration limit) throws InterruptedException {
    if (STOPPING.await(limit.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new InterruptedException("the benchmark is stopping");
    }
  }

  /** Whatever happens, the benchmark ends: after this long it exits (shutdown hooks stop the test bed). */
  static void startWatchdog(Duration limit) {
    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-watchdog");
      t.setDaemon(true);
      return t;
    });
    watchdog.schedule(() -> {
      System.out.println("BENCHMARK FAILED: still running after " + text(limit) + "; exiting");
      System.out.flush();
      // shutdown hooks that hang do not keep it alive: halted 30 s later
      watchdog.schedule(() -> Runtime.getRuntime().halt(EXIT_ERROR), 30, TimeUnit.SECONDS);
      System.exit(EXIT_ERROR);
    }, limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Runs the action for every name on the pool; fails with the first error. */
  static void forAll(ExecutorService pool, List<String> names, ThrowingConsumer action)
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

  /**
   * Waits until {@code done} holds for every name, at most {@code timeout} from {@code startNanos}; says how far it
   * got every 30 s. Past the limit it fails with a few of the names still pending and their {@code state}.
   */
  static void awaitAll(String what, long startNanos, Duration timeout, List<String> names, Predicate<String> done,
      Function<String, String> state, String notDone) throws InterruptedException {
    long deadline = startNanos + timeout.toNanos();
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
        throw new IllegalStateException(what + ": " + pending.size() + " of " + names.size() + " " + notDone
            + " within " + text(timeout) + "; for example:" + why);
      }
      if (now - lastReport > TimeUnit.SECONDS.toNanos(30)) {
        lastReport = now;
        System.out.printf(Locale.ROOT, "  %s: %d/%d Ready after %.0f s%n", what, names.size() - pending.size(),
            names.size(), seconds(startNanos));
      }
      waitUnlessStopping(Duration.ofMillis(100));
    }
  }

  @FunctionalInterface
  interface ThrowingConsumer {
    void accept(String name) throws Exception;
  }

  @FunctionalInterface
  interface Call<T> {
    T call();
  }

  /** The API server may shed load (429) or fail transiently under a burst: a few retries, then fail. */
  static <T> T withRetries(Call<T> call) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.call();
      } catch (KubernetesClientException e) {
        boolean transientError = e.getCode() == 429 || e.getCode() >= 500 || e.getCode() == 0;
        if (!transientError || attempt >= 5) {
          throw e;
        }
        waitUnlessStopping(Duration.ofMillis(200L * attempt));
      }
    }
  }

  /** The counts in {@code after} minus those in {@code before}, by operation (zeros left out). */
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

  /** Only the writes among the counts ({@link AwsCallCounter#isWrite}). */
  static Map<String, Long> writes(Map<String, Long> calls) {
    Map<String, Long> w = new TreeMap<>();
    calls.forEach((op, count) -> {
      if (AwsCallCounter.isWrite(op)) {
        w.put(op, count);
      }
    });
    return w;
  }

  static long sum(Map<String, Long> calls) {
    return calls.values().stream().mapToLong(Long::longValue).sum();
  }
}
