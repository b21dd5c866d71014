package dev.lambdaop.cli;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import java.util.Locale;
import java.util.Map;

/**
 * How an alias splits its traffic, as its status (and spec.routing) tell: a primary version and, during a shift or
 * with manual routing, an additional version with its percent.
 *
 * @param primary the version the alias points at (status.stableVersion)
 * @param additional the other version, or null
 * @param percent percent of traffic on {@code additional} (0..100)
 * @param role what the additional version is: "canary" (a shift), "rolled back" or "aborted" (a Degraded shift)
 *     or "routing" (spec.routing)
 */
record Traffic(String primary, String additional, double percent, String role) {

  /** The split of this alias, or null when its status names no version yet. */
  static Traffic of(LambdaAlias alias) {
    LambdaAliasStatus status = alias.getStatus();
    if (status == null || status.stableVersion == null) {
      return null;
    }
    if (status.phase == Phase.Degraded) {
      return new Traffic(status.stableVersion, status.canaryVersion, 0, status.degradedAs().words());
    }
    if (status.canaryVersion != null) {
      return new Traffic(status.stableVersion, status.canaryVersion, status.canaryPercent(), "canary");
    }
    Map<String, Double> manual = alias.getSpec() == null || alias.getSpec().routing == null ? null
        : alias.getSpec().routing.additionalVersionWeights;
    if (manual != null && !manual.isEmpty()) {
      Map.Entry<String, Double> entry = manual.entrySet().iterator().next();
      return new Traffic(status.stableVersion, entry.getKey(), entry.getValue() * 100, "routing");
    }
    return new Traffic(status.stableVersion, null, 0, null);
  }

  double primaryPercent() {
    return 100 - percent;
  }

  /** 30%, 12.5%. */
  static String percent(double value) {
    double rounded = Math.round(value * 10) / 10.0;
    return (rounded == Math.rint(rounded) ? String.valueOf((long) rounded)
        : String.format(Locale.ROOT, "%.1f", rounded)) + "%";
  }
}
