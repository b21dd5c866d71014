package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.delta;

import dev.lambdaop.aws.sdk.AwsCallCounter;
import dev.lambdaop.aws.sdk.RequestBudget;
import java.time.Duration;
import java.util.Map;

/** Records a span of time: the operator's AWS calls and write-budget waits from its start to its end. */
final class CallWindow {
  final long startMs = System.currentTimeMillis();
  final long startNanos = System.nanoTime();
  private final AwsCallCounter counter;
  private final RequestBudget budget;
  private final Map<String, Long> callsBefore;
  private final long waitsBefore;
  private final Duration waitedBefore;

  /** What a window recorded; {@code calls} by operation, zeros left out. */
  record Counts(long startMs, long endMs, long startNanos, long endNanos, Map<String, Long> calls, long budgetWaits,
      Duration budgetWaited) {
    /** Wall-clock length, to {@code endMs} (which {@link #endAt} may have moved back). */
    double seconds() {
      return (endMs - startMs) / 1000.0;
    }

    Duration duration() {
      return Duration.ofNanos(endNanos - startNanos);
    }

    long calls(String operation) {
      return calls.getOrDefault(operation, 0L);
    }
  }

  CallWindow(AwsCallCounter counter, RequestBudget budget) {
    this.counter = counter;
    this.budget = budget;
    this.callsBefore = counter.snapshot();
    this.waitsBefore = budget.deferred();
    this.waitedBefore = budget.deferredFor();
  }

  /** The calls so far, while the window is open. */
  Map<String, Long> callsSoFar() {
    return delta(counter.snapshot(), callsBefore);
  }

  long budgetWaitsSoFar() {
    return budget.deferred() - waitsBefore;
  }

  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }

  double elapsedSeconds() {
    return elapsed().toNanos() / 1e9;
  }

  Counts end() {
    return new Counts(startMs, System.currentTimeMillis(), startNanos, System.nanoTime(), callsSoFar(),
        budgetWaitsSoFar(), budget.deferredFor().minus(waitedBefore));
  }

  /** Ends now, counting calls until now; but its length runs to {@code lastMs} (for example the last step). */
  Counts endAt(long lastMs) {
    Counts c = end();
    return new Counts(startMs, Math.max(startMs, Math.min(lastMs, c.endMs())), startNanos, c.endNanos(), c.calls(),
        c.budgetWaits(), c.budgetWaited());
  }
}
