package dev.lambdaop.aws.sdk;

import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.aws.AwsIdentity;
import dev.lambdaop.aws.HealthSignals;
import dev.lambdaop.reconcile.Failure;
import dev.lambdaop.reconcile.Work;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * {@link HealthSignals} that reads CloudWatch in batches shared by every shifting alias of a region, instead of
 * one DescribeAlarms and two metric reads per alias and check. Pure: CloudWatch is the small {@link CloudWatch}
 * interface (one method per API call, the SDK's in {@link SdkHealthSignals}) and time comes from a {@link Clock}.
 *
 * <p>Per AWS identity (the current {@link Work}'s: two accounts may each have an alarm or a function of the same name
 * in the same region) and region there are two batches, alarms and metrics, each working the same way. A fetch is made
 * by one of the callers waiting for it, as the batch's identity ({@code Work.as}), whatever thread it is on:
 *
 * <ul>
 *   <li>A caller registers what it asks for (alarm names; metric queries: function, alias, version and
 *       {@code since} truncated to the minute), and is answered from the last fetch when that fetch started less
 *       than one {@link #TICK} (the alias's health check interval, 5 s) ago and asked for everything this caller
 *       asks for.
 *   <li>Otherwise one fetch is made for everything asked for in the last {@link #KEEP} (three ticks): what nobody
 *       asked for that long is dropped. Alarm names go 100 to a DescribeAlarms call; metric queries (two per
 *       version: Errors and Invocations) 500 to a GetMetricData call, so one call per batch and region in a tick
 *       serves up to 100 alarm names and 250 versions.
 *   <li>A caller that finds a fetch in flight waits for it instead of fetching: it is answered by that fetch if
 *       the fetch asked for what it asks for, else (it asked for something new while the fetch ran) it tries
 *       again, and then shares the next fetch with everyone else who waited, since that fetch includes what they
 *       registered. So a new name costs one fetch (for everything), concurrent callers at most two.
 *   <li>A failed fetch (an {@code AwsFailure}, as {@link AwsCalls} maps it) is thrown to everyone who waited on it,
 *       and remembered by nobody: the next caller fetches again.
 * </ul>
 *
 * <p>The metric figures are the ones a GetMetricStatistics per version and metric gave: Sum of AWS/Lambda Errors
 * and Invocations with the dimensions FunctionName, Resource (function:alias) and ExecutedVersion, by periods of 60
 * s. One GetMetricData call starts at the earliest {@code since} (to the minute) of its queries; each query counts
 * only the periods that start at or after its own {@code since} truncated to the minute.
 *
 * <p>The answers are up to one tick old: a check sees an alarm or errors at most 5 s after the read it would have
 * made itself.
 */
final class HealthBatches implements HealthSignals {
  /** How long a fetch answers: the alias's health check interval. */
  static final Duration TICK = LambdaAliasSpec.Rollback.CHECK_INTERVAL;
  /** How long what a caller asked for stays in the fetches without being asked for again. */
  static final Duration KEEP = TICK.multipliedBy(3);
  /** DescribeAlarms takes at most 100 alarm names. */
  static final int ALARMS_PER_CALL = 100;
  /** GetMetricData takes at most 500 metric queries. */
  static final int QUERIES_PER_CALL = 500;
  /** The metrics each version is judged by, in the order a query's sums come back. */
  static final List<String> METRICS = List.of("Errors", "Invocations");

  /** CloudWatch as the batches use it: each method is one API call. */
  interface CloudWatch {
    /** DescribeAlarms of at most 100 names: those in state ALARM. */
    Set<String> describeAlarms(String region, List<String> alarmNames);

    /**
     * GetMetricData of at most 500 queries, periods of 60 s from {@code start} (a whole minute) to {@code end}:
     * for each query, in order, the Sum of each period by the time the period starts.
     */
    List<Map<Instant, Double>> getMetricData(String region, List<MetricQuery> queries, Instant start, Instant end);
  }

  /** One metric (Errors or Invocations) of a version behind an alias: AWS/Lambda, Sum. */
  record MetricQuery(String metric, String function, String alias, String version) {}

  /** What a health call asks for: the version's figures from {@code since}, a whole minute. */
  private record Asked(String function, String alias, String version, Instant since) {
    Version of() {
      return new Version(function, alias, version);
    }
  }

  /** A version behind an alias, whose metrics are read. */
  private record Version(String function, String alias, String version) {}

  private final CloudWatch cloudWatch;
  private final Clock clock;
  private final Map<String, Batch<String, Boolean>> alarms = new ConcurrentHashMap<>();
  private final Map<String, Batch<Asked, VersionHealth>> metrics = new ConcurrentHashMap<>();

  HealthBatches(CloudWatch cloudWatch, Clock clock) {
    this.cloudWatch = cloudWatch;
    this.clock = clock;
  }

  @Override
  public List<String> inAlarm(String region, Collection<String> alarmNames) {
    if (alarmNames.isEmpty()) {
      return List.of();
    }
    Set<String> names = Set.copyOf(alarmNames);
    AwsIdentity identity = Work.current().identity();
    Map<String, Boolean> states = alarms.computeIfAbsent(key(identity, region),
        k -> new Batch<>(all -> as(identity, () -> fetchAlarms(region, all)))).get(names);
    return names.stream().filter(states::get).sorted().toList();
  }

  @Override
  public VersionHealth health(String region, String function, String alias, String version, Instant since) {
    Asked asked = new Asked(function, alias, version, since.truncatedTo(ChronoUnit.MINUTES));
    AwsIdentity identity = Work.current().identity();
    return metrics.computeIfAbsent(key(identity, region),
        k -> new Batch<>(all -> as(identity, () -> fetchMetrics(region, all)))).get(Set.of(asked)).get(asked);
  }

  private static String key(AwsIdentity identity, String region) {
    return identity.key() + "\n" + region;
  }

  /** A fetch's CloudWatch calls are made as the batch's identity, on whichever caller's thread makes them. */
  private static <T> T as(AwsIdentity identity, java.util.function.Supplier<T> fetch) {
    return Work.current().as(identity).run(fetch);
  }

  private Map<String, Boolean> fetchAlarms(String region, Set<String> names) {
    List<String> sorted = names.stream().sorted().toList();
    Map<String, Boolean> states = new HashMap<>();
    for (int from = 0; from < sorted.size(); from += ALARMS_PER_CALL) {
      List<String> chunk = sorted.subList(from, Math.min(sorted.size(), from + ALARMS_PER_CALL));
      Set<String> firing = cloudWatch.describeAlarms(region, chunk);
      chunk.forEach(name -> states.put(name, firing.contains(name)));
    }
    return states;
  }

  private Map<Asked, VersionHealth> fetchMetrics(String region, Set<Asked> asked) {
    // One pair of queries per version (function, alias, version), from the earliest minute any caller asked for;
    // earliest first, so that a call's start is as late as its queries allow.
    Map<Version, Instant> from = new HashMap<>();
    for (Asked a : asked) {
      from.merge(a.of(), a.since(), (x, y) -> x.isBefore(y) ? x : y);
    }
    List<Version> versions = from.keySet().stream()
        .sorted(Comparator.comparing((Version v) -> from.get(v)).thenComparing(Version::function).thenComparing(Version::alias)
            .thenComparing(Version::version))
        .toList();
    Instant end = clock.instant().truncatedTo(ChronoUnit.MINUTES).plus(2, ChronoUnit.MINUTES);
    int perCall = QUERIES_PER_CALL / METRICS.size();
    Map<Version, List<Map<Instant, Double>>> sums = new HashMap<>();
    for (int i = 0; i < versions.size(); i += perCall) {
      List<Version> chunk = versions.subList(i, Math.min(versions.size(), i + perCall));
      List<MetricQuery> queries = new ArrayList<>();
      for (Version v : chunk) {
        METRICS.forEach(m -> queries.add(new MetricQuery(m, v.function(), v.alias(), v.version())));
      }
      Instant start = from.get(chunk.get(0));
      List<Map<Instant, Double>> answer = cloudWatch.getMetricData(region, queries, start,
          end.isAfter(start) ? end : start.plus(1, ChronoUnit.MINUTES));
      for (int q = 0; q < chunk.size(); q++) {
        int at = q * METRICS.size();
        sums.put(chunk.get(q), answer.subList(at, at + METRICS.size()));
      }
    }
    Map<Asked, VersionHealth> health = new HashMap<>();
    for (Asked a : asked) {
      List<Map<Instant, Double>> s = sums.get(a.of());
      health.put(a, new VersionHealth((long) since(s.get(0), a.since()), (long) since(s.get(1), a.since())));
    }
    return health;
  }

  private static double since(Map<Instant, Double> sums, Instant since) {
    return sums.entrySet().stream().filter(e -> !e.getKey().isBefore(since)).mapToDouble(Map.Entry::getValue).sum();
  }

  /** One fetch: when it started, what it asked for, and its answer once it has one. */
  private record Fetch<K, V>(Instant startedAt, Set<K> keys, CompletableFuture<Map<K, V>> answer) {}

  /** The batch of one kind (alarms or metrics) in one region. */
  private final class Batch<K, V> {
    private final Function<Set<K>, Map<K, V>> fetch;
    /** What callers asked for, and when they last did. */
    private final Map<K, Instant> asked = new HashMap<>();
    private Fetch<K, V> last;
    private Fetch<K, V> inFlight;

    Batch(Function<Set<K>, Map<K, V>> fetch) {
      this.fetch = fetch;
    }

    Map<K, V> get(Set<K> keys) {
      while (true) {
        Fetch<K, V> wait;
        boolean mine = false;
        synchronized (this) {
          Instant now = clock.instant();
          keys.forEach(k -> asked.put(k, now));
          if (last != null && now.isBefore(last.startedAt().plus(TICK)) && last.keys().containsAll(keys)) {
            return last.answer().join();
          }
          if (inFlight != null) {
            wait = inFlight;
          } else {
            Instant dropBefore = now.minus(KEEP);
            asked.values().removeIf(at -> at.isBefore(dropBefore));
            wait = new Fetch<>(now, Set.copyOf(asked.keySet()), new CompletableFuture<>());
            inFlight = wait;
            mine = true;
          }
        }
        if (mine) {
          run(wait);
        }
        Map<K, V> answer = await(wait);
        if (wait.keys().containsAll(keys)) {
          return answer;
        }
      }
    }

    private void run(Fetch<K, V> f) {
      Map<K, V> answer = null;
      Throwable failure = null;
      try {
        answer = Map.copyOf(fetch.apply(f.keys()));
      } catch (RuntimeException | Error e) {
        failure = e;
      }
      synchronized (this) {
        inFlight = null;
        if (failure == null) {
          last = f;
          f.answer().complete(answer);
        } else {
          f.answer().completeExceptionally(failure);
        }
      }
    }

    private Map<K, V> await(Fetch<K, V> f) {
      try {
        return f.answer().get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Failure.interrupted("waiting for CloudWatch", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        if (e.getCause() instanceof Error r) {
          throw r;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
  }
}
