package dev.lambdaop.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.lambdaop.aws.sdk.AwsCallCounter;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * What the benchmarks share: formatting, log levels, a watchdog that ends a stuck run, parallel work with retries
 * against a loaded API server, and arithmetic on AWS call counts.
 */
final class BenchSupport {
  static final int EXIT_ERROR = 2;

  private BenchSupport() {}

  static String fixed(double seconds) {
    return String.format(Locale.ROOT, "%.2f", seconds);
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

  /** Whatever happens, the benchmark ends: after this long it exits (shutdown hooks stop the test bed). */
  static void startWatchdog(Duration limit) {
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
        Thread.sleep(200L * attempt);
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
