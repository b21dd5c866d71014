package dev.lambdaop.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OperatorSettingsTest {
  @Test
  void defaultsAreTheDocumentedOnes() {
    OperatorSettings s = OperatorSettings.defaults();
    assertEquals(Set.of(), s.watchNamespaces());
    assertEquals("", s.labelSelector());
    assertEquals(Duration.ofMinutes(10), s.resyncPeriod());
    assertFalse(s.leaderElection());
    assertEquals("", s.clusterId(), "empty: the UID of kube-system, read at start");
    assertFalse(s.requireNamespacePolicy());
    assertEquals(20, s.hookConcurrency());
  }

  @Test
  void hookConcurrencyIsAWholeNumberFromOneToAThousand() {
    assertEquals(50, OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_HOOK_CONCURRENCY", " 50 ")).hookConcurrency());
    assertEquals(1000, OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_HOOK_CONCURRENCY", "1000")).hookConcurrency());
    assertEquals(20, OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_HOOK_CONCURRENCY", "")).hookConcurrency(),
        "empty is the default, as for every setting");
    for (String bad : new String[] {"0", "-1", "1001", "ten", "2.5"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_HOOK_CONCURRENCY", bad)), bad);
      assertEquals("LAMBDAOP_HOOK_CONCURRENCY=" + bad + ": expected a whole number from 1 to 1000 (how many traffic"
          + " hooks run at once)", e.getMessage());
    }
    OperatorSettings tuned = OperatorSettings.defaults().withHookConcurrency(3).withClusterId("c")
        .withResyncPeriod(Duration.ofSeconds(1)).withLabelSelector("x").withAwsRequests(1, 1)
        .withRequireNamespacePolicy(true);
    assertEquals(3, tuned.hookConcurrency(), "kept by every with...");
    assertThrows(IllegalArgumentException.class, () -> OperatorSettings.defaults().withHookConcurrency(0));
  }

  @Test
  void aClusterIdGoesIntoTagValuesSoItHasNoSlash() {
    assertEquals("prod-eu", OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_CLUSTER_ID", " prod-eu ")).clusterId());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_CLUSTER_ID", "prod/eu")));
    assertTrue(e.getMessage().contains("LAMBDAOP_CLUSTER_ID"));
    assertEquals("b", OperatorSettings.defaults().withClusterId("b").withResyncPeriod(Duration.ofSeconds(1))
        .withLabelSelector("x").withAwsRequests(1, 1).clusterId());
  }

  @Test
  void readsEnvironment() {
    OperatorSettings s = OperatorSettings.fromEnvironment(Map.of(
        "LAMBDAOP_WATCH_NAMESPACES", "shop, billing,",
        "LAMBDAOP_RESYNC_PERIOD", "1h30m",
        "LAMBDAOP_LABEL_SELECTOR", " team=shop ",
        "LAMBDAOP_LEADER_ELECTION", "true"));
    assertEquals(Set.of("shop", "billing"), s.watchNamespaces());
    assertEquals(Duration.ofMinutes(90), s.resyncPeriod());
    assertEquals("team=shop", s.labelSelector());
    assertTrue(s.leaderElection());
  }

  @Test
  void badValuesAreRefusedNamingTheVariable() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_RESYNC_PERIOD", "ten minutes")));
    assertTrue(e.getMessage().contains("LAMBDAOP_RESYNC_PERIOD"));
    assertThrows(IllegalArgumentException.class,
        () -> OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_RESYNC_PERIOD", "0s")));
  }

  @Test
  void requireNamespacePolicyIsTrueOrFalseNothingElse() {
    assertTrue(OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_REQUIRE_NAMESPACE_POLICY", " TRUE ")).requireNamespacePolicy());
    assertFalse(OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_REQUIRE_NAMESPACE_POLICY", "false")).requireNamespacePolicy());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_REQUIRE_NAMESPACE_POLICY", "yes")));
    assertTrue(e.getMessage().contains("LAMBDAOP_REQUIRE_NAMESPACE_POLICY"));
    assertTrue(OperatorSettings.defaults().withRequireNamespacePolicy(true).withClusterId("c").withResyncPeriod(Duration.ofSeconds(1))
        .withLabelSelector("x").withAwsRequests(1, 1).requireNamespacePolicy());
  }

  @Test
  void requireAccountMappingIsTrueOrFalseAndOffByDefault() {
    assertFalse(OperatorSettings.defaults().requireAccountMapping());
    assertTrue(OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_REQUIRE_ACCOUNT_MAPPING", " True ")).requireAccountMapping());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_REQUIRE_ACCOUNT_MAPPING", "1")));
    assertTrue(e.getMessage().startsWith("LAMBDAOP_REQUIRE_ACCOUNT_MAPPING=1: expected true or false"), e.getMessage());
    // kept by every with*
    assertTrue(OperatorSettings.defaults().withRequireAccountMapping(true).withRequireNamespacePolicy(true)
        .withClusterId("c").withResyncPeriod(Duration.ofSeconds(1)).withLabelSelector("x").withAwsRequests(1, 1)
        .withHookConcurrency(3).requireAccountMapping());
  }

  @Test
  void theExternalIdIsOptionalCheckedAndPrintedMasked() {
    assertEquals("", OperatorSettings.defaults().awsExternalId());
    assertEquals("none", OperatorSettings.defaults().maskedExternalId());
    OperatorSettings s = OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_AWS_EXTERNAL_ID", " tenant-7f3a:prod/x "));
    assertEquals("tenant-7f3a:prod/x", s.awsExternalId());
    assertEquals("te*** (18 characters)", s.maskedExternalId());
    assertFalse(s.toString().contains("tenant-7f3a"), s.toString());
    assertTrue(s.toString().contains("awsExternalId=te***"), s.toString());
    assertEquals("tenant-7f3a:prod/x", s.withClusterId("c").withHookConcurrency(2).awsExternalId());
    for (String bad : List.of("x", "has space", "semi;colon", "a".repeat(1225))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_AWS_EXTERNAL_ID", bad)));
      assertTrue(e.getMessage().startsWith("LAMBDAOP_AWS_EXTERNAL_ID="), e.getMessage());
      assertTrue(e.getMessage().contains("2 to 1224"), e.getMessage());
    }
  }

  private static OperatorSettings with(String name, String value) {
    Map<String, String> env = new HashMap<>();
    env.put(name, value);
    return OperatorSettings.fromEnvironment(env);
  }

  @Test
  void theNamesOfEarlierReleasesAreRefusedWithTheirNewName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> with("LAMBDAOP_AWS_WRITES_PER_SECOND", "5"));
    assertTrue(e.getMessage().contains("set LAMBDAOP_AWS_REQUESTS_PER_SECOND instead"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> with("LAMBDAOP_AWS_WRITE_BURST", "5"));
    assertTrue(e.getMessage().contains("set LAMBDAOP_AWS_REQUEST_BURST instead"), e.getMessage());
  }

  /** Each setting's range, as the README states it: the edges are accepted. */
  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "LAMBDAOP_AWS_REQUESTS_PER_SECOND       | 0.1",
      "LAMBDAOP_AWS_REQUESTS_PER_SECOND       | 1000",
      "LAMBDAOP_AWS_REQUEST_BURST             | 1",
      "LAMBDAOP_AWS_REQUEST_BURST             | 1000",
      "LAMBDAOP_AWS_REQUEST_BURST             | 2.5",
      "LAMBDAOP_AWS_GETFUNCTION_PER_SECOND    | 0.1",
      "LAMBDAOP_AWS_GETPOLICY_PER_SECOND      | 1000",
      "LAMBDAOP_CLOUDWATCH_PER_SECOND         | 9",
      "LAMBDAOP_RESYNC_BUDGET_SHARE           | 0.01",
      "LAMBDAOP_RESYNC_BUDGET_SHARE           | 1",
      "LAMBDAOP_ACCOUNT_CONCURRENCY_LIMIT     | 1",
      "LAMBDAOP_ACCOUNT_CONCURRENCY_LIMIT     | 1000000",
      "LAMBDAOP_UNRESERVED_CONCURRENCY_MINIMUM | 1",
      "LAMBDAOP_UNRESERVED_CONCURRENCY_MINIMUM | 1000000",
      "LAMBDAOP_RESYNC_PERIOD                 | 1s",
      "LAMBDAOP_RESYNC_PERIOD                 | 24h",
      "LAMBDAOP_LEADER_ELECTION               | FALSE",
      "LAMBDAOP_LEADER_ELECTION_NAMESPACE     | lambda-operator",
      "LAMBDAOP_WATCH_NAMESPACES              | shop,billing-2",
      "LAMBDAOP_LABEL_SELECTOR                | team=shop",
      "LAMBDAOP_LABEL_SELECTOR                | lambdaop.dev/canary!=true, tier in (gold, silver),!legacy",
      "LAMBDAOP_LABEL_SELECTOR                | env notin (dev),app.kubernetes.io/name==orders,release",
      "LAMBDAOP_LABEL_SELECTOR                | priority>3,team=",
      "LAMBDAOP_CLUSTER_ID                    | prod-eu:1",
      "LAMBDAOP_REQUIRE_NAMESPACE_POLICY      | true"})
  void valuesInRangeAreAccepted(String name, String value) {
    with(name, value);
  }

  @Test
  void valuesAreReadAsWritten() {
    assertEquals(0.1, with("LAMBDAOP_AWS_REQUESTS_PER_SECOND", "0.1").budgets().lambdaPerSecond());
    assertEquals(2.5, with("LAMBDAOP_AWS_REQUEST_BURST", " 2.5 ").budgets().lambdaBurst());
    assertEquals(80, with("LAMBDAOP_AWS_GETFUNCTION_PER_SECOND", "80").budgets().getFunctionPerSecond());
    assertEquals(12, with("LAMBDAOP_AWS_GETPOLICY_PER_SECOND", "12").budgets().getPolicyPerSecond());
    assertEquals(3, with("LAMBDAOP_CLOUDWATCH_PER_SECOND", "3").budgets().cloudWatchPerSecond());
    assertEquals(0.5, with("LAMBDAOP_RESYNC_BUDGET_SHARE", "0.5").budgets().resyncShare());
    assertEquals(5000, with("LAMBDAOP_ACCOUNT_CONCURRENCY_LIMIT", "5000").accountConcurrencyLimit());
    assertEquals(50, with("LAMBDAOP_UNRESERVED_CONCURRENCY_MINIMUM", "50").unreservedConcurrencyMinimum());
    assertEquals(Duration.ofSeconds(1), with("LAMBDAOP_RESYNC_PERIOD", "1s").resyncPeriod());
    assertEquals("ops", with("LAMBDAOP_LEADER_ELECTION_NAMESPACE", "ops").leaderElectionNamespace());
    assertEquals(10, with("LAMBDAOP_AWS_REQUEST_BURST", "").budgets().lambdaBurst(), "empty is the default");
    assertEquals(RequestBudgets.DEFAULTS, OperatorSettings.defaults().budgets());
  }

  /**
   * A value that cannot work stops the operator at start: the message names the variable and the value as set, and
   * says what is expected (OperatorMain prints it and exits with 2).
   */
  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "LAMBDAOP_AWS_REQUEST_BURST             | 0.5   | a number from 1 to 1000",
      "LAMBDAOP_AWS_REQUEST_BURST             | 1001  | a number from 1 to 1000",
      "LAMBDAOP_AWS_REQUEST_BURST             | NaN   | a number from 1 to 1000",
      "LAMBDAOP_AWS_REQUESTS_PER_SECOND       | 0     | a number from 0.1 to 1000",
      "LAMBDAOP_AWS_REQUESTS_PER_SECOND       | 0.01  | a number from 0.1 to 1000",
      "LAMBDAOP_AWS_REQUESTS_PER_SECOND       | 5000  | a number from 0.1 to 1000",
      "LAMBDAOP_AWS_REQUESTS_PER_SECOND       | Infinity | a number from 0.1 to 1000",
      "LAMBDAOP_AWS_REQUESTS_PER_SECOND       | ten   | a number from 0.1 to 1000",
      "LAMBDAOP_AWS_GETFUNCTION_PER_SECOND    | 0     | a number from 0.1 to 1000",
      "LAMBDAOP_CLOUDWATCH_PER_SECOND         | -1    | a number from 0.1 to 1000",
      "LAMBDAOP_RESYNC_BUDGET_SHARE           | 0     | a number from 0.01 to 1",
      "LAMBDAOP_RESYNC_BUDGET_SHARE           | 1.5   | a number from 0.01 to 1",
      "LAMBDAOP_ACCOUNT_CONCURRENCY_LIMIT     | 0     | a whole number from 1 to 1000000",
      "LAMBDAOP_ACCOUNT_CONCURRENCY_LIMIT     | 1.5   | a whole number from 1 to 1000000",
      "LAMBDAOP_ACCOUNT_CONCURRENCY_LIMIT     | 1e3   | a whole number from 1 to 1000000",
      "LAMBDAOP_ACCOUNT_CONCURRENCY_LIMIT     | 99999999999 | a whole number from 1 to 1000000",
      "LAMBDAOP_UNRESERVED_CONCURRENCY_MINIMUM | -1   | a whole number from 1 to 1000000",
      "LAMBDAOP_RESYNC_PERIOD                 | 0s    | a duration from 1s to 24h",
      "LAMBDAOP_RESYNC_PERIOD                 | 500ms | a duration from 1s to 24h",
      "LAMBDAOP_RESYNC_PERIOD                 | 25h   | a duration from 1s to 24h",
      "LAMBDAOP_RESYNC_PERIOD                 | 99999999999999h | a duration from 1s to 24h",
      "LAMBDAOP_RESYNC_PERIOD                 | ten minutes | a duration from 1s to 24h",
      "LAMBDAOP_LEADER_ELECTION               | yes   | true or false",
      "LAMBDAOP_LEADER_ELECTION_NAMESPACE     | Lambda_Operator | a namespace name",
      "LAMBDAOP_WATCH_NAMESPACES              | shop,Billing | namespace names separated by commas",
      "LAMBDAOP_LABEL_SELECTOR                | team=shop)   | a Kubernetes label selector",
      "LAMBDAOP_LABEL_SELECTOR                | tier in gold | a Kubernetes label selector",
      "LAMBDAOP_LABEL_SELECTOR                | =shop        | a Kubernetes label selector",
      "LAMBDAOP_LABEL_SELECTOR                | team=a b     | a Kubernetes label selector",
      "LAMBDAOP_CLUSTER_ID                    | prod/eu      | a cluster id",
      "LAMBDAOP_REQUIRE_NAMESPACE_POLICY      | 1            | true or false"})
  void aValueThatCannotWorkIsRefusedNamingVariableValueAndRange(String name, String value, String expected) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(name, value));
    assertTrue(e.getMessage().startsWith(name + "=" + value + ": expected " + expected), e.getMessage());
  }
}
