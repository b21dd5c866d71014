package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.Quota;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts AWS calls by operation, and by operation and target (a function name, or a bucket for S3), so that tests
 * and benchmarks can see what a reconcile cost and which resource it was for.
 *
 * <p>The counts by target are kept for the {@link #TARGETS} targets counted last: every function name the operator
 * ever called AWS for would otherwise stay in memory (about 400 bytes each), deleted functions included.
 */
public final class AwsCallCounter {
  /** How many targets keep their counts: the ones counted most recently. */
  static final int TARGETS = 1024;

  private final Map<String, LongAdder> byOperation = new ConcurrentHashMap<>();
  /** Target to its counts by operation, least recently counted first; guarded by itself. */
  private final Map<String, Map<String, LongAdder>> byTarget = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Map<String, LongAdder>> eldest) {
      return size() > TARGETS;
    }
  };

  void record(String operation, String target) {
    byOperation.computeIfAbsent(operation, k -> new LongAdder()).increment();
    if (target != null) {
      Map<String, LongAdder> counts;
      synchronized (byTarget) {
        counts = byTarget.computeIfAbsent(target, k -> new ConcurrentHashMap<>());
      }
      counts.computeIfAbsent(operation, k -> new LongAdder()).increment();
    }
  }

  /** A copy of the counts so far, by operation name (CreateFunction, GetFunction, ...). */
  public Map<String, Long> snapshot() {
    return copy(byOperation);
  }

  /**
   * A copy of the counts so far for one target (a function name), by operation name; empty for a target not among
   * the last {@link #TARGETS} counted.
   */
  public Map<String, Long> snapshot(String target) {
    Map<String, LongAdder> counts;
    synchronized (byTarget) {
      counts = byTarget.get(target);
    }
    return copy(counts == null ? Map.of() : counts);
  }

  /** What an AWS operation is, for counting: the one classification (with {@link #quota} for the budgets). */
  public enum Kind {
    /** Get*, List*, Head*, Describe*: reads the control plane. */
    READ,
    /** Everything else on the control plane. */
    WRITE,
    /** Invoke: the data plane (a hook run), neither a read nor a write of the control plane. */
    INVOKE
  }

  public static Kind kind(String operation) {
    if (operation.equals("Invoke")) {
      return Kind.INVOKE;
    }
    return operation.startsWith("Get") || operation.startsWith("List") || operation.startsWith("Head")
        || operation.startsWith("Describe") ? Kind.READ : Kind.WRITE;
  }

  /** CloudWatch's operations: a budget of their own. */
  private static final java.util.Set<String> CLOUDWATCH = java.util.Set.of("DescribeAlarms", "GetMetricData",
      "GetMetricStatistics");
  /** S3's operations: not paced (S3 allows thousands of requests per second and prefix). */
  private static final java.util.Set<String> S3 = java.util.Set.of("HeadObject", "GetObject");

  /**
   * The AWS quota an operation counts against, or null for the calls no budget paces (invocations are the data
   * plane; S3 reads of code objects have S3's far higher limits).
   */
  public static Quota quota(String operation) {
    if (operation.equals("Invoke") || S3.contains(operation)) {
      return null;
    }
    if (CLOUDWATCH.contains(operation)) {
      return Quota.CLOUDWATCH;
    }
    return switch (operation) {
      case "GetFunction" -> Quota.LAMBDA_GET_FUNCTION;
      case "GetPolicy" -> Quota.LAMBDA_GET_POLICY;
      default -> Quota.LAMBDA;
    };
  }

  /** Whether an operation writes the control plane. */
  public static boolean isWrite(String operation) {
    return kind(operation) == Kind.WRITE;
  }

  private static Map<String, Long> copy(Map<String, LongAdder> counts) {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((op, n) -> copy.put(op, n.sum()));
    return copy;
  }
}
