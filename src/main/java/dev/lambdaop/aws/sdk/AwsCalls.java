package dev.lambdaop.aws.sdk;

import dev.lambdaop.reconcile.AwsFailure;

import dev.lambdaop.observability.OperatorMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * What every AWS call goes through: counted by operation, writes paced by the region's {@link WriteBudget},
 * failures mapped by {@link AwsErrors}, and all of it measured ({@link OperatorMetrics}). The gateways use it;
 * nothing else calls AWS.
 */
public final class AwsCalls {
  private final AwsCallCounter counter = new AwsCallCounter();
  private final Map<String, WriteBudget> budgets = new ConcurrentHashMap<>();
  private final double writesPerSecond;
  private final double writeBurst;
  private final OperatorMetrics metrics;

  public AwsCalls(double writesPerSecond, double writeBurst, OperatorMetrics metrics) {
    this.writesPerSecond = writesPerSecond;
    this.writeBurst = writeBurst;
    this.metrics = metrics;
  }

  public AwsCallCounter counter() {
    return counter;
  }

  /** The write budget of one region (the operator works with one AWS account). */
  public WriteBudget budget(String region) {
    return budgets.computeIfAbsent(region, r -> new WriteBudget(writesPerSecond, writeBurst));
  }

  /** A read of {@code target} (a function name, or a bucket). */
  <T> T read(String operation, String target, Supplier<T> body) {
    check(operation, AwsCallCounter.Kind.READ);
    return run(operation, target, body);
  }

  /** An invocation of {@code function} (a hook): the data plane, not paced by the write budget. */
  <T> T invoke(String operation, String function, Supplier<T> body) {
    check(operation, AwsCallCounter.Kind.INVOKE);
    return run(operation, function, body);
  }

  /** A write to {@code target}: waits for the region's write budget first. */
  <T> T write(String region, String operation, String target, Supplier<T> body) {
    check(operation, AwsCallCounter.Kind.WRITE);
    Duration waited = budget(region).acquire();
    if (!waited.isZero()) {
      metrics.budgetWait(region, waited);
    }
    return run(operation, target, body);
  }

  /** The budget and the counts follow {@link AwsCallCounter#kind}: a call made as another kind is a bug. */
  private static void check(String operation, AwsCallCounter.Kind expected) {
    if (AwsCallCounter.kind(operation) != expected) {
      throw new IllegalArgumentException(operation + " is a " + AwsCallCounter.kind(operation) + " call, not "
          + expected);
    }
  }

  private <T> T run(String operation, String target, Supplier<T> body) {
    counter.record(operation, target);
    long start = System.nanoTime();
    String outcome = "success";
    try {
      return body.get();
    } catch (SdkException e) {
      AwsFailure failure = AwsErrors.map(operation, e);
      outcome = failure.reason();
      throw failure;
    } catch (AwsFailure e) {
      outcome = e.reason();
      throw e;
    } catch (RuntimeException e) {
      outcome = "Error";
      throw e;
    } finally {
      metrics.awsCall(operation, outcome, Duration.ofNanos(System.nanoTime() - start));
    }
  }
}
