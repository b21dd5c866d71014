package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.text;

import dev.lambdaop.bench.ChaosAnalysis.Figures;
import dev.lambdaop.bench.ChaosAnalysis.Outcome;
import dev.lambdaop.bench.ChaosAnalysis.Result;
import dev.lambdaop.bench.ChaosAnalysis.Trigger;
import dev.lambdaop.bench.ChaosScenario.Recording;
import dev.lambdaop.testbed.FaultProxy.RandomFaults.Kind;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** Prints the chaos benchmark's figures; its RESULT line carries the one verdict. */
final class ChaosReport {
  private static final int EXAMPLES = 5;

  private final ChaosSettings s;
  private final Recording r;
  private final Figures f;

  ChaosReport(ChaosSettings settings, Recording recording, Figures figures) {
    this.s = settings;
    this.r = recording;
    this.f = figures;
  }

  static void printHeader(ChaosSettings s) {
    System.out.printf(Locale.ROOT, "lambda-operator chaos benchmark: N=%d LambdaFunctions, %d LambdaAliases shifting"
        + " (Linear %d%% every %s), for %s the operator killed with SIGKILL every %s and %.0f%% of its AWS requests"
        + " failing; a rolled-back alias retried with %s; seed %d; limit %s per wait%n", s.n(), s.aliases(),
        s.stepWeight(), s.intervalText(), text(s.chaos()), s.kills() ? text(s.killMin()) + "-" + text(s.killMax())
            : "(never)", s.faultRate() * 100, s.retryBySpec() ? "status.abort=false and a spec change"
            : "status.abort=false only", s.seed(), text(s.timeout()));
  }

  /** Prints the tables; returns the RESULT line (printed last, once everything has stopped). */
  String print(Verdict verdict) {
    printChaos();
    printShifts();
    printSteps();
    printObjects();
    printConvergence();
    System.out.println();
    if (!verdict.pass()) {
      System.out.println("FAIL: " + String.join("; ", verdict.failures()));
    }
    return String.format(Locale.ROOT, "RESULT chaos N=%d aliases=%d %s, kills %d, faults %.0f%% (%d) | shifts %d:"
        + " promoted %d/%d, rolled back %d/%d, wrong %d, unfinished %d, status disagrees %d | steps %d: skipped %d,"
        + " twice %d, off plan %d | duplicate versions %d | orphaned/missing %d | %s | %s", s.n(), s.aliases(),
        text(s.chaos()), f.kills, s.faultRate() * 100, f.faults, f.outcomes.size(),
        f.count(f.seen, Result.PROMOTED), f.count(f.expected, Result.PROMOTED), f.count(f.seen, Result.ROLLED_BACK),
        f.count(f.expected, Result.ROLLED_BACK), f.wrong.size(), f.unfinished.size(), f.statusDisagrees.size(),
        f.steps, f.skipped, f.twice, f.offPlan, f.duplicates, f.orphans() + f.stuckDeletions.size(),
        f.convergeMs == null ? "NOT converged within " + text(s.timeout())
            : String.format(Locale.ROOT, "converged %.1f s after the last fault", f.convergeMs / 1000.0),
        verdict.word());
  }

  private void printChaos() {
    List<OperatorProcess.Run> runs = r.runs();
    // from its start, or from the chaos's start for the process started before it
    Stats lived = Stats.of(runs.stream().filter(OperatorProcess.Run::killed)
        .map(x -> (x.endedMs() - Math.max(x.startedMs(), r.chaosStartMs())) / 1000.0).toList());
    Stats ready = Stats.of(runs.stream().map(OperatorProcess.Run::readyAfterMs).filter(Objects::nonNull)
        .map(ms -> ms / 1000.0).toList());
    long neverReady = runs.stream().filter(x -> x.readyMs() == null && x.killed()).count();
    System.out.println();
    System.out.printf(Locale.ROOT, "Chaos: %s, from the moment every resource was Ready on version 1%n",
        text(s.chaos()));
    System.out.printf(Locale.ROOT, "  operator processes  %d started, %d killed with SIGKILL (%d before /readyz"
        + " answered), %d ended by themselves; killed after p50 %.1f s (min %.1f, max %.1f);"
        + " /readyz after p50 %.1f s, max %.1f s%n", runs.size(), f.kills, neverReady, f.exits, lived.p(0.5),
        lived.min(), lived.max(), ready.p(0.5), ready.max());
    long requests = r.operations().values().stream().mapToLong(Long::longValue).sum();
    Map<Kind, Long> k = r.faultsByKind();
    System.out.printf(Locale.ROOT, "  AWS requests        %d through the fault proxy, %d while faults were armed;"
        + " %d answered by a fault (%s): 5xx %d, throttling %d, conflict %d, timeout %d (%d of them applied; held"
        + " %s)%n", requests, r.faultsSeen(), f.faults, pct(f.faults, r.faultsSeen()),
        k.getOrDefault(Kind.SERVER_ERROR, 0L), k.getOrDefault(Kind.THROTTLE, 0L), k.getOrDefault(Kind.CONFLICT, 0L),
        k.getOrDefault(Kind.TIMEOUT_APPLIED, 0L) + k.getOrDefault(Kind.TIMEOUT_NOT_APPLIED, 0L),
        k.getOrDefault(Kind.TIMEOUT_APPLIED, 0L), text(s.timeoutHold()));
    StringBuilder ops = new StringBuilder();
    r.operations().entrySet().stream().sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
        .forEach(e -> ops.append(ops.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue())
            .append(r.faultsByOperation().containsKey(e.getKey()) ? " (" + r.faultsByOperation().get(e.getKey())
                + " failed)" : ""));
    System.out.println("  by operation        " + ops);
    System.out.printf(Locale.ROOT, "  workload            %d LambdaFunctions created, %d deleted, %d code changes"
        + " (each a new version); %d shifts started%n", r.created(), r.deleted(), r.codeChanges(),
        f.outcomes.size());
    for (OperatorProcess.Run x : runs) {
      if (x.end() == OperatorProcess.End.EXITED) {
        System.out.printf(Locale.ROOT, "  operator process %d ENDED BY ITSELF after %.1f s, exit code %s: see %s%n",
            x.index(), (x.endedMs() - x.startedMs()) / 1000.0, x.exitCode(), x.log());
      }
    }
  }

  private void printShifts() {
    RoutingPoller.PollStats p = r.polling();
    System.out.println();
    System.out.printf(Locale.ROOT, "Shifts, as AWS showed them (GetAlias of all %d aliases every %s, not through the"
        + " proxy: %d polls, %d failed, mean %.0f ms)%n", p.aliases(), text(s.poll()), p.polls(), p.errors(),
        p.meanCallMs());
    System.out.printf(Locale.ROOT, "  %-22s %7s %9s %12s %7s %18s%n", "rollback trigger", "shifts", "promoted",
        "rolled back", "other", "wrong or unended");
    int[] all = new int[5];
    for (Trigger t : Trigger.values()) {
      int[] c = f.byTrigger.getOrDefault(t, new int[5]);
      System.out.printf(Locale.ROOT, "  %-22s %7d %9d %12d %7d %18d%n", t.text, c[0], c[1], c[2], c[3], c[4]);
      for (int i = 0; i < 5; i++) {
        all[i] += c[i];
      }
    }
    System.out.printf(Locale.ROOT, "  %-22s %7d %9d %12d %7d %18d%n", "all", all[0], all[1], all[2], all[3], all[4]);
    System.out.printf(Locale.ROOT, "  must promote %d: promoted %d; must roll back %d: rolled back %d; wrong %d,"
        + " not ended %d; status.history disagrees with AWS %d%n", f.count(f.expected, Result.PROMOTED),
        f.outcomes.stream().filter(o -> o.shift().expected() == Result.PROMOTED && o.aws() == Result.PROMOTED)
            .count(), f.count(f.expected, Result.ROLLED_BACK),
        f.outcomes.stream().filter(o -> o.shift().expected() == Result.ROLLED_BACK && o.aws() == Result.ROLLED_BACK)
            .count(), f.wrong.size(), f.unfinished.size(), f.statusDisagrees.size());
    examples("wrong result", f.wrong);
    examples("not ended", f.unfinished);
    examples("status disagrees", f.statusDisagrees);
  }

  private void printSteps() {
    Stats holds = Stats.of(f.holds.stream().map(h -> h.ms() / 1000.0).toList());
    Stats lags = Stats.of(f.holds.stream().map(ChaosAnalysis.Hold::lagMs).filter(Objects::nonNull)
        .map(ms -> ms / 1000.0).toList());
    long tolerance = 2 * s.poll().toMillis();
    List<ChaosAnalysis.Hold> shortHolds = f.holds.stream()
        .filter(h -> h.ms() < s.interval().toMillis() - tolerance)
        .sorted(java.util.Comparator.comparingLong(ChaosAnalysis.Hold::ms)).toList();
    System.out.println();
    System.out.printf(Locale.ROOT, "Steps (weights of the new version in AWS against the plan %s)%n", s.weights());
    System.out.printf(Locale.ROOT, "  %d steps seen; skipped %d, applied twice %d, routings off the plan %d%n",
        f.steps, f.skipped, f.twice, f.offPlan);
    examples("step anomaly", f.stepAnomalies);
    System.out.printf(Locale.ROOT, "  each weight held in AWS until the next (%d holds of 20..80%%): p50 %.1f s,"
        + " min %.1f s, max %.1f s for an interval of %s; %d held shorter than the interval by more than 2 polls"
        + " (%d ms); not in the verdict%n", holds.count(), holds.p(0.5), holds.min(), holds.max(), s.intervalText(),
        shortHolds.size(), tolerance);
    System.out.printf(Locale.ROOT, "  AWS showed a step after its status.stepStartedAt by p50 %.1f s, p90 %.1f s,"
        + " max %.1f s (%d steps seen in status)%n", lags.p(0.5), lags.p(0.9), lags.max(), lags.count());
    shortHolds.stream().limit(EXAMPLES).forEach(h -> System.out.println("    short hold: " + h.describe()));
  }

  private void printObjects() {
    System.out.println();
    System.out.printf(Locale.ROOT, "AWS at the end: %d published versions, %d duplicates (same code and"
        + " configuration); functions in AWS without a LambdaFunction %d, LambdaFunctions without their function"
        + " %d, aliases in AWS without a LambdaAlias %d, LambdaAliases without their alias %d, deleted"
        + " LambdaFunctions still present %d%n", f.versions, f.duplicates, f.orphanFunctions.size(),
        f.missingFunctions.size(), f.orphanAliases.size(), f.missingAliases.size(), f.stuckDeletions.size());
    list("duplicate", f.duplicateExamples);
    list("function without LambdaFunction", f.orphanFunctions);
    list("LambdaFunction without function", f.missingFunctions);
    list("alias without LambdaAlias", f.orphanAliases);
    list("LambdaAlias without alias", f.missingAliases);
    list("deletion stuck", f.stuckDeletions);
  }

  private void printConvergence() {
    System.out.println();
    System.out.printf(Locale.ROOT, "Convergence: when the last fault ended, %d shifts were under way and %d"
        + " LambdaFunctions did not match; %s%n", r.shiftsUnderWayAtChaosEnd(), r.functionsPendingAtChaosEnd(),
        f.convergeMs == null ? "NOT everything matched within " + text(s.timeout())
            : String.format(Locale.ROOT, "everything matched %.1f s later (a shift under way needs up to %d more"
                + " steps of %s)", f.convergeMs / 1000.0, s.weights().size() - 1, s.intervalText()));
    list("not matching", f.notConverged);
    list("driver error (retried)", r.driverErrors());
    System.out.println("  operator logs: " + r.logDirectory());
  }

  private static void examples(String what, Collection<Outcome> outcomes) {
    outcomes.stream().limit(EXAMPLES).forEach(o -> System.out.println("    " + what + ": " + o.describe()));
    if (outcomes.size() > EXAMPLES) {
      System.out.println("    ... and " + (outcomes.size() - EXAMPLES) + " more");
    }
  }

  private static void list(String what, List<String> items) {
    items.stream().limit(EXAMPLES).forEach(i -> System.out.println("    " + what + ": " + i));
    if (items.size() > EXAMPLES) {
      System.out.println("    ... and " + (items.size() - EXAMPLES) + " more");
    }
  }

  private static String pct(long part, long of) {
    return of == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * part / of);
  }
}
