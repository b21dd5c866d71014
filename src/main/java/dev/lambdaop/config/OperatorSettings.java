package dev.lambdaop.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's own settings, read from environment variables (every one documented in the README with its
 * default). AWS settings are not here: they are the AWS SDK's standard ones.
 *
 * @param watchNamespaces namespaces to watch; empty means all
 * @param labelSelector only resources matching this label selector are managed; empty means all
 * @param awsWritesPerSecond AWS control-plane writes allowed per second and region (Lambda's quota is 15)
 * @param awsWriteBurst writes that may go at once after a quiet period
 * @param accountConcurrencyLimit the account's concurrency limit where GetAccountSettings is not offered
 * @param unreservedConcurrencyMinimum what AWS keeps unreserved (not reported by any API)
 * @param resyncPeriod how often a resource is re-checked against AWS even without a change (drift detection)
 * @param leaderElection whether to take a Lease before reconciling (for more than one replica)
 * @param leaderElectionNamespace namespace of the Lease
 * @param clusterId this cluster's id in the owner records on AWS objects; empty means the UID of the kube-system
 *     namespace (read at start)
 * @param requireNamespacePolicy whether a namespace without the policy annotations can create nothing
 *     ({@link dev.lambdaop.reconcile.NamespacePolicy})
 * @param hookConcurrency how many traffic hooks run at once, on threads of their own (never the reconciles'); more
 *     wait for a free one
 */
public record OperatorSettings(
    Set<String> watchNamespaces,
    String labelSelector,
    double awsWritesPerSecond,
    double awsWriteBurst,
    int accountConcurrencyLimit,
    int unreservedConcurrencyMinimum,
    Duration resyncPeriod,
    boolean leaderElection,
    String leaderElectionNamespace,
    String clusterId,
    boolean requireNamespacePolicy,
    int hookConcurrency) {

  public static final String WATCH_NAMESPACES = "LAMBDAOP_WATCH_NAMESPACES";
  public static final String LABEL_SELECTOR = "LAMBDAOP_LABEL_SELECTOR";
  public static final String AWS_WRITES_PER_SECOND = "LAMBDAOP_AWS_WRITES_PER_SECOND";
  public static final String AWS_WRITE_BURST = "LAMBDAOP_AWS_WRITE_BURST";
  public static final String ACCOUNT_CONCURRENCY_LIMIT = "LAMBDAOP_ACCOUNT_CONCURRENCY_LIMIT";
  public static final String UNRESERVED_CONCURRENCY_MINIMUM = "LAMBDAOP_UNRESERVED_CONCURRENCY_MINIMUM";
  public static final String RESYNC_PERIOD = "LAMBDAOP_RESYNC_PERIOD";
  public static final String LEADER_ELECTION = "LAMBDAOP_LEADER_ELECTION";
  public static final String LEADER_ELECTION_NAMESPACE = "LAMBDAOP_LEADER_ELECTION_NAMESPACE";
  public static final String CLUSTER_ID = "LAMBDAOP_CLUSTER_ID";
  public static final String REQUIRE_NAMESPACE_POLICY = "LAMBDAOP_REQUIRE_NAMESPACE_POLICY";
  public static final String HOOK_CONCURRENCY = "LAMBDAOP_HOOK_CONCURRENCY";
  /** The most hooks that may run at once: each holds a thread and a connection, and runs a Lambda function. */
  public static final int MAX_HOOK_CONCURRENCY = 1000;
  private static final java.util.regex.Pattern CLUSTER_ID_PATTERN =
      java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,63}");

  /** Lambda's quota of control-plane requests per second and region, across its APIs: more is throttled. */
  public static final double LAMBDA_WRITE_QUOTA = 15;
  /** The slowest write budget that still works: one write every 10 s. */
  public static final double MIN_WRITES_PER_SECOND = 0.1;
  /** At least one token, or no write could ever go. */
  public static final double MIN_WRITE_BURST = 1;
  public static final int MAX_CONCURRENCY = 1_000_000;
  public static final Duration MIN_RESYNC = Duration.ofSeconds(1);
  public static final Duration MAX_RESYNC = Duration.ofHours(24);

  /** Settings with every default, as documented. */
  public static OperatorSettings defaults() {
    return fromEnvironment(Map.of());
  }

  /**
   * The settings of {@code env}, each checked against its range (the README's table): a value that cannot work is
   * an {@link IllegalArgumentException} naming the variable, the value and what is expected.
   */
  public static OperatorSettings fromEnvironment(Map<String, String> env) {
    return new OperatorSettings(
        watchNamespaces(Setting.of(env, WATCH_NAMESPACES, "")),
        labelSelector(Setting.of(env, LABEL_SELECTOR, "")),
        Setting.of(env, AWS_WRITES_PER_SECOND, "10").number(MIN_WRITES_PER_SECOND, LAMBDA_WRITE_QUOTA,
            "AWS writes per second and region; Lambda allows 15"),
        Setting.of(env, AWS_WRITE_BURST, "10").number(MIN_WRITE_BURST, LAMBDA_WRITE_QUOTA,
            "writes that may go at once: at least one, at most Lambda's 15 per second"),
        Setting.of(env, ACCOUNT_CONCURRENCY_LIMIT, "1000").wholeNumber(1, MAX_CONCURRENCY,
            "the account's concurrency limit"),
        Setting.of(env, UNRESERVED_CONCURRENCY_MINIMUM, "100").wholeNumber(1, MAX_CONCURRENCY,
            "concurrency AWS keeps unreserved"),
        Setting.of(env, RESYNC_PERIOD, "10m").duration(MIN_RESYNC, MAX_RESYNC,
            "how often every resource is compared with AWS"),
        Setting.of(env, LEADER_ELECTION, "false").strictBoolean(),
        Setting.of(env, LEADER_ELECTION_NAMESPACE, "").matching(Setting.NAMESPACE,
            "a namespace name (lower-case letters, digits and '-', at most 63), or empty for the operator's own"),
        clusterId(Setting.of(env, CLUSTER_ID, "")),
        Setting.of(env, REQUIRE_NAMESPACE_POLICY, "false").strictBoolean(),
        hookConcurrency(Setting.of(env, HOOK_CONCURRENCY, "20")));
  }

  /** Comma-separated namespace names; empty (or only commas) means all. */
  private static Set<String> watchNamespaces(Setting setting) {
    Set<String> namespaces = Arrays.stream(setting.text().split(",")).map(String::trim).filter(n -> !n.isEmpty())
        .collect(Collectors.toSet());
    if (namespaces.stream().anyMatch(n -> !Setting.NAMESPACE.matcher(n).matches())) {
      throw setting.refused("namespace names separated by commas (lower-case letters, digits and '-', at most 63"
          + " each), or empty for all namespaces");
    }
    return namespaces;
  }

  private static int hookConcurrency(Setting setting) {
    return setting.wholeNumber(1, MAX_HOOK_CONCURRENCY, "how many traffic hooks run at once");
  }

  private static String labelSelector(Setting setting) {
    if (!LabelSelectors.valid(setting.text())) {
      throw setting.refused("a Kubernetes label selector such as team=shop, tier in (gold,silver) or !canary,"
          + " or empty for all resources");
    }
    return setting.text();
  }

  public OperatorSettings withResyncPeriod(Duration period) {
    return new OperatorSettings(watchNamespaces, labelSelector, awsWritesPerSecond, awsWriteBurst, accountConcurrencyLimit,
        unreservedConcurrencyMinimum, period,
        leaderElection, leaderElectionNamespace, clusterId, requireNamespacePolicy, hookConcurrency);
  }

  public OperatorSettings withLabelSelector(String selector) {
    return new OperatorSettings(watchNamespaces, selector, awsWritesPerSecond, awsWriteBurst, accountConcurrencyLimit,
        unreservedConcurrencyMinimum, resyncPeriod,
        leaderElection, leaderElectionNamespace, clusterId, requireNamespacePolicy, hookConcurrency);
  }

  public OperatorSettings withAwsWrites(double perSecond, double burst) {
    return new OperatorSettings(watchNamespaces, labelSelector, perSecond, burst, accountConcurrencyLimit,
        unreservedConcurrencyMinimum, resyncPeriod, leaderElection, leaderElectionNamespace, clusterId, requireNamespacePolicy, hookConcurrency);
  }

  public OperatorSettings withClusterId(String id) {
    return new OperatorSettings(watchNamespaces, labelSelector, awsWritesPerSecond, awsWriteBurst, accountConcurrencyLimit,
        unreservedConcurrencyMinimum, resyncPeriod, leaderElection, leaderElectionNamespace, clusterId(id), requireNamespacePolicy, hookConcurrency);
  }

  public OperatorSettings withRequireNamespacePolicy(boolean required) {
    return new OperatorSettings(watchNamespaces, labelSelector, awsWritesPerSecond, awsWriteBurst, accountConcurrencyLimit,
        unreservedConcurrencyMinimum, resyncPeriod, leaderElection, leaderElectionNamespace, clusterId, required, hookConcurrency);
  }

  public OperatorSettings withHookConcurrency(int threads) {
    return new OperatorSettings(watchNamespaces, labelSelector, awsWritesPerSecond, awsWriteBurst, accountConcurrencyLimit,
        unreservedConcurrencyMinimum, resyncPeriod, leaderElection, leaderElectionNamespace, clusterId,
        requireNamespacePolicy, hookConcurrency(Setting.of(Map.of(HOOK_CONCURRENCY, String.valueOf(threads)),
            HOOK_CONCURRENCY, "20")));
  }

  /** A cluster id goes into tag values cluster/namespace/name: no '/', and short. */
  private static String clusterId(Setting setting) {
    return setting.matching(CLUSTER_ID_PATTERN, "a cluster id: 1-63 letters, digits, '.', '_', ':' or '-'");
  }

  private static String clusterId(String id) {
    if (!id.isEmpty() && !CLUSTER_ID_PATTERN.matcher(id).matches()) {
      throw new IllegalArgumentException(CLUSTER_ID + "=" + id + ": expected a cluster id: 1-63 letters, digits,"
          + " '.', '_', ':' or '-'");
    }
    return id;
  }
}
