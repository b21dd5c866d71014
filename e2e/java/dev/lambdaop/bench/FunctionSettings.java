package dev.lambdaop.bench;

import dev.lambdaop.api.Durations;
import java.nio.file.Path;
import java.time.Duration;

/** The function benchmark's settings, from system properties (see {@link FunctionBenchmark}), checked once. */
record FunctionSettings(int n, Duration resync, Duration timeout, int threads, Path projectDir) {

  static FunctionSettings fromSystemProperties(String[] args) {
    int n = Integer.parseInt(args.length > 0 ? args[0].trim() : System.getProperty("n", "200").trim());
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1");
    }
    return new FunctionSettings(n, Durations.parse(System.getProperty("resync", "20s").trim()),
        Durations.parse(System.getProperty("timeout", "10m").trim()),
        Math.max(1, Integer.parseInt(System.getProperty("threads", "8").trim())),
        Path.of(System.getProperty("lambdaop.projectDir", ".")).toAbsolutePath().normalize());
  }
}
