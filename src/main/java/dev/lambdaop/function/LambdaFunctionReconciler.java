package dev.lambdaop.function;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.aws.Aws;
import dev.lambdaop.aws.FunctionSnapshot;
import dev.lambdaop.aws.ObservedFunction;
import dev.lambdaop.aws.Quota;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.Cluster;
import dev.lambdaop.reconcile.Failure;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.Owner;
import dev.lambdaop.reconcile.ResourceReconciler;
import dev.lambdaop.reconcile.ResyncSpread;
import dev.lambdaop.reconcile.SpecProblem;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.Events;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes an AWS Lambda function match a LambdaFunction: create, update code and configuration, revert drift, publish
 * one version per distinct (code, configuration), and on deletion remove or retain the function. The decisions are
 * {@link DesiredFunction}'s and {@link FunctionPlanner}'s; the writes are {@link FunctionDeployer}'s,
 * {@link VersionPublisher}'s, {@link VersionCleanup}'s and {@link FunctionDeletion}'s.
 */
@ControllerConfiguration(name = "lambdafunction")
public class LambdaFunctionReconciler extends ResourceReconciler<LambdaFunction, LambdaFunctionStatus> {
  /** When to look again at a function AWS is still updating, or at a deletion that waits for aliases. */
  private static final Duration SETTLE_RECHECK = Duration.ofSeconds(3);
  /**
   * When to look again right after this pass's own create or update left AWS at work: no reconcile thread waits for
   * AWS, and most creates and updates of a function without a VPC end within a second or two. A pass that then finds
   * AWS still at work looks again after {@link #SETTLE_RECHECK}.
   */
  static final Duration WRITE_SETTLE_RECHECK = Duration.ofSeconds(1);
  /** AWS's refusal of a publish for want of code storage ({@code aws.sdk.AwsErrors}). */
  static final String CODE_STORAGE_EXCEEDED = "CodeStorageExceeded";

  private final Aws aws;
  private final FunctionResolver functions;
  private final OperatorSettings settings;
  private final FunctionDeployer deployer;
  private final VersionPublisher publisher;
  private final VersionCleanup versionCleanup;
  private final FunctionDeletion deletion;
  private final DigestKey digestKey;
  private final ResyncSpread resync;

  /**
   * @param digestKey the installation's key for digests of specs with Secret values ({@link DigestKey})
   * @param resync when each function's next drift check is due
   */
  public LambdaFunctionReconciler(Aws aws, FunctionResolver functions, OperatorSettings settings, Events events,
      Clock clock, DigestKey digestKey, ResyncSpread resync) {
    super(LambdaFunctionStatus::new, settings.resyncPeriod(), events, clock, functions);
    this.aws = aws;
    this.functions = functions;
    this.settings = settings;
    this.deployer = new FunctionDeployer(aws.functions(), events);
    this.publisher = new VersionPublisher(aws.versions(), events, clock, settings.resyncPeriod());
    this.versionCleanup = new VersionCleanup(aws.versions(), aws.aliases(), events);
    this.deletion = new FunctionDeletion(aws.functions(), functions, events);
    this.digestKey = digestKey;
    this.resync = resync;
  }

  /**
   * What one resync of a synced function reads from AWS on average, by quota (for {@link ResyncSpread}): GetFunction;
   * for a function that publishes versions, a second GetFunction (its latest version) at two drift checks in three
   * and a ListVersionsByFunction at the third ({@link VersionPublisher}; counted as one call, it takes one per 50
   * versions). S3's HeadObject, for code in S3, counts against no Lambda quota.
   */
  static Map<Quota, Double> driftCost(LambdaFunctionSpec spec) {
    return DesiredFunction.publishes(spec)
        ? Map.of(Quota.LAMBDA_GET_FUNCTION, 2.0 - 1.0 / VersionPublisher.FULL_CHECKS_EVERY,
            Quota.LAMBDA, 1.0 / VersionPublisher.FULL_CHECKS_EVERY)
        : Map.of(Quota.LAMBDA_GET_FUNCTION, 1.0);
  }

  @Override
  public List<EventSource<?, LambdaFunction>> prepareEventSources(EventSourceContext<LambdaFunction> context) {
    return ReferencedObjects.eventSources(context);
  }

  @Override
  public UpdateControl<LambdaFunction> reconcile(LambdaFunction resource, Cluster<LambdaFunction> cluster) {
    resync.seen(ResyncSpread.key(resource));
    LambdaFunctionStatus status = statusOf(resource);
    // Before anything else reads AWS (the code's S3 object included): nothing is passed for a refused role or name.
    functions.checkPolicy(resource, cluster);
    refuseMovedRegion(resource, status);
    DesiredFunction desired = DesiredFunction.resolve(resource, functions,
        new KubernetesReferences(cluster, resource.getMetadata().getNamespace()), aws.code()::head, digestKey);
    status.functionName = desired.config().functionName();
    status.region = desired.region();
    if (desired.attemptDigest().equals(status.rejectedSpecDigest)) {
      // AWS refused this very spec in a way no retry can fix: wait for the spec (or a referenced value) to change.
      // The digest covers the whole spec (tags, versions.retain, ...), not only what a version captures.
      return UpdateControl.noUpdate();
    }
    try {
      return converge(resource, desired, status, cluster);
    } catch (Failure failure) {
      // AWS quotes environment values in its messages (its 4 KB error quotes them all): what leaves here, for the
      // status, the event and the log, is redacted, and AWS's exception is not kept as the cause.
      Failure safe = desired.redaction().redact(failure);
      if (safe instanceof AwsFailure aws && aws.retry() == AwsFailure.Retry.NEVER) {
        throw safe.rejecting(desired.attemptDigest());
      }
      throw safe;
    }
  }

  /**
   * A function without spec.region lives in its default region: the namespace's (annotation lambdaop.dev/aws-region)
   * or the operator's. When that default changes after the function was made, the pass stops before any AWS call
   * (RegionChanged), as for a namespace moved to another account: it would otherwise create a twin in the new region
   * and leave the old one unmanaged.
   */
  private void refuseMovedRegion(LambdaFunction resource, LambdaFunctionStatus status) {
    String now = functions.region(resource.getSpec());
    if (status.region != null && resource.getSpec().region == null && !status.region.equals(now)) {
      throw new SpecProblem("RegionChanged", "function " + status.functionName + " lives in " + status.region
          + " (status.region), but the default region of namespace " + resource.getMetadata().getNamespace()
          + " is now " + now + " (annotation " + dev.lambdaop.reconcile.AccountMapping.REGION
          + " of its Namespace, else the operator's region): nothing was done in either region. Restore the"
          + " default region, or set spec.region: " + status.region + " on a new LambdaFunction.", true);
    }
  }

  @Override
  protected void rememberRejectedSpec(LambdaFunctionStatus status, String specDigest) {
    status.rejectedSpecDigest = specDigest;
  }

  /** Observe, plan, apply, publish, report. */
  private UpdateControl<LambdaFunction> converge(LambdaFunction resource, DesiredFunction desired,
      LambdaFunctionStatus status, Cluster<LambdaFunction> cluster) {
    String name = desired.config().functionName();
    Optional<ObservedFunction> observed = aws.functions().get(desired.region(), name);
    FunctionSnapshot state;
    if (observed.isEmpty()) {
      state = deployer.create(resource, desired, status);
    } else {
      ObservedFunction current = observed.get();
      refuseForeign(resource, desired, current);
      state = current.snapshot();
      if (!state.settled()) {
        return progressing(resource, status, cluster, "waiting for AWS to finish an update (" + describe(state) + ")",
            SETTLE_RECHECK);
      }
      FunctionPlan plan = FunctionPlanner.plan(desired, current, status.codeIdentity, status.codeSha256);
      deployer.checkTook(resource, desired, current, plan);
      if (!plan.isEmpty()) {
        state = deployer.apply(resource, desired, current, plan, status);
        if (!state.settled()) {
          return progressing(resource, status, cluster, "waiting for AWS to finish updating " + plan.describe(),
              WRITE_SETTLE_RECHECK);
        }
      }
    }
    if (!state.settled()) {
      return progressing(resource, status, cluster,
          "waiting for the new function to become Active (" + describe(state) + ")", WRITE_SETTLE_RECHECK);
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
      boolean published = publish(resource, desired, state, status, observed.isEmpty());
      boolean specChanged = !resource.getMetadata().getGeneration().equals(status.observedGeneration);
      if (published || specChanged) {
        versionCleanup.deleteOld(resource, desired, status);
      }
    }
    status.specDigest = desired.specDigest();
    status.rejectedSpecDigest = null;
    ready(resource, status, true, "Synced", status.latestVersion == null
        ? "function " + name + " matches the spec"
        : "function " + name + " matches the spec; version " + status.latestVersion + " published for it");
    writeStatus(resource, status, cluster);
    String key = ResyncSpread.key(resource);
    resync.record(key, driftCost(resource.getSpec()));
    return UpdateControl.<LambdaFunction>noUpdate().rescheduleAfter(resync.next(key));
  }

  /**
   * Publishes the version of the spec. Retention runs after a publish (the new version counts among those kept), so
   * when AWS refuses the publish for want of code storage, the versions that retention would delete after it are
   * deleted first, and the publish is tried once more.
   */
  private boolean publish(LambdaFunction resource, DesiredFunction desired, FunctionSnapshot state,
      LambdaFunctionStatus status, boolean created) {
    try {
      return publisher.publish(resource, desired, state, status, created);
    } catch (AwsFailure refused) {
      if (!CODE_STORAGE_EXCEEDED.equals(refused.reason()) || !versionCleanup.makeRoom(resource, desired, status)) {
        throw refused;
      }
      return publisher.publish(resource, desired, state, status, created);
    }
  }

  /**
   * A function of the same name that this resource did not create is not taken over without its owner tag. A legacy
   * tag namespace/name (written before cluster ids) of this resource counts as this cluster's: the planner re-tags it.
   */
  private void refuseForeign(LambdaFunction resource, DesiredFunction desired, ObservedFunction current) {
    String owner = current.config().tags().get(DesiredFunction.OWNER_TAG);
    if (!functions.owns(resource, owner)) {
      throw new SpecProblem("AlreadyExists", "a function named " + desired.config().functionName()
          + " already exists in " + desired.region()
          + (owner == null ? " and was not created by lambda-operator"
              : " and belongs to " + Owner.parse(owner, functions.clusterId()).describe(functions.clusterId()))
          + ". Set spec.functionName to another name, or tag the function " + DesiredFunction.OWNER_TAG + "="
          + functions.owner(resource).value() + " to adopt it.");
    }
  }

  /**
   * AWS is busy with the function: say so, and look again after {@code recheck} (the generation is not observed
   * yet). The reconcile thread never waits for AWS.
   */
  private UpdateControl<LambdaFunction> progressing(LambdaFunction resource, LambdaFunctionStatus status,
      Cluster<LambdaFunction> cluster, String why, Duration recheck) {
    Conditions.set(status.conditions, Conditions.READY, false, "Progressing", why,
        resource.getMetadata().getGeneration(), clock.instant());
    writeStatus(resource, status, cluster);
    return UpdateControl.<LambdaFunction>noUpdate().rescheduleAfter(recheck);
  }

  @Override
  public DeleteControl cleanup(LambdaFunction resource, Cluster<LambdaFunction> cluster) {
    List<String> aliases = FunctionDeletion.aliasesUsing(resource, cluster);
    if (aliases.isEmpty()) {
      deletion.delete(resource);
      resync.forget(ResyncSpread.key(resource));
      return DeleteControl.defaultDelete();
    }
    // Deleting the function would break the aliases half-way: wait until they are gone.
    String message = "deletion waits for the LambdaAliases that use this function: " + String.join(", ", aliases);
    LambdaFunctionStatus status = statusOf(resource);
    Conditions.set(status.conditions, Conditions.READY, false, "DeletionWaitsForAliases", message,
        resource.getMetadata().getGeneration(), clock.instant());
    events.normal(resource, "DeletionWaitsForAliases", message);
    writeStatusBestEffort(resource, status, cluster); // the deletion waits all the same
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(SETTLE_RECHECK);
  }

  private static String describe(FunctionSnapshot state) {
    return "State=" + state.state() + ", LastUpdateStatus=" + state.lastUpdateStatus();
  }
}
