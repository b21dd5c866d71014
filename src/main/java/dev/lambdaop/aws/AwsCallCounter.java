package dev.lambdaop.aws;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counts AWS calls by operation, so tests and benchmarks can see what a reconcile cost. */
public final class AwsCallCounter {
  private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

  void record(String operation) {
    calls.computeIfAbsent(operation, k -> new LongAdder()).increment();
  }

  /** A copy of the counts so far, by operation name (CreateFunction, GetFunction, ...). */
  public Map<String, Long> snapshot() {
    Map<String, Long> copy = new TreeMap<>();
    calls.forEach((op, n) -> copy.put(op, n.sum()));
    return copy;
  }
}
