package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.reconcile.Urgency;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The request budget on a fake clock: priorities, turns, never a wait on the caller's thread, AIMD. */
class RequestBudgetTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);

  private RequestBudget budget(double perSecond, double burst) {
    return new RequestBudget("test", perSecond, burst, now::get);
  }

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  /** Takes as many tokens as the class may, as distinct resources; returns how many it got. */
  private static int drain(RequestBudget budget, Urgency urgency, String prefix) {
    int got = 0;
    for (int i = 0; i < 1000 && budget.take(urgency, prefix + i).granted(); i++) {
      got++;
    }
    return got;
  }

  @Test
  void eachClassLeavesAReserveForTheClassesAboveIt() {
    RequestBudget budget = budget(10, 10);
    assertEquals(0, budget.reserve(Urgency.ROLLBACK));
    assertEquals(1, budget.reserve(Urgency.STEP));
    assertEquals(3, budget.reserve(Urgency.DEPLOY));
    assertEquals(5, budget.reserve(Urgency.DRIFT));
    assertEquals(5, drain(budget, Urgency.DRIFT, "drift-"), "drift reads leave half the burst");
    assertEquals(2, drain(budget, Urgency.DEPLOY, "deploy-"), "deployments leave 3");
    assertEquals(2, drain(budget, Urgency.STEP, "step-"), "steps leave 1");
    assertEquals(1, drain(budget, Urgency.ROLLBACK, "rollback-"), "a rollback may take the last token");
  }

  /**
   * The scene on a fake clock: 1,000 functions deploy at once (two requests each, deferred passes coming back
   * at their turn as JOSDK reschedules them) while 100 aliases take a step every minute at random phases (1.7 steps
   * per second). Steps are late only by other steps, never by the bulk; the bulk ends at the bound.
   */
  @Test
  void aStepDueNowDoesNotWaitBehindABulkRollOut() {
    RequestBudget budget = budget(10, 10);
    java.util.Random random = new java.util.Random(7);
    // entries: {time, id, due}: ids below 1000 are functions, 1000+ alias steps
    java.util.PriorityQueue<long[]> queue = new java.util.PriorityQueue<>((x, y) -> Long.compare(x[0], y[0]));
    long start = now.get();
    int[] left = new int[1000];
    java.util.Arrays.fill(left, 2);
    for (int i = 0; i < 1000; i++) {
      queue.add(new long[] {start, i, start});
    }
    for (int a = 0; a < 100; a++) {
      long due = start + (long) (random.nextDouble() * 60e9);
      queue.add(new long[] {due, 1000 + a, due});
    }
    List<Long> lateness = new ArrayList<>();
    int done = 0;
    long doneAt = 0;
    while (done < 1000 && now.get() - start < 300e9) {
      while (!queue.isEmpty() && queue.peek()[0] <= now.get()) {
        long[] e = queue.poll();
        int id = (int) e[1];
        if (id >= 1000) {
          RequestBudget.Decision d = budget.take(Urgency.STEP, "alias-" + id);
          if (d.granted()) {
            lateness.add(now.get() - e[2]);
            long next = e[2] + 60_000_000_000L;
            queue.add(new long[] {next, id, next});
          } else {
            queue.add(new long[] {now.get() + d.delay().toNanos(), id, e[2]});
          }
          continue;
        }
        RequestBudget.Decision d = budget.take(Urgency.DEPLOY, "fn-" + id);
        while (d.granted() && --left[id] > 0) {
          d = budget.take(Urgency.DEPLOY, "fn-" + id); // the same pass goes on to its next request
        }
        if (left[id] == 0) {
          done++;
          doneAt = now.get();
        } else {
          queue.add(new long[] {now.get() + d.delay().toNanos(), id, e[2]});
        }
      }
      advance(Duration.ofMillis(5));
    }
    assertEquals(1000, done);
    double seconds = (doneAt - start) / 1e9;
    double bound = (2000.0 + lateness.size() - 10) / 10; // every request at 10/s, less the first burst
    assertTrue(seconds < bound * 1.05, "the bulk took " + seconds + " s, bound " + bound + " s");
    lateness.sort(null);
    long p99 = lateness.get((int) Math.ceil(lateness.size() * 0.99) - 1);
    long max = lateness.get(lateness.size() - 1);
    assertTrue(lateness.size() > 250, "steps taken: " + lateness.size());
    assertTrue(p99 < 1_000_000_000L, "p99 lateness " + p99 / 1e6 + " ms");
    assertTrue(max < 1_000_000_000L, "max lateness " + max / 1e6 + " ms");
  }

  @Test
  void takeNeverBlocksItsThread() {
    RequestBudget budget = new RequestBudget("real clock", 0.1, 1);
    assertTrue(budget.take(Urgency.DEPLOY, "a").granted());
    long start = System.nanoTime();
    RequestBudget.Decision d = budget.take(Urgency.DEPLOY, "b");
    long took = System.nanoTime() - start;
    assertFalse(d.granted());
    assertTrue(d.delay().compareTo(Duration.ofSeconds(9)) > 0, "its turn is ~10 s away: " + d.delay());
    assertTrue(took < Duration.ofMillis(50).toNanos(), "answered at once, not after the wait: " + took + " ns");
  }

  @Test
  void deferredResourcesComeBackInTurnAndKeepTheirPlace() {
    RequestBudget budget = budget(10, 1);
    assertTrue(budget.take(Urgency.DEPLOY, "first").granted());
    Duration a = budget.take(Urgency.DEPLOY, "a").delay();
    Duration b = budget.take(Urgency.DEPLOY, "b").delay();
    Duration c = budget.take(Urgency.DEPLOY, "c").delay();
    assertTrue(a.compareTo(b) < 0 && b.compareTo(c) < 0, a + " < " + b + " < " + c);
    assertEquals(100, b.minus(a).toMillis(), "turns are one token apart");
    // b comes back early (another event): it is told to wait for its own turn, it does not take a new one
    advance(Duration.ofMillis(50));
    assertEquals(b.minusMillis(50), budget.take(Urgency.DEPLOY, "b").delay());
    // a newcomer queues behind c
    Duration newcomer = budget.take(Urgency.DEPLOY, "d").delay();
    assertTrue(newcomer.compareTo(c.minusMillis(50)) > 0, newcomer + " after " + c);
    // at a's turn, a goes
    advance(a.minusMillis(50));
    assertTrue(budget.take(Urgency.DEPLOY, "a").granted());
    assertEquals(3, budget.waiting(), "b, c and d hold turns");
  }

  @Test
  void aPassInTheMiddleOfItsWritesGoesBeforeTheQueue() {
    RequestBudget budget = budget(10, 1);
    assertTrue(budget.take(Urgency.DEPLOY, "creating").granted());
    for (int i = 0; i < 50; i++) {
      budget.take(Urgency.DEPLOY, "queued-" + i);
    }
    // the function just created publishes its version: it waits for one token, not for the 50 before it
    Duration publish = budget.take(Urgency.DEPLOY, "creating").delay();
    assertTrue(publish.compareTo(Duration.ofMillis(200)) <= 0, publish.toString());
  }

  /**
   * Passes that need more requests than the bucket holds and are deferred half-way still end, as long as they resume
   * from what they read (the reservation scan keeps its reads for 30 s): at each turn a pass gets at least its class's
   * reserve plus one, and its first requests are the only ones it spends again. Three such passes each re-spending 2
   * requests per turn, with 30 to read, all end.
   */
  @Test
  void longPassesThatResumeStillEnd() {
    RequestBudget budget = budget(10, 10);
    int[] read = new int[3];
    int[] finishedAt = new int[3];
    java.util.Arrays.fill(finishedAt, -1);
    long[] comeBack = new long[3];
    java.util.Random order = new java.util.Random(5);
    for (int tick = 0; tick < 6000; tick++) { // 10 ms ticks, 60 s
      for (int k = 0; k < 3; k++) {
        int pass = (k + order.nextInt(3)) % 3; // who asks first at the same moment is chance
        if (finishedAt[pass] >= 0 || now.get() < comeBack[pass]) {
          continue;
        }
        int overhead = 0;
        RequestBudget.Decision d;
        while ((d = budget.take(Urgency.DEPLOY, "pass-" + pass)).granted()) {
          if (overhead < 2) {
            overhead++; // read again at every pass
          } else if (++read[pass] == 30) {
            break;
          }
        }
        if (read[pass] == 30) {
          finishedAt[pass] = tick;
        } else {
          comeBack[pass] = now.get() + d.delay().toNanos();
        }
      }
      advance(Duration.ofMillis(10));
    }
    for (int pass = 0; pass < 3; pass++) {
      assertTrue(finishedAt[pass] >= 0, "pass " + pass + " never ended: read " + read[pass]);
    }
    assertTrue(java.util.Arrays.stream(finishedAt).max().orElseThrow() < 5000, java.util.Arrays.toString(finishedAt));
  }

  /**
   * A pass that keeps asking (a scan that starts over) cannot hold the bucket: its window of debt closes after
   * IN_PROGRESS, and then it takes its turn like everyone else (ConcurrencyIT/RecoveryIT: a reservation pass spent the
   * whole refill on its first two requests, forever, and nothing else went).
   */
  @Test
  void aPassThatKeepsAskingDoesNotHoldTheBucketForOthers() {
    RequestBudget budget = budget(10, 10);
    long[] comeBack = new long[20];
    long[] grantedAt = new long[20];
    java.util.Arrays.fill(grantedAt, -1);
    long start = now.get();
    long greedyBack = 0;
    java.util.Random chance = new java.util.Random(3);
    for (int tick = 0; tick < 3000; tick++) { // 10 ms ticks, 30 s
      // the greedy pass never ends (a scan of more functions than the bucket holds, starting over each time): it
      // comes back when told, and asks until it is deferred; who of those back at the same moment asks first is
      // chance (JOSDK's threads), here every other tick
      boolean greedyFirst = chance.nextBoolean();
      if (greedyFirst && now.get() >= greedyBack) {
        RequestBudget.Decision d;
        while ((d = budget.take(Urgency.DEPLOY, "greedy")).granted()) {
          // one more request of the pass
        }
        greedyBack = now.get() + d.delay().toNanos();
      }
      for (int o = 0; o < 20; o++) {
        if (grantedAt[o] < 0 && now.get() >= comeBack[o]) {
          RequestBudget.Decision d = budget.take(Urgency.DEPLOY, "other-" + o);
          if (d.granted()) {
            grantedAt[o] = now.get() - start;
          } else {
            comeBack[o] = now.get() + d.delay().toNanos();
          }
        }
      }
      if (!greedyFirst && now.get() >= greedyBack) {
        RequestBudget.Decision d;
        while ((d = budget.take(Urgency.DEPLOY, "greedy")).granted()) {
          // one more request of the pass
        }
        greedyBack = now.get() + d.delay().toNanos();
      }
      advance(Duration.ofMillis(10));
    }
    long last = java.util.Arrays.stream(grantedAt).max().orElseThrow();
    assertTrue(java.util.Arrays.stream(grantedAt).allMatch(t -> t >= 0), java.util.Arrays.toString(grantedAt));
    // 20 requests beside a pass that wants everything: served in turns within seconds, not starved
    assertTrue(last < Duration.ofSeconds(20).toNanos(), "the last other was served after " + last / 1e9 + " s");
  }

  @Test
  void aTurnNotClaimedLapses() {
    RequestBudget budget = budget(10, 1);
    budget.take(Urgency.DEPLOY, "x");
    budget.take(Urgency.DEPLOY, "gone");
    assertEquals(1, budget.waiting());
    advance(RequestBudget.TURN_GRACE.plusSeconds(2));
    budget.take(Urgency.DEPLOY, "x");
    assertEquals(0, budget.waiting());
  }

  @Test
  void throttlingHalvesTheRateAtOnceAndItRecoversGradually() {
    RequestBudget budget = budget(10, 10);
    budget.throttled();
    assertEquals(5, budget.currentRate(), 1e-9);
    assertFalse(budget.take(Urgency.ROLLBACK, "r").granted(), "the bucket was emptied");
    // more throttles of the same congestion (within a second) halve it only once
    advance(Duration.ofMillis(500));
    budget.throttled();
    assertEquals(5, budget.currentRate(), 1e-9);
    advance(Duration.ofMillis(600));
    budget.throttled();
    assertEquals(2.5, budget.currentRate(), 1e-9);
    // a tenth of the configured rate back every 5 s without a throttle
    advance(RequestBudget.RECOVERY_STEP);
    assertEquals(3.5, budget.currentRate(), 1e-9);
    advance(RequestBudget.RECOVERY_STEP.multipliedBy(3));
    assertEquals(6.5, budget.currentRate(), 1e-9);
    advance(Duration.ofMinutes(5));
    assertEquals(10, budget.currentRate(), 1e-9, "never above the configured rate");
    assertEquals(3, budget.throttles());
  }

  @Test
  void theRateNeverFallsBelowItsFloor() {
    RequestBudget budget = budget(10, 10);
    for (int i = 0; i < 20; i++) {
      budget.throttled();
      advance(Duration.ofMillis(1100));
    }
    assertEquals(10 * RequestBudget.FLOOR_SHARE, budget.currentRate(), 0.11);
    assertTrue(budget.currentRate() >= 10 * RequestBudget.FLOOR_SHARE);
  }

  @Test
  void aThrottledBudgetPacesAtItsLowerRate() {
    RequestBudget budget = budget(10, 1);
    budget.throttled();
    Duration a = budget.take(Urgency.DEPLOY, "a").delay();
    Duration b = budget.take(Urgency.DEPLOY, "b").delay();
    assertEquals(200, b.minus(a).toMillis(), "turns 1/5 s apart at the halved rate");
  }

  @Test
  void outsideAReconcileThereIsNoTurnToKeep() {
    RequestBudget budget = budget(10, 1);
    assertTrue(budget.take(Urgency.DEPLOY, null).granted());
    assertFalse(budget.take(Urgency.DEPLOY, null).granted());
    assertEquals(0, budget.waiting());
  }

  @Test
  void aBudgetNeedsARateAndAToken() {
    assertThrows(IllegalArgumentException.class, () -> new RequestBudget("x", 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new RequestBudget("x", 10, 0.5));
  }
}
