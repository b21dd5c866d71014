package dev.lambdaop.alias;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.ShiftRecord;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.AliasSnapshot;
import dev.lambdaop.aws.Aws;
import dev.lambdaop.aws.AliasRouting;
import dev.lambdaop.aws.Versions.Traits;
import dev.lambdaop.aws.VersionSnapshot;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.function.FunctionReferences;
import dev.lambdaop.reconcile.SpecProblem;
import dev.lambdaop.observability.OperatorMetrics;
import dev.lambdaop.shift.ShiftStep;
import dev.lambdaop.shift.TrafficShiftPlan;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.Events;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Makes an AWS alias match a LambdaAlias: which version it serves, and how traffic moves to a new one. The
 * decisions are {@link AliasPlan}'s and {@link dev.lambdaop.shift.ShiftPlanner}'s; the AWS calls
 * the {@link Aws} ports'. A LambdaFunction that publishes a new version reconciles its aliases at once.
 */
@ControllerConfiguration(name = "lambdaalias")
public class LambdaAliasReconciler implements Reconciler<LambdaAlias>, Cleaner<LambdaAlias> {
  private static final Duration WAIT_FOR_FUNCTION = Duration.ofSeconds(10);
  /** How often alarms and the error rate are read while a shift runs. */
  private static final Duration HEALTH_CHECK = Duration.ofSeconds(5);

  private final Aws aws;
  private final String defaultRegion;
  private final OperatorSettings settings;
  private final Events events;
  private final OperatorMetrics metrics;
  private final Clock clock;

  public LambdaAliasReconciler(Aws aws, String defaultRegion,
      OperatorSettings settings, Events events, OperatorMetrics metrics, Clock clock) {
    this.aws = aws;
    this.defaultRegion = defaultRegion;
    this.settings = settings;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, LambdaAlias>> prepareEventSources(EventSourceContext<LambdaAlias> context) {
    return List.of(FunctionReferences.eventSource(context, LambdaAlias.class,
        r -> r.getSpec() == null ? null : r.getSpec().functionRef));
  }

  /** The function an alias belongs to, and the version it should serve. */
  record Target(String region, String functionName, String version) {}

  @Override
  public UpdateControl<LambdaAlias> reconcile(LambdaAlias resource, Context<LambdaAlias> context) {
    LambdaAliasSpec spec = resource.getSpec();
    LambdaAliasStatus status = resource.getStatus() == null ? new LambdaAliasStatus() : resource.getStatus();
    Instant now = clock.instant();
    Target target = target(resource, context);
    status.functionName = target.functionName();
    String aliasName = resource.aliasName();
    Traits targetTraits = aws.versions().traits(target.region(), target.functionName(), target.version())
        .orElseThrow(() -> new SpecProblem("VersionNotFound", "version " + target.version() + " of "
            + target.functionName() + " does not exist", true));

    Optional<AliasSnapshot> observed = aws.aliases().get(target.region(), target.functionName(), aliasName);
    Map<String, Double> manual = spec.routing == null ? null : spec.routing.additionalVersionWeights;
    List<ShiftStep> steps = TrafficShiftPlan.steps(spec.deployment);
    Long generation = resource.getMetadata().getGeneration();
    Boolean writeAbort = null;
    if (Boolean.TRUE.equals(status.abort) && status.rolledBackAtGeneration != null
        && !status.rolledBackAtGeneration.equals(generation)) {
      // The operator rolled back; the spec changed since: try again.
      status.abort = false;
      status.rolledBackAtGeneration = null;
      writeAbort = false;
    }
    ShiftRecord lastRecorded = status.history.isEmpty() ? null : status.history.get(0);
    String stable = status.stableVersion != null ? status.stableVersion
        : observed.map(AliasSnapshot::functionVersion).orElse(target.version());
    ShiftChecks checks = new ShiftChecks(aws, target, aliasName, spec.deployment, status, stable,
        manual == null && !Boolean.TRUE.equals(status.abort), now);
    AliasPlan.Outcome outcome = AliasPlan.decide(target.version(), observed.map(AliasSnapshot::functionVersion)
        .orElse(null), manual, steps, Boolean.TRUE.equals(spec.paused), checks.beforeRouting(), status, now);
    String description = spec.description == null ? "" : spec.description;
    AliasSnapshot current = route(resource, target, targetTraits, aliasName, description, observed, outcome.routing());
    if (outcome.runPostTrafficHook()) {
      outcome = AliasPlan.decide(target.version(), current.functionVersion(), manual, steps,
          Boolean.TRUE.equals(spec.paused), checks.afterFullTraffic(), status, clock.instant());
      current = route(resource, target, targetTraits, aliasName, description, Optional.of(current), outcome.routing());
    }
    if (outcome.writeAbort() != null) {
      writeAbort = outcome.writeAbort();
      status.rolledBackAtGeneration = generation;
      events.warning(resource, "RolledBack", status.message);
    }
    status.aliasArn = current.aliasArn();
    status.revisionId = current.revisionId();
    status.observedGeneration = generation;
    boolean shifting = status.canaryVersion != null && status.phase != LambdaAliasStatus.Phase.Degraded;
    Conditions.set(status.conditions, Conditions.READY, true, "Synced", status.message, generation, now);
    Conditions.set(status.conditions, Conditions.PROGRESSING, shifting, shifting ? "Shifting" : "Idle",
        status.message, generation, now);
    boolean degraded = status.phase == LambdaAliasStatus.Phase.Degraded;
    Conditions.set(status.conditions, Conditions.DEGRADED, degraded,
        degraded ? (status.rolledBackAtGeneration != null ? "RolledBack" : "Aborted") : "Healthy",
        degraded ? status.message : "", generation, now);
    save(resource, status, outcome.clearPromoteFull(), outcome.clearPromote(), writeAbort, context);
    for (ShiftRecord r : status.history) {
      if (r == lastRecorded) {
        break;
      }
      metrics.shiftFinished(r.result);
    }
    metrics.aliasWeight(resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
        status.canaryWeight == null ? 0 : status.canaryWeight);
    Duration next = settings.resyncPeriod();
    if (shifting && checks.watchesHealth()) {
      next = next.compareTo(HEALTH_CHECK) < 0 ? next : HEALTH_CHECK;
    }
    if (outcome.nextAt() != null) {
      // From now, not from the start of this reconcile: JOSDK starts the delay when the reconcile returns.
      Duration untilNext = Duration.between(clock.instant(), outcome.nextAt());
      next = untilNext.compareTo(next) < 0 ? (untilNext.isNegative() ? Duration.ZERO : untilNext) : next;
    }
    return UpdateControl.<LambdaAlias>noUpdate().rescheduleAfter(next.plusMillis(50));
  }

  /** Writes the routing when AWS differs, and returns the alias as it is then. */
  private AliasSnapshot route(LambdaAlias resource, Target target, Traits targetTraits, String aliasName,
      String description, Optional<AliasSnapshot> observed, AliasPlan.Routing routing) {
    if (routing.additional() != null) {
      checkCompatible(target, routing, targetTraits);
    }
    if (observed.isPresent() && matches(observed.get(), routing, description)) {
      return observed.get();
    }
    AliasRouting wanted = new AliasRouting(aliasName, routing.version(), routing.additional(), routing.weight(),
        description);
    AliasSnapshot written = observed.isPresent()
        ? aws.aliases().update(target.region(), target.functionName(), wanted, observed.get().revisionId())
        : aws.aliases().create(target.region(), target.functionName(), wanted);
    events.normal(resource, observed.isPresent() ? "Routed" : "Created", resource.getStatus() == null
        ? "alias " + aliasName + " created" : "version " + routing.version()
            + (routing.additional() == null ? "" : ", " + Math.round(routing.weight() * 100) + "% to version "
                + routing.additional()));
    return written;
  }

  private Target target(LambdaAlias resource, Context<LambdaAlias> context) {
    LambdaAliasSpec spec = resource.getSpec();
    boolean latest = spec.version == null || "latest".equals(spec.version);
    if (spec.functionRef != null) {
      String namespace = resource.getMetadata().getNamespace();
      LambdaFunction fn = context.getClient().resources(LambdaFunction.class).inNamespace(namespace)
          .withName(spec.functionRef.name).get();
      if (fn == null) {
        throw new SpecProblem("FunctionNotFound", "LambdaFunction " + namespace + "/" + spec.functionRef.name
            + " does not exist", true);
      }
      if (fn.getStatus() == null || fn.getStatus().functionName == null
          || (latest && fn.getStatus().latestVersion == null)) {
        throw new SpecProblem("FunctionNotReady", "waiting for LambdaFunction " + spec.functionRef.name
            + " to publish a version", true);
      }
      String region = fn.getSpec().region != null ? fn.getSpec().region : defaultRegion;
      return new Target(region, fn.getStatus().functionName, latest ? fn.getStatus().latestVersion : spec.version);
    }
    if (!latest) {
      return new Target(defaultRegion, spec.functionName, spec.version);
    }
    String newest = aws.versions().list(defaultRegion, spec.functionName).stream()
        .map(VersionSnapshot::version).reduce((a, b) -> b)
        .orElseThrow(() -> new SpecProblem("VersionNotFound", "function " + spec.functionName
            + " has no published version for version: latest", true));
    return new Target(defaultRegion, spec.functionName, newest);
  }

  /** AWS routes one alias to two versions only when they share the execution role and dead-letter target. */
  private void checkCompatible(Target target, AliasPlan.Routing routing, Traits targetTraits) {
    Traits primary = routing.version().equals(target.version()) ? targetTraits
        : traits(target, routing.version());
    Traits additional = routing.additional().equals(target.version()) ? targetTraits
        : traits(target, routing.additional());
    if (!Objects.equals(primary.role(), additional.role())
        || !Objects.equals(primary.deadLetterTargetArn(), additional.deadLetterTargetArn())) {
      throw new SpecProblem("IncompatibleVersions", "versions " + routing.version() + " and "
          + routing.additional() + " of " + target.functionName() + " differ in execution role or dead-letter"
          + " target; AWS routes one alias only to versions that share both");
    }
  }

  private Traits traits(Target target, String version) {
    return aws.versions().traits(target.region(), target.functionName(), version)
        .orElseThrow(() -> new SpecProblem("VersionNotFound", "version " + version + " of "
            + target.functionName() + " does not exist", true));
  }

  private static boolean matches(AliasSnapshot alias, AliasPlan.Routing routing, String description) {
    return alias.functionVersion().equals(routing.version())
        && Objects.equals(alias.additionalVersion(), routing.additional())
        && Math.abs(alias.additionalWeight() - routing.weight()) < 1e-9
        && Objects.equals(alias.description() == null ? "" : alias.description(), description);
  }

  @Override
  public DeleteControl cleanup(LambdaAlias resource, Context<LambdaAlias> context) {
    LambdaAliasStatus status = resource.getStatus();
    if (status != null && status.functionName != null && status.aliasArn != null) {
      String region = regionOf(resource, context);
      aws.aliases().delete(region, status.functionName, resource.aliasName());
      events.normal(resource, "Deleted", "deleted alias " + resource.aliasName() + " of " + status.functionName);
    }
    metrics.aliasDeleted(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    return DeleteControl.defaultDelete();
  }

  private String regionOf(LambdaAlias resource, Context<LambdaAlias> context) {
    if (resource.getSpec().functionRef != null) {
      LambdaFunction fn = context.getClient().resources(LambdaFunction.class)
          .inNamespace(resource.getMetadata().getNamespace()).withName(resource.getSpec().functionRef.name).get();
      if (fn != null && fn.getSpec() != null && fn.getSpec().region != null) {
        return fn.getSpec().region;
      }
    }
    return defaultRegion;
  }

  @Override
  public ErrorStatusUpdateControl<LambdaAlias> updateErrorStatus(LambdaAlias resource, Context<LambdaAlias> context,
      Exception e) {
    LambdaAliasStatus status = resource.getStatus() == null ? new LambdaAliasStatus() : resource.getStatus();
    Long generation = resource.getMetadata().getGeneration();
    status.observedGeneration = generation;
    String reason = dev.lambdaop.reconcile.FailureReport.reason(e);
    Conditions.set(status.conditions, Conditions.READY, false, reason, e.getMessage(), generation, clock.instant());
    events.warning(resource, reason, String.valueOf(e.getMessage()));
    try {
      save(resource, status, false, false, null, context);
    } catch (RuntimeException ignored) {
      // the error itself is what matters; the status is best effort
    }
    return dev.lambdaop.reconcile.FailureReport.policy(e) == dev.lambdaop.reconcile.Failure.RetryPolicy.BACKOFF ? ErrorStatusUpdateControl.noStatusUpdate() : dev.lambdaop.reconcile.FailureReport.policy(e) == dev.lambdaop.reconcile.Failure.RetryPolicy.RECHECK ? ErrorStatusUpdateControl.<LambdaAlias>noStatusUpdate().withNoRetry().rescheduleAfter(WAIT_FOR_FUNCTION) : ErrorStatusUpdateControl.<LambdaAlias>noStatusUpdate().withNoRetry();
  }

  /**
   * Writes the status, cached at once. The user's controls (abort, promote, promoteFull) are left out of what the
   * operator applies, so that a user's change between the operator's read and write is never overwritten, except to
   * clear promote and promoteFull once used; abort is set (rollback) or cleared (spec changed) with a merge patch.
   */
  private static void save(LambdaAlias resource, LambdaAliasStatus status, boolean clearPromoteFull,
      boolean clearPromote, Boolean abort, Context<LambdaAlias> context) {
    LambdaAliasStatus written = copyWithoutControls(status);
    if (clearPromoteFull) {
      written.promoteFull = false;
    }
    if (clearPromote) {
      written.promote = false;
    }
    if (abort != null) {
      // status.abort is the user's control: written with a merge patch, never owned by the operator's apply. Were
      // it in the apply, the operator's field manager would own it, and the next apply without it would delete it:
      // a rollback would not hold.
      // (on the resource object itself: a patch by name would GET it first, which the operator's RBAC does not allow)
      context.getClient().resource(resource).subresource("status")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"abort\":" + abort + "}}");
    }
    LambdaAlias patch = new LambdaAlias();
    patch.setMetadata(new ObjectMetaBuilder().withName(resource.getMetadata().getName())
        .withNamespace(resource.getMetadata().getNamespace()).build());
    patch.setStatus(written);
    PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(resource, patch, context);
  }

  private static LambdaAliasStatus copyWithoutControls(LambdaAliasStatus status) {
    LambdaAliasStatus copy = io.fabric8.kubernetes.client.utils.Serialization.clone(status);
    copy.abort = null;
    copy.promoteFull = null;
    copy.promote = null;
    return copy;
  }
}
