package dev.lambdaop.bench;

import dev.lambdaop.bench.RoutingPoller.Seen;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * From what the chaos benchmark recorded to its figures, and its one {@link #verdict}. Pure: no clock, no I/O, so
 * that it can be tested with made-up observations. Every figure comes from the AWS side (the poller's GetAlias
 * results over time, and the final listing of functions, versions and aliases), except the status results, which are
 * compared with it.
 */
final class ChaosAnalysis {

  /** The rollback trigger of an alias, and whether the benchmark makes it fire during each shift. */
  enum Trigger {
    /** spec.deployment.rollback.alarms; the benchmark sets the alarm to ALARM once a shift moved traffic. */
    ALARM_FIRES("alarm, fires"),
    /** rollback.errorRate (max 0.1 after 10 invocations); 5 errors in 20 invocations once a shift moved traffic. */
    ERROR_RATE_FIRES("error rate, fires"),
    /** rollback.alarms; the alarm stays OK. */
    ALARM_QUIET("alarm, stays OK"),
    /** rollback.errorRate; 0 errors in 20 invocations once a shift moved traffic. */
    ERROR_RATE_QUIET("error rate, healthy"),
    /** No rollback trigger. */
    NONE("no trigger");

    final String text;

    Trigger(String text) {
      this.text = text;
    }

    /** The trigger of the i-th alias: the five kinds in turn. */
    static Trigger of(int aliasIndex) {
      return values()[aliasIndex % values().length];
    }

    boolean fires() {
      return this == ALARM_FIRES || this == ERROR_RATE_FIRES;
    }

    boolean alarm() {
      return this == ALARM_FIRES || this == ALARM_QUIET;
    }

    boolean errorRate() {
      return this == ERROR_RATE_FIRES || this == ERROR_RATE_QUIET;
    }
  }

  /** How a shift ended, as AWS shows it. */
  enum Result {
    /** All traffic on the new version. */
    PROMOTED,
    /** All traffic back on the version it started from, after some went to the new one. */
    ROLLED_BACK,
    /** All traffic on the version it started from, and none ever went to the new one. */
    NOT_STARTED,
    /** Still routing to both versions, to another version, or no alias; or the new version was never published. */
    UNFINISHED;

    /** The result as status.history names it. */
    String statusName() {
      return switch (this) {
        case PROMOTED -> "Promoted";
        case ROLLED_BACK -> "RolledBack";
        default -> name();
      };
    }
  }

  /**
   * One shift the scenario started: a new code revision of the alias's function, so a new version.
   *
   * @param from the version the alias served alone before (AWS)
   * @param to the version the function published for the new code, or null when it never did
   * @param startMs when the code was changed
   * @param nextStartMs when the next shift of this alias started (its code changed again), or null: none did
   * @param triggeredMs when the benchmark fired (or fed, for a healthy error rate) the trigger, or null
   * @param endedMs when status.history recorded the shift's end and AWS was at rest, or null: not seen
   * @param statusResult the oldest status.history result for {@code to} (Promoted, RolledBack, Aborted, ...), or null
   */
  record Shift(String function, String alias, int round, Trigger trigger, String from, String to, long startMs,
      Long nextStartMs, Long triggeredMs, Long endedMs, String statusResult) {
    Result expected() {
      return trigger.fires() ? Result.ROLLED_BACK : Result.PROMOTED;
    }

    String name() {
      return alias + " #" + round + " (v" + from + "->v" + (to == null ? "?" : to) + ", " + trigger.text + ")";
    }
  }

  /** One published version of a function: its code and a fingerprint of its configuration. */
  record Version(String version, String codeSha256, String configuration) {}

  /**
   * What exists at the end. Aliases as {@code function:alias}.
   *
   * @param stuckDeletions resources deleted by the benchmark that still exist (their finalizer was not removed)
   */
  record Inventory(Set<String> awsFunctions, Set<String> functionResources, Set<String> awsAliases,
      Set<String> aliasResources, Set<String> stuckDeletions) {}

  /**
   * A step as the LambdaAlias's status recorded it: the shift's new version, its weight, and status.stepStartedAt.
   */
  record StatusStep(String canary, int weight, long stepStartedAtMs) {}

  /**
   * Everything the analysis reads.
   *
   * @param routing the poller's GetAlias changes by function
   * @param statusSteps the steps status recorded, by LambdaAlias name
   * @param versions the published versions of every function in AWS at the end
   * @param lastFaultMs when the last fault ended (killing stopped and faults cleared)
   * @param convergedMs when everything matched again, or null: not within the limit
   * @param notConverged what did not match at the limit (examples)
   * @param kills operator processes killed
   * @param exits operator processes that ended by themselves
   * @param faults AWS requests answered by a fault
   * @param chaosAsked whether kills and faults were asked for (kills, faults)
   */
  record Input(List<Shift> shifts, Map<String, List<Seen>> routing, Map<String, List<StatusStep>> statusSteps,
      Map<String, List<Version>> versions,
      Inventory inventory, long lastFaultMs, Long convergedMs, List<String> notConverged, long kills, long exits,
      long faults, boolean killsAsked, boolean faultsAsked) {}

  /** One weight of the new version, and when the poller first saw it. */
  record Point(int weight, long atMs) {}

  /**
   * How long a weight held in AWS: from the poll that first showed it to the poll that first showed the next one.
   *
   * @param stepStartedAtMs status.stepStartedAt of that step, or null when status was not seen with it
   */
  record Hold(String alias, int weight, long fromMs, long toMs, Long stepStartedAtMs) {
    long ms() {
      return toMs - fromMs;
    }

    /** From status.stepStartedAt to AWS showing the weight, or null. */
    Long lagMs() {
      return stepStartedAtMs == null ? null : fromMs - stepStartedAtMs;
    }

    String describe() {
      return String.format(java.util.Locale.ROOT, "%s: %d%% held %.1f s in AWS (first seen %s%s)", alias, weight,
          ms() / 1000.0, java.time.Instant.ofEpochMilli(fromMs), stepStartedAtMs == null ? ""
              : String.format(java.util.Locale.ROOT, ", %.1f s after its status.stepStartedAt %s", lagMs() / 1000.0,
                  java.time.Instant.ofEpochMilli(stepStartedAtMs)));
    }
  }

  /** A shift as AWS showed it. */
  record Outcome(Shift shift, List<Point> path, Result aws, int skipped, int twice, List<String> offPlan,
      List<Hold> holds) {
    boolean wrong() {
      return aws != Result.UNFINISHED && aws != shift.expected();
    }

    boolean unfinished() {
      return aws == Result.UNFINISHED;
    }

    /** The status recorded another end than AWS shows (a status that recorded none is unfinished). */
    boolean statusDisagrees() {
      return shift.statusResult() != null && aws != Result.UNFINISHED
          && !aws.statusName().equals(shift.statusResult());
    }

    String pathText() {
      StringBuilder b = new StringBuilder();
      for (Point p : path) {
        b.append(b.length() == 0 ? "" : ">").append(p.weight());
      }
      return b.toString();
    }

    String describe() {
      return shift.name() + ": AWS " + pathText() + " = " + aws + ", status " + shift.statusResult()
          + (skipped > 0 ? ", " + skipped + " skipped" : "") + (twice > 0 ? ", " + twice + " twice" : "")
          + (offPlan.isEmpty() ? "" : ", " + String.join("; ", offPlan));
    }
  }

  /** The figures; lists in the order found. */
  static final class Figures {
    final List<Outcome> outcomes = new ArrayList<>();
    final Map<Result, Integer> expected = new EnumMap<>(Result.class);
    final Map<Result, Integer> seen = new EnumMap<>(Result.class);
    final Map<Trigger, int[]> byTrigger = new EnumMap<>(Trigger.class);
    final List<Outcome> wrong = new ArrayList<>();
    final List<Outcome> unfinished = new ArrayList<>();
    final List<Outcome> statusDisagrees = new ArrayList<>();
    final List<Outcome> stepAnomalies = new ArrayList<>();
    final List<Hold> holds = new ArrayList<>();
    int steps;
    int skipped;
    int twice;
    int offPlan;
    int versions;
    int duplicates;
    final List<String> duplicateExamples = new ArrayList<>();
    final List<String> orphanFunctions = new ArrayList<>();
    final List<String> missingFunctions = new ArrayList<>();
    final List<String> orphanAliases = new ArrayList<>();
    final List<String> missingAliases = new ArrayList<>();
    final List<String> stuckDeletions = new ArrayList<>();
    Long convergeMs;
    final List<String> notConverged = new ArrayList<>();
    long kills;
    long exits;
    long faults;
    boolean killsAsked;
    boolean faultsAsked;

    int count(Map<Result, Integer> m, Result r) {
      return m.getOrDefault(r, 0);
    }

    int orphans() {
      return orphanFunctions.size() + missingFunctions.size() + orphanAliases.size() + missingAliases.size();
    }
  }

  private final List<Integer> weights;

  /** @param weights the weights of the plan, in order, ending at 100 */
  ChaosAnalysis(List<Integer> weights) {
    this.weights = List.copyOf(weights);
  }

  Figures analyze(Input in) {
    Figures f = new Figures();
    for (Shift s : in.shifts()) {
      Outcome o = outcome(s, in.routing().getOrDefault(s.function(), List.of()),
          in.statusSteps().getOrDefault(s.alias(), List.of()));
      f.outcomes.add(o);
      f.expected.merge(s.expected(), 1, Integer::sum);
      f.seen.merge(o.aws(), 1, Integer::sum);
      int[] t = f.byTrigger.computeIfAbsent(s.trigger(), k -> new int[5]);
      t[0]++;
      t[o.aws() == Result.PROMOTED ? 1 : o.aws() == Result.ROLLED_BACK ? 2 : 3]++;
      if (o.wrong() || o.unfinished()) {
        t[4]++;
      }
      if (o.wrong()) {
        f.wrong.add(o);
      }
      if (o.unfinished()) {
        f.unfinished.add(o);
      }
      if (o.statusDisagrees()) {
        f.statusDisagrees.add(o);
      }
      f.skipped += o.skipped();
      f.twice += o.twice();
      f.offPlan += o.offPlan().size();
      if (o.skipped() > 0 || o.twice() > 0 || !o.offPlan().isEmpty()) {
        f.stepAnomalies.add(o);
      }
      f.steps += (int) o.path().stream().map(Point::weight).filter(w -> w > 0).distinct().count();
      f.holds.addAll(o.holds());
    }
    duplicates(in.versions(), f);
    Inventory inv = in.inventory();
    f.orphanFunctions.addAll(minus(inv.awsFunctions(), inv.functionResources()));
    f.missingFunctions.addAll(minus(inv.functionResources(), inv.awsFunctions()));
    f.orphanAliases.addAll(minus(inv.awsAliases(), inv.aliasResources()));
    f.missingAliases.addAll(minus(inv.aliasResources(), inv.awsAliases()));
    f.stuckDeletions.addAll(new TreeSet<>(inv.stuckDeletions()));
    f.convergeMs = in.convergedMs() == null ? null : Math.max(0, in.convergedMs() - in.lastFaultMs());
    f.notConverged.addAll(in.notConverged());
    f.kills = in.kills();
    f.exits = in.exits();
    f.faults = in.faults();
    f.killsAsked = in.killsAsked();
    f.faultsAsked = in.faultsAsked();
    return f;
  }

  /**
   * One shift from the poller's observations of its alias between its start and the next shift's start (the last
   * observation before its start gives the state it started from): the weights of the new version in order, the
   * result at the end, steps skipped (a weight of the plan passed over on the way up) or applied twice (a weight of
   * the plan reached again after another), routing off the plan (another version, a weight not in the plan, no
   * alias), and how long each intermediate weight held in AWS (with its status.stepStartedAt, when status showed the
   * step).
   */
  Outcome outcome(Shift s, List<Seen> observations, List<StatusStep> statusSteps) {
    List<Seen> window = new ArrayList<>();
    Seen before = null;
    for (Seen o : observations) {
      if (o.atMs() < s.startMs()) {
        before = o;
      } else if (s.nextStartMs() == null || o.atMs() < s.nextStartMs()) {
        window.add(o);
      }
    }
    if (before != null) {
      window.add(0, before);
    }
    if (s.to() == null || window.isEmpty()) {
      return new Outcome(s, List.of(), Result.UNFINISHED, 0, 0, List.of(), List.of());
    }
    List<Point> path = new ArrayList<>();
    Set<String> offPlan = new TreeSet<>();
    for (Seen o : window) {
      if (o.version() == null) {
        offPlan.add("no alias");
      } else if (!o.version().equals(s.from()) && !o.version().equals(s.to())) {
        offPlan.add("routes to version " + o.version());
      } else if (o.additional() != null && (!o.additional().equals(s.to()) || o.version().equals(s.to()))) {
        offPlan.add("routes " + o.weight() + "% to version " + o.additional() + " besides version " + o.version());
      }
      int w = o.weightOf(s.to());
      if (w != 0 && !weights.contains(w)) {
        offPlan.add("weight " + w + "% is not in the plan");
      }
      if (path.isEmpty() || path.get(path.size() - 1).weight() != w) {
        path.add(new Point(w, o.atMs()));
      }
    }
    if (path.get(0).weight() != 0) {
      offPlan.add("started at " + path.get(0).weight() + "%");
    }
    Seen last = window.get(window.size() - 1);
    int max = path.stream().mapToInt(Point::weight).max().orElse(0);
    Result aws;
    if (last.atRest() && last.version().equals(s.to())) {
      aws = Result.PROMOTED;
    } else if (last.atRest() && last.version().equals(s.from())) {
      aws = max > 0 ? Result.ROLLED_BACK : Result.NOT_STARTED;
    } else {
      aws = Result.UNFINISHED;
    }
    int skipped = 0;
    Map<Integer, Integer> runs = new LinkedHashMap<>();
    List<Hold> holds = new ArrayList<>();
    for (int i = 0; i < path.size(); i++) {
      int w = path.get(i).weight();
      runs.merge(w, 1, Integer::sum);
      if (i > 0) {
        int from = path.get(i - 1).weight();
        if (w > from) {
          skipped += (int) weights.stream().filter(p -> p > from && p < w).count();
        }
      }
      if (i > 0 && i + 1 < path.size() && w > 0 && w < 100 && path.get(i + 1).weight() > w) {
        Long started = null;
        for (StatusStep st : statusSteps) {
          if (st.weight() == w && st.canary().equals(s.to())) {
            started = st.stepStartedAtMs();
            break;
          }
        }
        holds.add(new Hold(s.alias(), w, path.get(i).atMs(), path.get(i + 1).atMs(), started));
      }
    }
    int twice = 0;
    for (Map.Entry<Integer, Integer> e : runs.entrySet()) {
      if (e.getKey() > 0 && e.getValue() > 1) {
        twice += e.getValue() - 1;
      }
    }
    return new Outcome(s, List.copyOf(path), aws, skipped, twice, List.copyOf(offPlan), List.copyOf(holds));
  }

  /** Two published versions of one function with the same code and configuration: one of them is a duplicate. */
  private static void duplicates(Map<String, List<Version>> versions, Figures f) {
    for (Map.Entry<String, List<Version>> fn : new TreeMap<>(versions).entrySet()) {
      Map<String, List<String>> byContent = new LinkedHashMap<>();
      for (Version v : fn.getValue()) {
        f.versions++;
        byContent.computeIfAbsent(v.codeSha256() + "\n" + v.configuration(), k -> new ArrayList<>()).add(v.version());
      }
      for (List<String> same : byContent.values()) {
        if (same.size() > 1) {
          f.duplicates += same.size() - 1;
          f.duplicateExamples.add(fn.getKey() + ": versions " + String.join(", ", same)
              + " have the same code and configuration");
        }
      }
    }
  }

  private static List<String> minus(Set<String> a, Set<String> b) {
    Set<String> d = new TreeSet<>(a);
    d.removeAll(b);
    return List.copyOf(d);
  }

  /**
   * The one verdict: PASS when no shift ended otherwise than its checks call for (or did not end), status.history
   * agrees with AWS, no step was skipped, applied twice or routed off the plan, no function has two versions of the
   * same code and configuration, nothing is orphaned or missing, everything converged after the last fault, no
   * operator process ended by itself, and the chaos that was asked for happened.
   */
  Verdict verdict(Figures f) {
    List<String> failures = new ArrayList<>();
    if (f.outcomes.isEmpty()) {
      failures.add("no shift ran");
    }
    add(failures, f.wrong.size(), "shifts ended otherwise than their checks call for");
    add(failures, f.unfinished.size(), "shifts did not end in AWS");
    add(failures, f.statusDisagrees.size(), "shifts whose status.history disagrees with AWS");
    add(failures, f.skipped, "steps skipped");
    add(failures, f.twice, "steps applied twice");
    add(failures, f.offPlan, "routings off the plan");
    add(failures, f.duplicates, "duplicate versions");
    add(failures, f.orphanFunctions.size(), "functions in AWS without a LambdaFunction");
    add(failures, f.missingFunctions.size(), "LambdaFunctions without their function in AWS");
    add(failures, f.orphanAliases.size(), "aliases in AWS without a LambdaAlias");
    add(failures, f.missingAliases.size(), "LambdaAliases without their alias in AWS");
    add(failures, f.stuckDeletions.size(), "deleted LambdaFunctions still present");
    if (f.convergeMs == null) {
      failures.add("did not converge after the last fault" + (f.notConverged.isEmpty() ? ""
          : " (" + f.notConverged.size() + " not matching)"));
    }
    add(failures, (int) f.exits, "operator processes ended by themselves");
    if (f.killsAsked && f.kills == 0) {
      failures.add("no operator process was killed");
    }
    if (f.faultsAsked && f.faults == 0) {
      failures.add("no AWS request failed");
    }
    return new Verdict(failures);
  }

  private static void add(List<String> failures, int count, String what) {
    if (count > 0) {
      failures.add(count + " " + what);
    }
  }
}
