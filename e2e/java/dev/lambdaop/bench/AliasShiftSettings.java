package dev.lambdaop.bench;

import dev.lambdaop.api.Durations;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.shift.ShiftStep;
import dev.lambdaop.shift.TrafficShiftPlan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The alias benchmark's settings, from system properties (see {@link AliasShiftBenchmark}), checked once.
 *
 * @param writesPerSecond null: the operator's default (likewise {@code writeBurst})
 * @param weights the weights of a shift, in order: 20, 40, 60, 80, 100
 */
record AliasShiftSettings(int n, String intervalText, Duration interval, int stepWeight, Duration timeout, int sample,
    Duration poll, Duration resync, int threads, Path projectDir, Double writesPerSecond, Double writeBurst,
    List<Integer> weights) {

  static AliasShiftSettings fromSystemProperties(String[] args) {
    int n = Integer.parseInt(args.length > 0 ? args[0].trim() : System.getProperty("n", "100").trim());
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1");
    }
    String intervalText = System.getProperty("interval", "5s").trim();
    Duration interval = Durations.parse(intervalText);
    if (interval.isZero()) {
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
    return new AliasShiftSettings(n, intervalText, interval, stepWeight, timeout, Math.min(sample, n), poll, resync,
        threads, projectDir, optionalPositive("writesPerSecond"), optionalPositive("writeBurst"),
        weights(stepWeight, interval));
  }

  /** The weights the operator's own plan goes through, ending at 100. */
  static List<Integer> weights(int stepWeight, Duration interval) {
    List<Integer> w = new ArrayList<>();
    for (ShiftStep step : TrafficShiftPlan.linear(stepWeight, interval)) {
      if (step.isWeight()) {
        w.add(step.setWeight());
      }
    }
    w.add(100);
    return List.copyOf(w);
  }

  boolean defaultBudget() {
    return writesPerSecond == null && writeBurst == null;
  }

  OperatorSettings operatorSettings() {
    OperatorSettings settings = OperatorSettings.defaults().withResyncPeriod(resync);
    if (defaultBudget()) {
      return settings;
    }
    return settings.withAwsRequests(writesPerSecond != null ? writesPerSecond : settings.budgets().lambdaPerSecond(),
        writeBurst != null ? writeBurst : settings.budgets().lambdaBurst());
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
}
