package dev.lambdaop.bench;

import dev.lambdaop.api.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The chaos benchmark's settings, from system properties (see {@link ChaosBenchmark}), checked once.
 *
 * @param n LambdaFunctions alive at any time
 * @param aliases how many of them have a LambdaAlias (the first ones)
 * @param chaos how long the operator is killed and AWS calls fail
 * @param killMin the shortest time an operator process lives before it is killed (likewise {@code killMax})
 * @param faultRate the share of AWS requests that fail, 0 to 1
 * @param timeoutHold how long a timed-out request is held without a response
 * @param churnEvery how often the non-aliased functions change (a quarter of them get new code, two are deleted and
 *     two created)
 * @param timeout the limit of each wait: the setup, and convergence after the chaos
 * @param resync LAMBDAOP_RESYNC_PERIOD of the operator, or null: the operator's default
 * @param retryBySpec how a rolled-back alias is retried: status.abort cleared and a spec change (true), or
 *     status.abort cleared only (false; -Dretry=abort)
 * @param weights the weights of a shift, in order: 20, 40, 60, 80, 100
 */
record ChaosSettings(int n, int aliases, int stepWeight, String intervalText, Duration interval, Duration chaos,
    Duration killMin, Duration killMax, double faultRate, Duration timeoutHold, Duration poll, Duration churnEvery,
    Duration timeout, String resync, boolean retryBySpec, long seed, int threads, Path projectDir,
    List<Integer> weights) {

  static ChaosSettings fromSystemProperties(String[] args) {
    int n = Integer.parseInt(args.length > 0 ? args[0].trim() : System.getProperty("n", "200").trim());
    int aliases = Integer.parseInt(System.getProperty("aliases", "50").trim());
    if (n < 1 || aliases < 0 || aliases > n) {
      throw new IllegalArgumentException("need n >= 1 and 0 <= aliases <= n: n=" + n + ", aliases=" + aliases);
    }
    String intervalText = System.getProperty("interval", "10s").trim();
    Duration interval = Durations.parse(intervalText);
    if (interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive");
    }
    int stepWeight = Integer.parseInt(System.getProperty("stepWeight", "20").trim());
    if (stepWeight < 1 || stepWeight > 99) {
      throw new IllegalArgumentException("stepWeight must be 1 to 99 (the CRD's range)");
    }
    Duration chaos = Durations.parse(System.getProperty("chaos", "5m").trim());
    Duration[] kill = range(System.getProperty("killEvery", "20s-40s").trim());
    double faultRate = Double.parseDouble(System.getProperty("faultRate", "0.2").trim());
    if (!(faultRate >= 0 && faultRate <= 1)) {
      throw new IllegalArgumentException("faultRate must be 0 to 1: " + faultRate);
    }
    Duration timeoutHold = Durations.parse(System.getProperty("timeoutHold", "25s").trim());
    Duration poll = Durations.parse(System.getProperty("poll", "500ms").trim());
    if (poll.isZero()) {
      throw new IllegalArgumentException("poll must be positive");
    }
    Duration churnEvery = Durations.parse(System.getProperty("churnEvery", "30s").trim());
    Duration timeout = Durations.parse(System.getProperty("timeout", "10m").trim());
    String resync = System.getProperty("resync");
    if (resync != null && resync.isBlank()) {
      resync = null;
    }
    String retry = System.getProperty("retry", "abort+spec").trim();
    if (!retry.equals("abort") && !retry.equals("abort+spec")) {
      throw new IllegalArgumentException("retry must be abort or abort+spec: " + retry);
    }
    String seedText = System.getProperty("seed");
    long seed = seedText == null || seedText.isBlank() ? System.currentTimeMillis() % 1_000_000
        : Long.parseLong(seedText.trim());
    int threads = Math.max(1, Integer.parseInt(System.getProperty("threads", "8").trim()));
    Path projectDir = Path.of(System.getProperty("lambdaop.projectDir", ".")).toAbsolutePath().normalize();
    return new ChaosSettings(n, aliases, stepWeight, intervalText, interval, chaos, kill[0], kill[1], faultRate,
        timeoutHold, poll, churnEvery, timeout, resync == null ? null : resync.trim(), retry.equals("abort+spec"),
        seed, threads, projectDir,
        AliasShiftSettings.weights(stepWeight, interval));
  }

  /** "20s-40s" (or one duration: always that long), the shorter first; "0" or "off": never. */
  static Duration[] range(String text) {
    if (text.equals("off") || text.equals("0")) {
      return new Duration[] {Duration.ZERO, Duration.ZERO};
    }
    int dash = text.indexOf('-');
    Duration min = Durations.parse(dash < 0 ? text : text.substring(0, dash).trim());
    Duration max = dash < 0 ? min : Durations.parse(text.substring(dash + 1).trim());
    if (min.isZero() || max.compareTo(min) < 0) {
      throw new IllegalArgumentException("killEvery must be a positive range, the shorter first, or off: " + text);
    }
    return new Duration[] {min, max};
  }

  boolean kills() {
    return !killMin.isZero();
  }
}
