package dev.lambdaop.observability;

import dev.lambdaop.aws.Quota;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The operator's Prometheus metrics, in one registry that {@code /metrics} serves. The names are documented in the
 * README (section Observability); the SDK reports reconciles into the same registry through {@link #sdkMetrics()}.
 *
 * <p>Labels are bounded: AWS operations and outcomes are fixed sets (outcome is {@code success} or the reason of
 * {@link dev.lambdaop.reconcile.AwsFailure}); the AWS account of calls and budgets is {@code operator} (the operator's
 * own identity) or the account of a namespace's role (as many as the namespaces that name one); only the alias weight gauge carries a resource's name, and it is removed
 * when the alias is deleted.
 */
public final class OperatorMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicInteger> weights = new ConcurrentHashMap<>();
  private final Map<String, Gauge> weightGauges = new ConcurrentHashMap<>();

  public MeterRegistry registry() {
    return registry;
  }

  /** What the SDK reports about reconciles (started, retried, failed by reason, durations), into this registry. */
  public Metrics sdkMetrics() {
    return new ReconcileMetrics(registry);
  }

  /** Everything in the Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * One AWS API call in {@code account} ({@code operator}, or a namespace's role's account): {@code outcome} is
   * {@code success} or the failure's reason (Throttled, AccessDenied, ...).
   */
  public void awsCall(String account, String operation, String outcome, Duration took) {
    Counter.builder("lambdaop.aws.calls").description("AWS API calls by account, operation and outcome")
        .tags("account", account, "operation", operation, "outcome", outcome).register(registry).increment();
    Timer.builder("lambdaop.aws.call.duration").description("How long AWS API calls took")
        .tags("operation", operation).register(registry).record(took);
    if ("Throttled".equals(outcome)) {
      Counter.builder("lambdaop.aws.throttles").description("AWS API calls refused by throttling")
          .tags("account", account, "operation", operation).register(registry).increment();
    }
  }

  /**
   * One request budget (a quota in an account and region): its rate now (below the configured rate for a while after
   * AWS throttled), and how many requests it deferred and AWS throttled in total.
   */
  public void budget(String account, String region, String quota, java.util.function.DoubleSupplier rate,
      java.util.function.LongSupplier deferred, java.util.function.LongSupplier throttles) {
    Gauge.builder("lambdaop.aws.budget.rate", rate::getAsDouble)
        .description("Requests per second the operator's budget of an AWS quota allows now (lowered after throttling)")
        .tags("account", account, "region", region, "quota", quota).register(registry);
    FunctionCounter.builder("lambdaop.aws.budget.throttled", throttles, s -> s.getAsLong())
        .description("Throttling answers of AWS to the operator's requests, by account, region and quota")
        .tags("account", account, "region", region, "quota", quota).register(registry);
  }

  /** A request that could not go now: its reconcile was rescheduled for its turn in the budget. */
  public void budgetDeferred(String account, String region, String quota, String urgency) {
    Counter.builder("lambdaop.aws.budget.deferred")
        .description("Requests that waited for their turn in a request budget (their reconcile was rescheduled)")
        .tags("account", account, "region", region, "quota", quota, "urgency", urgency.toLowerCase(java.util.Locale.ROOT))
        .register(registry).increment();
  }

  /** A traffic shift that ended: Promoted, RolledBack, Aborted or Superseded. */
  public void shiftFinished(String result) {
    Counter.builder("lambdaop.alias.shifts").description("Traffic shifts that ended, by result")
        .tags("result", result).register(registry).increment();
  }

  /** The percentage of an alias's traffic on its new version (0 when no shift runs). */
  public void aliasWeight(String namespace, String name, int percent) {
    String key = namespace + "/" + name;
    weights.computeIfAbsent(key, k -> {
      AtomicInteger value = new AtomicInteger();
      weightGauges.put(k, Gauge.builder("lambdaop.alias.canary.weight.percent", value, AtomicInteger::get)
          .description("Percent of an alias's traffic on the version being shifted to")
          .tags(Tags.of("namespace", namespace, "name", name)).register(registry));
      return value;
    }).set(percent);
  }

  /** Traffic hooks being invoked now, and those waiting for a free hook thread (LAMBDAOP_HOOK_CONCURRENCY). */
  public void hooks(java.util.function.IntSupplier running, java.util.function.IntSupplier waiting) {
    Gauge.builder("lambdaop.hooks.running", running::getAsInt)
        .description("Traffic hooks being invoked now").register(registry);
    Gauge.builder("lambdaop.hooks.waiting", waiting::getAsInt)
        .description("Traffic hooks waiting for a free hook thread (LAMBDAOP_HOOK_CONCURRENCY)").register(registry);
  }

  /**
   * The resync ({@code reconcile.ResyncSpread}): the configured period, the effective one (longer once drift reads
   * would take more than their share of a request budget), and the drift reads per second per quota at the effective
   * period.
   */
  public void resync(Duration configured, Supplier<Duration> effective, ToDoubleFunction<Quota> readsPerSecond) {
    double configuredSeconds = configured.toMillis() / 1000.0;
    Gauge.builder("lambdaop.resync.period.configured.seconds", () -> configuredSeconds)
        .description("The configured resync period (LAMBDAOP_RESYNC_PERIOD)").register(registry);
    Gauge.builder("lambdaop.resync.period.effective.seconds", () -> effective.get().toMillis() / 1000.0)
        .description("The resync period in effect: the configured one, or longer so that drift reads fit their share"
            + " of each request budget").register(registry);
    for (Quota quota : Quota.values()) {
      Gauge.builder("lambdaop.resync.drift.reads.per.second", () -> readsPerSecond.applyAsDouble(quota))
          .description("Drift reads per second at the effective resync period, by the AWS quota they count against")
          .tags("quota", quota.name()).register(registry);
    }
  }

  /** Forgets a deleted alias. */
  public void aliasDeleted(String namespace, String name) {
    String key = namespace + "/" + name;
    Gauge gauge = weightGauges.remove(key);
    weights.remove(key);
    if (gauge != null) {
      registry.remove(gauge);
    }
  }
}
