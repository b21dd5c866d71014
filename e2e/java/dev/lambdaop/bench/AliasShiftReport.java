package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.fixed;
import static dev.lambdaop.bench.BenchSupport.ms;
import static dev.lambdaop.bench.BenchSupport.per;
import static dev.lambdaop.bench.BenchSupport.sum;
import static dev.lambdaop.bench.BenchSupport.text;
import static dev.lambdaop.bench.BenchSupport.writes;

import dev.lambdaop.aws.sdk.AwsCallCounter;
import dev.lambdaop.bench.AliasShiftAnalysis.Figures;
import dev.lambdaop.bench.AliasShiftAnalysis.TimelineRow;
import dev.lambdaop.bench.AliasShiftRecorder.Recording;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Prints the alias benchmark's figures; its RESULT line carries the one verdict. */
final class AliasShiftReport {
  private final AliasShiftSettings s;
  private final Recording r;
  private final Figures f;

  AliasShiftReport(AliasShiftSettings settings, Recording recording, Figures figures) {
    this.s = settings;
    this.r = recording;
    this.f = figures;
  }

  static void printHeader(AliasShiftSettings s) {
    System.out.printf(Locale.ROOT, "lambda-operator alias benchmark: N=%d LambdaAliases shifting at once, Linear"
        + " stepWeight %d every %s (weights %s), resync %s, limit %s per wait, %d aliases polled in AWS every %s%n",
        s.n(), s.stepWeight(), s.intervalText(), s.weights(), text(s.resync()), text(s.timeout()), s.sample(),
        text(s.poll()));
  }

  /** Prints the tables; returns the RESULT line (printed last, once everything has stopped). */
  String print(Verdict verdict) {
    printLateness();
    printSteps();
    printCalls();
    printBudget();
    printTimeline();
    System.out.println();
    Stats statusLate = f.lateness(f.statusSteps);
    Stats awsLate = f.lateness(f.awsSteps);
    Stats statusShift = Stats.of(f.shiftStatusS);
    String late = String.format(Locale.ROOT, "status p50/p99/max %s/%s/%s ms (%d steps)", ms(statusLate.p(0.5)),
        ms(statusLate.p(0.99)), ms(statusLate.max()), statusLate.count());
    String lateAws = String.format(Locale.ROOT, "AWS p50/p99/max %s/%s/%s ms (%d steps, %d aliases)",
        ms(awsLate.p(0.5)), ms(awsLate.p(0.99)), ms(awsLate.max()), awsLate.count(), r.polling().aliases());
    return String.format(Locale.ROOT, "RESULT N=%d Linear %d%%/%s | steps %d/%d, skipped %d, twice %d %s |"
        + " lateness %s, %s | shift p50/max %.1f/%.1f s (ideal %.0f) | AWS calls/step %s, UpdateAlias/step %s |"
        + " budget waits %d / %.1f s%s", s.n(), s.stepWeight(), s.intervalText(), f.statusSteps.size(),
        f.expectedSteps, f.skipped, f.repeated, verdict.word(), late, lateAws, statusShift.p(0.5), statusShift.max(),
        f.idealShiftSeconds, per(f.callsAll, f.statusSteps.size()),
        per(r.shift().calls("UpdateAlias"), f.statusSteps.size()), r.shift().budgetWaits(),
        r.shift().budgetWaited().toMillis() / 1000.0, f.budgetLimiting ? " (limiting)" : "");
  }

  private void printLateness() {
    List<Integer> weights = s.weights();
    int timedSteps = weights.size() - 1;
    AliasPoller.PollStats polling = r.polling();
    System.out.println();
    System.out.printf(Locale.ROOT, "Lateness of each timed step (%s, %d per alias) against its schedule: the previous"
        + " step's status.stepStartedAt + %s%n", weights.subList(1, weights.size()), timedSteps, s.intervalText());
    System.out.printf(Locale.ROOT, "%-34s %8s %8s %8s %8s %8s %10s%n", "", "steps", "p50 ms", "p99 ms", "max ms",
        "min ms", "late >1 s");
    printStats("(a) status written (informer)", f.lateness(f.statusSteps), Figures.late(f.statusSteps));
    printStats("(b) visible in AWS (GetAlias poll)", f.lateness(f.awsSteps), Figures.late(f.awsSteps));
    System.out.println("  (a) all N aliases: the time the benchmark's informer saw the status with the new weight;"
        + " (b) " + polling.aliases() + " sampled aliases polled every " + text(s.poll()) + " (mean GetAlias "
        + String.format(Locale.ROOT, "%.0f ms", polling.meanCallMs()) + "): the time a poll first showed the new"
        + " weight");
    System.out.printf(Locale.ROOT, "%-34s %8s %8s %8s %8s %8s%n", "", "count", "p50", "p99", "max", "min");
    printStats("first step (" + weights.get(0) + "%) after v2 published, ms (a)", f.firstStep(f.statusSteps), -1);
    printStats("first step after v2 published, ms (b)", f.firstStep(f.awsSteps), -1);
    printSeconds("shift duration v2 published->100%, s (a)", Stats.of(f.shiftStatusS));
    printSeconds("shift duration v2 published->100%, s (b)", Stats.of(f.shiftAwsS));
    printStats("time each weight held, ms (a)", Stats.of(f.holdStatusMs), -1);
    printStats("time each weight held, ms (b)", Stats.of(f.holdAwsMs), -1);
    System.out.printf(Locale.ROOT, "  published: when the informer saw the LambdaFunction's status.latestVersion=2;"
        + " the ideal shift is %d x %s = %.0f s after the first step; a weight should hold %d ms%n", timedSteps,
        s.intervalText(), f.idealShiftSeconds, s.interval().toMillis());
    System.out.printf(Locale.ROOT, "  sampler: %d GetAlias polls, %d failed%s%n", polling.polls(), polling.errors(),
        polling.lastError() == null ? "" : " (last: " + polling.lastError() + ")");
  }

  private void printSteps() {
    List<Integer> weights = s.weights();
    System.out.println();
    System.out.printf(Locale.ROOT, "steps: %d of %d written in status (N x %d), %d skipped, %d applied twice;"
        + " UpdateAlias per alias during the shift: %s (expected %d each)%n", f.statusSteps.size(), f.expectedSteps,
        weights.size(), f.skipped, f.repeated, histogram(r.updateAliasPerFunction().values()), weights.size());
    System.out.printf(Locale.ROOT, "schedule moved (a late step starts when it is applied, so the rest of the shift"
        + " moves with it): %d steps%n", f.rebased.size());
    f.rebased.stream().limit(3).forEach(line -> System.out.println("  e.g. " + line));
    if (!f.skippedByWeight.isEmpty()) {
      StringBuilder tally = new StringBuilder();
      f.skippedByWeight.forEach((w, count) -> tally.append(tally.length() == 0 ? "" : ", ").append(w).append("% x ")
          .append(count));
      System.out.println("skipped weights (never written to the alias in AWS): " + tally + "; paths taken: "
          + f.paths);
      System.out.printf(Locale.ROOT, "  (a skipped step is a product bug: the planner ends at most one pause per"
          + " evaluation; interval %s)%n", s.intervalText());
    }
    System.out.println("anomalies (skipped, repeated or restarted steps; aliases that missed a weight): "
        + (f.anomalies.isEmpty() ? "none" : f.anomalies.size()));
    f.anomalies.stream().limit(8).forEach(line -> System.out.println("  " + line));
    if (f.anomalies.size() > 8) {
      System.out.println("  ... " + (f.anomalies.size() - 8) + " more");
    }
    System.out.println("AWS side (sampled aliases): " + (f.awsNotes.isEmpty() ? "every sampled alias went through "
        + weights + " in AWS" : f.awsNotes.size() + " notes"));
    f.awsNotes.stream().limit(5).forEach(line -> System.out.println("  " + line));
    System.out.println("LambdaAlias Ready=False during the shift, by reason: "
        + (r.notReadyDuringShift().isEmpty() ? "none" : notReadyReasons()));
    System.out.println("final state: " + (f.wrongEnd.isEmpty() ? "every alias in AWS on version 2 alone,"
        + " status.history Promoted" : "WRONG for " + f.wrongEnd.size()));
    f.wrongEnd.stream().limit(5).forEach(line -> System.out.println("  " + line));
  }

  private void printCalls() {
    CallWindow.Counts shift = r.shift();
    CallWindow.Counts tail = r.tail();
    int n = s.n();
    int applied = f.statusSteps.size();
    int planned = f.expectedSteps;
    System.out.println();
    System.out.printf(Locale.ROOT, "AWS calls during the shift (from the code change to the last alias at 100%%):"
        + " per step applied (%d), per planned step (N x %d = %d), per alias (N)%n", applied, s.weights().size(),
        planned);
    System.out.printf(Locale.ROOT, "%-28s %10s %14s %14s %10s %12s%n", "operation", "calls", "per applied",
        "per planned", "per alias", "after 100%");
    Set<String> operations = new TreeSet<>(shift.calls().keySet());
    operations.addAll(tail.calls().keySet());
    for (String op : operations) {
      long all = shift.calls(op);
      System.out.printf(Locale.ROOT, "%-28s %10d %14s %14s %10s %12d%s%n", op, all, per(all, applied),
          per(all, planned), per(all, n), tail.calls(op), AwsCallCounter.isWrite(op) ? "   write" : "");
    }
    System.out.printf(Locale.ROOT, "%-28s %10d %14s %14s %10s %12d%n", "writes", f.writesAll, per(f.writesAll, applied),
        per(f.writesAll, planned), per(f.writesAll, n), sum(writes(tail.calls())));
    System.out.printf(Locale.ROOT, "%-28s %10d %14s %14s %10s %12d%n", "all calls", f.callsAll,
        per(f.callsAll, applied), per(f.callsAll, planned), per(f.callsAll, n), sum(tail.calls()));
    System.out.printf(Locale.ROOT, "  the code change of each function is in these counts: GetFunction,"
        + " UpdateFunctionCode, PublishVersion, ListVersionsByFunction and part of GetFunctionConfiguration (its"
        + " waits for the update to settle); the aliases read GetAlias once per reconcile, and"
        + " GetFunctionConfiguration for the target version and, while two versions are routed, the stable one%n");
    System.out.printf(Locale.ROOT, "  alias reconciles (one GetAlias each): %d, %s per step applied, %d more than"
        + " steps%n", f.reconciles, per(f.reconciles, applied), f.reconciles - applied);
    CallWindow.Counts aliasesOnly = r.aliasesOnly();
    if (aliasesOnly != null) {
      long reconciles = aliasesOnly.calls("GetAlias");
      System.out.printf(Locale.ROOT, "  after every function was Ready on version 2 (%.1f s, alias calls only): %d"
          + " reconciles, GetFunctionConfiguration %s per reconcile, UpdateAlias %d%n", aliasesOnly.seconds(),
          reconciles, per(aliasesOnly.calls("GetFunctionConfiguration"), reconciles), aliasesOnly.calls("UpdateAlias"));
    }
    System.out.printf(Locale.ROOT, "  shift: %.1f s; after 100%%: %.0f s with nothing changing%n", shift.seconds(),
        tail.seconds());
    System.out.printf(Locale.ROOT, "  LambdaAlias status writes seen by the informer during the shift: %d (%s per"
        + " step applied)%n", r.statusWrites(), per(r.statusWrites(), applied));
  }

  private void printBudget() {
    CallWindow.Counts shift = r.shift();
    double budget = r.budgetPerSecond();
    Duration waited = shift.budgetWaited();
    long waits = shift.budgetWaits();
    System.out.println();
    System.out.printf(Locale.ROOT, "write budget (%.0f writes/s): %d writes waited, %.1f s in total (mean %.0f ms per"
        + " waiting write); %.1f writes/s on average over the shift, %.1f at most over 5 s%n", budget, waits,
        waited.toMillis() / 1000.0, waits == 0 ? 0.0 : waited.toMillis() / (double) waits, f.writeRate,
        f.peakWriteRate);
    System.out.printf(Locale.ROOT, "  demand of the steps alone: N/interval = %d/%s = %.1f UpdateAlias/s; the code"
        + " change adds 2 writes per function (UpdateFunctionCode, PublishVersion)%n", s.n(), s.intervalText(),
        f.demand);
    System.out.println("  limiting factor: " + (f.budgetLimiting
        ? "YES, the write budget: writes queued and ran at the budget's rate" + (f.demand > budget
            ? "; N/interval exceeds it, so the steps cannot keep their schedule" : "")
        : waits > 0 ? "partly: some writes waited, but the write rate stayed below the budget"
        : "no: no write waited for the budget"));
    CallWindow.Counts aliasesOnly = r.aliasesOnly();
    if (aliasesOnly != null) {
      System.out.printf(Locale.ROOT, "  after every function was Ready on version 2 (only alias writes): %d writes"
          + " waited, %.1f s in total%s%n", aliasesOnly.budgetWaits(), aliasesOnly.budgetWaited().toMillis() / 1000.0,
          aliasesOnly.budgetWaits() == 0 && waits > 0 ? " (the budget limited only while the functions' code"
              + " changed: the first steps queued behind 2 writes per function)" : "");
    }
  }

  private void printTimeline() {
    System.out.printf(Locale.ROOT, "timeline from the code change (buckets of %.0f s):%n", f.timelineBucketMs / 1000.0);
    System.out.printf(Locale.ROOT, "%10s %8s %12s %13s %14s %10s %14s%n", "t s", "writes", "UpdateAlias",
        "budget waits", "waited s", "steps", "late >1 s");
    for (TimelineRow row : f.timeline) {
      System.out.printf(Locale.ROOT, "%4.0f-%-5.0f %8d %12d %13d %14.1f %10d %14d%n", row.fromMs() / 1000.0,
          row.toMs() / 1000.0, row.writes(), row.updateAlias(), row.budgetWaits(), row.waitedSeconds(), row.steps(),
          row.lateSteps());
    }
  }

  private static void printStats(String label, Stats st, long late) {
    System.out.printf(Locale.ROOT, "%-34s %8d %8s %8s %8s %8s%s%n", label, st.count(), ms(st.p(0.5)), ms(st.p(0.99)),
        ms(st.max()), ms(st.min()), late < 0 ? "" : String.format(Locale.ROOT, " %10d", late));
  }

  private static void printSeconds(String label, Stats st) {
    System.out.printf(Locale.ROOT, "%-34s %8d %8s %8s %8s %8s%n", label, st.count(), fixed(st.p(0.5)),
        fixed(st.p(0.99)), fixed(st.max()), fixed(st.min()));
  }

  private String notReadyReasons() {
    StringBuilder out = new StringBuilder();
    new TreeMap<>(r.notReadyDuringShift()).forEach((reason, which) -> out.append(out.length() == 0 ? "" : ", ")
        .append(reason).append(" (").append(which.size()).append(", e.g. ").append(which.iterator().next())
        .append(")"));
    return out.toString();
  }

  /** "5 for 98, 3 for 2": how many functions had each count. */
  private static String histogram(Collection<Long> counts) {
    Map<Long, Long> byCount = new TreeMap<>(Collections.reverseOrder());
    counts.forEach(c -> byCount.merge(c, 1L, Long::sum));
    StringBuilder out = new StringBuilder();
    byCount.forEach((count, functions) -> out.append(out.length() == 0 ? "" : ", ").append(count).append(" for ")
        .append(functions));
    return out.toString();
  }
}
