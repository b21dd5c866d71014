package dev.lambdaop.concurrency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConcurrencyPoolTest {
  @Test
  void theLargestAllowedKeepsTheMinimumUnreserved() {
    ConcurrencyPool pool = new ConcurrencyPool(1000, 300, 100);
    assertEquals(600, pool.largestAllowed());
    assertTrue(pool.allows(600));
    assertFalse(pool.allows(601));
    assertTrue(pool.allows(0), "0 throttles every invocation and is always allowed");
    assertEquals(100, pool.unreservedWith(600));
  }

  @Test
  void aFullPoolAllowsNothingButZero() {
    ConcurrencyPool pool = new ConcurrencyPool(1000, 950, 100);
    assertEquals(0, pool.largestAllowed());
    assertTrue(pool.allows(0));
    assertFalse(pool.allows(1));
  }

  @Test
  void theRefusalGivesEveryNumber() {
    String message = new ConcurrencyPool(1000, 300, 100).refusal(700);
    assertTrue(message.contains("reserving 700"), message);
    assertTrue(message.contains("leave 0 unreserved"), message);
    assertTrue(message.contains("minimum of 100"), message);
    assertTrue(message.contains("limit 1000"), message);
    assertTrue(message.contains("reserved by other functions 300"), message);
    assertTrue(message.contains("largest value allowed now is 600"), message);
  }
}
