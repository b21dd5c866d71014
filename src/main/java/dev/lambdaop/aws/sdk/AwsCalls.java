package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.Quota;
import dev.lambdaop.observability.OperatorMetrics;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.Deferred;
import dev.lambdaop.reconcile.Work;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * What every AWS call goes through: counted by operation; paced by the {@link RequestBudget} of the quota it counts
 * against in its region ({@link AwsCallCounter#quota}), in the class of the current {@link Work}; failures mapped by
 * {@link AwsErrors}; all of it measured ({@link OperatorMetrics}). A call that cannot go now, and one AWS throttled,
 * end the reconcile with {@link Deferred}: it is rescheduled for its turn and no thread waits. The gateways use it;
 * nothing else calls AWS.
 */
public final class AwsCalls {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AwsCalls.class);
  private final AwsCallCounter counter = new AwsCallCounter();
  private final Map<String, RequestBudget> budgets = new ConcurrentHashMap<>();
  private final BudgetSettings settings;
  private final OperatorMetrics metrics;

  /**
   * The rates of the operator's budgets, per account and region.
   *
   * @param lambdaPerSecond Lambda's control plane (AWS allows 15 per second for all its APIs but the two below)
   * @param lambdaBurst tokens of the Lambda budget (how many requests may go at once after a quiet period)
   * @param getFunctionPerSecond GetFunction (AWS allows 100 per second of its own)
   * @param getPolicyPerSecond GetPolicy (AWS allows 15 per second of its own)
   * @param cloudWatchPerSecond CloudWatch's DescribeAlarms and metric reads (AWS allows DescribeAlarms 9 per second)
   */
  public record BudgetSettings(double lambdaPerSecond, double lambdaBurst, double getFunctionPerSecond,
      double getPolicyPerSecond, double cloudWatchPerSecond) {
    public double perSecond(Quota quota) {
      return switch (quota) {
        case LAMBDA -> lambdaPerSecond;
        case LAMBDA_GET_FUNCTION -> getFunctionPerSecond;
        case LAMBDA_GET_POLICY -> getPolicyPerSecond;
        case CLOUDWATCH -> cloudWatchPerSecond;
      };
    }

    /** The Lambda budget's burst as set; the others hold one second of their rate. */
    public double burst(Quota quota) {
      return quota == Quota.LAMBDA ? lambdaBurst : Math.max(1, perSecond(quota));
    }
  }

  public AwsCalls(BudgetSettings settings, OperatorMetrics metrics) {
    this.settings = settings;
    this.metrics = metrics;
  }

  public AwsCallCounter counter() {
    return counter;
  }

  /** The budget of one quota in one region (the operator works with one AWS account). */
  public RequestBudget budget(String region, Quota quota) {
    return budgets.computeIfAbsent(region + "/" + quota, k -> {
      RequestBudget budget = new RequestBudget(quota + " requests in " + region, settings.perSecond(quota),
          settings.burst(quota));
      metrics.budget(region, quota.name(), budget::currentRate, budget::deferred, budget::throttles);
      return budget;
    });
  }

  /** A read of {@code target} (a function name, or a bucket) in {@code region}. */
  <T> T read(String region, String operation, String target, Supplier<T> body) {
    check(operation, AwsCallCounter.Kind.READ);
    return run(region, operation, target, body);
  }

  /** An invocation of {@code function} (a hook): the data plane, not paced by any budget. */
  <T> T invoke(String operation, String function, Supplier<T> body) {
    check(operation, AwsCallCounter.Kind.INVOKE);
    return run(null, operation, function, body);
  }

  /** A write to {@code target} in {@code region}. */
  <T> T write(String region, String operation, String target, Supplier<T> body) {
    check(operation, AwsCallCounter.Kind.WRITE);
    return run(region, operation, target, body);
  }

  /** The budget and the counts follow {@link AwsCallCounter#kind}: a call made as another kind is a bug. */
  private static void check(String operation, AwsCallCounter.Kind expected) {
    if (AwsCallCounter.kind(operation) != expected) {
      throw new IllegalArgumentException(operation + " is a " + AwsCallCounter.kind(operation) + " call, not "
          + expected);
    }
  }

  private <T> T run(String region, String operation, String target, Supplier<T> body) {
    Quota quota = AwsCallCounter.quota(operation);
    RequestBudget budget = quota == null || region == null ? null : budget(region, quota);
    Work work = Work.current();
    if (budget != null) {
      RequestBudget.Decision decision = budget.take(work.urgency(), work.key());
      if (!decision.granted()) {
        metrics.budgetDeferred(region, quota.name(), work.urgency().name());
        throw new Deferred(operation + " waits for its turn in the budget of " + budget.name() + " ("
            + work.urgency().name().toLowerCase(java.util.Locale.ROOT) + ", " + decision.delay().toMillis()
            + " ms)", decision.delay());
      }
    }
    counter.record(operation, target);
    long start = System.nanoTime();
    String outcome = "success";
    try {
      return body.get();
    } catch (SdkException e) {
      AwsFailure failure = AwsErrors.map(operation, e);
      outcome = failure.reason();
      if (budget != null && AwsErrors.THROTTLED.equals(failure.reason())) {
        throw throttled(budget, region, quota, work, operation);
      }
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

  /**
   * AWS throttled: someone else in the account takes its share. The budget's rate halves, and the reconcile comes
   * back at its turn in the slower budget; the status does not show it (it is not the resource's problem).
   */
  private Deferred throttled(RequestBudget budget, String region, Quota quota, Work work, String operation) {
    double before = budget.currentRate();
    budget.throttled();
    if (budget.currentRate() < before) {
      // Once per congestion (the budget halves once a second at most): the operator's log says what AWS did.
      LOG.info("AWS throttled {} ({}): the budget of {} slows down from {} to {} requests/s", operation,
          work.key() == null ? "no resource" : work.key(), budget.name(), rate(before), rate(budget.currentRate()));
    }
    RequestBudget.Decision turn = budget.take(work.urgency(), work.key());
    Duration wait = turn.granted() ? Duration.ofMillis((long) Math.ceil(1000 / budget.currentRate()))
        : turn.delay();
    metrics.budgetDeferred(region, quota.name(), work.urgency().name());
    return new Deferred(operation + " was throttled by AWS: the budget of " + budget.name() + " slows to "
        + rate(budget.currentRate()) + " requests/s; retrying in "
        + wait.toMillis() + " ms", wait);
  }

  private static String rate(double perSecond) {
    return String.format(java.util.Locale.ROOT, "%.2f", perSecond);
  }
}
