package dev.lambdaop.aws;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * What every AWS call goes through: counted by operation, writes paced by the region's {@link WriteBudget}, and
 * failures mapped by {@link AwsErrors}. The gateways use it; nothing else calls AWS.
 */
public final class AwsCalls {
  private final AwsCallCounter counter = new AwsCallCounter();
  private final Map<String, WriteBudget> budgets = new ConcurrentHashMap<>();
  private final double writesPerSecond;
  private final double writeBurst;

  public AwsCalls(double writesPerSecond, double writeBurst) {
    this.writesPerSecond = writesPerSecond;
    this.writeBurst = writeBurst;
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
    return run(operation, target, body);
  }

  /** A write to {@code target}: waits for the region's write budget first. */
  <T> T write(String region, String operation, String target, Supplier<T> body) {
    budget(region).acquire();
    return run(operation, target, body);
  }

  private <T> T run(String operation, String target, Supplier<T> body) {
    counter.record(operation, target);
    try {
      return body.get();
    } catch (SdkException e) {
      throw AwsErrors.map(operation, e);
    }
  }
}
