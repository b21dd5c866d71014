package dev.lambdaop.alias;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.ReconcilerUtils;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class AliasEventFilterTest {
  private static final String FINALIZER = ReconcilerUtils.getDefaultFinalizerName(LambdaAlias.class);
  private final AliasEventFilter filter = new AliasEventFilter();

  /** An alias as the operator keeps it: finalizer on, generation 3, a shift running. */
  private static LambdaAlias alias() {
    LambdaAlias a = new LambdaAlias();
    a.setMetadata(new ObjectMetaBuilder().withName("orders-live").withNamespace("shop").withGeneration(3L)
        .withResourceVersion("100").withFinalizers(FINALIZER).build());
    a.setSpec(new LambdaAliasSpec());
    a.getSpec().aliasName = "live";
    a.setStatus(new LambdaAliasStatus());
    a.getStatus().phase = Phase.Progressing;
    a.getStatus().canaryVersion = "2";
    a.getStatus().canaryWeight = 20;
    a.getStatus().observedGeneration = 3L;
    return a;
  }

  /** The same alias after an update: a copy, changed. */
  private static LambdaAlias after(LambdaAlias before, Consumer<LambdaAlias> change) {
    LambdaAlias a = Serialization.clone(before);
    a.getMetadata().setResourceVersion("101");
    change.accept(a);
    return a;
  }

  private boolean starts(LambdaAlias before, Consumer<LambdaAlias> change) {
    return filter.accept(after(before, change), before);
  }

  @Test
  void eachControlTheUserSetsStartsAReconcile() {
    LambdaAlias a = alias();
    assertTrue(starts(a, x -> x.getStatus().abort = true), "abort");
    assertTrue(starts(a, x -> x.getStatus().promote = true), "promote");
    assertTrue(starts(a, x -> x.getStatus().promoteFull = true), "promoteFull");
    LambdaAlias aborted = after(a, x -> x.getStatus().abort = true);
    assertTrue(starts(aborted, x -> x.getStatus().abort = false), "retry: abort set back to false");
    assertTrue(starts(aborted, x -> x.getStatus().abort = null), "retry: abort removed");
  }

  @Test
  void aControlOnAnAliasWithoutStatusYetStartsAReconcile() {
    LambdaAlias none = after(alias(), x -> x.setStatus(null));
    assertTrue(starts(none, x -> {
      x.setStatus(new LambdaAliasStatus());
      x.getStatus().promoteFull = true;
    }));
    assertFalse(starts(none, x -> {
      x.setStatus(new LambdaAliasStatus());
      x.getStatus().abort = false;
    }), "false asks for nothing");
  }

  @Test
  void theOperatorsOwnStatusWritesStartNothing() {
    LambdaAlias a = alias();
    assertFalse(starts(a, x -> {
      x.getStatus().canaryWeight = 50;
      x.getStatus().currentStepIndex = 3;
      x.getStatus().message = "shifting 50%";
      x.getStatus().phase = Phase.Paused;
    }), "a status write without controls");
    LambdaAlias promoted = after(a, x -> {
      x.getStatus().promote = true;
      x.getStatus().promoteFull = true;
    });
    assertFalse(starts(promoted, x -> {
      x.getStatus().promote = false;
      x.getStatus().promoteFull = false;
    }), "the operator clears a promote it used");
    LambdaAlias cleared = after(promoted, x -> {
      x.getStatus().promote = false;
      x.getStatus().promoteFull = false;
    });
    assertFalse(starts(cleared, x -> {
      x.getStatus().promote = null;
      x.getStatus().promoteFull = null;
    }), "its next apply drops the fields: absent is false");
    LambdaAlias held = after(a, x -> x.getStatus().abort = true);
    assertFalse(starts(held, x -> x.getStatus().rolledBackAtGeneration = 3L), "abort unchanged");
  }

  @Test
  void whatGenerationAwareProcessingLetsThroughStillStartsAReconcile() {
    LambdaAlias a = alias();
    assertTrue(starts(a, x -> {
      x.getMetadata().setGeneration(4L);
      x.getSpec().paused = true;
    }), "a spec change");
    assertTrue(starts(a, x -> x.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z")), "deletion begins");
    LambdaAlias deleting = after(a, x -> x.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z"));
    assertFalse(starts(deleting, x -> x.getStatus().message = "x"), "deleting already");
    LambdaAlias bare = after(a, x -> x.getMetadata().setFinalizers(List.of()));
    assertTrue(starts(bare, x -> x.getMetadata().setFinalizers(List.of(FINALIZER))), "the finalizer just added");
    assertTrue(starts(bare, x -> x.getStatus().message = "x"), "the finalizer missing");
    LambdaAlias noGeneration = after(a, x -> x.getMetadata().setGeneration(null));
    assertTrue(starts(noGeneration, x -> x.getStatus().message = "x"), "no generation to compare");
  }

  @Test
  void metadataAndOtherUpdatesStartNothing() {
    LambdaAlias a = alias();
    assertFalse(starts(a, x -> x.getMetadata().setLabels(java.util.Map.of("team", "orders"))), "a label");
    assertFalse(starts(a, x -> x.getMetadata().setAnnotations(java.util.Map.of("note", "x"))), "an annotation");
    assertFalse(starts(a, x -> { }), "nothing changed (a resync of the informer)");
  }
}
