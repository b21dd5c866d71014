package dev.lambdaop.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeanCacheTest {
  private static LambdaFunction applied() {
    LambdaFunction fn = new LambdaFunction();
    fn.setMetadata(new ObjectMetaBuilder().withName("orders").withNamespace("shop").withResourceVersion("7")
        .withGeneration(3L).withFinalizers("lambdaop.dev/finalizer").withLabels(Map.of("team", "shop"))
        .withAnnotations(Map.of(LeanCache.LAST_APPLIED, "{\"spec\":{}}", "lambdaop.dev/note", "kept"))
        .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").withOperation("Apply").build())
        .build());
    fn.setSpec(new LambdaFunctionSpec());
    fn.getSpec().functionName = "orders";
    return fn;
  }

  @Test
  void theCacheKeepsWhatReconcilesReadWithoutManagedFieldsAndLastApplied() {
    ItemStore<LambdaFunction> store = LeanCache.<LambdaFunction>pruned(Set.of("JOSDK_ALL_NAMESPACES")).orElseThrow();
    store.put(store.getKey(applied()), applied());
    LambdaFunction cached = store.get("shop/orders");
    assertNull(cached.getMetadata().getManagedFields());
    assertEquals(Map.of("lambdaop.dev/note", "kept"), cached.getMetadata().getAnnotations());
    assertEquals("7", cached.getMetadata().getResourceVersion());
    assertEquals(3L, cached.getMetadata().getGeneration());
    assertEquals(List.of("lambdaop.dev/finalizer"), cached.getMetadata().getFinalizers());
    assertEquals(Map.of("team", "shop"), cached.getMetadata().getLabels());
    assertEquals("orders", cached.getSpec().functionName);
  }

  @Test
  void aResourceWithoutEitherIsLeftAsItIs() {
    LambdaFunction fn = applied();
    fn.getMetadata().setAnnotations(null);
    fn.getMetadata().setManagedFields(null);
    assertSame(fn, LeanCache.prune(fn));
    assertNull(fn.getMetadata().getAnnotations());
  }

  @Test
  void referencedFunctionsKeepTheirIdentityOnly() {
    LambdaFunction fn = applied();
    fn.getMetadata().setUid("u-1");
    fn.setStatus(new dev.lambdaop.api.LambdaFunctionStatus());
    ItemStore<LambdaFunction> store = LeanCache.identityOnly(Set.of("shop")).orElseThrow();
    store.put(store.getKey(fn), fn);
    LambdaFunction cached = store.get("shop/orders");
    assertEquals("orders", cached.getMetadata().getName());
    assertEquals("shop", cached.getMetadata().getNamespace());
    assertEquals("u-1", cached.getMetadata().getUid());
    assertEquals("7", cached.getMetadata().getResourceVersion());
    assertEquals(3L, cached.getMetadata().getGeneration());
    assertNull(cached.getSpec());
    assertNull(cached.getStatus());
    assertNull(cached.getMetadata().getAnnotations());
    assertNull(cached.getMetadata().getManagedFields());
  }

  /** JOSDK hands one store to every namespace's informer: a shared store would lose objects on a relist. */
  @Test
  void severalWatchedNamespacesKeepTheInformersOwnStores() {
    assertTrue(LeanCache.pruned(Set.of("a", "b")).isEmpty());
    assertTrue(LeanCache.identityOnly(Set.of("a", "b")).isEmpty());
    assertTrue(LeanCache.pruned(Set.of("a")).isPresent());
    assertTrue(LeanCache.identityOnly(Set.of("a")).isPresent());
  }
}
