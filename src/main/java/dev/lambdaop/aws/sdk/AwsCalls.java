package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.AwsIdentity;
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
 * against in its account and region ({@link AwsCallCounter#quota}; the account of the current {@link Work}'s
 * identity, {@link #account}), in the class of the current {@link Work}; failures mapped by
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

  /** The label of the operator's own account in budgets and metrics. */
  public static final String OPERATOR_ACCOUNT = "operator";

  /**
   * The account whose quotas {@code identity}'s calls count against, as budgets and metrics name it: the role's
   * account (from its ARN), or {@link #OPERATOR_ACCOUNT} for the operator's own identity (its account id would take
   * an STS call; a role in the operator's own account therefore has budgets of its own).
   */
  public static String account(AwsIdentity identity) {
    if (identity == null || identity.roleArn() == null) {
      return OPERATOR_ACCOUNT;
    }
    String account = identity.roleAccount();
    return account == null ? "unknown" : account;
  }

  /** The budget of one quota in one region, for the operator's own identity. */
  public RequestBudget budget(String region, Quota quota) {
    return budget(AwsIdentity.OPERATOR, region, quota);
  }

  /** The budget of one quota in one region of {@code identity}'s account: AWS's quotas are per account and region. */
  public RequestBudget budget(AwsIdentity identity, String region, Quota quota) {
    String account = account(identity);
    return budgets.computeIfAbsent(account + "/" + region + "/" + quota, k -> {
      String of = OPERATOR_ACCOUNT.equals(account) ? "" : " of account " + account;
      RequestBudget budget = new RequestBudget(quota + " requests" + of + " in " + region, settings.perSecond(quota),
          settings.burst(quota));
      metrics.budget(account, region, quota.name(), budget::currentRate, budget::deferred, budget::throttles);
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
    Work work = Work.current();
    String account = account(work.identity());
    RequestBudget budget = quota == null || region == null ? null : budget(work.identity(), region, quota);
    if (budget != null) {
      RequestBudget.Decision decision = budget.take(work.urgency(), work.key());
      if (!decision.granted()) {
        metrics.budgetDeferred(account, region, quota.name(), work.urgency().name());
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
      AwsFailure failure = assumeRoleFailure(e);
      if (failure == null) {
        failure = AwsErrors.map(operation, e);
      }
      outcome = failure.reason();
      if (budget != null && AwsErrors.THROTTLED.equals(failure.reason())) {
        throw throttled(budget, account, region, quota, work, operation);
      }
      throw failure;
    } catch (AwsFailure e) {
      outcome = e.reason();
      throw e;
    } catch (RuntimeException e) {
      outcome = "Error";
      throw e;
    } finally {
      metrics.awsCall(account, operation, outcome, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /**
   * The session of the namespace's role could not be refreshed during the call (the SDK resolves credentials per
   * request, and wraps what the provider threw): the failure is the role's, not the call's.
   */
  private static AwsFailure assumeRoleFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AwsFailure f && AccountSessions.NOT_ASSUMABLE.equals(f.reason())) {
        return f;
      }
    }
    return null;
  }

  /**
   * AWS throttled: someone else in the account takes its share. The budget's rate halves, and the reconcile comes
   * back at its turn in the slower budget; the status does not show it (it is not the resource's problem).
   */
  private Deferred throttled(RequestBudget budget, String account, String region, Quota quota, Work work,
      String operation) {
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
    metrics.budgetDeferred(account, region, quota.name(), work.urgency().name());
    return new Deferred(operation + " was throttled by AWS: the budget of " + budget.name() + " slows to "
        + rate(budget.currentRate()) + " requests/s; retrying in "
        + wait.toMillis() + " ms", wait);
  }

  private static String rate(double perSecond) {
    return String.format(java.util.Locale.ROOT, "%.2f", perSecond);
  }
}
