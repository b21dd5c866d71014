package dev.lambdaop.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.Concurrency;
import dev.lambdaop.api.ConcurrencySpec;
import dev.lambdaop.api.ConcurrencyStatus;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The API server semantics of {@link InMemoryCluster} that the reconciler tests rely on. */
class InMemoryClusterTest {
  private final InMemoryCluster<Concurrency> cluster = new InMemoryCluster<>(Concurrency.class);

  private static Concurrency concurrency(String name, int reserved) {
    Concurrency c = new Concurrency();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").build());
    c.setSpec(new ConcurrencySpec());
    c.getSpec().functionName = name;
    c.getSpec().reservedConcurrentExecutions = reserved;
    return c;
  }

  /** What a reconciler applies: a fresh object with only name, namespace and status. */
  private static Concurrency statusPatch(Concurrency resource, Consumer<ConcurrencyStatus> fill) {
    Concurrency patch = new Concurrency();
    patch.setMetadata(new ObjectMetaBuilder().withName(resource.getMetadata().getName())
        .withNamespace(resource.getMetadata().getNamespace()).build());
    patch.setStatus(new ConcurrencyStatus());
    fill.accept(patch.getStatus());
    return patch;
  }

  @Test
  void aNewObjectIsGeneration1AndOnlyASpecChangeBumpsTheGeneration() {
    Concurrency first = cluster.put(concurrency("orders", 100));
    assertEquals(1L, first.getMetadata().getGeneration());
    assertNotNull(first.getMetadata().getUid());
    Concurrency second = cluster.put(concurrency("payments", 100));
    assertNotEquals(first.getMetadata().getUid(), second.getMetadata().getUid());
    assertTrue(Instant.parse(first.getMetadata().getCreationTimestamp())
        .isBefore(Instant.parse(second.getMetadata().getCreationTimestamp())), "created in order");

    Concurrency labelled = cluster.read(first);
    labelled.getMetadata().setLabels(Map.of("team", "shop"));
    labelled.setStatus(new ConcurrencyStatus());
    labelled.getStatus().functionName = "orders";
    Concurrency same = cluster.put(labelled);
    assertEquals(1L, same.getMetadata().getGeneration(), "metadata and status are not the spec");
    assertEquals(first.getMetadata().getUid(), same.getMetadata().getUid());
    assertEquals(first.getMetadata().getCreationTimestamp(), same.getMetadata().getCreationTimestamp());
    assertNotEquals(first.getMetadata().getResourceVersion(), same.getMetadata().getResourceVersion());

    Concurrency changed = cluster.read(first);
    changed.getSpec().reservedConcurrentExecutions = 200;
    assertEquals(2L, cluster.put(changed).getMetadata().getGeneration());
    assertEquals(2L, cluster.read(first).getMetadata().getGeneration());
    assertEquals(1L, cluster.read(second).getMetadata().getGeneration(), "objects are apart");
  }

  @Test
  void objectsHandedOutAreCopies() {
    Concurrency stored = cluster.put(concurrency("orders", 100));
    stored.getSpec().reservedConcurrentExecutions = 500;
    cluster.read(stored).getSpec().reservedConcurrentExecutions = 600;

    assertEquals(100, cluster.read(stored).getSpec().reservedConcurrentExecutions);
    assertEquals(List.of(100), cluster.cached().map(c -> c.getSpec().reservedConcurrentExecutions).toList());
  }

  @Test
  void applyStatusOwnsTheFieldsItSetsAndRemovesThoseALaterApplyLeavesOut() {
    Concurrency c = concurrency("orders", 100);
    c.setStatus(new ConcurrencyStatus());
    c.getStatus().account = new ConcurrencyStatus.AccountConcurrency();
    c.getStatus().account.concurrentExecutions = 1000;
    Concurrency stored = cluster.put(c);

    cluster.applyStatus(stored, statusPatch(stored, s -> {
      s.functionName = "orders";
      s.reservedConcurrentExecutions = 100;
    }));
    ConcurrencyStatus applied = cluster.read(stored).getStatus();
    assertEquals(List.of("orders", 100), List.of(applied.functionName, applied.reservedConcurrentExecutions));

    cluster.applyStatus(stored, statusPatch(stored, s -> s.functionName = "orders"));
    ConcurrencyStatus now = cluster.read(stored).getStatus();
    assertEquals("orders", now.functionName);
    assertNull(now.reservedConcurrentExecutions, "applied before, left out now: removed");
    assertEquals(1000, now.account.concurrentExecutions, "never applied by the operator: kept");
    assertEquals(1L, cluster.read(stored).getMetadata().getGeneration(), "a status write is no spec change");
    assertEquals(100, cluster.read(stored).getSpec().reservedConcurrentExecutions);

    assertThrows(IllegalStateException.class,
        () -> cluster.applyStatus(concurrency("ghost", 1), statusPatch(concurrency("ghost", 1), s -> {})));
  }

  @Test
  void fieldsMergedByTheUserAreKeptByALaterApplyThatLeavesThemOut() {
    InMemoryCluster<LambdaAlias> aliases = new InMemoryCluster<>(LambdaAlias.class);
    LambdaAlias a = new LambdaAlias();
    a.setMetadata(new ObjectMetaBuilder().withName("orders-live").withNamespace("shop").build());
    LambdaAlias stored = aliases.put(a);
    Consumer<Consumer<LambdaAliasStatus>> apply = fill -> {
      LambdaAlias patch = new LambdaAlias();
      patch.setMetadata(new ObjectMetaBuilder().withName("orders-live").withNamespace("shop").build());
      patch.setStatus(new LambdaAliasStatus());
      fill.accept(patch.getStatus());
      aliases.applyStatus(stored, patch);
    };

    apply.accept(s -> {
      s.message = "shifting";
      s.canaryWeight = 10;
    });
    aliases.mergeStatus(stored, "{\"abort\":true,\"message\":\"mine\"}");
    apply.accept(s -> s.canaryWeight = 20);

    LambdaAliasStatus status = aliases.read(stored).getStatus();
    assertEquals(Boolean.TRUE, status.abort, "merged by the user: kept");
    assertEquals("mine", status.message, "applied, then merged by the user: the user's now, kept");
    assertEquals(20, status.canaryWeight);

    aliases.mergeStatus(stored, "{\"abort\":null}");
    assertNull(aliases.read(stored).getStatus().abort, "a null in a merge patch deletes");
    apply.accept(s -> s.message = "the operator's again");
    apply.accept(s -> s.canaryWeight = 30);
    assertNull(aliases.read(stored).getStatus().message, "applied again, then left out: removed");
  }

  @Test
  void everyStatusWriteIsRecordedInOrder() {
    Concurrency orders = cluster.put(concurrency("orders", 100));
    Concurrency payments = cluster.put(concurrency("payments", 50));
    Concurrency patch = statusPatch(orders, s -> s.reservedConcurrentExecutions = 100);

    cluster.applyStatus(orders, patch);
    patch.getStatus().reservedConcurrentExecutions = 999;
    cluster.applyStatus(payments, statusPatch(payments, s -> s.reservedConcurrentExecutions = 50));
    cluster.applyStatus(orders, statusPatch(orders, s -> s.reservedConcurrentExecutions = 101));
    cluster.mergeStatus(orders, "{\"functionName\":\"a\"}");
    cluster.mergeStatus(orders, "{\"functionName\":\"b\"}");

    assertEquals(List.of("orders", "payments", "orders"),
        cluster.statusPatches().stream().map(p -> p.getMetadata().getName()).toList());
    assertEquals(List.of(100, 101), cluster.statusPatches(orders).stream()
        .map(p -> p.getStatus().reservedConcurrentExecutions).toList(), "as applied: later changes not seen");
    assertNull(cluster.statusPatches(orders).get(0).getSpec(), "a patch holds the status only");
    assertEquals(List.of("{\"functionName\":\"a\"}", "{\"functionName\":\"b\"}"), cluster.statusMerges(orders));
    assertEquals(List.of(), cluster.statusMerges(payments));
    assertEquals("b", cluster.read(orders).getStatus().functionName);
  }
}
