package dev.lambdaop;

import dev.lambdaop.alias.HookRuns;
import dev.lambdaop.alias.LambdaAliasReconciler;
import dev.lambdaop.aws.sdk.AwsCallCounter;
import dev.lambdaop.aws.sdk.AwsCalls;
import dev.lambdaop.aws.sdk.AwsClients;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.aws.Aws;
import dev.lambdaop.aws.Quota;
import dev.lambdaop.aws.sdk.SdkAws;
import dev.lambdaop.aws.Quota;
import dev.lambdaop.aws.sdk.RequestBudget;
import dev.lambdaop.config.RequestBudgets;
import dev.lambdaop.concurrency.ConcurrencyReconciler;
import dev.lambdaop.eventsource.EventSourceMappingReconciler;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.function.DigestKey;
import dev.lambdaop.function.LambdaFunctionReconciler;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.ResyncSpread;
import dev.lambdaop.reconcile.LeanCache;
import dev.lambdaop.observability.OperatorMetrics;
import dev.lambdaop.status.Events;
import dev.lambdaop.status.KubernetesEvents;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationService;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Wires the operator: one AWS adapter, the three controllers, retry and namespace settings. {@link OperatorMain}
 * runs it as a process; tests and the local run start it in their own JVM.
 */
public final class LambdaOperator implements AutoCloseable {
  private final Operator operator;
  private final AwsClients awsClients;
  private final AwsCalls calls;
  private final OperatorMetrics metrics = new OperatorMetrics();
  private final HookRuns hooks;
  private final String clusterId;
  private final Leadership leadership;
  private final ResyncSpread resync;
  /**
   * How long a stop waits for in-flight reconciles before it interrupts them (an interrupted reconcile is retried
   * by the next leader or start); with the Lease release it keeps a SIGTERM's stop under 10 s.
   */
  static final Duration RECONCILE_DRAIN = Duration.ofSeconds(5);

  public LambdaOperator(KubernetesClient kubernetes, AwsSettings awsSettings, OperatorSettings settings) {
    this(kubernetes, awsSettings, settings, ConfigurationService.DEFAULT_RECONCILIATION_THREADS_NUMBER);
  }

  /**
   * @param reconcileThreads how many reconciles run at once, across the four kinds (the SDK's default: 50); tests
   *     lower it to show that nothing holds one for long (hooks run on threads of their own)
   */
  public LambdaOperator(KubernetesClient kubernetes, AwsSettings awsSettings, OperatorSettings settings,
      int reconcileThreads) {
    Clock clock = Clock.systemUTC();
    this.awsClients = new AwsClients(awsSettings, settings.hookConcurrency(), settings.awsExternalId());
    RequestBudgets b = settings.budgets();
    this.calls = new AwsCalls(new AwsCalls.BudgetSettings(b.lambdaPerSecond(), b.lambdaBurst(),
        b.getFunctionPerSecond(), b.getPolicyPerSecond(), b.cloudWatchPerSecond()), metrics);
    Aws aws = SdkAws.create(awsClients, calls, settings.resyncPeriod().dividedBy(2));
    Events events = new KubernetesEvents(kubernetes, clock);
    this.leadership = settings.leaderElection()
        ? new Leadership(kubernetes, settings.leaderElectionNamespace(), System.getenv(), Leadership::exitProcess)
        : null;
    this.operator = new Operator(o -> {
      o.withKubernetesClient(kubernetes).withCloseClientOnStop(false).withMetrics(metrics.sdkMetrics())
          .withConcurrentReconciliationThreads(reconcileThreads)
          .withReconciliationTerminationTimeout(RECONCILE_DRAIN);
      if (leadership != null) {
        o.withLeaderElectionConfiguration(leadership.configuration());
      }
    });
    this.clusterId = clusterId(kubernetes, settings);
    FunctionResolver resolver = new FunctionResolver(awsSettings.defaultRegion(), clusterId, aws.functions(),
        settings.requireNamespacePolicy(), aws.accounts(), settings.requireAccountMapping());
    this.resync = resyncSpread(settings);
    metrics.resync(resync.configuredPeriod(), resync::effectivePeriod, resync::readsPerSecond);
    operator.register(new LambdaFunctionReconciler(aws, resolver, settings, events, clock,
        digestKey(kubernetes, settings), resync), controllerSettings(settings));
    this.hooks = HookRuns.pool(aws.invoker(), settings.hookConcurrency(), clock);
    metrics.hooks(hooks::running, hooks::waiting);
    operator.register(new LambdaAliasReconciler(aws, resolver, settings,
        events, metrics, hooks, clock, resync), controllerSettings(settings));
    operator.register(new ConcurrencyReconciler(aws.concurrency(), resolver, settings, events, clock, resync),
        controllerSettings(settings));
    operator.register(new EventSourceMappingReconciler(aws.eventSources(), resolver, events, clock, resync),
        controllerSettings(settings));
  }

  /**
   * The four kinds' resyncs, within LAMBDAOP_RESYNC_BUDGET_SHARE of each request budget (the budgets' configured
   * rates, not AIMD's current ones: a throttled budget defers drift reads by itself).
   */
  private static ResyncSpread resyncSpread(OperatorSettings settings) {
    RequestBudgets b = settings.budgets();
    Map<Quota, Double> rates = Map.of(Quota.LAMBDA, b.lambdaPerSecond(), Quota.LAMBDA_GET_FUNCTION,
        b.getFunctionPerSecond(), Quota.LAMBDA_GET_POLICY, b.getPolicyPerSecond(), Quota.CLOUDWATCH,
        b.cloudWatchPerSecond());
    return new ResyncSpread(settings.resyncPeriod(), b.resyncShare(), rates, ResyncSpread.DEFAULT_JITTER,
        new Random());
  }

  /**
   * The installation's digest key, in the operator's namespace: the chart's release namespace (which it also passes
   * as the leader election namespace), else the client's namespace.
   */
  private static DigestKey digestKey(KubernetesClient kubernetes, OperatorSettings settings) {
    String namespace = !settings.leaderElectionNamespace().isEmpty() ? settings.leaderElectionNamespace()
        : kubernetes.getNamespace() != null ? kubernetes.getNamespace() : "default";
    return DigestKey.fromSecret(kubernetes, namespace);
  }

  /**
   * Errors worth retrying are retried with exponential backoff from 1 s up to 5 min, without a cap on attempts:
   * throttling and outages end. Errors that cannot succeed are not retried (see the reconcilers). The informers
   * keep the resources without managedFields and kubectl's last-applied annotation ({@link LeanCache}).
   */
  private static <R extends HasMetadata> Consumer<ControllerConfigurationOverrider<R>> controllerSettings(
      OperatorSettings settings) {
    return c -> {
      if (!settings.watchNamespaces().isEmpty()) {
        c.settingNamespaces(settings.watchNamespaces());
      }
      if (!settings.labelSelector().isEmpty()) {
        c.withLabelSelector(settings.labelSelector());
      }
      c.withRetry(new GenericRetry()
          .setInitialInterval(Duration.ofSeconds(1))
          .setIntervalMultiplier(2)
          .setMaxInterval(Duration.ofMinutes(5).toMillis())
          .withoutMaxAttempts());
      // A safety net only: JOSDK 5.2.3 schedules it when a pass asks for no reschedule (EventProcessor
      // .reScheduleExecutionIfInstructed), and a pass's rescheduleAfter replaces it (one timer per resource). Every
      // successful pass asks for its resync (ResyncSpread), a stretched one too; what falls back on this is a refused
      // spec (UNTIL_SPEC_CHANGES), looked at again at the configured period.
      c.withReconciliationMaxInterval(settings.resyncPeriod());
      LeanCache.<R>pruned(settings.watchNamespaces()).ifPresent(c::withItemStore);
    };
  }

  /**
   * LAMBDAOP_CLUSTER_ID, else the UID of the kube-system namespace: stable for the cluster's life and different in
   * every cluster, so that two clusters sharing an AWS account never both own one function.
   */
  private static String clusterId(KubernetesClient kubernetes, OperatorSettings settings) {
    if (!settings.clusterId().isEmpty()) {
      return settings.clusterId();
    }
    Namespace kubeSystem;
    try {
      kubeSystem = kubernetes.namespaces().withName("kube-system").get();
    } catch (KubernetesClientException e) {
      throw new IllegalStateException("cannot read the UID of namespace kube-system (the default cluster id): "
          + e.getMessage() + "; set " + OperatorSettings.CLUSTER_ID, e);
    }
    if (kubeSystem == null) {
      throw new IllegalStateException("namespace kube-system does not exist: set " + OperatorSettings.CLUSTER_ID);
    }
    return kubeSystem.getMetadata().getUid();
  }

  /** This cluster's id in the owner records on AWS objects. */
  public String clusterId() {
    return clusterId;
  }

  public void start() {
    operator.start();
  }

  /** The operator's metrics (what {@code /metrics} serves). */
  public OperatorMetrics metrics() {
    return metrics;
  }

  /** Readiness: started, and every watch healthy (also on a replica that waits to become leader). */
  public boolean isReady() {
    return operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  /** Liveness: still starting, or started with every watch healthy (a watch that keeps failing restarts the pod). */
  public boolean isAlive() {
    return !operator.getRuntimeInfo().isStarted() || operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  /** AWS calls made so far, by operation. */
  /**
   * The period every resource is compared with AWS at, on average: LAMBDAOP_RESYNC_PERIOD, or longer when the
   * resources' drift reads would exceed their share of the request budgets ({@link ResyncSpread}).
   */
  public Duration effectiveResyncPeriod() {
    return resync.effectivePeriod();
  }

  public AwsCallCounter awsCalls() {
    return calls.counter();
  }

  /**
   * The request budget of one AWS quota in a region of the operator's own account: its rate, what it deferred, what
   * AWS throttled.
   */
  public RequestBudget budget(String region, Quota quota) {
    return calls.budget(region, quota);
  }

  /** The request budget of one AWS quota in a region of {@code identity}'s account (a namespace's role's). */
  public RequestBudget budget(dev.lambdaop.aws.AwsIdentity identity, String region, Quota quota) {
    return calls.budget(identity, region, quota);
  }

  /** The hooks' threads: how many run and wait now. */
  public HookRuns hooks() {
    return hooks;
  }

  /**
   * Stops: no new reconciles, in-flight ones get {@link #RECONCILE_DRAIN}, then the Lease is released (with leader
   * election) so that a standby takes over at once, then the AWS clients and the hook threads stop. Safe in a JVM
   * shutdown hook (see {@link Leadership}).
   */
  @Override
  public void close() {
    if (leadership != null) {
      leadership.stopping();
    }
    operator.stop();
    // Nothing reconciles any more, and a hook's answer has no controller to reach: the Lease can go before the hook
    // threads are cut, so that the next leader does not wait for them.
    if (leadership != null) {
      leadership.release();
    }
    // After the controllers: no reconcile starts a hook any more. Hooks in flight are cut here (they go on in AWS);
    // the next operator process starts them again (status.hooks records them as Running). The AWS clients close
    // first: that closes the connections hook invocations wait on (an interrupt does not end a socket read), so the
    // hook threads end at once instead of after HookRuns' wait, and the stop stays within its bound.
    awsClients.close();
    hooks.close();
  }
}
