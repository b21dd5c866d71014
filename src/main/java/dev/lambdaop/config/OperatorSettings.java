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
 * @param budgets the operator's share of AWS's request quotas per account and region ({@link RequestBudgets})
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
 * @param requireAccountMapping whether a namespace whose Namespace names no AWS role (annotation
 *     lambdaop.dev/aws-role-arn) is refused (AccountMappingMissing) instead of served as the operator's own identity
 *     ({@link dev.lambdaop.reconcile.AccountMapping})
 * @param awsExternalId the external ID the operator passes to sts:AssumeRole for a namespace's role; empty for none.
 *     Not a secret by AWS's account, but printed masked ({@link #maskedExternalId()})
 */
public record OperatorSettings(
    Set<String> watchNamespaces,
    String labelSelector,
    RequestBudgets budgets,
    int accountConcurrencyLimit,
    int unreservedConcurrencyMinimum,
    Duration resyncPeriod,
    boolean leaderElection,
    String leaderElectionNamespace,
    String clusterId,
    boolean requireNamespacePolicy,
    int hookConcurrency,
    boolean requireAccountMapping,
    String awsExternalId) {

  public static final String WATCH_NAMESPACES = "LAMBDAOP_WATCH_NAMESPACES";
  public static final String LABEL_SELECTOR = "LAMBDAOP_LABEL_SELECTOR";
  public static final String AWS_REQUESTS_PER_SECOND = "LAMBDAOP_AWS_REQUESTS_PER_SECOND";
  public static final String AWS_REQUEST_BURST = "LAMBDAOP_AWS_REQUEST_BURST";
  public static final String AWS_GETFUNCTION_PER_SECOND = "LAMBDAOP_AWS_GETFUNCTION_PER_SECOND";
  public static final String AWS_GETPOLICY_PER_SECOND = "LAMBDAOP_AWS_GETPOLICY_PER_SECOND";
  public static final String CLOUDWATCH_PER_SECOND = "LAMBDAOP_CLOUDWATCH_PER_SECOND";
  public static final String RESYNC_BUDGET_SHARE = "LAMBDAOP_RESYNC_BUDGET_SHARE";
  /** Names of earlier releases, refused with the new name (they paced writes only; the budgets pace reads too). */
  public static final Map<String, String> RENAMED = Map.of(
      "LAMBDAOP_AWS_WRITES_PER_SECOND", AWS_REQUESTS_PER_SECOND,
      "LAMBDAOP_AWS_WRITE_BURST", AWS_REQUEST_BURST);
  public static final String ACCOUNT_CONCURRENCY_LIMIT = "LAMBDAOP_ACCOUNT_CONCURRENCY_LIMIT";
  public static final String UNRESERVED_CONCURRENCY_MINIMUM = "LAMBDAOP_UNRESERVED_CONCURRENCY_MINIMUM";
  public static final String RESYNC_PERIOD = "LAMBDAOP_RESYNC_PERIOD";
  public static final String LEADER_ELECTION = "LAMBDAOP_LEADER_ELECTION";
  public static final String LEADER_ELECTION_NAMESPACE = "LAMBDAOP_LEADER_ELECTION_NAMESPACE";
  public static final String CLUSTER_ID = "LAMBDAOP_CLUSTER_ID";
  public static final String REQUIRE_NAMESPACE_POLICY = "LAMBDAOP_REQUIRE_NAMESPACE_POLICY";
  public static final String HOOK_CONCURRENCY = "LAMBDAOP_HOOK_CONCURRENCY";
  public static final String REQUIRE_ACCOUNT_MAPPING = "LAMBDAOP_REQUIRE_ACCOUNT_MAPPING";
  public static final String AWS_EXTERNAL_ID = "LAMBDAOP_AWS_EXTERNAL_ID";
  /** What sts:AssumeRole accepts as an ExternalId: 2 to 1224 of these characters. */
  private static final java.util.regex.Pattern EXTERNAL_ID_PATTERN =
      java.util.regex.Pattern.compile("[\\w+=,.@:/-]{2,1224}");
  /** The most hooks that may run at once: each holds a thread and a connection, and runs a Lambda function. */
  public static final int MAX_HOOK_CONCURRENCY = 1000;
  private static final java.util.regex.Pattern CLUSTER_ID_PATTERN =
      java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,63}");

  /** Lambda's quota of control-plane requests per second and region, across its APIs: more is throttled. */
  public static final double LAMBDA_REQUEST_QUOTA = 15;
  /** The slowest budget that still works: one request every 10 s. */
  public static final double MIN_PER_SECOND = 0.1;
  /**
   * The fastest budget: far above AWS's quotas (AWS throttles, and the budget slows down to what it allows), for
   * endpoints that have none (a test bed).
   */
  public static final double MAX_PER_SECOND = 1000;
  /** At least one token, or no request could ever go. */
  public static final double MIN_BURST = 1;
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
    RENAMED.forEach((old, now) -> {
      if (env.containsKey(old)) {
        throw new IllegalArgumentException(old + " is no longer read: set " + now + " instead (the budget now paces"
            + " every request that counts against Lambda's quota, reads too)");
      }
    });
    return new OperatorSettings(
        watchNamespaces(Setting.of(env, WATCH_NAMESPACES, "")),
        labelSelector(Setting.of(env, LABEL_SELECTOR, "")),
        budgets(env),
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
        hookConcurrency(Setting.of(env, HOOK_CONCURRENCY, "20")),
        Setting.of(env, REQUIRE_ACCOUNT_MAPPING, "false").strictBoolean(),
        Setting.of(env, AWS_EXTERNAL_ID, "").matching(EXTERNAL_ID_PATTERN, "an external ID for sts:AssumeRole:"
            + " 2 to 1224 letters, digits and +=,.@:/-_, or empty for none"));
  }

  private static RequestBudgets budgets(Map<String, String> env) {
    RequestBudgets d = RequestBudgets.DEFAULTS;
    String range = " (AWS allows ";
    return new RequestBudgets(
        perSecond(env, AWS_REQUESTS_PER_SECOND, d.lambdaPerSecond(), "Lambda requests per second and region" + range
            + "15)"),
        Setting.of(env, AWS_REQUEST_BURST, format(d.lambdaBurst())).number(MIN_BURST, MAX_PER_SECOND,
            "Lambda requests that may go at once: at least one"),
        perSecond(env, AWS_GETFUNCTION_PER_SECOND, d.getFunctionPerSecond(), "GetFunction requests per second"
            + range + "100)"),
        perSecond(env, AWS_GETPOLICY_PER_SECOND, d.getPolicyPerSecond(), "GetPolicy requests per second" + range
            + "15)"),
        perSecond(env, CLOUDWATCH_PER_SECOND, d.cloudWatchPerSecond(), "CloudWatch requests per second" + range
            + "DescribeAlarms 9)"),
        Setting.of(env, RESYNC_BUDGET_SHARE, format(d.resyncShare())).number(0.01, 1,
            "the share of each request budget drift reads may take"));
  }

  private static double perSecond(Map<String, String> env, String name, double fallback, String what) {
    return Setting.of(env, name, format(fallback)).number(MIN_PER_SECOND, MAX_PER_SECOND, what);
  }

  private static String format(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
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
    return new OperatorSettings(watchNamespaces, labelSelector, budgets, accountConcurrencyLimit,
        unreservedConcurrencyMinimum, period,
        leaderElection, leaderElectionNamespace, clusterId, requireNamespacePolicy, hookConcurrency, requireAccountMapping, awsExternalId);
  }

  public OperatorSettings withLabelSelector(String selector) {
    return new OperatorSettings(watchNamespaces, selector, budgets, accountConcurrencyLimit,
        unreservedConcurrencyMinimum, resyncPeriod,
        leaderElection, leaderElectionNamespace, clusterId, requireNamespacePolicy, hookConcurrency, requireAccountMapping, awsExternalId);
  }

  /** The same settings with another Lambda request budget (rate and burst). */
  public OperatorSettings withAwsRequests(double perSecond, double burst) {
    return withBudgets(budgets.withLambda(perSecond, burst));
  }

  public OperatorSettings withBudgets(RequestBudgets budgets) {
    return new OperatorSettings(watchNamespaces, labelSelector, budgets, accountConcurrencyLimit,
        unreservedConcurrencyMinimum, resyncPeriod, leaderElection, leaderElectionNamespace, clusterId, requireNamespacePolicy, hookConcurrency, requireAccountMapping, awsExternalId);
  }

  public OperatorSettings withClusterId(String id) {
    return new OperatorSettings(watchNamespaces, labelSelector, budgets, accountConcurrencyLimit,
        unreservedConcurrencyMinimum, resyncPeriod, leaderElection, leaderElectionNamespace, clusterId(id), requireNamespacePolicy, hookConcurrency, requireAccountMapping, awsExternalId);
  }

  public OperatorSettings withRequireNamespacePolicy(boolean required) {
    return new OperatorSettings(watchNamespaces, labelSelector, budgets, accountConcurrencyLimit,
        unreservedConcurrencyMinimum, resyncPeriod, leaderElection, leaderElectionNamespace, clusterId, required, hookConcurrency, requireAccountMapping, awsExternalId);
  }

  public OperatorSettings withHookConcurrency(int threads) {
    return new OperatorSettings(watchNamespaces, labelSelector, budgets, accountConcurrencyLimit,
        unreservedConcurrencyMinimum, resyncPeriod, leaderElection, leaderElectionNamespace, clusterId,
        requireNamespacePolicy, hookConcurrency(Setting.of(Map.of(HOOK_CONCURRENCY, String.valueOf(threads)),
            HOOK_CONCURRENCY, "20")), requireAccountMapping, awsExternalId);
  }

  /** The same settings, refusing (or not) namespaces without an account mapping. */
  public OperatorSettings withRequireAccountMapping(boolean required) {
    return new OperatorSettings(watchNamespaces, labelSelector, budgets, accountConcurrencyLimit,
        unreservedConcurrencyMinimum, resyncPeriod, leaderElection, leaderElectionNamespace, clusterId,
        requireNamespacePolicy, hookConcurrency, required, awsExternalId);
  }

  /**
   * The external ID for printing: its first two characters and its length (the value is no secret by AWS's account,
   * but it is one of the two things a confused deputy would need), or "none".
   */
  public String maskedExternalId() {
    return awsExternalId.isEmpty() ? "none" : awsExternalId.substring(0, 2) + "*** (" + awsExternalId.length()
        + " characters)";
  }

  /** As a record prints itself, with the external ID masked. */
  @Override
  public String toString() {
    return "OperatorSettings[watchNamespaces=" + watchNamespaces + ", labelSelector=" + labelSelector + ", budgets="
        + budgets + ", accountConcurrencyLimit=" + accountConcurrencyLimit + ", unreservedConcurrencyMinimum="
        + unreservedConcurrencyMinimum + ", resyncPeriod=" + resyncPeriod + ", leaderElection=" + leaderElection
        + ", leaderElectionNamespace=" + leaderElectionNamespace + ", clusterId=" + clusterId
        + ", requireNamespacePolicy=" + requireNamespacePolicy + ", hookConcurrency=" + hookConcurrency
        + ", requireAccountMapping=" + requireAccountMapping + ", awsExternalId=" + maskedExternalId() + "]";
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
