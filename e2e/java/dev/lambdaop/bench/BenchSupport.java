package dev.lambdaop.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/** What the benchmarks share: formatting, log levels, and a watchdog that ends a stuck run. */
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
}
