package dev.lambdaop.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.Concurrency;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OwnerTest {
  private static final String CLUSTER = "cluster-a";
  private final FunctionResolver resolver = new FunctionResolver("us-east-1", CLUSTER, null);

  private static Concurrency resource(String namespace, String name) {
    Concurrency c = new Concurrency();
    c.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    return c;
  }

  @Test
  void aTagValueNamesClusterNamespaceAndName() {
    assertEquals(new Owner("cluster-b", "shop", "orders"), Owner.parse("cluster-b/shop/orders", CLUSTER));
    assertEquals("cluster-b/shop/orders", new Owner("cluster-b", "shop", "orders").value());
    assertEquals("shop/orders of cluster cluster-b", Owner.parse("cluster-b/shop/orders", CLUSTER).describe(CLUSTER));
    assertEquals("shop/orders", Owner.parse("cluster-a/shop/orders", CLUSTER).describe(CLUSTER));
    assertNull(Owner.parse(null, CLUSTER));
  }

  @Test
  void aLegacyNamespaceNameTagIsThisClusters() {
    assertEquals(new Owner(CLUSTER, "shop", "orders"), Owner.parse("shop/orders", CLUSTER));
    assertTrue(resolver.owns(resource("shop", "orders"), "shop/orders"));
    assertTrue(resolver.owns(resource("shop", "orders"), "cluster-a/shop/orders"));
    assertFalse(resolver.owns(resource("shop", "orders"), "cluster-b/shop/orders"));
    assertFalse(resolver.owns(resource("shop", "orders"), "billing/orders"));
  }

  @Test
  void aTagOfAnotherShapeIsSomeoneElses() {
    Owner odd = Owner.parse("someone", CLUSTER);
    assertFalse(odd.cluster().equals(CLUSTER));
    assertFalse(resolver.owns(resource("shop", "orders"), "someone"));
  }

  @Test
  void onlyAFunctionWithoutOwnerOrOwnedByTheSameNamespaceOfThisClusterMayBeActedOn() {
    Concurrency c = resource("shop", "orders");
    resolver.checkOwner(c, "f", Map.of());
    resolver.checkOwner(c, "f", Map.of(Owner.FUNCTION_TAG, "cluster-a/shop/other"));
    resolver.checkOwner(c, "f", Map.of(Owner.FUNCTION_TAG, "shop/other"));
    SpecProblem elsewhere = assertThrows(SpecProblem.class,
        () -> resolver.checkOwner(c, "f", Map.of(Owner.FUNCTION_TAG, "cluster-a/billing/f")));
    assertEquals("OwnedElsewhere", elsewhere.reason());
    assertTrue(elsewhere.getMessage().contains("owned by billing/f"), elsewhere.getMessage());
    SpecProblem otherCluster = assertThrows(SpecProblem.class,
        () -> resolver.checkOwner(c, "f", Map.of(Owner.FUNCTION_TAG, "cluster-b/shop/f")));
    assertTrue(otherCluster.getMessage().contains("shop/f of cluster cluster-b"), otherCluster.getMessage());
  }

  @Test
  void recordsOfAliasesAndReservationsAreTagsOfTheirOwn() {
    assertEquals("lambdaop.dev/alias.live", Owner.aliasTag("live"));
    assertTrue(Owner.isRecord("lambdaop.dev/alias.live"));
    assertTrue(Owner.isRecord(Owner.CONCURRENCY_TAG));
    assertFalse(Owner.isRecord(Owner.FUNCTION_TAG));
    assertFalse(Owner.isRecord("team"));
  }

  @Test
  void aLongAliasNameGivesAUniqueKeyWithinLambdasLimit() {
    String a = Owner.aliasTag("a".repeat(127) + "x");
    String b = Owner.aliasTag("a".repeat(127) + "y");
    assertEquals(128, a.length());
    assertFalse(a.equals(b));
    assertTrue(Owner.isRecord(a));
  }

  @Test
  void theRegionOfAFunctionArnIsTheArns() {
    assertEquals("eu-central-1", resolver.regionOf("arn:aws:lambda:eu-central-1:123456789012:function:orders"));
    assertEquals("us-east-1", resolver.regionOf("orders"));
    assertEquals("us-east-1", resolver.regionOf("123456789012:function:orders"));
  }
}
