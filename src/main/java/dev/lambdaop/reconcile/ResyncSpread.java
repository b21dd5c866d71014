package dev.lambdaop.reconcile;

import dev.lambdaop.aws.Quota;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * When each resource is next compared with AWS for drift (its resync), so that drift reads never take more than a
 * share of any request budget, and resources created (or found at start) together do not resync together.
 *
 * <p>Each reconciler records what one resync of a resource reads, per quota ({@link #record}), and forgets it when
 * the resource is deleted ({@link #forget}). With {@code C(q)} the sum of those costs for quota {@code q}, the
 * effective period is {@code max(P0, max over q of C(q) / (share × rate(q)))}: the configured period
 * ({@code LAMBDAOP_RESYNC_PERIOD}) while drift reads fit their share, longer once they would not. The sums are kept
 * as costs come and go: every call costs the same at 10 or 100,000 resources.
 *
 * <p>Jitter ({@link #next}): the first resync of a resource after it was first recorded (its creation, or this
 * process's start) is drawn uniformly over a whole period, {@code [j, 1 + j) × P}: resources that reconciled at the
 * same moment (all of them, when the operator starts) get phases spread evenly over the period at once, so that the
 * share holds at every moment, not only on average. Every later resync is {@code P × (1 ± j)}, uniform: the mean stays
 * {@code P} (the rate is what the arithmetic says), and phases that an outside cause lines up (a burst of creations)
 * drift apart again. Symmetric ±j alone would start from the start-up burst: N resyncs within ±j × P, 1 / (2j) times
 * (5 times at 10%) the average rate, for many periods.
 *
 * <p>Pure and thread-safe (the reconcile threads share one): no clock (every delay counts from the call, that is the
 * end of the pass that read AWS), randomness from the injected source.
 */
public final class ResyncSpread {
  /** The share of each request budget that drift reads may use. */
  public static final double DEFAULT_SHARE = 0.2;
  /** Jitter of a resync, as a fraction of the period: {@code P × (1 ± JITTER)}. */
  public static final double DEFAULT_JITTER = 0.1;

  private static final Quota[] QUOTAS = Quota.values();

  private final Duration configured;
  private final double configuredSeconds;
  private final double share;
  private final double jitter;
  private final double[] rates = new double[QUOTAS.length];
  private final RandomGenerator random;
  /** The running sums: drift reads per resync of all resources, by quota ordinal. */
  private final double[] sums = new double[QUOTAS.length];
  private final Map<String, Recorded> recorded = new HashMap<>();
  private final java.util.Set<String> seen = new java.util.HashSet<>();

  /** One resource's cost per resync, by quota ordinal; whether its first (phase-spreading) resync was handed out. */
  private static final class Recorded {
    final double[] cost;
    boolean scheduled;

    Recorded(double[] cost) {
      this.cost = cost;
    }
  }

  /**
   * @param period the configured resync period, P0
   * @param share the share of each budget drift reads may use, in (0, 1]
   * @param rates each budget's rate, requests per second; a quota without one cannot be recorded
   * @param jitter {@code j} in [0, 0.5): later resyncs at {@code P × (1 ± j)}, the first over {@code [j, 1 + j) × P};
   *     0: every resync exactly at {@code P} (tests)
   * @param random the source of jitter
   */
  public ResyncSpread(Duration period, double share, Map<Quota, Double> rates, double jitter, RandomGenerator random) {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("the resync period must be positive: " + period);
    }
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException("the share of a budget must be in (0, 1]: " + share);
    }
    if (!(jitter >= 0 && jitter < 0.5)) {
      throw new IllegalArgumentException("jitter must be in [0, 0.5): " + jitter);
    }
    rates.forEach((quota, rate) -> {
      if (rate == null || !(rate > 0) || rate.isInfinite()) {
        throw new IllegalArgumentException("the rate of " + quota + " must be positive: " + rate);
      }
      this.rates[quota.ordinal()] = rate;
    });
    this.configured = period;
    this.configuredSeconds = period.toMillis() / 1000.0;
    this.share = share;
    this.jitter = jitter;
    this.random = random;
  }

  /** The spread at the defaults: share {@link #DEFAULT_SHARE}, jitter {@link #DEFAULT_JITTER}. */
  public ResyncSpread(Duration period, Map<Quota, Double> rates, RandomGenerator random) {
    this(period, DEFAULT_SHARE, rates, DEFAULT_JITTER, random);
  }

  /** The key of a resource: {@code Kind/namespace/name}. */
  public static String key(HasMetadata resource) {
    return HasMetadata.getKind(resource.getClass()) + "/" + resource.getMetadata().getNamespace() + "/"
        + resource.getMetadata().getName();
  }

  /** What one resync of {@code key} reads, per quota (it replaces what was recorded for it before). */
  public synchronized void record(String key, Map<Quota, Double> cost) {
    double[] next = new double[QUOTAS.length];
    cost.forEach((quota, n) -> {
      if (n == null || !(n >= 0) || n.isInfinite()) {
        throw new IllegalArgumentException("the cost of " + key + " in " + quota + " must be a count: " + n);
      }
      if (n > 0 && rates[quota.ordinal()] == 0) {
        throw new IllegalArgumentException(key + " reads from " + quota + ", which has no rate");
      }
      next[quota.ordinal()] = n;
    });
    seen.add(key);
    Recorded before = recorded.get(key);
    if (before == null) {
      recorded.put(key, new Recorded(next));
      add(next, 1);
      return;
    }
    add(before.cost, -1);
    System.arraycopy(next, 0, before.cost, 0, next.length);
    add(next, 1);
  }

  /** The resource is gone: its reads no longer count. */
  public synchronized void forget(String key) {
    seen.remove(key);
    Recorded gone = recorded.remove(key);
    if (gone != null) {
      add(gone.cost, -1);
    }
  }

  private void add(double[] cost, int sign) {
    for (int q = 0; q < sums.length; q++) {
      sums[q] += sign * cost[q];
    }
    if (recorded.isEmpty()) {
      Arrays.fill(sums, 0); // no rounding left over (costs are counts: the sums are exact anyway)
    }
  }

  /** The delay until {@code key}'s next resync: the effective period, with jitter. */
  public synchronized Duration next(String key) {
    double period = effectiveSeconds();
    Recorded r = recorded.get(key);
    double factor;
    if (jitter == 0) {
      factor = 1;
    } else if (r != null && !r.scheduled) {
      factor = jitter + random.nextDouble();
    } else {
      factor = 1 + jitter * (2 * random.nextDouble() - 1);
    }
    if (r != null) {
      r.scheduled = true;
    }
    return Duration.ofMillis(Math.round(period * factor * 1000));
  }

  /** The configured period, P0 ({@code LAMBDAOP_RESYNC_PERIOD}). */
  public Duration configuredPeriod() {
    return configured;
  }

  /** The period every resource is compared with AWS at (on average): P0, or longer so that drift reads fit. */
  public synchronized Duration effectivePeriod() {
    return Duration.ofMillis(Math.round(effectiveSeconds() * 1000));
  }

  /** Drift reads per second against {@code quota}, at the effective period. */
  public synchronized double readsPerSecond(Quota quota) {
    return sums[quota.ordinal()] / effectiveSeconds();
  }

  /** How many resources have a recorded cost. */
  public synchronized int resources() {
    return recorded.size();
  }

  private double effectiveSeconds() {
    // Resources seen but not yet recorded (their first pass has not succeeded: at a start, most of them) cost what
    // the recorded ones cost on average; without them the first resources to finish would get the short period of a
    // few, and all resync early together.
    double scale = recorded.isEmpty() ? 1 : Math.max(1, (double) seen.size() / recorded.size());
    double period = configuredSeconds;
    for (int q = 0; q < sums.length; q++) {
      if (rates[q] > 0) {
        period = Math.max(period, sums[q] * scale / (share * rates[q]));
      }
    }
    return period;
  }

  /**
   * A pass of {@code key} started: the resource exists and will cost a resync's reads once its pass succeeds. Until
   * then it counts as the average recorded resource.
   */
  public synchronized void seen(String key) {
    seen.add(key);
  }
}
