package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WriteBudgetTest {
  private final AtomicLong now = new AtomicLong();
  private final List<Long> slept = new ArrayList<>();

  private WriteBudget budget(double perSecond, double burst) {
    return new WriteBudget(perSecond, burst, now::get, nanos -> {
      slept.add(nanos);
      now.addAndGet(nanos);
    });
  }

  @Test
  void aBurstGoesAtOnceThenWritesArePaced() {
    WriteBudget budget = budget(10, 3);
    for (int i = 0; i < 3; i++) {
      assertEquals(Duration.ZERO, budget.acquire());
    }
    assertEquals(Duration.ofMillis(100), budget.acquire());
    assertEquals(Duration.ofMillis(100), budget.acquire());
    assertEquals(2, budget.waits());
    assertEquals(Duration.ofMillis(200), budget.waited());
  }

  @Test
  void concurrentReservationsQueueOneAfterAnother() {
    WriteBudget budget = budget(5, 1);
    // Five callers arrive at the same instant: the first goes, the others are spaced 200 ms apart.
    List<Long> waits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      waits.add(budget.reserve());
    }
    assertEquals(List.of(0L, 200_000_000L, 400_000_000L, 600_000_000L, 800_000_000L), waits);
  }

  @Test
  void quietTimeRefillsUpToTheBurstOnly() {
    WriteBudget budget = budget(10, 2);
    budget.acquire();
    budget.acquire();
    now.addAndGet(Duration.ofMinutes(1).toNanos());
    assertEquals(0L, budget.reserve());
    assertEquals(0L, budget.reserve());
    assertEquals(100_000_000L, budget.reserve());
  }

  @Test
  void theRateNeverExceedsTheBudgetOverASecond() {
    WriteBudget budget = budget(10, 10);
    long start = now.get();
    int writes = 0;
    while (now.get() - start < Duration.ofSeconds(5).toNanos()) {
      budget.acquire();
      writes++;
    }
    // 10 at once, then 10 per second for 5 seconds
    assertEquals(60, writes, 1);
  }

  @Test
  void nonsenseSettingsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new WriteBudget(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new WriteBudget(10, 0.5));
  }
}
