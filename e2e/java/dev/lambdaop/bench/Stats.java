package dev.lambdaop.bench;

import java.util.List;

/** Nearest-rank percentiles of a list of values (NaN when there are none, so that a report prints "-"). */
record Stats(List<Double> sorted) {
  Stats {
    sorted = sorted.stream().sorted().toList();
  }

  static Stats of(List<Double> values) {
    return new Stats(values);
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
