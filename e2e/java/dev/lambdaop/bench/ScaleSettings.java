package dev.lambdaop.bench;

import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.api.Durations;
import dev.lambdaop.aws.Quota;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The scale benchmark's settings, from system properties (see {@link ScaleBenchmark}), checked once. Sizes left out
 * take each scenario's own default (converge 1,000 functions and 100 aliases; steady 10,000 and 2,000; throttle 200).
 *
 * @param scenarios the scenarios to run, in order
 * @param n LambdaFunctions, or 0: the scenario's default
 * @param aliases LambdaAliases, or -1: the scenario's default
 * @param interval the converge aliases' step interval (Linear stepWeight every interval)
 * @param raisedBudget the operator's environment for a raised budget (setup phases only): {@link #RAISED_BUDGET}
 * @param rates the budget per quota the operator runs with at its defaults, requests per second: what the bound and
 *     the read share are computed against
 * @param readShare the share of the LAMBDA budget that resync reads may take
 * @param resync the steady scenario's resync period: LAMBDAOP_RESYNC_PERIOD of the restarted operator, or null (the
 *     operator's default, 10m)
 * @param faultRate the share of Lambda requests answered 429 in the throttle scenario
 * @param faultFor how long the throttle scenario's faults last
 * @param poll how often the converge scenario's poller reads each sampled alias (GetAlias, straight to moto)
 * @param sample how many of the converge aliases the poller reads (all when at least the number of aliases)
 */
record ScaleSettings(List<String> scenarios, int n, int aliases, int stepWeight, String intervalText,
    Duration interval, Map<String, String> raisedBudget, Map<Quota, Double> rates, double readShare, String resync,
    double faultRate, Duration faultFor, Duration poll, int sample, Duration timeout, int threads,
    List<String> javaOptions, long rssGoalMiB, long steadyHeapGoalMiB, long stepGoalMs, Path projectDir) {

  /**
   * The operator's budget variables, in one place: the names of today's settings (config/OperatorSettings). When the
   * budget's settings change, change these, or pass -DraisedBudget=VAR=value,VAR=value.
   */
  static final String WRITES_PER_SECOND_VAR = OperatorSettings.AWS_REQUESTS_PER_SECOND;
  static final String WRITE_BURST_VAR = OperatorSettings.AWS_REQUEST_BURST;
  /**
   * The raised budget of the setup phases (moto does not throttle): every budget at 200/s, for creating thousands of
   * resources quickly.
   */
  static final String RAISED_BUDGET = WRITES_PER_SECOND_VAR + "=200," + WRITE_BURST_VAR + "=50,"
      + OperatorSettings.AWS_GETFUNCTION_PER_SECOND + "=400";
  /** The default budget per quota, requests per second (RequestBudgets.DEFAULTS). */
  static final String DEFAULT_RATES = "LAMBDA=10,LAMBDA_GET_FUNCTION=50,LAMBDA_GET_POLICY=10,CLOUDWATCH=5";
  /** Prefix of every setting of the operator: none may reach a process run "at the defaults". */
  static final String OPERATOR_VARIABLES = "LAMBDAOP_";

  static final List<String> ALL = List.of("converge", "steady", "throttle");

  static ScaleSettings fromSystemProperties() {
    String scenario = System.getProperty("scenario", "all").trim().toLowerCase(Locale.ROOT);
    List<String> scenarios = scenario.equals("all") ? ALL : List.of(scenario.split("[,+]"));
    for (String s : scenarios) {
      if (!ALL.contains(s)) {
        throw new IllegalArgumentException("scenario must be converge, steady, throttle or all: " + scenario);
      }
    }
    int n = Integer.parseInt(blankTo(System.getProperty("n"), "0"));
    int aliases = Integer.parseInt(blankTo(System.getProperty("aliases"), "-1"));
    if (n < 0 || aliases < -1 || (n > 0 && aliases > n)) {
      throw new IllegalArgumentException("need n >= 1 and 0 <= aliases <= n: n=" + n + ", aliases=" + aliases);
    }
    int stepWeight = Integer.parseInt(blankTo(System.getProperty("stepWeight"), "10"));
    if (stepWeight < 1 || stepWeight > 99) {
      throw new IllegalArgumentException("stepWeight must be 1 to 99 (the CRD's range)");
    }
    String intervalText = blankTo(System.getProperty("interval"), "1m");
    Duration interval = Durations.parse(intervalText);
    String resync = System.getProperty("resync");
    resync = resync == null || resync.isBlank() ? null : resync.trim();
    if (resync != null) {
      Durations.parse(resync);
    }
    double faultRate = Double.parseDouble(blankTo(System.getProperty("faultRate"), "0.3"));
    if (!(faultRate >= 0 && faultRate <= 1)) {
      throw new IllegalArgumentException("faultRate must be 0 to 1: " + faultRate);
    }
    Map<Quota, Double> rates = new EnumMap<>(Quota.class);
    pairs(blankTo(System.getProperty("rates"), DEFAULT_RATES))
        .forEach((k, v) -> rates.put(Quota.valueOf(k), Double.parseDouble(v)));
    // None by default: the operator runs with the chart's JAVA_TOOL_OPTIONS and its memory limit (OperatorProcess).
    String options = System.getProperty("javaOptions", "");
    return new ScaleSettings(scenarios, n, aliases, stepWeight, intervalText, interval,
        pairs(blankTo(System.getProperty("raisedBudget"), RAISED_BUDGET)), rates,
        Double.parseDouble(blankTo(System.getProperty("readShare"), "0.2")), resync, faultRate,
        Durations.parse(blankTo(System.getProperty("faultFor"), "1m")),
        Durations.parse(blankTo(System.getProperty("poll"), "250ms")),
        Integer.parseInt(blankTo(System.getProperty("sample"), "20")),
        Durations.parse(blankTo(System.getProperty("timeout"), "60m")),
        Math.max(1, Integer.parseInt(blankTo(System.getProperty("threads"), "8"))),
        options.isBlank() ? List.of() : List.of(options.trim().split("\\s+")),
        Long.parseLong(blankTo(System.getProperty("rssGoalMiB"), "200")),
        Long.parseLong(blankTo(System.getProperty("heapGoalMiB"), "512")),
        Long.parseLong(blankTo(System.getProperty("stepGoalMs"), "1000")),
        Path.of(System.getProperty("lambdaop.projectDir", ".")).toAbsolutePath().normalize());
  }

  /** N for a scenario: -Dn, else its default. */
  int n(String scenario) {
    return n > 0 ? n : switch (scenario) {
      case "converge" -> 1000;
      case "steady" -> 10_000;
      default -> 200;
    };
  }

  /** The aliases of a scenario: -Daliases (at most N), else its default. */
  int aliases(String scenario) {
    int a = aliases >= 0 ? aliases : switch (scenario) {
      case "converge" -> 100;
      case "steady" -> 2000;
      default -> 0;
    };
    return Math.min(a, n(scenario));
  }

  /** The weights of one shift: stepWeight, 2 stepWeight, ..., 100. */
  List<Integer> weights() {
    List<Integer> w = new ArrayList<>();
    for (int x = stepWeight; x < 100; x += stepWeight) {
      w.add(x);
    }
    w.add(100);
    return w;
  }

  double rate(Quota quota) {
    return rates.getOrDefault(quota, Double.NaN);
  }

  /** "A=1,B=2" in order. */
  static Map<String, String> pairs(String text) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String pair : text.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("expected NAME=value pairs separated by commas: " + text);
      }
      m.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return m;
  }

  private static String blankTo(String value, String otherwise) {
    return value == null || value.isBlank() ? otherwise : value.trim();
  }
}
