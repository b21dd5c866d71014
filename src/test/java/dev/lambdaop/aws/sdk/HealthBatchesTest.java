package dev.lambdaop.aws.sdk;

import dev.lambdaop.TestClock;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.aws.AwsFailures;
import dev.lambdaop.aws.HealthSignals.VersionHealth;
import dev.lambdaop.reconcile.AwsFailure;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthBatchesTest {
  private static final String REGION = "eu-west-1";
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:30Z");

  private final TestClock clock = new TestClock(T0);
  private final FakeCloudWatch cw = new FakeCloudWatch();
  private final HealthBatches batches = new HealthBatches(cw, clock);
  private final ExecutorService pool = Executors.newFixedThreadPool(24);

  @AfterEach
  void stop() {
    cw.release();
    pool.shutdownNow();
  }

  @Test
  void aHundredAliasesCheckingInOneTickCostOneDescribeAlarmsAndOneGetMetricData() {
    cw.firing.add("alarm-7");
    cw.record("Invocations", "fn-7", "live", "2", T0.plusSeconds(30), 10);
    cw.record("Errors", "fn-7", "live", "2", T0.plusSeconds(30), 4);
    // The first tick: each alias asks for something new, so it is fetched (with everything asked before it).
    for (int i = 0; i < 100; i++) {
      check(i);
    }
    assertEquals(100, cw.describeAlarms.size());
    assertEquals(100, cw.getMetricData.size());

    // Every tick after: the first check fetches for all, the 99 others are answered from it.
    for (int tick = 1; tick <= 3; tick++) {
      clock.set(T0.plus(HealthBatches.TICK.multipliedBy(tick)));
      cw.clearCalls();
      for (int i = 0; i < 100; i++) {
        CheckResult r = check(i);
        assertEquals(i == 7 ? List.of("alarm-7") : List.of(), r.firing(), "alias " + i);
        assertEquals(i == 7 ? new VersionHealth(4, 10) : new VersionHealth(0, 0), r.health(), "alias " + i);
        clock.advance(Duration.ofMillis(49));
      }
      assertEquals(1, cw.describeAlarms.size(), "tick " + tick);
      assertEquals(100, cw.describeAlarms.get(0).size());
      assertEquals(1, cw.getMetricData.size(), "tick " + tick);
      assertEquals(200, cw.getMetricData.get(0).queries().size(), "Errors and Invocations of 100 versions");
    }
  }

  private CheckResult check(int alias) {
    List<String> firing = batches.inAlarm(REGION, List.of("alarm-" + alias));
    VersionHealth health = batches.health(REGION, "fn-" + alias, "live", "2", T0);
    return new CheckResult(firing, health);
  }

  private record CheckResult(List<String> firing, VersionHealth health) {}

  @Test
  void namesGoOneHundredToADescribeAlarmsAndQueriesFiveHundredToAGetMetricData() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 250; i++) {
      names.add("alarm-" + i);
    }
    cw.firing.add("alarm-249");
    assertEquals(List.of("alarm-249"), batches.inAlarm(REGION, names));
    assertEquals(List.of(100, 100, 50), cw.describeAlarms.stream().map(List::size).toList());
    assertEquals(names, cw.describeAlarms.stream().flatMap(List::stream).collect(java.util.stream.Collectors.toSet()));

    // 300 versions asked for within one tick, each new: the last fetch has them all, 600 queries in two calls.
    for (int i = 0; i < 300; i++) {
      batches.health(REGION, "fn", "live", Integer.toString(i), T0);
    }
    cw.clearCalls();
    clock.advance(HealthBatches.TICK);
    batches.health(REGION, "fn", "live", "0", T0);
    assertEquals(List.of(500, 100), cw.getMetricData.stream().map(c -> c.queries().size()).toList());
  }

  @Test
  void eachQueryCountsItsVersionFromItsOwnMinuteInOneCallFromTheEarliest() {
    Instant minute = T0.truncatedTo(ChronoUnit.MINUTES); // 10:00
    cw.record("Invocations", "orders", "live", "2", minute.minusSeconds(60), 50);
    cw.record("Errors", "orders", "live", "2", minute.minusSeconds(60), 50);
    cw.record("Invocations", "orders", "live", "2", minute, 10);
    cw.record("Errors", "orders", "live", "2", minute, 1);
    cw.record("Invocations", "orders", "live", "2", minute.plusSeconds(120), 30);
    cw.record("Errors", "orders", "live", "2", minute.plusSeconds(120), 2);
    cw.record("Invocations", "orders", "live", "1", minute.plusSeconds(120), 99);
    cw.record("Invocations", "orders", "beta", "2", minute.plusSeconds(120), 7);
    cw.record("Invocations", "billing", "live", "2", minute.plusSeconds(120), 5);
    clock.set(minute.plusSeconds(200));

    Instant later = minute.plusSeconds(150); // 10:02:30, counts from 10:02
    assertEquals(new VersionHealth(2, 30), batches.health(REGION, "orders", "live", "2", later));
    assertEquals(new VersionHealth(3, 40), batches.health(REGION, "orders", "live", "2", T0));
    assertEquals(new VersionHealth(0, 99), batches.health(REGION, "orders", "live", "1", T0));
    assertEquals(new VersionHealth(0, 7), batches.health(REGION, "orders", "beta", "2", later));
    assertEquals(new VersionHealth(0, 0), batches.health(REGION, "orders", "live", "3", later));
    cw.clearCalls();

    clock.advance(HealthBatches.TICK);
    assertEquals(new VersionHealth(2, 30), batches.health(REGION, "orders", "live", "2", later));
    assertEquals(new VersionHealth(3, 40), batches.health(REGION, "orders", "live", "2", T0));
    assertEquals(new VersionHealth(0, 99), batches.health(REGION, "orders", "live", "1", T0));
    assertEquals(new VersionHealth(0, 7), batches.health(REGION, "orders", "beta", "2", later));
    assertEquals(new VersionHealth(0, 0), batches.health(REGION, "orders", "live", "3", later));
    assertEquals(1, cw.getMetricData.size());
    MetricCall call = cw.getMetricData.get(0);
    assertEquals(minute, call.start(), "from the earliest minute asked for");
    assertEquals(8, call.queries().size(), "one pair of queries per version, whatever the minutes asked for");
    assertTrue(call.end().isAfter(clock.instant()), "up to now: " + call.end());
  }

  @Test
  void aNewNameFetchesAgainWithEverythingAskedForAndAnAnswerIsOneTickYoung() {
    cw.firing.add("b");
    assertEquals(List.of(), batches.inAlarm(REGION, List.of("a")));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(List.of(), batches.inAlarm(REGION, List.of("a")));
    assertEquals(1, cw.describeAlarms.size(), "answered from the fetch of a second ago");

    assertEquals(List.of("b"), batches.inAlarm(REGION, List.of("a", "b")));
    assertEquals(List.of(List.of("a", "b")), cw.describeAlarms.subList(1, 2), "a new name: one fetch, for both");

    cw.firing.add("a");
    clock.advance(HealthBatches.TICK.minusMillis(1));
    assertEquals(List.of(), batches.inAlarm(REGION, List.of("a")), "still the last fetch's answer");
    assertEquals(2, cw.describeAlarms.size());
    clock.advance(Duration.ofMillis(1));
    assertEquals(List.of("a"), batches.inAlarm(REGION, List.of("a")));
    assertEquals(3, cw.describeAlarms.size(), "one tick later: fetched again");
  }

  @Test
  void whatNobodyAskedForInThreeTicksIsDropped() {
    batches.inAlarm(REGION, List.of("old"));
    batches.health(REGION, "fn", "live", "1", T0);
    clock.advance(Duration.ofSeconds(10));
    batches.inAlarm(REGION, List.of("kept"));
    batches.health(REGION, "fn", "live", "2", T0);
    assertEquals(List.of("kept", "old"), cw.describeAlarms.get(1), "asked for 10 s ago: still fetched");
    assertEquals(4, cw.getMetricData.get(1).queries().size());

    clock.advance(HealthBatches.KEEP.minusSeconds(10).plusMillis(1));
    batches.inAlarm(REGION, List.of("new"));
    batches.health(REGION, "fn", "live", "3", T0);
    assertEquals(List.of("kept", "new"), cw.describeAlarms.get(2), "asked for more than 15 s ago: dropped");
    assertEquals(Set.of("2", "3"), cw.getMetricData.get(2).queries().stream()
        .map(HealthBatches.MetricQuery::version).collect(java.util.stream.Collectors.toSet()));
  }

  @Test
  void concurrentCallersShareTheFetchInFlightAndThoseAskingForMoreShareTheNextOne() throws Exception {
    cw.firing.add("x");
    cw.hold();
    Future<List<String>> first = pool.submit(() -> batches.inAlarm(REGION, List.of("x")));
    await().atMost(Duration.ofSeconds(10)).until(() -> cw.waiting.get() == 1);

    List<Future<List<String>>> same = new ArrayList<>();
    List<Future<List<String>>> more = new ArrayList<>();
    List<Thread> callers = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 10; i++) {
      same.add(pool.submit(() -> {
        callers.add(Thread.currentThread());
        return batches.inAlarm(REGION, List.of("x"));
      }));
      String name = "y" + i;
      more.add(pool.submit(() -> {
        callers.add(Thread.currentThread());
        return batches.inAlarm(REGION, List.of("x", name));
      }));
    }
    // All twenty wait on the fetch in flight (parked, not fetching).
    await().atMost(Duration.ofSeconds(10)).until(() -> callers.size() == 20
        && callers.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
    assertEquals(1, cw.describeAlarms.size());
    cw.release();

    assertEquals(List.of("x"), first.get(10, TimeUnit.SECONDS));
    for (Future<List<String>> f : same) {
      assertEquals(List.of("x"), f.get(10, TimeUnit.SECONDS));
    }
    for (Future<List<String>> f : more) {
      assertEquals(List.of("x"), f.get(10, TimeUnit.SECONDS));
    }
    assertEquals(2, cw.describeAlarms.size(), "the one in flight, then one for all the new names");
    assertEquals(11, cw.describeAlarms.get(1).size());
  }

  @Test
  void aFailedFetchIsTheFailureOfAllWhoWaitedOnItAndIsNotRemembered() throws Exception {
    AwsFailure throttled = AwsFailures.throttled("DescribeAlarms");
    cw.failNext = throttled;
    cw.hold();
    Future<List<String>> first = pool.submit(() -> batches.inAlarm(REGION, List.of("x")));
    await().atMost(Duration.ofSeconds(10)).until(() -> cw.waiting.get() == 1);
    List<Thread> callers = Collections.synchronizedList(new ArrayList<>());
    List<Future<List<String>>> others = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String name = i % 2 == 0 ? "x" : "z" + i;
      others.add(pool.submit(() -> {
        callers.add(Thread.currentThread());
        return batches.inAlarm(REGION, List.of(name));
      }));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> callers.size() == 5
        && callers.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
    cw.release();
    for (Future<List<String>> f : concat(first, others)) {
      var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
      assertSame(throttled, e.getCause());
    }
    assertEquals(1, cw.describeAlarms.size(), "one call failed, for all");

    cw.firing.add("x");
    assertEquals(List.of("x"), batches.inAlarm(REGION, List.of("x")), "the next caller fetches again");
    assertEquals(2, cw.describeAlarms.size());

    cw.failNext = AwsFailures.accessDenied("GetMetricData");
    AwsFailure denied = assertThrows(AwsFailure.class, () -> batches.health(REGION, "fn", "live", "1", T0));
    assertEquals("AccessDenied", denied.reason());
    assertEquals(new VersionHealth(0, 0), batches.health(REGION, "fn", "live", "1", T0));
  }

  @Test
  void noAlarmNamesNoCallAndRegionsAreBatchedApart() {
    assertEquals(List.of(), batches.inAlarm(REGION, List.of()));
    assertEquals(0, cw.describeAlarms.size());
    batches.inAlarm(REGION, List.of("a"));
    batches.inAlarm("us-east-1", List.of("a"));
    assertEquals(List.of(REGION, "us-east-1"), cw.regions);
  }

  private static <T> List<T> concat(T first, List<T> rest) {
    List<T> all = new ArrayList<>(List.of(first));
    all.addAll(rest);
    return all;
  }

  private record MetricCall(List<HealthBatches.MetricQuery> queries, Instant start, Instant end) {}

  /** CloudWatch in memory: alarms in ALARM, data points by minute; every call recorded; a call can be held. */
  private static final class FakeCloudWatch implements HealthBatches.CloudWatch {
    final Set<String> firing = ConcurrentHashMap.newKeySet();
    final Map<HealthBatches.MetricQuery, TreeMap<Instant, Double>> points = new HashMap<>();
    final List<List<String>> describeAlarms = Collections.synchronizedList(new ArrayList<>());
    final List<MetricCall> getMetricData = Collections.synchronizedList(new ArrayList<>());
    final List<String> regions = Collections.synchronizedList(new ArrayList<>());
    final java.util.concurrent.atomic.AtomicInteger waiting = new java.util.concurrent.atomic.AtomicInteger();
    volatile CountDownLatch held;
    volatile AwsFailure failNext;

    void record(String metric, String function, String alias, String version, Instant at, double value) {
      points.computeIfAbsent(new HealthBatches.MetricQuery(metric, function, alias, version), k -> new TreeMap<>())
          .merge(at.truncatedTo(ChronoUnit.MINUTES), value, Double::sum);
    }

    void hold() {
      held = new CountDownLatch(1);
    }

    void release() {
      CountDownLatch h = held;
      if (h != null) {
        h.countDown();
      }
    }

    void clearCalls() {
      describeAlarms.clear();
      getMetricData.clear();
    }

    @Override
    public Set<String> describeAlarms(String region, List<String> alarmNames) {
      assertTrue(alarmNames.size() <= 100);
      describeAlarms.add(List.copyOf(alarmNames));
      regions.add(region);
      answer();
      Set<String> inAlarm = new HashSet<>(alarmNames);
      inAlarm.retainAll(firing);
      return inAlarm;
    }

    @Override
    public List<Map<Instant, Double>> getMetricData(String region, List<HealthBatches.MetricQuery> queries,
        Instant start, Instant end) {
      assertTrue(queries.size() <= 500);
      assertEquals(start, start.truncatedTo(ChronoUnit.MINUTES));
      getMetricData.add(new MetricCall(List.copyOf(queries), start, end));
      answer();
      return queries.stream()
          .<Map<Instant, Double>>map(q -> new HashMap<>(points.getOrDefault(q, new TreeMap<>()).subMap(start, end)))
          .toList();
    }

    private void answer() {
      CountDownLatch h = held;
      if (h != null) {
        waiting.incrementAndGet();
        try {
          assertTrue(h.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        held = null;
      }
      AwsFailure f = failNext;
      if (f != null) {
        failNext = null;
        throw f;
      }
    }
  }

}
