package dev.lambdaop.bench;

import dev.lambdaop.aws.Quota;
import dev.lambdaop.testbed.FaultProxy.Request;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Printing for the scale benchmark: figures as aligned lines, and each scenario's VERDICT line. */
final class ScaleReport {
  private ScaleReport() {}

  static void line(String format, Object... args) {
    System.out.printf(Locale.ROOT, format + "%n", args);
  }

  static String mib(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f MiB", v);
  }

  static String s(double seconds) {
    return Double.isNaN(seconds) ? "-" : String.format(Locale.ROOT, "%.1f s", seconds);
  }

  static String stats(Stats st, String unit) {
    if (st.count() == 0) {
      return "none";
    }
    String f = unit.equals("ms") ? "%.0f" : "%.1f";
    return String.format(Locale.ROOT, "p50 " + f + " %s, p95 " + f + " %s, p99 " + f + " %s, max " + f + " %s (%d)",
        st.p(0.5), unit, st.p(0.95), unit, st.p(0.99), unit, st.max(), unit, st.count());
  }

  /** Calls by operation and by quota, per function (two decimals) for {@code n} functions. */
  static void calls(String title, List<Request> requests, int n) {
    Map<String, Long> ops = ScaleAnalysis.byOperation(requests);
    Map<Quota, Long> quotas = ScaleAnalysis.byQuota(requests);
    line("  %s: %d requests", title, requests.size());
    line("    by operation (per function): %s", ops.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue() + " (" + BenchSupport.per(e.getValue(), n) + ")")
        .collect(Collectors.joining(", ")));
    line("    by quota (per function):     %s", quotas.isEmpty() ? "none" : quotas.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue() + " (" + BenchSupport.per(e.getValue(), n) + ")")
        .collect(Collectors.joining(", ")));
  }

  static String reasons(Map<String, Set<String>> surfaced) {
    if (surfaced.isEmpty()) {
      return "0";
    }
    Map<String, Integer> by = ScaleAnalysis.reasons(surfaced);
    return surfaced.size() + " " + by + ", e.g. " + new TreeMap<>(surfaced).entrySet().stream().limit(3)
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  static String rates(List<Double> rates) {
    return rates.stream().map(r -> Double.isNaN(r) ? "-" : String.format(Locale.ROOT, "%.1f", r))
        .collect(Collectors.joining(" "));
  }

  /** The scenario's one verdict line. */
  static String verdict(String scenario, Verdict v, String summary) {
    String text = "VERDICT " + scenario + ": " + v.word() + " " + summary
        + (v.pass() ? "" : " | missed: " + String.join("; ", v.failures()));
    System.out.println(text);
    return text;
  }
}
