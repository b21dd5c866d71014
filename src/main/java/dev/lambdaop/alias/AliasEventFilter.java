package dev.lambdaop.alias;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.ReconcilerUtils;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;

/**
 * Which updates of a LambdaAlias start a reconcile. Pure.
 *
 * <p>JOSDK's generation-aware processing drops every update that leaves {@code metadata.generation} alone, and the
 * user's controls live in status ({@code abort}, {@code promote}, {@code promoteFull}): a patch of them would wait
 * for the next resync. A filter of the controller can only narrow JOSDK's own rule, not widen it, so the alias
 * controller turns generation-aware processing off and this filter applies the same rule (a new generation, a
 * deletion that begins, the controller's finalizer missing or just added) plus one: a control was asked for.
 *
 * <p>The operator's own status writes leave the controls out and change no generation: they start nothing. Its
 * writes of controls start at most one more pass, which changes nothing: setting a used promote or promoteFull back to
 * false is not a request; setting abort (a rollback) or clearing it (a spec change retries a rollback) is one, and
 * the pass it starts finds the routing already as the status says and writes the same status.
 */
public final class AliasEventFilter implements OnUpdateFilter<LambdaAlias> {
  private static final String FINALIZER = ReconcilerUtils.getDefaultFinalizerName(LambdaAlias.class);

  @Override
  public boolean accept(LambdaAlias newer, LambdaAlias older) {
    return generationAware(newer, older) || controlAsked(older.getStatus(), newer.getStatus());
  }

  /** JOSDK's rule with generation-aware processing (its InternalEventFilters, for the default finalizer). */
  static boolean generationAware(HasMetadata newer, HasMetadata older) {
    Long before = older.getMetadata().getGeneration();
    Long after = newer.getMetadata().getGeneration();
    boolean newGeneration = before == null || (after != null && after > before);
    boolean deletionBegins = !older.isMarkedForDeletion() && newer.isMarkedForDeletion();
    boolean finalizerMissingOrAdded = !newer.hasFinalizer(FINALIZER) || !older.hasFinalizer(FINALIZER);
    return newGeneration || deletionBegins || finalizerMissingOrAdded;
  }

  /**
   * Whether the user asked for something between these two statuses: status.abort set (abort) or cleared (retry),
   * status.promote or status.promoteFull set. Absent and false are the same. A promote or promoteFull going back to
   * false asks for nothing (the operator clears them once used).
   */
  public static boolean controlAsked(LambdaAliasStatus before, LambdaAliasStatus after) {
    boolean abortBefore = before != null && before.abortRequested();
    boolean abortAfter = after != null && after.abortRequested();
    boolean promote = (before == null || !before.promoteRequested()) && after != null && after.promoteRequested();
    boolean promoteFull = (before == null || !before.promoteFullRequested()) && after != null
        && after.promoteFullRequested();
    return abortBefore != abortAfter || promote || promoteFull;
  }
}
