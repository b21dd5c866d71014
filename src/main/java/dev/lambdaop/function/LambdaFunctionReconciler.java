package dev.lambdaop.function;

import dev.lambdaop.reconcile.SpecProblem;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.api.LambdaFunctionStatus.PublishedVersion;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionSnapshot;
import dev.lambdaop.aws.Aws;
import dev.lambdaop.aws.ObservedFunction;
import dev.lambdaop.aws.VersionSnapshot;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.Events;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes an AWS Lambda function match a LambdaFunction: create, update code and configuration, revert drift, publish
 * one version per distinct (code, configuration), and on deletion remove or retain the function. The decisions are
 * {@link DesiredFunction} and {@link FunctionPlanner}'s; the AWS calls are the {@link Aws} ports'.
 */
@ControllerConfiguration(name = "lambdafunction")
public class LambdaFunctionReconciler implements Reconciler<LambdaFunction>, Cleaner<LambdaFunction> {
  private static final Logger LOG = LoggerFactory.getLogger(LambdaFunctionReconciler.class);
  /** How long one reconcile waits for an update to finish before it looks again later. */
  private static final Duration SETTLE_WAIT = Duration.ofSeconds(10);
  private static final Duration SETTLE_RECHECK = Duration.ofSeconds(3);
  private static final int VERSIONS_IN_STATUS = 20;
  /** Marks the versions the operator published, so a lost status can be rebuilt from AWS. */
  static final String VERSION_MARKER = "lambdaop spec ";

  private final Aws aws;
  private final String defaultRegion;
  private final OperatorSettings settings;
  private final Events events;
  private final Clock clock;

  public LambdaFunctionReconciler(Aws aws, String defaultRegion,
      OperatorSettings settings, Events events, Clock clock) {
    this.aws = aws;
    this.defaultRegion = defaultRegion;
    this.settings = settings;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, LambdaFunction>> prepareEventSources(EventSourceContext<LambdaFunction> context) {
    return ReferencedObjects.eventSources(context);
  }

  @Override
  public UpdateControl<LambdaFunction> reconcile(LambdaFunction resource, Context<LambdaFunction> context) {
    LambdaFunctionStatus status = currentStatus(resource);
    String namespace = resource.getMetadata().getNamespace();
    DesiredFunction desired = DesiredFunction.resolve(resource, defaultRegion,
        new KubernetesReferences(context.getClient(), namespace), aws.code()::head);
    status.functionName = desired.config().functionName();
    if (desired.specDigest().equals(status.rejectedSpecDigest)) {
      // AWS refused this very spec in a way no retry can fix: wait for the spec (or a referenced value) to change.
      return UpdateControl.noUpdate();
    }
    try {
      return converge(resource, desired, status, context);
    } catch (AwsFailure failure) {
      if (failure.retry() == AwsFailure.Retry.NEVER) {
        throw new SpecRejected(failure, desired.specDigest());
      }
      throw failure;
    }
  }

  private UpdateControl<LambdaFunction> converge(LambdaFunction resource, DesiredFunction desired,
      LambdaFunctionStatus status, Context<LambdaFunction> context) {
    String region = desired.region();
    String name = desired.config().functionName();
    Optional<ObservedFunction> observed = aws.functions().get(region, name);
    FunctionSnapshot state;
    if (observed.isEmpty()) {
      aws.functions().create(region, desired.config(), desired.code());
      events.normal(resource, "Created", "created function " + name + " in " + region);
      state = aws.functions().awaitSettled(region, name, SETTLE_WAIT);
      recordCode(status, desired, state);
    } else {
      ObservedFunction current = observed.get();
      String owner = current.config().tags().get(DesiredFunction.OWNER_TAG);
      if (!DesiredFunction.owner(resource).equals(owner)) {
        throw new SpecProblem("AlreadyExists", "a function named " + name + " already exists in " + region
            + (owner == null ? " and was not created by lambda-operator" : " and belongs to " + owner)
            + ". Set spec.functionName to another name, or tag the function " + DesiredFunction.OWNER_TAG + "="
            + DesiredFunction.owner(resource) + " to adopt it.");
      }
      state = current.snapshot();
      if (!state.settled()) {
        return progressing(resource, status, context, "waiting for AWS to finish an update (" + describe(state) + ")");
      }
      FunctionPlan plan = FunctionPlanner.plan(desired, current, status.codeIdentity, status.codeSha256);
      if (!plan.isEmpty()) {
        state = apply(resource, desired, current, plan, status);
        if (!state.settled()) {
          return progressing(resource, status, context, "waiting for AWS to finish updating " + plan.describe());
        }
      }
    }
    if (!state.settled()) {
      return progressing(resource, status, context, "waiting for the new function to become Active (" + describe(state) + ")");
    }
    status.functionArn = state.functionArn();
    status.state = state.state();
    status.lastUpdateStatus = state.lastUpdateStatus();
    status.codeSha256 = state.codeSha256();
    status.revisionId = state.revisionId();
    if (state.failed()) {
      throw new SpecProblem("FunctionFailed", "AWS reports the function " + describe(state) + ": "
          + Optional.ofNullable(state.lastUpdateStatusReason()).orElse(state.stateReason()), true);
    }
    if (DesiredFunction.publishes(resource.getSpec())) {
      boolean published = publish(resource, desired, state, status);
      boolean specChanged = !resource.getMetadata().getGeneration().equals(status.observedGeneration);
      if (published || specChanged) {
        retain(resource, desired, status);
      }
    }
    status.specDigest = desired.specDigest();
    status.rejectedSpecDigest = null;
    status.observedGeneration = resource.getMetadata().getGeneration();
    String message = status.latestVersion == null
        ? "function " + name + " matches the spec"
        : "function " + name + " matches the spec; version " + status.latestVersion + " published for it";
    Conditions.set(status.conditions, Conditions.READY, true, "Synced", message,
        resource.getMetadata().getGeneration(), clock.instant());
    saveStatus(resource, status, context);
    return UpdateControl.<LambdaFunction>noUpdate().rescheduleAfter(settings.resyncPeriod());
  }

  /** Applies a plan: code first (it may carry the architecture), then configuration, then tags. */
  private FunctionSnapshot apply(LambdaFunction resource, DesiredFunction desired, ObservedFunction current,
      FunctionPlan plan, LambdaFunctionStatus status) {
    String region = desired.region();
    String name = desired.config().functionName();
    boolean specChanged = !desired.specDigest().equals(status.specDigest)
        || !resource.getMetadata().getGeneration().equals(status.observedGeneration);
    if (!specChanged) {
      events.warning(resource, "DriftReverted", "reverting changes made outside the operator to: " + plan.describe());
    }
    FunctionSnapshot state = current.snapshot();
    if (plan.updateCode()) {
      aws.functions().updateCode(region, name, desired.code(), desired.config().architecture(), state.revisionId());
      state = aws.functions().awaitSettled(region, name, SETTLE_WAIT);
      recordCode(status, desired, state);
      if (!state.settled()) {
        return state;
      }
    }
    if (plan.updateConfiguration()) {
      aws.functions().updateConfiguration(region, desired.config(), desired.code() instanceof CodeSource.Image,
          state.revisionId());
      state = aws.functions().awaitSettled(region, name, SETTLE_WAIT);
      if (state.settled()) {
        verifyApplied(desired, status);
      }
    }
    if (!plan.tagsToSet().isEmpty()) {
      aws.functions().tag(region, name, state.functionArn(), plan.tagsToSet());
    }
    if (!plan.tagsToRemove().isEmpty()) {
      aws.functions().untag(region, name, state.functionArn(), plan.tagsToRemove());
    }
    if (specChanged) {
      events.normal(resource, "Updated", "updated " + plan.describe());
    }
    LOG.info("{}/{}: updated {}", resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
        plan.describe());
    return state;
  }

  /**
   * Reads the function back after a configuration update. If AWS accepted the update but still reports other values
   * (an endpoint that ignores a setting, or normalises it differently), writing again at every resync would loop
   * forever: instead the resource says which settings did not take, and waits for the spec to change.
   */
  private void verifyApplied(DesiredFunction desired, LambdaFunctionStatus status) {
    String name = desired.config().functionName();
    aws.functions().get(desired.region(), name).ifPresent(after -> {
      List<String> notApplied = FunctionPlanner.plan(desired, after, status.codeIdentity, status.codeSha256)
          .changedFields().stream().filter(f -> !f.equals("architecture")).toList();
      if (!notApplied.isEmpty()) {
        throw new AwsFailure("UpdateFunctionConfiguration", AwsFailure.Retry.NEVER, "UpdateNotApplied",
            "AWS accepted the update of " + name + " but still reports different " + String.join(", ", notApplied)
                + "; not retrying until the spec changes", null);
      }
    });
  }

  /**
   * Publishes one version per distinct spec digest. The version's description carries the digest, so that after a
   * lost status the version is found in AWS rather than published twice.
   */
  private boolean publish(LambdaFunction resource, DesiredFunction desired, FunctionSnapshot state,
      LambdaFunctionStatus status) {
    Optional<PublishedVersion> known = status.versions.stream()
        .filter(v -> desired.specDigest().equals(v.specDigest) && state.codeSha256().equals(v.codeSha256))
        .findFirst();
    if (known.isPresent()) {
      status.latestVersion = known.get().version;
      return false;
    }
    String region = desired.region();
    String name = desired.config().functionName();
    String marker = VERSION_MARKER + desired.specDigest();
    Optional<VersionSnapshot> existing = aws.versions().list(region, name).stream()
        .filter(v -> marker.equals(v.description()) && state.codeSha256().equals(v.codeSha256()))
        .reduce((first, second) -> second);
    VersionSnapshot version = existing.orElseGet(() -> {
      VersionSnapshot published = aws.versions().publish(region, name, state.codeSha256(), state.revisionId(), marker);
      events.normal(resource, "Published", "published version " + published.version() + " of " + name);
      return published;
    });
    status.versions.add(0, new PublishedVersion(version.version(), version.codeSha256(), desired.specDigest(),
        clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()));
    while (status.versions.size() > VERSIONS_IN_STATUS) {
      status.versions.remove(status.versions.size() - 1);
    }
    status.latestVersion = version.version();
    return true;
  }

  /**
   * Deletes versions beyond the newest {@code versions.retain}, never one an alias routes to nor the current one.
   * Runs after a publish or a spec change only, so a steady resync reads nothing for it.
   */
  private void retain(LambdaFunction resource, DesiredFunction desired, LambdaFunctionStatus status) {
    LambdaFunctionSpec.VersionPolicy policy = resource.getSpec().versions;
    if (policy == null || policy.retain == null) {
      return;
    }
    String region = desired.region();
    String name = desired.config().functionName();
    List<VersionSnapshot> versions = aws.versions().list(region, name);
    if (versions.size() <= policy.retain) {
      return;
    }
    Set<String> protectedVersions = new TreeSet<>(aws.aliases().versionsInUse(region, name));
    protectedVersions.add(status.latestVersion);
    List<String> deleted = new ArrayList<>();
    for (String version : VersionRetention.toDelete(versions, policy.retain, protectedVersions)) {
      try {
        aws.versions().delete(region, name, version);
        deleted.add(version);
      } catch (AwsFailure f) {
        if (f.retry() != AwsFailure.Retry.SOON) {
          throw f;
        }
        // An alias started using it since we read the aliases: AWS refuses, and the version stays.
        events.normal(resource, "VersionInUse", "version " + version + " is kept: " + f.getMessage());
      }
    }
    if (!deleted.isEmpty()) {
      status.versions.removeIf(v -> deleted.contains(v.version));
      events.normal(resource, "VersionsDeleted", "deleted versions " + String.join(", ", deleted) + " of " + name
          + " (versions.retain: " + policy.retain + ")");
    }
  }

  @Override
  public DeleteControl cleanup(LambdaFunction resource, Context<LambdaFunction> context) {
    List<String> aliases = context.getClient().resources(LambdaAlias.class)
        .inNamespace(resource.getMetadata().getNamespace()).list().getItems().stream()
        .filter(a -> a.getSpec() != null && a.getSpec().functionRef != null
            && resource.getMetadata().getName().equals(a.getSpec().functionRef.name))
        .map(a -> a.getMetadata().getName()).sorted().toList();
    if (!aliases.isEmpty()) {
      // Deleting the function would break the aliases half-way: wait until they are gone.
      String message = "deletion waits for the LambdaAliases that use this function: " + String.join(", ", aliases);
      LambdaFunctionStatus status = currentStatus(resource);
      Conditions.set(status.conditions, Conditions.READY, false, "DeletionWaitsForAliases", message,
          resource.getMetadata().getGeneration(), clock.instant());
      events.normal(resource, "DeletionWaitsForAliases", message);
      saveErrorStatus(resource, status, context);
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(SETTLE_RECHECK);
    }
    LambdaFunctionSpec spec = resource.getSpec();
    String name = resource.functionName();
    String region = spec != null && spec.region != null ? spec.region : defaultRegion;
    if (spec != null && spec.deletionPolicy == LambdaFunctionSpec.DeletionPolicy.Retain) {
      events.normal(resource, "Retained", "deletionPolicy is Retain: function " + name + " stays in AWS");
      return DeleteControl.defaultDelete();
    }
    Optional<ObservedFunction> observed = aws.functions().get(region, name);
    if (observed.isEmpty()) {
      return DeleteControl.defaultDelete();
    }
    String owner = observed.get().config().tags().get(DesiredFunction.OWNER_TAG);
    if (!DesiredFunction.owner(resource).equals(owner)) {
      events.warning(resource, "NotDeleted", "function " + name + " is not owned by this resource ("
          + DesiredFunction.OWNER_TAG + "=" + owner + "); left in place");
      return DeleteControl.defaultDelete();
    }
    aws.functions().delete(region, name);
    events.normal(resource, "Deleted", "deleted function " + name + " from " + region);
    return DeleteControl.defaultDelete();
  }

  @Override
  public ErrorStatusUpdateControl<LambdaFunction> updateErrorStatus(LambdaFunction resource,
      Context<LambdaFunction> context, Exception e) {
    LambdaFunctionStatus status = currentStatus(resource);
    Long generation = resource.getMetadata().getGeneration();
    status.observedGeneration = generation;
    if (e instanceof SpecProblem problem) {
      Conditions.set(status.conditions, Conditions.READY, false, problem.reason(), problem.getMessage(), generation,
          clock.instant());
      events.warning(resource, problem.reason(), problem.getMessage());
      saveErrorStatus(resource, status, context);
      // Not retried: a change of the spec starts the next attempt (and, for problems another object can end, the
      // next resync).
      ErrorStatusUpdateControl<LambdaFunction> control = ErrorStatusUpdateControl.<LambdaFunction>noStatusUpdate()
          .withNoRetry();
      return problem.recheck() ? control.rescheduleAfter(settings.resyncPeriod()) : control;
    }
    if (e instanceof SpecRejected rejected) {
      // Not retried, and not tried again at resync either, until the spec (or a referenced value) changes.
      AwsFailure failure = rejected.failure();
      status.rejectedSpecDigest = rejected.specDigest();
      Conditions.set(status.conditions, Conditions.READY, false, failure.reason(), failure.getMessage(), generation,
          clock.instant());
      events.warning(resource, failure.reason(), failure.getMessage());
      saveErrorStatus(resource, status, context);
      return ErrorStatusUpdateControl.<LambdaFunction>noStatusUpdate().withNoRetry();
    }
    if (e instanceof AwsFailure failure) {
      // Worth retrying: JOSDK backs off exponentially (see LambdaOperator). A read that cannot succeed (while
      // resolving the spec, before any write) is looked at again at the next resync only.
      Conditions.set(status.conditions, Conditions.READY, false, failure.reason(), failure.getMessage(), generation,
          clock.instant());
      events.warning(resource, failure.reason(), failure.getMessage());
      saveErrorStatus(resource, status, context);
      ErrorStatusUpdateControl<LambdaFunction> control = ErrorStatusUpdateControl.noStatusUpdate();
      return failure.retry() == AwsFailure.Retry.NEVER ? control.withNoRetry() : control;
    }
    Conditions.set(status.conditions, Conditions.READY, false, "InternalError",
        e.getClass().getSimpleName() + ": " + e.getMessage(), generation, clock.instant());
    LOG.error("{}/{}: unexpected failure", resource.getMetadata().getNamespace(), resource.getMetadata().getName(), e);
    saveErrorStatus(resource, status, context);
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  /** An error's status is best effort: failing to write it must not hide the error that is being reported. */
  private static void saveErrorStatus(LambdaFunction resource, LambdaFunctionStatus status,
      Context<LambdaFunction> context) {
    try {
      saveStatus(resource, status, context);
    } catch (RuntimeException e) {
      LOG.warn("{}/{}: could not write the status: {}", resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(), e.getMessage());
    }
  }

  /** AWS refused a spec in a way that only a change of the spec can fix. */
  static final class SpecRejected extends RuntimeException {
    private final AwsFailure failure;
    private final String specDigest;

    SpecRejected(AwsFailure failure, String specDigest) {
      super(failure.getMessage(), failure);
      this.failure = failure;
      this.specDigest = specDigest;
    }

    AwsFailure failure() {
      return failure;
    }

    String specDigest() {
      return specDigest;
    }
  }

  private UpdateControl<LambdaFunction> progressing(LambdaFunction resource, LambdaFunctionStatus status,
      Context<LambdaFunction> context, String why) {
    Conditions.set(status.conditions, Conditions.READY, false, "Progressing", why,
        resource.getMetadata().getGeneration(), clock.instant());
    saveStatus(resource, status, context);
    return UpdateControl.<LambdaFunction>noUpdate().rescheduleAfter(SETTLE_RECHECK);
  }

  /**
   * Writes the status and puts the result in the operator's cache at once. The status is the operator's memory (what
   * code was deployed, which versions were published): a reconcile that starts before the watch delivers the write
   * must not see the previous status, or it would record old code and list deleted versions again.
   */
  private static void saveStatus(LambdaFunction resource, LambdaFunctionStatus status,
      Context<LambdaFunction> context) {
    PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(resource, statusPatch(resource, status), context);
  }

  private static void recordCode(LambdaFunctionStatus status, DesiredFunction desired, FunctionSnapshot state) {
    status.codeIdentity = desired.code().identity();
    status.codeSha256 = state.codeSha256();
  }

  private static String describe(FunctionSnapshot state) {
    return "State=" + state.state() + ", LastUpdateStatus=" + state.lastUpdateStatus();
  }

  private static LambdaFunctionStatus currentStatus(LambdaFunction resource) {
    return resource.getStatus() == null ? new LambdaFunctionStatus() : resource.getStatus();
  }

  /** A fresh object with only what a status patch needs, so nothing else of the user's resource is sent back. */
  private static LambdaFunction statusPatch(LambdaFunction resource, LambdaFunctionStatus status) {
    LambdaFunction patch = new LambdaFunction();
    patch.setMetadata(new ObjectMetaBuilder()
        .withName(resource.getMetadata().getName())
        .withNamespace(resource.getMetadata().getNamespace())
        .build());
    patch.setStatus(status);
    return patch;
  }
}
