package dev.lambdaop.bench;

import dev.lambdaop.aws.Quota;
import dev.lambdaop.testbed.FaultProxy.Request;
import dev.lambdaop.testbed.FaultProxy.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * From what the scale benchmark recorded (the fault proxy's traffic log, when resources became Ready, the Ready=False
 * reasons their statuses showed, the routing AWS showed) to its figures, and each scenario's verdict. Pure: no clock,
 * no I/O, so that it can be tested with made-up records.
 */
final class ScaleAnalysis {
  /** The reasons of a throttling that reached a status. */
  static final Set<String> THROTTLE_REASONS = Set.of("Throttled");
  /** The reasons of any AWS error that reached a status under injected throttling. */
  static final Set<String> AWS_ERROR_REASONS = Set.of("Throttled", "AwsServiceError");

  private ScaleAnalysis() {}

  /**
   * The quota AWS counts a request against, or null for none the benchmark counts (Invoke, S3): GetFunction and
   * GetPolicy have their own, every other Lambda control-plane call shares LAMBDA, CloudWatch has its own.
   */
  static Quota quota(Service service, String operation) {
    return switch (service) {
      case LAMBDA -> switch (operation) {
        case "Invoke" -> null;
        case "GetFunction" -> Quota.LAMBDA_GET_FUNCTION;
        case "GetPolicy" -> Quota.LAMBDA_GET_POLICY;
        default -> Quota.LAMBDA;
      };
      case CLOUDWATCH -> Quota.CLOUDWATCH;
      case OTHER -> null;
    };
  }

  /** Whether an operation is a read (Get, List, Head, Describe), as the operator classifies it. */
  static boolean read(String operation) {
    return operation.startsWith("Get") || operation.startsWith("List") || operation.startsWith("Head")
        || operation.startsWith("Describe");
  }

  /** The requests that arrived in [fromMs, toMs). */
  static List<Request> between(List<Request> traffic, long fromMs, long toMs) {
    return traffic.stream().filter(r -> r.atMs() >= fromMs && r.atMs() < toMs).toList();
  }

  /** Requests by operation (Lambda's and CloudWatch's; S3 as its method and bucket). */
  static Map<String, Long> byOperation(List<Request> requests) {
    Map<String, Long> m = new TreeMap<>();
    requests.forEach(r -> m.merge(r.operation(), 1L, Long::sum));
    return m;
  }

  /** Requests by quota; those no quota counts are left out. */
  static Map<Quota, Long> byQuota(List<Request> requests) {
    Map<Quota, Long> m = new EnumMap<>(Quota.class);
    for (Request r : requests) {
      Quota q = quota(r.service(), r.operation());
      if (q != null) {
        m.merge(q, 1L, Long::sum);
      }
    }
    return m;
  }

  /** Control-plane writes (Lambda, not Invoke), by operation. */
  static Map<String, Long> writes(List<Request> requests) {
    Map<String, Long> m = new TreeMap<>();
    requests.stream().filter(r -> r.service() == Service.LAMBDA && !r.operation().equals("Invoke")
        && !read(r.operation())).forEach(r -> m.merge(r.operation(), 1L, Long::sum));
    return m;
  }

  /**
   * The shortest time in which a budget of {@code rates} (requests per second per quota) lets these calls through:
   * the longest of count / rate over the quotas; 0 without calls.
   */
  static double boundSeconds(Map<Quota, Long> calls, Map<Quota, Double> rates) {
    double bound = 0;
    for (Map.Entry<Quota, Long> e : calls.entrySet()) {
      Double rate = rates.get(e.getKey());
      if (rate != null && rate > 0) {
        bound = Math.max(bound, e.getValue() / rate);
      }
    }
    return bound;
  }

  /** Seconds from {@code appliedMs} to each name's Ready (names never Ready are left out). */
  static Stats readySeconds(List<String> names, Map<String, Long> readyAtMs, long appliedMs) {
    List<Double> s = new ArrayList<>();
    for (String name : names) {
      Long at = readyAtMs.get(name);
      if (at != null) {
        s.add((at - appliedMs) / 1000.0);
      }
    }
    return Stats.of(s);
  }

  /** The names whose status ever showed Ready=False for one of {@code reasons}, with those reasons. */
  static Map<String, Set<String>> surfaced(Map<String, Set<String>> notReadyReasons, Set<String> reasons) {
    Map<String, Set<String>> m = new TreeMap<>();
    notReadyReasons.forEach((name, seen) -> {
      Set<String> hit = new TreeSet<>(seen);
      hit.retainAll(reasons);
      if (!hit.isEmpty()) {
        m.put(name, hit);
      }
    });
    return m;
  }

  /**
   * The lateness of each step of the aliases' shifts to {@code to}, as AWS showed them: a step is a rise of the
   * weight of {@code to}; the first step of a shift starts it (it has no schedule); step k is due one interval per
   * step of the plan after step k-1 was seen, and is late by how much later AWS showed it.
   *
   * @param weights the plan's weights (10, 20, ..., 100)
   * @param dueBeforeMs steps due before this time also count in {@code duringMs} (while the functions converge)
   */
  record Lateness(Stats ms, Stats duringMs, int steps, int skipped, int aliases, int shiftsComplete) {}

  static Lateness lateness(Map<String, List<RoutingPoller.Seen>> changes, String to, Duration interval,
      List<Integer> weights, long dueBeforeMs) {
    List<Double> late = new ArrayList<>();
    List<Double> during = new ArrayList<>();
    int steps = 0;
    int skipped = 0;
    int complete = 0;
    for (List<RoutingPoller.Seen> seen : changes.values()) {
      int prevWeight = 0;
      Long prevAt = null;
      for (RoutingPoller.Seen s : seen) {
        int w = s.weightOf(to);
        if (w <= prevWeight) {
          if (w < prevWeight) { // rolled back or a new shift: the next rise starts one
            prevWeight = w;
            prevAt = null;
          }
          continue;
        }
        int index = weights.indexOf(w);
        int prevIndex = prevWeight == 0 ? -1 : weights.indexOf(prevWeight);
        steps++;
        if (prevAt != null && index >= 0 && prevIndex >= 0) {
          int planned = index - prevIndex;
          skipped += Math.max(0, planned - 1);
          long due = prevAt + interval.toMillis() * planned;
          late.add((double) (s.atMs() - due));
          if (due < dueBeforeMs) {
            during.add((double) (s.atMs() - due));
          }
        }
        if (w == 100) {
          complete++;
        }
        prevWeight = w;
        prevAt = s.atMs();
      }
    }
    return new Lateness(Stats.of(late), Stats.of(during), steps, skipped, changes.size(), complete);
  }

  /**
   * When each key first called {@code operation} at or after {@code sinceMs}: a function by name, or with
   * {@code byAlias} a function's alias as {@code function/alias}.
   */
  static Map<String, Long> firstCalls(List<Request> traffic, String operation, long sinceMs, boolean byAlias) {
    Map<String, Long> first = new HashMap<>();
    for (Request r : traffic) {
      if (r.atMs() >= sinceMs && r.operation().equals(operation) && r.function() != null
          && (!byAlias || r.alias() != null)) {
        first.merge(byAlias ? r.function() + "/" + r.alias() : r.function(), r.atMs(), Math::min);
      }
    }
    return first;
  }

  /**
   * Every resource reconciled once after a start: each function read with GetFunction, each alias with GetAlias or
   * its function's ListAliases (a drift check reads the function's aliases at once). {@code seconds}: from {@code sinceMs} to the last first call; NaN while
   * some are missing.
   */
  record Reconciled(int functions, int functionsSeen, int aliases, int aliasesSeen, double seconds) {
    boolean all() {
      return functionsSeen == functions && aliasesSeen == aliases;
    }
  }

  static Reconciled reconciledOnce(List<Request> traffic, long sinceMs, List<String> functions,
      List<String> aliasKeys) {
    Map<String, Long> f = firstCalls(traffic, "GetFunction", sinceMs, false);
    Map<String, Long> a = new HashMap<>(firstCalls(traffic, "GetAlias", sinceMs, true));
    Map<String, Long> listed = firstCalls(traffic, "ListAliases", sinceMs, false);
    for (String key : aliasKeys) {
      Long at = listed.get(key.substring(0, key.lastIndexOf('/')));
      if (at != null) {
        a.merge(key, at, Math::min);
      }
    }
    long last = sinceMs;
    int fs = 0;
    int as = 0;
    for (String name : functions) {
      Long at = f.get(name);
      if (at != null) {
        fs++;
        last = Math.max(last, at);
      }
    }
    for (String key : aliasKeys) {
      Long at = a.get(key);
      if (at != null) {
        as++;
        last = Math.max(last, at);
      }
    }
    boolean all = fs == functions.size() && as == aliasKeys.size();
    return new Reconciled(functions.size(), fs, aliasKeys.size(), as, all ? (last - sinceMs) / 1000.0 : Double.NaN);
  }

  /** Lambda requests per second in [fromMs, toMs) (arrivals at the proxy, faults included). */
  static double lambdaRate(List<Request> traffic, long fromMs, long toMs) {
    if (toMs <= fromMs) {
      return Double.NaN;
    }
    long count = traffic.stream().filter(r -> r.service() == Service.LAMBDA && r.atMs() >= fromMs && r.atMs() < toMs)
        .count();
    return count * 1000.0 / (toMs - fromMs);
  }

  /** Lambda requests per second in consecutive buckets of {@code bucketMs} from {@code fromMs} to {@code toMs}. */
  static List<Double> lambdaRates(List<Request> traffic, long fromMs, long toMs, long bucketMs) {
    List<Double> rates = new ArrayList<>();
    for (long t = fromMs; t < toMs; t += bucketMs) {
      rates.add(lambdaRate(traffic, t, Math.min(toMs, t + bucketMs)));
    }
    return rates;
  }

  /** The Lambda requests the proxy answered with 429. */
  static long throttled(List<Request> requests) {
    return requests.stream().filter(r -> r.service() == Service.LAMBDA && r.status() == 429).count();
  }

  // ---- the verdicts: one per scenario, each a list of what missed its goal ----

  /** The converge scenario's figures that the verdict judges. */
  record ConvergeCheck(int n, int ready, int throttlesSurfaced, double rssMiB, long rssGoalMiB, Lateness lateness,
      int expectedSteps, long stepGoalMs) {}

  static Verdict converge(ConvergeCheck c) {
    List<String> failures = new ArrayList<>();
    if (c.ready() < c.n()) {
      failures.add((c.n() - c.ready()) + " of " + c.n() + " functions not Ready");
    }
    if (c.throttlesSurfaced() > 0) {
      failures.add(c.throttlesSurfaced() + " resources showed Ready=False Throttled");
    }
    if (!(c.rssMiB() < c.rssGoalMiB())) {
      failures.add(String.format(java.util.Locale.ROOT, "RSS %.0f MiB, not < %d MiB", c.rssMiB(), c.rssGoalMiB()));
    }
    if (c.expectedSteps() > 0) {
      Stats ms = c.lateness().ms();
      if (ms.count() == 0) {
        failures.add("no step's lateness measured");
      } else if (!(ms.p(0.99) < c.stepGoalMs())) {
        failures.add(String.format(java.util.Locale.ROOT, "step lateness p99 %.0f ms, not < %d ms", ms.p(0.99),
            c.stepGoalMs()));
      }
      if (c.lateness().steps() < c.expectedSteps()) {
        failures.add("AWS showed " + c.lateness().steps() + " of " + c.expectedSteps() + " steps");
      }
    }
    return new Verdict(failures);
  }

  /** The steady scenario's figures that the verdict judges. */
  /**
   * @param expectedShare the share of the resources a window should read: the window over the effective resync
   *     period (the operator stretches its resync when the resources' reads would exceed its share of a budget)
   */
  record SteadyCheck(Reconciled reconciled, Reconciled resynced, Map<String, Long> resyncWrites,
      double lambdaReadsPerSecond, double readBudgetPerSecond, double heapMiB, long heapGoalMiB,
      double expectedShare) {}

  static Verdict steady(SteadyCheck c) {
    List<String> failures = new ArrayList<>();
    if (!c.reconciled().all()) {
      failures.add("not every resource reconciled after the restart: functions " + c.reconciled().functionsSeen()
          + "/" + c.reconciled().functions() + ", aliases " + c.reconciled().aliasesSeen() + "/"
          + c.reconciled().aliases());
    }
    double read = (c.resynced().functionsSeen() + c.resynced().aliasesSeen())
        / (double) Math.max(1, c.resynced().functions() + c.resynced().aliases());
    if (read < 0.5 * Math.min(1, c.expectedShare())) {
      failures.add(String.format(java.util.Locale.ROOT, "only %.0f%% of the resources read in the window, %.0f%%"
          + " expected from the effective resync period: drift goes unchecked", read * 100,
          Math.min(1, c.expectedShare()) * 100));
    }
    if (!c.resyncWrites().isEmpty()) {
      failures.add(BenchSupport.sum(c.resyncWrites()) + " writes in a resync period: " + c.resyncWrites());
    }
    if (!(c.lambdaReadsPerSecond() <= c.readBudgetPerSecond())) {
      failures.add(String.format(java.util.Locale.ROOT, "LAMBDA-quota reads %.2f/s over the resync share %.2f/s",
          c.lambdaReadsPerSecond(), c.readBudgetPerSecond()));
    }
    if (!(c.heapMiB() < c.heapGoalMiB())) {
      failures.add(String.format(java.util.Locale.ROOT, "heap %.0f MiB, not < %d MiB", c.heapMiB(),
          c.heapGoalMiB()));
    }
    return new Verdict(failures);
  }

  /** The throttle scenario's figures that the verdict judges. */
  record ThrottleCheck(int n, int ready, Map<String, Set<String>> surfaced, long injected) {}

  static Verdict throttle(ThrottleCheck c) {
    List<String> failures = new ArrayList<>();
    if (c.ready() < c.n()) {
      failures.add((c.n() - c.ready()) + " of " + c.n() + " functions not Ready");
    }
    if (!c.surfaced().isEmpty()) {
      failures.add(c.surfaced().size() + " resources showed an AWS error in status " + reasons(c.surfaced()));
    }
    if (c.injected() == 0) {
      failures.add("no 429 was injected: nothing was tested");
    }
    return new Verdict(failures);
  }

  /** How many resources showed each reason. */
  static Map<String, Integer> reasons(Map<String, Set<String>> surfaced) {
    Map<String, Integer> m = new TreeMap<>();
    surfaced.values().forEach(set -> set.forEach(r -> m.merge(r, 1, Integer::sum)));
    return m;
  }
}
