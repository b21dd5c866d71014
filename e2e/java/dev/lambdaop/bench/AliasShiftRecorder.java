package dev.lambdaop.bench;

import static dev.lambdaop.bench.AliasShiftScenario.NEW;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.aws.sdk.AwsCallCounter;
import dev.lambdaop.aws.sdk.RequestBudget;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the alias benchmark records while it runs: every shift position the LambdaAliases' status shows
 * ({@link AliasTracker}), and the operator's AWS call counts and write-budget waits over time ({@link Sampler}). The
 * LambdaFunctions are recorded by {@link FunctionTracker}, AWS's view of a sample by {@link AliasPoller}; a
 * {@link Recording} is what all of them saw, for {@link AliasShiftAnalysis}.
 */
final class AliasShiftRecorder {
  private AliasShiftRecorder() {}

  /**
   * Everything the scenario recorded: observations by alias name ({@code statusObs}) or function name ({@code awsObs},
   * {@code publishedAt}: when the informer saw status.latestVersion=2), the windows of the shift, of the time after
   * every function was Ready on version 2 ({@code aliasesOnly}, null if not seen) and after 100% ({@code tail}), and
   * the final check's findings ({@code wrongEnd}).
   */
  record Recording(List<String> names, List<String> sampled, Map<String, List<Obs>> statusObs,
      Map<String, Long> publishedAt, Map<String, List<AliasPoller.AwsObs>> awsObs, AliasPoller.PollStats polling,
      List<Sample> samples, CallWindow.Counts shift, CallWindow.Counts aliasesOnly, CallWindow.Counts tail,
      Map<String, Long> updateAliasPerFunction, long statusWrites, Map<String, Set<String>> notReadyDuringShift,
      List<String> wrongEnd, double budgetPerSecond) {}

  /** A LambdaAlias's shift position as one status showed it, and when the benchmark's informer saw it. */
  record Obs(long atMs, String stable, String canary, Integer weight, Integer stepIndex, String stepStartedAt,
      String phase, String ready, String message) {
    /** Percent of traffic on {@code version}. */
    int weightOf(String version) {
      if (version.equals(canary)) {
        return weight == null ? 0 : weight;
      }
      return version.equals(stable) && canary == null ? 100 : 0;
    }

    boolean samePosition(Obs o) {
      return o != null && Objects.equals(stable, o.stable) && Objects.equals(canary, o.canary)
          && Objects.equals(weight, o.weight) && Objects.equals(stepIndex, o.stepIndex)
          && Objects.equals(stepStartedAt, o.stepStartedAt);
    }

    /** The last observation, for a message. */
    static String describe(List<Obs> list) {
      if (list.isEmpty()) {
        return "no status yet";
      }
      Obs o = list.get(list.size() - 1);
      return "stable " + o.stable + ", canary " + o.canary + " at " + o.weight + "%, step " + o.stepIndex
          + ", stepStartedAt " + o.stepStartedAt + ", phase " + o.phase + ", Ready " + o.ready + ": " + o.message;
    }
  }

  /** Every change of shift position of every LambdaAlias, with the time it was seen. */
  static final class AliasTracker implements ResourceEventHandler<LambdaAlias> {
    private final Map<String, List<Obs>> observations = new ConcurrentHashMap<>();
    final Map<String, Set<String>> notReadyDuringShift = new ConcurrentHashMap<>();
    final AtomicLong statusWrites = new AtomicLong();
    private volatile long shiftStartMs = Long.MAX_VALUE;

    /** From now on, count status writes and record Ready=False reasons. */
    void shiftStarts(long atMs) {
      shiftStartMs = atMs;
      statusWrites.set(0);
    }

    @Override
    public void onAdd(LambdaAlias a) {
      observe(a);
    }

    @Override
    public void onUpdate(LambdaAlias old, LambdaAlias a) {
      if (!Objects.equals(old.getMetadata().getResourceVersion(), a.getMetadata().getResourceVersion())) {
        statusWrites.incrementAndGet();
      }
      observe(a);
    }

    @Override
    public void onDelete(LambdaAlias a, boolean deletedFinalStateUnknown) {}

    private void observe(LambdaAlias a) {
      long now = System.currentTimeMillis();
      LambdaAliasStatus s = a.getStatus();
      if (s == null) {
        return;
      }
      Optional<Condition> ready = Conditions.find(s.conditions, Conditions.READY);
      String readyText = ready.map(c -> c.getStatus() + " " + c.getReason()).orElse("none");
      if (now >= shiftStartMs && ready.isPresent() && !"True".equals(ready.get().getStatus())) {
        notReadyDuringShift.computeIfAbsent(ready.get().getReason(), k -> ConcurrentHashMap.newKeySet())
            .add(a.getMetadata().getName() + ": " + ready.get().getMessage());
      }
      Obs o = new Obs(now, s.stableVersion, s.canaryVersion, s.canaryWeight, s.currentStepIndex, s.stepStartedAt,
          s.phase == null ? null : s.phase.name(), readyText, s.message);
      List<Obs> list = observations.computeIfAbsent(a.getMetadata().getName(), k -> new CopyOnWriteArrayList<>());
      Obs last = list.isEmpty() ? null : list.get(list.size() - 1);
      if (!o.samePosition(last)) {
        list.add(o);
      } else if (!Objects.equals(o.ready, last.ready) || !Objects.equals(o.message, last.message)) {
        // same position, but keep the latest condition and message for the description
        list.set(list.size() - 1, new Obs(last.atMs, last.stable, last.canary, last.weight, last.stepIndex,
            last.stepStartedAt, o.phase, o.ready, o.message));
      }
    }

    List<Obs> observations(String alias) {
      return observations.getOrDefault(alias, List.of());
    }

    /** A copy of what was observed so far, by alias name. */
    Map<String, List<Obs>> observations() {
      Map<String, List<Obs>> copy = new TreeMap<>();
      observations.forEach((alias, list) -> copy.put(alias, List.copyOf(list)));
      return copy;
    }

    /** Time the status first showed version 2 alone (after the shift started), or Long.MIN_VALUE. */
    long promotedAt(String alias, long sinceMs) {
      for (Obs o : observations(alias)) {
        if (o.atMs >= sinceMs && o.weightOf(NEW) == 100) {
          return o.atMs;
        }
      }
      return Long.MIN_VALUE;
    }

    /** Weight changes written since then, over all aliases (progress while the shift runs). */
    long stepsSince(long sinceMs) {
      long steps = 0;
      for (List<Obs> list : observations.values()) {
        int prev = 0;
        for (Obs o : list) {
          if (o.atMs < sinceMs) {
            continue;
          }
          int w = o.weightOf(NEW);
          if (w != prev) {
            steps++;
            prev = w;
          }
        }
      }
      return steps;
    }

    String describe(String alias) {
      return Obs.describe(observations(alias));
    }
  }

  record Sample(long atMs, Map<String, Long> calls, long waits, long waitedNanos) {}

  /** The operator's AWS call counts and write-budget waits every 250 ms, for the timeline and the peak rate. */
  static final class Sampler implements AutoCloseable {
    private final AwsCallCounter counter;
    private final RequestBudget budget;
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-sampler");
      t.setDaemon(true);
      return t;
    });

    Sampler(AwsCallCounter counter, RequestBudget budget) {
      this.counter = counter;
      this.budget = budget;
    }

    void start() {
      scheduler.scheduleAtFixedRate(() -> samples.add(new Sample(System.currentTimeMillis(), counter.snapshot(),
          budget.deferred(), budget.deferredFor().toNanos())), 0, 250, TimeUnit.MILLISECONDS);
    }

    List<Sample> samples() {
      return List.copyOf(samples);
    }

    @Override
    public void close() {
      scheduler.shutdownNow();
    }
  }
}
