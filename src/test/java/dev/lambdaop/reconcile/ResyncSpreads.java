package dev.lambdaop.reconcile;

import dev.lambdaop.aws.Quota;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;

/** Resync spreads for the reconciler tests, and what AWS calls cost in quotas. */
public final class ResyncSpreads {
  /** The rates LambdaOperator gives the spread at the default write budget. */
  public static final Map<Quota, Double> RATES = Map.of(Quota.LAMBDA, 10.0, Quota.LAMBDA_GET_FUNCTION, 50.0,
      Quota.LAMBDA_GET_POLICY, 10.0, Quota.CLOUDWATCH, 5.0);

  private ResyncSpreads() {}

  /** Without jitter: every resync at exactly the effective period ({@code period} until it stretches). */
  public static ResyncSpread exact(Duration period) {
    return new ResyncSpread(period, ResyncSpread.DEFAULT_SHARE, RATES, 0, new Random(0));
  }

  /** The quota each AWS operation counts against: the AWS adapter's table. */
  public static Quota quotaOf(String operation) {
    return dev.lambdaop.aws.sdk.AwsCallCounter.quota(operation);
  }

  /** What the calls counted ({@code InMemoryAws.calls()}) cost, by quota. */
  public static Map<Quota, Double> cost(Map<String, Long> calls) {
    Map<Quota, Double> cost = new EnumMap<>(Quota.class);
    calls.forEach((operation, n) -> {
      Quota quota = quotaOf(operation);
      if (quota != null) {
        cost.merge(quota, n.doubleValue(), Double::sum);
      }
    });
    return cost;
  }
}
