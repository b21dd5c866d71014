package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AwsCallCounterTest {
  @Test
  void countsByOperationAndByTarget() {
    AwsCallCounter counter = new AwsCallCounter();
    counter.record("GetFunction", "orders");
    counter.record("GetFunction", "orders");
    counter.record("CreateFunction", "orders");
    counter.record("ListFunctions", null);
    assertEquals(Map.of("GetFunction", 2L, "CreateFunction", 1L, "ListFunctions", 1L), counter.snapshot());
    assertEquals(Map.of("GetFunction", 2L, "CreateFunction", 1L), counter.snapshot("orders"));
    assertEquals(Map.of(), counter.snapshot("unknown"));
  }

  /** Every function name ever called would stay in memory: the counts by target keep the last ones counted. */
  @Test
  void keepsTheTargetsCountedLast() {
    AwsCallCounter counter = new AwsCallCounter();
    counter.record("GetFunction", "kept");
    for (int i = 0; i < AwsCallCounter.TARGETS + 10; i++) {
      counter.record("GetFunction", "fn-" + i);
      if (i % 100 == 0) {
        counter.record("GetFunction", "kept"); // counted recently: stays
      }
    }
    assertEquals(Map.of(), counter.snapshot("fn-0"));
    assertEquals(Map.of("GetFunction", 1L), counter.snapshot("fn-" + (AwsCallCounter.TARGETS + 9)));
    assertEquals(12L, counter.snapshot("kept").get("GetFunction"));
    assertEquals(AwsCallCounter.TARGETS + 10L + 12L, counter.snapshot().get("GetFunction"));
  }
}
