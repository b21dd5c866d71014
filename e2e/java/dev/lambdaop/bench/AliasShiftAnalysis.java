package dev.lambdaop.bench;

import static dev.lambdaop.bench.AliasShiftScenario.NEW;
import static dev.lambdaop.bench.AliasShiftScenario.aliasName;
import static dev.lambdaop.bench.BenchSupport.delta;
import static dev.lambdaop.bench.BenchSupport.sum;
import static dev.lambdaop.bench.BenchSupport.writes;

import dev.lambdaop.bench.AliasPoller.AwsObs;
import dev.lambdaop.bench.AliasShiftRecorder.Obs;
import dev.lambdaop.bench.AliasShiftRecorder.Recording;
import dev.lambdaop.bench.AliasShiftRecorder.Sample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * From what the alias benchmark recorded to its figures, and its one {@link #verdict}. Pure: no clock, no I/O, so
 * that it can be tested with made-up observations.
 */
final class AliasShiftAnalysis {
  /** Lateness above this counts as late. */
  static final long LATE_MS = 1000;
  /** The peak write rate is the highest over any window this long. */
  private static final long PEAK_WINDOW_MS = 5000;

  /** One step as the operator wrote it in status (or as the poller saw it in AWS: no stepStartedAt). */
  record Step(String alias, int fromWeight, int weight, long atMs, Long scheduleMs, Long stepStartedAtMs,
      Long publishedMs) {
    Long latenessMs() {
      return scheduleMs == null ? null : atMs - scheduleMs;
    }

    boolean late() {
      return latenessMs() != null && latenessMs() > LATE_MS;
    }
  }

  /** One bucket of the timeline from the code change (times relative to it). */
  record TimelineRow(long fromMs, long toMs, long writes, long updateAlias, long budgetWaits, double waitedSeconds,
      long steps, long lateSteps) {}

  /** The figures; lists in the order found. */
  static final class Figures {
    final List<Step> statusSteps = new ArrayList<>();
    final List<Step> awsSteps = new ArrayList<>();
    /** Skipped, repeated or restarted steps; aliases that missed a weight. */
    final List<String> anomalies = new ArrayList<>();
    final List<String> awsNotes = new ArrayList<>();
    /** Steps whose status.stepStartedAt is not their schedule: applied more than the catch-up limit late. */
    final List<String> rebased = new ArrayList<>();
    final List<Double> holdStatusMs = new ArrayList<>();
    final List<Double> holdAwsMs = new ArrayList<>();
    final List<Double> shiftStatusS = new ArrayList<>();
    final List<Double> shiftAwsS = new ArrayList<>();
    final Map<Integer, Integer> skippedByWeight = new TreeMap<>();
    /** "20>40>60>80>100": how many aliases took each path in status. */
    final Map<String, Long> paths = new TreeMap<>();
    /** Functions whose UpdateAlias count during the shift was not one per weight, with the count. */
    final Map<String, Long> updateAliasOff = new TreeMap<>();
    final List<String> wrongEnd = new ArrayList<>();
    final List<TimelineRow> timeline = new ArrayList<>();
    int expectedSteps;
    int skipped;
    int repeated;
    double idealShiftSeconds;
    long timelineBucketMs;
    long callsAll;
    long writesAll;
    /** Alias reconciles during the shift: one GetAlias each. */
    long reconciles;
    double writeRate;
    double peakWriteRate;
    /** Writes per second that the steps alone ask for: N / interval. */
    double demand;
    boolean budgetLimiting;

    int missingSteps() {
      return Math.max(0, expectedSteps - statusSteps.size());
    }

    Stats lateness(List<Step> steps) {
      return Stats.of(steps.stream().map(Step::latenessMs).filter(Objects::nonNull).map(Long::doubleValue).toList());
    }

    /** From version 2's publication to the first step. */
    Stats firstStep(List<Step> steps) {
      return Stats.of(steps.stream().filter(st -> st.fromWeight == 0 && st.publishedMs != null)
          .map(st -> (double) (st.atMs - st.publishedMs)).toList());
    }

    static long late(List<Step> steps) {
      return steps.stream().filter(Step::late).count();
    }
  }

  private final List<Integer> weights;
  private final long intervalMs;

  AliasShiftAnalysis(List<Integer> weights, long intervalMs) {
    this.weights = List.copyOf(weights);
    this.intervalMs = intervalMs;
  }

  /**
   * The one verdict: PASS when every alias went through every step once in status, each with one UpdateAlias, and
   * ended on version 2 alone in AWS and in status.
   */
  Verdict verdict(Figures f) {
    List<String> failures = new ArrayList<>();
    if (!f.anomalies.isEmpty()) {
      failures.add(f.anomalies.size() + " anomalies (skipped, repeated or restarted steps; missed weights)");
    }
    if (f.missingSteps() > 0) {
      failures.add(f.missingSteps() + " of " + f.expectedSteps + " steps not written in status");
    }
    if (!f.updateAliasOff.isEmpty()) {
      failures.add(f.updateAliasOff.size() + " aliases without exactly " + weights.size() + " UpdateAlias");
    }
    if (!f.wrongEnd.isEmpty()) {
      failures.add("final state wrong: " + f.wrongEnd.size());
    }
    return new Verdict(failures);
  }

  Figures analyze(Recording r) {
    Figures f = new Figures();
    int n = r.names().size();
    long shiftStartMs = r.shift().startMs();
    f.expectedSteps = n * weights.size();
    f.idealShiftSeconds = (weights.size() - 1) * intervalMs / 1000.0;
    for (String name : r.names()) {
      statusSteps(f, aliasName(name), r.statusObs().getOrDefault(aliasName(name), List.of()), shiftStartMs,
          r.publishedAt().get(name));
    }
    for (String name : r.sampled()) {
      awsSteps(f, aliasName(name), r.awsObs().getOrDefault(name, List.of()), shiftStartMs, r.publishedAt().get(name));
    }
    r.updateAliasPerFunction().forEach((name, count) -> {
      if (count != weights.size()) {
        f.updateAliasOff.put(name, count);
      }
      String alias = aliasName(name);
      f.paths.merge(f.statusSteps.stream().filter(st -> st.alias.equals(alias)).map(st -> st.weight + "")
          .reduce((x, y) -> x + ">" + y).orElse("none"), 1L, Long::sum);
    });
    f.wrongEnd.addAll(r.wrongEnd());

    f.callsAll = sum(r.shift().calls());
    f.writesAll = sum(writes(r.shift().calls()));
    f.reconciles = r.shift().calls("GetAlias");
    f.writeRate = f.writesAll / Math.max(0.001, r.shift().seconds());
    f.peakWriteRate = peakWriteRate(r.samples(), shiftStartMs, r.shift().endMs());
    f.budgetLimiting = r.shift().budgetWaits() > 0 && f.peakWriteRate >= 0.9 * r.budgetPerSecond();
    f.demand = n / (intervalMs / 1000.0);
    timeline(f, r.samples(), shiftStartMs, r.shift().endMs());
    return f;
  }

  /** The steps of one alias as its status showed them, checked against the plan. */
  private void statusSteps(Figures a, String alias, List<Obs> observations, long shiftStartMs, Long published) {
    int prev = 0;
    Long prevStart = null;
    Long prevAt = null;
    int expected = 0;
    for (Obs o : observations) {
      if (o.atMs() < shiftStartMs) {
        continue;
      }
      int w = o.weightOf(NEW);
      Long start = parse(o.stepStartedAt());
      if (w == prev) {
        if (w > 0 && w < 100 && start != null && prevStart != null && !start.equals(prevStart)) {
          a.anomalies.add(alias + ": status.stepStartedAt changed from " + text(prevStart) + " to "
              + text(start) + " while the weight stayed " + w + "% (a step restarted)");
          prevStart = start;
        }
        continue;
      }
      Long schedule = prev == 0 || prevStart == null ? null : prevStart + intervalMs;
      a.statusSteps.add(new Step(alias, prev, w, o.atMs(), schedule, start, published));
      if (prevAt != null && prev > 0) {
        a.holdStatusMs.add((double) (o.atMs() - prevAt));
      }
      int index = weights.indexOf(w);
      if (index < 0) {
        a.anomalies.add(alias + ": weight " + w + "% is not a step of the shift " + weights);
      } else if (index < expected) {
        a.repeated++;
        a.anomalies.add(alias + ": weight went from " + prev + "% back to " + w + "% (a step applied twice) at "
            + text(o.atMs()));
      } else if (index > expected) {
        a.skipped += index - expected;
        weights.subList(expected, index).forEach(sw -> a.skippedByWeight.merge(sw, 1, Integer::sum));
        a.anomalies.add(String.format(Locale.ROOT, "%s: weight went from %d%% to %d%%, skipping %s, %.1f s after"
            + " the previous step's schedule (status.stepStartedAt %s -> %s, currentStepIndex %s)", alias, prev, w,
            weights.subList(expected, index), schedule == null ? Double.NaN : (o.atMs() - schedule) / 1000.0,
            prevStart == null ? "-" : text(prevStart), start == null ? "-" : text(start), o.stepIndex()));
      }
      if (schedule != null && start != null && !start.equals(schedule) && (start - schedule) % intervalMs != 0) {
        a.rebased.add(String.format(Locale.ROOT, "%s: %d%% written %.1f s after its schedule %s; status.stepStartedAt"
            + " %s (the following steps move by %.1f s)", alias, w, (o.atMs() - schedule) / 1000.0, text(schedule),
            text(start), (start - schedule) / 1000.0));
      }
      if (w == 100 && published != null) {
        a.shiftStatusS.add((o.atMs() - published) / 1000.0);
      }
      expected = index < 0 ? expected : Math.max(expected, index + 1);
      prev = w;
      prevStart = start;
      prevAt = o.atMs();
    }
    if (expected < weights.size()) {
      a.anomalies.add(alias + ": status never reached " + weights.subList(expected, weights.size())
          + "; last seen: " + Obs.describe(observations));
    }
  }

  /** The steps of one sampled alias as GetAlias showed them, scheduled from the status of the previous step. */
  private void awsSteps(Figures a, String alias, List<AwsObs> changes, long shiftStartMs, Long published) {
    Map<Integer, Long> startOfWeight = new TreeMap<>();
    for (Step st : a.statusSteps) {
      if (st.alias.equals(alias) && st.stepStartedAtMs != null) {
        startOfWeight.putIfAbsent(st.weight, st.stepStartedAtMs);
      }
    }
    int prev = 0;
    Long prevAt = null;
    List<Integer> seen = new ArrayList<>();
    for (AwsObs o : changes) {
      if (o.atMs() < shiftStartMs || o.error() != null || o.weight() == prev) {
        continue;
      }
      int w = o.weight();
      Long prevStart = startOfWeight.get(prev);
      Long schedule = prev == 0 || prevStart == null ? null : prevStart + intervalMs;
      if (prev > 0 && prevStart == null) {
        a.awsNotes.add(alias + ": AWS showed " + prev + "% but no status with that weight was seen");
      }
      a.awsSteps.add(new Step(alias, prev, w, o.atMs(), schedule, null, published));
      if (prevAt != null && prev > 0) {
        a.holdAwsMs.add((double) (o.atMs() - prevAt));
      }
      if (w == 100 && published != null) {
        a.shiftAwsS.add((o.atMs() - published) / 1000.0);
      }
      seen.add(w);
      prev = w;
      prevAt = o.atMs();
    }
    if (!seen.equals(weights)) {
      List<Integer> statusWeights = a.statusSteps.stream().filter(st -> st.alias.equals(alias)).map(Step::weight)
          .toList();
      a.awsNotes.add(alias + ": AWS weights seen by polling " + seen + ", in status " + statusWeights
          + (statusWeights.equals(weights) ? " (a weight held shorter than the poll interval is not seen)"
              : statusWeights.equals(seen) ? " (the same: skipped, not missed by polling)" : ""));
    }
  }

  /** Per bucket of time from the code change (buckets of whole intervals, at most 30): what happened in it. */
  private void timeline(Figures f, List<Sample> samples, long startMs, long endMs) {
    long bucket = intervalMs;
    while ((endMs - startMs) / bucket > 30) {
      bucket += intervalMs;
    }
    f.timelineBucketMs = bucket;
    for (long from = startMs; from < endMs; from += bucket) {
      long to = Math.min(endMs, from + bucket);
      Sample s0 = at(samples, from);
      Sample s1 = at(samples, to);
      if (s0 == null || s1 == null) {
        continue;
      }
      long f0 = from;
      Predicate<Step> inBucket = st -> st.atMs >= f0 && st.atMs < to;
      f.timeline.add(new TimelineRow(from - startMs, to - startMs, sum(writes(delta(s1.calls(), s0.calls()))),
          s1.calls().getOrDefault("UpdateAlias", 0L) - s0.calls().getOrDefault("UpdateAlias", 0L),
          s1.waits() - s0.waits(), (s1.waitedNanos() - s0.waitedNanos()) / 1e9,
          f.statusSteps.stream().filter(inBucket).count(),
          f.statusSteps.stream().filter(inBucket.and(Step::late)).count()));
    }
  }

  /** The last sample at or before the time (the first one if none; null if there are no samples). */
  static Sample at(List<Sample> samples, long ms) {
    Sample best = samples.isEmpty() ? null : samples.get(0);
    for (Sample s : samples) {
      if (s.atMs() > ms) {
        break;
      }
      best = s;
    }
    return best;
  }

  /** The highest write rate over any window of {@link #PEAK_WINDOW_MS} between from and to (samples 250 ms apart). */
  static double peakWriteRate(List<Sample> samples, long fromMs, long toMs) {
    double peak = 0;
    for (Sample s : samples) {
      if (s.atMs() < fromMs || s.atMs() + PEAK_WINDOW_MS > toMs + 250) {
        continue;
      }
      Sample e = at(samples, s.atMs() + PEAK_WINDOW_MS);
      if (e == null || e.atMs() <= s.atMs()) {
        continue;
      }
      peak = Math.max(peak, sum(writes(delta(e.calls(), s.calls()))) / ((e.atMs() - s.atMs()) / 1000.0));
    }
    return peak;
  }

  private static Long parse(String instant) {
    return instant == null ? null : Instant.parse(instant).toEpochMilli();
  }

  static String text(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }
}
