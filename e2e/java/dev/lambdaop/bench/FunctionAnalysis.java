package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.sum;

import dev.lambdaop.bench.FunctionRecorder.PhaseRecord;
import dev.lambdaop.bench.FunctionRecorder.Recording;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * From what the function benchmark recorded to its figures, and its one {@link #verdict}. Pure: no clock, no I/O, so
 * that it can be tested with made-up phases.
 */
final class FunctionAnalysis {
  private FunctionAnalysis() {}

  /**
   * One phase's figures. {@code latencies}: seconds from each create (or patch) request to Ready for its generation,
   * null for a quiet phase; {@code seconds}: from the phase's start to the last Ready (or its end);
   * {@code reconciles}: GetFunction calls (each reconcile reads the function once).
   */
  record PhaseFigures(String name, Stats latencies, double seconds, Duration duration, long reconciles,
      long k8sUpdates, long rewrites, long budgetWaits, Duration budgetWaited, Map<String, Long> calls) {
    boolean quiet() {
      return latencies == null;
    }

    Map<String, Long> writes() {
      return BenchSupport.writes(calls);
    }

    /** Calls of the operation per function, two decimals, or "-" for none. */
    String perFunction(String operation, int n) {
      Long count = calls.get(operation);
      return count == null ? "-" : BenchSupport.per(count, n);
    }

    /**
     * Why a quiet phase proves a no-op resync wrong, or does not prove it: null when it made no AWS write in at
     * least one reconcile of every function.
     */
    String quietProblem(int n) {
      Map<String, Long> w = writes();
      if (!w.isEmpty()) {
        return sum(w) + " AWS writes while nothing changed: " + w;
      }
      if (reconciles < n) {
        return "only " + reconciles + " reconciles of " + n + " functions: not every function was resynced, so"
            + " this proves nothing";
      }
      return null;
    }
  }

  /** The phases' figures in order: create, idle, update code, idle again. */
  record Figures(int n, List<PhaseFigures> phases) {
    PhaseFigures phase(String name) {
      return phases.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    List<PhaseFigures> quiet() {
      return phases.stream().filter(PhaseFigures::quiet).toList();
    }

    long quietWrites() {
      return quiet().stream().mapToLong(p -> sum(p.writes())).sum();
    }
  }

  static Figures analyze(int n, Recording r) {
    return new Figures(n, r.phases().stream().map(FunctionAnalysis::phase).toList());
  }

  static PhaseFigures phase(PhaseRecord p) {
    CallWindow.Counts c = p.counts();
    Stats latencies = null;
    long last = c.endNanos();
    if (!p.quiet()) {
      List<Double> seconds = new ArrayList<>();
      last = c.startNanos();
      for (Map.Entry<String, Long> e : p.submittedNanos().entrySet()) {
        Long ready = p.readyNanos().get(e.getKey());
        if (ready != null) {
          seconds.add((ready - e.getValue()) / 1e9);
          last = Math.max(last, ready);
        }
      }
      latencies = Stats.of(seconds);
    }
    return new PhaseFigures(p.name(), latencies, (last - c.startNanos()) / 1e9, c.duration(),
        c.calls("GetFunction"), p.k8sUpdates(), p.rewrites(), c.budgetWaits(), c.budgetWaited(), c.calls());
  }

  /** The one verdict: PASS when every quiet phase made no AWS write and reconciled every function. */
  static Verdict verdict(Figures f) {
    List<String> failures = new ArrayList<>();
    for (PhaseFigures p : f.quiet()) {
      String problem = p.quietProblem(f.n());
      if (problem != null) {
        failures.add(p.name() + ": " + problem);
      }
    }
    return new Verdict(failures);
  }
}
