package dev.lambdaop.config;

import dev.lambdaop.api.Durations;
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

  /** Settings with every default, as documented. */
  public static OperatorSettings defaults() {
    return fromEnvironment(Map.of());
  }

  public static OperatorSettings fromEnvironment(Map<String, String> env) {
    String namespaces = env.getOrDefault(WATCH_NAMESPACES, "").trim();
    return new OperatorSettings(
        namespaces.isEmpty() ? Set.of()
            : Arrays.stream(namespaces.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet()),
        env.getOrDefault(LABEL_SELECTOR, "").trim(),
        positive(AWS_WRITES_PER_SECOND, env.getOrDefault(AWS_WRITES_PER_SECOND, "10")),
        positive(AWS_WRITE_BURST, env.getOrDefault(AWS_WRITE_BURST, "10")),
        (int) positive(ACCOUNT_CONCURRENCY_LIMIT, env.getOrDefault(ACCOUNT_CONCURRENCY_LIMIT, "1000")),
        (int) positive(UNRESERVED_CONCURRENCY_MINIMUM, env.getOrDefault(UNRESERVED_CONCURRENCY_MINIMUM, "100")),
        parseDuration(RESYNC_PERIOD, env.getOrDefault(RESYNC_PERIOD, "10m")),
        Boolean.parseBoolean(env.getOrDefault(LEADER_ELECTION, "false")),
        env.getOrDefault(LEADER_ELECTION_NAMESPACE, ""),
        clusterId(env.getOrDefault(CLUSTER_ID, "").trim()),
        strictBoolean(REQUIRE_NAMESPACE_POLICY, env.getOrDefault(REQUIRE_NAMESPACE_POLICY, "false")),
        count(HOOK_CONCURRENCY, env.getOrDefault(HOOK_CONCURRENCY, "20"), MAX_HOOK_CONCURRENCY));
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
        requireNamespacePolicy, count(HOOK_CONCURRENCY, String.valueOf(threads), MAX_HOOK_CONCURRENCY));
  }

  /** A cluster id goes into tag values cluster/namespace/name: no '/', and short. */
  private static String clusterId(String id) {
    if (!id.isEmpty() && !id.matches("[A-Za-z0-9._:-]{1,63}")) {
      throw new IllegalArgumentException(CLUSTER_ID + "=" + id + " is not a cluster id (1-63 letters, digits, '.', '_',"
          + " ':' or '-')");
    }
    return id;
  }

  /** A security setting: a typo must not turn it off silently. */
  private static boolean strictBoolean(String name, String value) {
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false", "" -> false;
      default -> throw new IllegalArgumentException(name + "=" + value + " is not true or false");
    };
  }

  private static double positive(String name, String value) {
    try {
      double d = Double.parseDouble(value.trim());
      if (d > 0 && Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + "=" + value + " is not a positive number");
  }

  /** A whole number from 1 to {@code max}. */
  private static int count(String name, String value, int max) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + "=" + value + " is not a whole number from 1 to " + max);
  }

  private static Duration parseDuration(String name, String value) {
    try {
      Duration d = Durations.parse(value.trim());
      if (!d.isZero()) {
        return d;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + "=" + value + " is not a positive duration (use for example 30s, 10m, 1h)");
  }
}
