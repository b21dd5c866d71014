package dev.lambdaop.eventsource;

import dev.lambdaop.api.EventSourceMapping;
import dev.lambdaop.api.EventSourceMappingSpec;
import dev.lambdaop.api.EventSourceMappingStatus;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.aws.EventSourceMappings;
import dev.lambdaop.aws.EventSourceMappings.Mapping;
import dev.lambdaop.aws.EventSourceMappings.Settings;
import dev.lambdaop.aws.Quota;
import dev.lambdaop.eventsource.MappingPlan.Target;
import dev.lambdaop.function.FunctionReferences;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.Cluster;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.Owner;
import dev.lambdaop.reconcile.ResourceReconciler;
import dev.lambdaop.reconcile.ResyncSpread;
import dev.lambdaop.reconcile.SpecProblem;
import dev.lambdaop.reconcile.Urgency;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.Events;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes an AWS event source mapping match an EventSourceMapping: resolve the target (alias, function, qualifier) →
 * observe the mapping (by status.uuid; without one, an existing mapping of the same source and target, adopted only
 * when its owner tag names this resource) → plan ({@link MappingPlan}) → create, replace, update or wait → report.
 */
@ControllerConfiguration(name = "eventsourcemapping")
public class EventSourceMappingReconciler
    extends ResourceReconciler<EventSourceMapping, EventSourceMappingStatus> {
  /** How soon a mapping AWS is still changing, a missing alias or function, is looked at again. */
  static final Duration RECHECK = Duration.ofSeconds(5);

  private final EventSourceMappings mappings;
  private final FunctionResolver functions;
  private final ResyncSpread resync;

  /** @param resync when each mapping's next drift check is due */
  public EventSourceMappingReconciler(EventSourceMappings mappings, FunctionResolver functions, Events events,
      Clock clock, ResyncSpread resync) {
    super(EventSourceMappingStatus::new, RECHECK, events, clock, functions);
    this.mappings = mappings;
    this.functions = functions;
    this.resync = resync;
  }

  /**
   * What one resync of a mapping in place reads from AWS, by quota (for {@link ResyncSpread}): the mapping
   * (GetEventSourceMapping); by functionName, the function's owner too (GetFunction).
   */
  static Map<Quota, Double> driftCost(EventSourceMappingSpec spec) {
    return spec.functionName == null ? Map.of(Quota.LAMBDA, 1.0)
        : Map.of(Quota.LAMBDA, 1.0, Quota.LAMBDA_GET_FUNCTION, 1.0);
  }

  @Override
  public List<EventSource<?, EventSourceMapping>> prepareEventSources(
      EventSourceContext<EventSourceMapping> context) {
    return List.of(FunctionReferences.eventSource(context, EventSourceMapping.class,
        r -> r.getSpec() == null ? null : r.getSpec().functionRef), AliasReferences.eventSource(context));
  }

  @Override
  public UpdateControl<EventSourceMapping> reconcile(EventSourceMapping resource, Cluster<EventSourceMapping> cluster) {
    String key = ResyncSpread.key(resource);
    resync.seen(key);
    EventSourceMappingStatus status = statusOf(resource);
    Settings desired = MappingPlan.desired(resource.getSpec());
    Target target = target(resource, cluster);
    String region = target.region();
    leaveRegion(resource, status, region);
    status.region = region;
    deleteReplaced(resource, status, region);
    boolean converged = urgency(resource) == Urgency.DRIFT;
    Optional<Mapping> observed = observe(resource, status, target, desired);
    MappingPlan.Step step = MappingPlan.plan(desired, target, observed);
    Mapping now;
    if (step instanceof MappingPlan.Create) {
      now = create(resource, status, target, desired);
    } else if (step instanceof MappingPlan.Replace replace) {
      status.replacedUuid = replace.replacedUuid(); // before the create: the old one is deleted after it
      now = create(resource, status, target, desired);
      events.normal(resource, "Replacing", "the source changed to " + desired.eventSourceArn() + ": created mapping "
          + now.uuid() + "; deleting mapping " + replace.replacedUuid() + " of "
          + observed.get().settings().eventSourceArn());
      deleteReplaced(resource, status, region);
    } else if (step instanceof MappingPlan.Update update) {
      now = update(resource, status, target, update, converged);
    } else {
      now = observed.get(); // Wait, InSync
    }
    report(status, now);
    if (now.inTransition() || status.replacedUuid != null) {
      String why = now.inTransition() ? "mapping " + now.uuid() + " is " + now.state() + " in AWS"
          : "mapping " + status.replacedUuid + " (of the previous source) is not deleted yet";
      ready(resource, status, false, now.inTransition() ? String.valueOf(now.state()) : "Replacing", why
          + "; looking again in " + RECHECK.toSeconds() + "s");
      progressing(resource, status, true, "Progressing", why);
      writeStatus(resource, status, cluster);
      return UpdateControl.<EventSourceMapping>noUpdate().rescheduleAfter(RECHECK);
    }
    ready(resource, status, true, "Synced", "mapping " + now.uuid() + " from " + desired.eventSourceArn() + " to "
        + now.functionArn() + " is " + now.state());
    progressing(resource, status, false, "Synced", "AWS is not changing the mapping");
    writeStatus(resource, status, cluster);
    resync.record(key, driftCost(resource.getSpec()));
    return UpdateControl.<EventSourceMapping>noUpdate().rescheduleAfter(resync.next(key));
  }

  /**
   * The function, version or alias the spec names, in its region. A LambdaAlias's ARN is in its status once its alias
   * exists; a LambdaFunction's once its function does; a function named by functionName must be one this namespace
   * may name ({@link FunctionResolver#resolve}: policy, owner).
   */
  private Target target(EventSourceMapping resource, Cluster<EventSourceMapping> cluster) {
    EventSourceMappingSpec spec = resource.getSpec();
    String namespace = resource.getMetadata().getNamespace();
    if (spec.aliasRef != null) {
      LambdaAlias alias = cluster.get(LambdaAlias.class, namespace, spec.aliasRef.name)
          .orElseThrow(() -> new SpecProblem("AliasNotFound", "LambdaAlias " + namespace + "/" + spec.aliasRef.name
              + " does not exist", true));
      String arn = alias.getStatus() == null ? null : alias.getStatus().aliasArn;
      if (arn == null) {
        throw new SpecProblem("AliasNotReady", "waiting for LambdaAlias " + namespace + "/" + spec.aliasRef.name
            + " to create its alias in AWS; the mapping is made as soon as the alias's ARN is known", true);
      }
      String region = alias.getStatus().region != null ? alias.getStatus().region : functions.regionOf(arn);
      return Target.of(region, arn);
    }
    FunctionResolver.Target function = functions.resolve(resource, spec.functionRef, spec.functionName, cluster);
    if (!function.created()) {
      throw new SpecProblem("FunctionNotFound", "waiting for LambdaFunction " + spec.functionRef.name
          + " to create its function; the mapping is made as soon as it exists", true);
    }
    String name = spec.functionRef != null ? function.resource().getStatus().functionArn : spec.functionName;
    return Target.of(function.region(), spec.qualifier == null ? name : name + ":" + spec.qualifier);
  }

  /**
   * The mapping this resource manages: by status.uuid; without one (a new resource, or its status lost), the mapping of
   * the same source and target if there is one, which AWS would refuse to create twice. That one is adopted only when
   * its owner tag names this resource; another's is AlreadyExists, and AWS is left alone.
   */
  private Optional<Mapping> observe(EventSourceMapping resource, EventSourceMappingStatus status, Target target,
      Settings desired) {
    if (status.uuid != null) {
      return mappings.get(target.region(), status.uuid);
    }
    Optional<Mapping> existing = mappings.list(target.region(), target.request(), desired.eventSourceArn()).stream()
        .filter(m -> desired.eventSourceArn().equals(m.settings().eventSourceArn()) && target.is(m.functionArn()))
        .findFirst();
    if (existing.isEmpty()) {
      return existing;
    }
    Mapping found = existing.get();
    String owner = mappings.tags(target.region(), mappingArn(target.region(), found)).get(Owner.FUNCTION_TAG);
    if (owner == null || !functions.owns(resource, owner)) {
      throw new SpecProblem("AlreadyExists", "AWS already has mapping " + found.uuid() + " from "
          + desired.eventSourceArn() + " to " + found.functionArn() + ", which "
          + (owner == null ? "the operator did not create" : "belongs to " + Owner.parse(owner, functions.clusterId())
              .describe(functions.clusterId())) + " (tag " + Owner.FUNCTION_TAG + "). Nothing was changed in AWS."
          + " Delete that mapping (aws lambda delete-event-source-mapping --uuid " + found.uuid() + "), or tag it "
          + Owner.FUNCTION_TAG + "=" + functions.owner(resource).value() + " for this resource to adopt it");
    }
    status.uuid = found.uuid();
    events.normal(resource, "Adopted", "adopted mapping " + found.uuid() + " (its owner tag names this resource)");
    return existing;
  }

  private Mapping create(EventSourceMapping resource, EventSourceMappingStatus status, Target target,
      Settings desired) {
    Mapping created;
    try {
      created = mappings.create(target.region(), target.request(), desired,
          Map.of(Owner.FUNCTION_TAG, functions.owner(resource).value()));
    } catch (AwsFailure f) {
      if ("NotFound".equals(f.reason())) {
        throw new SpecProblem("FunctionNotFound", f.getMessage() + "; the mapping is made as soon as the function"
            + " (and its version or alias) exists", true);
      }
      throw f;
    }
    boolean recreated = status.uuid != null && status.replacedUuid == null;
    if (recreated) {
      events.warning(resource, "MappingRecreated", "mapping " + status.uuid + " was deleted outside the operator;"
          + " created mapping " + created.uuid() + " again");
    } else {
      events.normal(resource, "Created", "created mapping " + created.uuid() + " from " + desired.eventSourceArn()
          + " to " + target.request());
    }
    status.uuid = created.uuid();
    return created;
  }

  private Mapping update(EventSourceMapping resource, EventSourceMappingStatus status, Target target,
      MappingPlan.Update update, boolean drift) {
    Mapping updated;
    try {
      updated = mappings.update(target.region(), status.uuid, update.function(), update.changes());
    } catch (AwsFailure f) {
      if ("NotFound".equals(f.reason())) {
        // deleted since it was read: the next pass creates it again
        throw new AwsFailure(f.operation(), AwsFailure.Retry.SOON, "Conflict", f.getMessage(), f);
      }
      throw f;
    }
    String fields = String.join(", ", update.fields());
    if (drift) {
      events.warning(resource, "MappingRestored", "mapping " + status.uuid + " was changed outside the operator ("
          + fields + "); set back to the spec");
    } else {
      events.normal(resource, "Updated", "updated mapping " + status.uuid + ": " + fields);
    }
    return updated;
  }

  /**
   * A target in another region: a mapping reads a source of its function's region, so the mappings of the region the
   * status names are deleted before one is made in the new region (AWS still changing one: retried with backoff).
   */
  private void leaveRegion(EventSourceMapping resource, EventSourceMappingStatus status, String region) {
    if (status.region == null || status.region.equals(region)) {
      return;
    }
    for (String uuid : Arrays.asList(status.replacedUuid, status.uuid)) {
      if (uuid != null && mappings.delete(status.region, uuid)) {
        events.normal(resource, "Deleted", "deleted mapping " + uuid + " in " + status.region
            + " (the target is in " + region + " now)");
      }
    }
    status.uuid = null;
    status.replacedUuid = null;
  }

  /** Deletes the mapping a replacement left behind, unless AWS is still changing it (then a later pass does). */
  private void deleteReplaced(EventSourceMapping resource, EventSourceMappingStatus status, String region) {
    if (status.replacedUuid == null) {
      return;
    }
    try {
      if (mappings.delete(region, status.replacedUuid)) {
        events.normal(resource, "Deleted", "deleted mapping " + status.replacedUuid + " of the previous source");
      }
      status.replacedUuid = null;
    } catch (AwsFailure f) {
      if (!"Conflict".equals(f.reason())) {
        throw f;
      }
    }
  }

  private static void report(EventSourceMappingStatus status, Mapping mapping) {
    status.uuid = mapping.uuid();
    status.state = mapping.state();
    status.functionArn = mapping.functionArn();
    status.eventSourceArn = mapping.settings().eventSourceArn();
    status.lastProcessingResult = mapping.lastProcessingResult();
    status.stateTransitionReason = mapping.stateTransitionReason();
  }

  private void progressing(EventSourceMapping resource, EventSourceMappingStatus status, boolean progressing,
      String reason, String message) {
    Conditions.set(status.conditions, Conditions.PROGRESSING, progressing, reason, message,
        resource.getMetadata().getGeneration(), clock.instant());
  }

  /** The mapping's ARN: as AWS reports it, else built from its function's account (older endpoints omit it). */
  private static String mappingArn(String region, Mapping mapping) {
    if (mapping.mappingArn() != null) {
      return mapping.mappingArn();
    }
    String[] parts = String.valueOf(mapping.functionArn()).split(":");
    String account = parts.length > 4 ? parts[4] : "";
    return "arn:aws:lambda:" + region + ":" + account + ":event-source-mapping:" + mapping.uuid();
  }

  @Override
  public DeleteControl cleanup(EventSourceMapping resource, Cluster<EventSourceMapping> cluster) {
    resync.forget(ResyncSpread.key(resource)); // no more resyncs, whatever the deletion below does
    EventSourceMappingStatus status = resource.getStatus();
    EventSourceMappingSpec spec = resource.getSpec();
    if (status == null || (status.uuid == null && status.replacedUuid == null)) {
      return DeleteControl.defaultDelete();
    }
    if (spec.deletionPolicy == LambdaFunctionSpec.DeletionPolicy.Retain) {
      events.normal(resource, "Retained", "mapping " + status.uuid + " is left in AWS (deletionPolicy Retain)");
      return DeleteControl.defaultDelete();
    }
    String region = status.region != null ? status.region
        : functions.regionForCleanup(resource, null, spec.functionRef, spec.functionName, cluster);
    for (String uuid : Arrays.asList(status.replacedUuid, status.uuid)) {
      if (uuid == null) {
        continue;
      }
      try {
        if (mappings.delete(region, uuid)) {
          events.normal(resource, "Deleted", "deleted mapping " + uuid);
        }
      } catch (AwsFailure f) {
        if ("Conflict".equals(f.reason())) {
          // AWS is creating or updating it: a mapping cannot be deleted meanwhile
          return DeleteControl.noFinalizerRemoval().rescheduleAfter(RECHECK);
        }
        throw f;
      }
    }
    return DeleteControl.defaultDelete();
  }
}
