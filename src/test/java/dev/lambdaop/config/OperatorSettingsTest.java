package dev.lambdaop.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

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
    for (String bad : new String[] {"0", "-1", "1001", "ten", "2.5", ""}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> OperatorSettings.fromEnvironment(Map.of("LAMBDAOP_HOOK_CONCURRENCY", bad)), bad);
      assertEquals("LAMBDAOP_HOOK_CONCURRENCY=" + bad + " is not a whole number from 1 to 1000", e.getMessage());
    }
    OperatorSettings tuned = OperatorSettings.defaults().withHookConcurrency(3).withClusterId("c")
        .withResyncPeriod(Duration.ofSeconds(1)).withLabelSelector("x").withAwsWrites(1, 1)
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
        .withLabelSelector("x").withAwsWrites(1, 1).clusterId());
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
        .withLabelSelector("x").withAwsWrites(1, 1).requireNamespacePolicy());
  }
}
