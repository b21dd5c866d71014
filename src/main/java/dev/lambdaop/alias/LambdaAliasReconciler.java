package dev.lambdaop.alias;

import dev.lambdaop.alias.AliasPlan.AbortWrite;
import dev.lambdaop.alias.AliasPlan.Control;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.aws.AliasSnapshot;
import dev.lambdaop.aws.AliasTriggers;
import dev.lambdaop.aws.Aws;
import dev.lambdaop.aws.Quota;
import dev.lambdaop.aws.VersionSnapshot;
import dev.lambdaop.aws.Versions.Traits;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.function.FunctionReferences;
import dev.lambdaop.observability.OperatorMetrics;
import dev.lambdaop.reconcile.Cluster;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.ResourceReconciler;
import dev.lambdaop.reconcile.ResyncSpread;
import dev.lambdaop.reconcile.SpecProblem;
import dev.lambdaop.reconcile.Urgency;
import dev.lambdaop.reconcile.Work;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.Events;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes an AWS alias match a LambdaAlias: which version it serves, and how traffic moves to a new one. The
 * decisions are {@link AliasPlan}'s and {@link dev.lambdaop.shift.ShiftPlanner}'s; the checks of a shift
 * {@link ShiftChecks}'; the AWS calls the {@link Aws} ports'. A LambdaFunction that publishes a new version
 * reconciles its aliases at once, and so does a user's control in status (abort, retry, promote, promoteFull):
 * {@link AliasEventFilter} decides which updates start a reconcile, in place of JOSDK's generation-aware rule. The
 * end of a hook reconciles its alias at once too ({@link HookRuns}: hooks never run in a reconcile).
 */
@ControllerConfiguration(name = "lambdaalias", generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = AliasEventFilter.class))
public class LambdaAliasReconciler extends ResourceReconciler<LambdaAlias, LambdaAliasStatus> {
  private static final Duration WAIT_FOR_FUNCTION = Duration.ofSeconds(10);
  /** A pass this close before its step's time counts as the step's (JOSDK's timer is a little early at times). */
  static final Duration STEP_MARGIN = Duration.ofSeconds(1);

  private final Aws aws;
  private final FunctionResolver functions;
  private final OperatorSettings settings;
  private final OperatorMetrics metrics;
  private final ShiftChecks checks;
  private final AliasRouter router;
  private final HookRuns hooks;
  private final ResyncSpread resync;
  private final TriggerTargets triggers;

  /** @param resync when each alias's next drift check is due */
  public LambdaAliasReconciler(Aws aws, FunctionResolver functions, OperatorSettings settings, Events events,
      OperatorMetrics metrics, HookRuns hooks, Clock clock, ResyncSpread resync) {
    super(LambdaAliasStatus::new, WAIT_FOR_FUNCTION, events, clock, functions);
    this.aws = aws;
    this.functions = functions;
    this.settings = settings;
    this.metrics = metrics;
    this.hooks = hooks;
    this.checks = new ShiftChecks(aws, functions, hooks, events, clock);
    this.router = new AliasRouter(aws, functions, events);
    this.resync = resync;
    this.triggers = new TriggerTargets(aws.triggers(), events);
  }

  /**
   * What one resync of an alias that is not shifting reads from AWS at most, by quota (for {@link ResyncSpread}): its
   * alias (one ListAliases shared by the function's aliases at a drift check, counted as one), its target version's
   * traits (GetFunction with a qualifier; kept for 15 minutes, so counted as one) and its function's tags
   * (GetFunction, the owner record); by functionName, the function's owner once more (GetFunction) and, for version:
   * latest, its versions (ListVersionsByFunction). A shift's own reads (CloudWatch, the stable version) are not drift.
   * The trigger targets the spec sets add one read each: GetPolicy (permissions, or a public function URL),
   * GetFunctionUrlConfig, GetFunctionEventInvokeConfig, GetProvisionedConcurrencyConfig.
   */
  static Map<Quota, Double> driftCost(LambdaAliasSpec spec) {
    boolean byName = spec.functionRef == null;
    double lambda = byName && spec.followsLatest() ? 2.0 : 1.0;
    lambda += (spec.functionUrl != null ? 1 : 0) + (spec.asyncInvoke != null ? 1 : 0)
        + (TriggerPlan.wantedProvisioned(spec) > 0 ? 1 : 0);
    Map<Quota, Double> cost = new java.util.EnumMap<>(Quota.class);
    cost.put(Quota.LAMBDA, lambda);
    cost.put(Quota.LAMBDA_GET_FUNCTION, byName ? 3.0 : 2.0);
    if (!TriggerPlan.desiredPermissions(spec).isEmpty()) {
      cost.put(Quota.LAMBDA_GET_POLICY, 1.0);
    }
    return Map.copyOf(cost);
  }

  @Override
  public List<EventSource<?, LambdaAlias>> prepareEventSources(EventSourceContext<LambdaAlias> context) {
    // A hook that ends (or leaves the queue for a thread) reconciles its alias at once.
    SimpleInboundEventSource<LambdaAlias> hookEnds = new SimpleInboundEventSource<>("hooks");
    hooks.onChange(hookEnds::propagateEvent);
    return List.of(FunctionReferences.eventSource(context, LambdaAlias.class,
        r -> r.getSpec() == null ? null : r.getSpec().functionRef), hookEnds);
  }

  @Override
  public UpdateControl<LambdaAlias> reconcile(LambdaAlias resource, Cluster<LambdaAlias> cluster) {
    resync.seen(ResyncSpread.key(resource));
    LambdaAliasSpec spec = resource.getSpec();
    boolean firstReport = resource.getStatus() == null;
    LambdaAliasStatus status = statusOf(resource);
    Instant now = clock.instant();
    // Whether this generation was Ready: a pass that watches a shift then only reads the provisioned concurrency.
    Optional<Condition> readyBefore = Conditions.find(status.conditions, Conditions.READY)
        .filter(c -> java.util.Objects.equals(c.getObservedGeneration(), resource.getMetadata().getGeneration()));
    boolean settled = readyBefore.filter(c -> "True".equals(c.getStatus())).isPresent() && status.shifting();
    refuseUnusableDurations(spec);
    AliasTarget target = target(resource, cluster);
    status.functionName = target.functionName();
    status.region = target.region();
    refuseDuplicate(resource, cluster, target);
    Traits targetTraits = router.traits(target, target.version());
    Optional<AliasSnapshot> observed = aws.aliases().get(target.region(), target.functionName(), target.alias());
    router.claim(resource, cluster, target, observed, status.aliasArn != null);
    String observedVersion = observed.map(AliasSnapshot::functionVersion).orElse(null);
    AliasPlan.Wanted wanted = AliasPlan.Wanted.of(spec, target.version(), resource.getMetadata().getGeneration());
    String description = spec.description == null ? "" : spec.description;

    // What was changed in AWS outside the operator (alias deleted or repointed, stable version gone) first.
    AliasRecovery.Found found = AliasRecovery.recover(wanted, target, observed.map(AliasRouter::routing).orElse(null),
        router.missing(target, status.stableVersion, observed), status, now);
    found.notes().forEach(n -> events.warning(resource, n.reason(), n.message()));
    LambdaAliasStatus known = found.status();

    // A shift with traffic on both versions takes its next step only once AWS allocated the provisioned concurrency.
    Optional<AliasTriggers.Provisioned> provisioned = triggers.beforeStep(target, spec, known);
    AliasPlan.Decision decision = AliasPlan.decide(wanted, observedVersion,
        checks.beforeRouting(resource, target, wanted, observedVersion, known)
            .warming(TriggerPlan.warming(provisioned)), known, now);
    // Should AWS refuse the routing, the failure path reports the shift where AWS still has it, with this pass's
    // hook results (a hook started is not started again): a refused step is taken again by the retry, not skipped.
    resource.setStatus(AliasPlan.ifRoutingRefused(known, decision));
    // A rollback decided in this pass (a hook, an alarm, the error rate) goes before everything else in the budget.
    AliasPlan.Decision routing = decision;
    AliasSnapshot current = Work.at(decision.abort() == AbortWrite.SET ? Urgency.ROLLBACK : Work.current().urgency(),
        () -> router.route(resource, firstReport, target, targetTraits, description, observed, routing.routing()));
    // A step starts when users get its weight, not when this pass began.
    decision = AliasPlan.routedAt(decision, now, clock.instant());
    resource.setStatus(decision.status());
    if (decision.postTrafficHookDue()) {
      // 100% is on the new version in AWS now: the hook tests what users get. It runs on a hook thread; until it
      // answered, the decision keeps 100% on the new version.
      AliasPlan.HookRun hook = checks.postTraffic(resource, target, wanted, decision.status());
      LambdaAliasStatus routed = decision.status();
      decision = AliasPlan.afterPostTrafficHook(wanted, decision, hook, clock.instant());
      resource.setStatus(AliasPlan.ifRoutingRefused(routed, decision));
      current = router.route(resource, firstReport, target, targetTraits, description, Optional.of(current),
          decision.routing());
      resource.setStatus(decision.status());
    }
    LambdaAliasStatus next = decision.status();
    if (decision.abort() == AbortWrite.SET) {
      events.warning(resource, LambdaAliasStatus.ShiftResult.RolledBack.name(), next.message);
    }
    next.aliasArn = current.aliasArn();
    next.revisionId = current.revisionId();
    // The trigger targets are on the alias, not a version: after the routing, which never changes them.
    triggers.apply(resource, target, current.aliasArn(), next, settled && next.shifting(),
        observed.isPresent() && current == observed.get() ? provisioned : null);
    reportProvisioned(resource, next, readyBefore, target.alias());
    save(resource, decision, cluster);
    found.finished().forEach(r -> metrics.shiftFinished(r.result));
    decision.finished().forEach(r -> metrics.shiftFinished(r.result));
    metrics.aliasWeight(resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
        next.canaryPercent());
    String key = ResyncSpread.key(resource);
    resync.record(key, driftCost(spec));
    return UpdateControl.<LambdaAlias>noUpdate().rescheduleAfter(nextLook(spec, decision, resync.next(key))
        .plusMillis(50));
  }

  /**
   * A shift's passes are steps (a rollback when the user asked for an abort), ahead of deployments and drift reads
   * in the request budget; promote and promoteFull are steps too.
   */
  @Override
  protected Urgency urgency(LambdaAlias resource) {
    LambdaAliasStatus status = resource.getStatus();
    if (status != null && status.shifting()) {
      if (status.abortRequested()) {
        return Urgency.ROLLBACK;
      }
      // Watching a shift between its steps (health checks every few seconds) is a deployment's work; the pass a
      // step falls due in is a step's.
      return AliasPlan.stepDue(resource.getSpec(), status, clock.instant(), STEP_MARGIN) ? Urgency.STEP
          : Urgency.DEPLOY;
    }
    if (status != null && (status.promoteRequested() || status.promoteFullRequested())) {
      return Urgency.STEP;
    }
    return super.urgency(resource);
  }

  @Override
  protected Duration dueIn(LambdaAlias resource) {
    return resource.getStatus() == null || resource.getSpec() == null ? null
        : AliasPlan.untilStepDue(resource.getSpec(), resource.getStatus(), clock.instant());
  }

  /**
   * Provisioned concurrency that AWS could not allocate (FAILED) makes Ready False, naming AWS's reason; while AWS
   * still allocates it during a shift, the message says so (the shift goes on: AWS spreads the alias's provisioned
   * concurrency over both versions by weight).
   */
  private void reportProvisioned(LambdaAlias resource, LambdaAliasStatus next, Optional<Condition> readyBefore,
      String alias) {
    String warming = TriggerPlan.warming(next.provisionedConcurrency, next.shifting());
    if (warming != null && !next.message.contains("provisioned concurrency")) {
      next.message = next.message + warming;
    }
    String failed = TriggerPlan.failure(next.provisionedConcurrency, alias);
    if (failed != null) {
      Long generation = resource.getMetadata().getGeneration();
      Conditions.set(next.conditions, Conditions.READY, false, "ProvisionedConcurrencyFailed", failed, generation,
          clock.instant());
      // Ready was False for this already: it keeps the time it became so.
      readyBefore.filter(c -> "False".equals(c.getStatus()))
          .ifPresent(before -> Conditions.find(next.conditions, Conditions.READY)
              .ifPresent(c -> c.setLastTransitionTime(before.getLastTransitionTime())));
    }
  }

  /** A duration the operator cannot use (stored before the schema bounded it): before anything is read or written. */
  private static void refuseUnusableDurations(LambdaAliasSpec spec) {
    List<String> problems = new java.util.ArrayList<>(spec.durationProblems());
    problems.addAll(TriggerPlan.problems(spec));
    if (!problems.isEmpty()) {
      throw new SpecProblem("InvalidSpec", String.join("; ", problems));
    }
  }

  /** One LambdaAlias per AWS alias across the cluster: the older one wins, on a tie the name decides. */
  private static void refuseDuplicate(LambdaAlias resource, Cluster<LambdaAlias> cluster, AliasTarget target) {
    Optional<LambdaAlias> earlier = cluster.cached()
        .filter(other -> !other.getMetadata().getUid().equals(resource.getMetadata().getUid()))
        .filter(other -> other.getMetadata().getDeletionTimestamp() == null && other.getSpec() != null)
        .filter(other -> target.alias().equals(other.aliasName()) && sameFunction(other, resource, target))
        // The same function name in another account is another function (each status records its account).
        .filter(other -> sameAccount(other.getStatus() == null ? null : other.getStatus().accountId))
        .filter(other -> firstComes(other, resource))
        .findFirst();
    if (earlier.isPresent()) {
      throw new SpecProblem("DuplicateAlias", "LambdaAlias " + earlier.get().getMetadata().getNamespace() + "/"
          + earlier.get().getMetadata().getName() + " already manages alias " + target.alias() + " of "
          + target.functionName() + "; delete one of the two", true);
    }
  }

  /** Whether another LambdaAlias names the same function (by name, by the same LambdaFunction, or as resolved). */
  private static boolean sameFunction(LambdaAlias other, LambdaAlias resource, AliasTarget target) {
    LambdaAliasSpec o = other.getSpec();
    LambdaAliasSpec r = resource.getSpec();
    return target.functionName().equals(o.functionName)
        || (o.functionRef != null && r.functionRef != null && o.functionRef.name.equals(r.functionRef.name)
            && other.getMetadata().getNamespace().equals(resource.getMetadata().getNamespace()))
        || (other.getStatus() != null && target.functionName().equals(other.getStatus().functionName)
            && (other.getStatus().region == null || target.region().equals(other.getStatus().region)));
  }

  private static boolean firstComes(LambdaAlias a, LambdaAlias b) {
    return java.util.Comparator.comparing((LambdaAlias c) -> c.getMetadata().getCreationTimestamp())
        .thenComparing(c -> c.getMetadata().getNamespace() + "/" + c.getMetadata().getName())
        .compare(a, b) < 0;
  }

  /** The alias's next resync ({@link ResyncSpread}); sooner while a watched shift runs, or when its next step is due. */
  private Duration nextLook(LambdaAliasSpec spec, AliasPlan.Decision decision, Duration resync) {
    Duration next = resync;
    boolean watched = spec.deployment != null && spec.deployment.rollback != null
        && spec.deployment.rollback.watchesHealth();
    if (decision.status().shifting() && watched) {
      Duration check = LambdaAliasSpec.Rollback.CHECK_INTERVAL;
      next = next.compareTo(check) < 0 ? next : check;
    }
    if (decision.nextAt() != null) {
      // From now, not from the start of this reconcile: JOSDK starts the delay when the reconcile returns.
      Duration untilNext = Duration.between(clock.instant(), decision.nextAt());
      next = untilNext.compareTo(next) < 0 ? (untilNext.isNegative() ? Duration.ZERO : untilNext) : next;
    }
    return next;
  }

  /** The function (region, name), the alias name and the version the spec targets, 'latest' resolved. */
  private AliasTarget target(LambdaAlias resource, Cluster<LambdaAlias> cluster) {
    LambdaAliasSpec spec = resource.getSpec();
    functions.checkNames(resource, cluster, spec.hookFunctionNames());
    FunctionResolver.Target function = functions.resolve(resource, spec.functionRef, spec.functionName, cluster);
    String version;
    if (function.resource() != null) {
      LambdaFunctionStatus fs = function.resource().getStatus();
      version = spec.targetVersion(fs == null ? null : fs.latestVersion);
      if (function.functionName() == null || version == null) {
        throw new SpecProblem("FunctionNotReady", "waiting for LambdaFunction " + spec.functionRef.name
            + " to publish a version", true);
      }
    } else {
      version = spec.followsLatest() ? newestVersion(function) : spec.version;
    }
    return new AliasTarget(function.region(), function.functionName(), resource.aliasName(), version);
  }

  /** For 'latest' on a function the operator does not manage: the newest version AWS lists. */
  private String newestVersion(FunctionResolver.Target function) {
    return aws.versions().list(function.region(), function.functionName()).stream()
        .map(VersionSnapshot::version).reduce((a, b) -> b)
        .orElseThrow(() -> new SpecProblem("VersionNotFound", "function " + function.functionName()
            + " has no published version for version: latest", true));
  }

  /**
   * The decided status, with the user's controls as the decision says: promote and promoteFull cleared in the
   * apply once used, abort set (rollback) or cleared (spec changed) with a merge patch.
   */
  private void save(LambdaAlias resource, AliasPlan.Decision decision, Cluster<LambdaAlias> cluster) {
    LambdaAliasStatus applied = withoutControls(decision.status());
    if (decision.clear().contains(Control.PROMOTE_FULL)) {
      applied.promoteFull = false;
    }
    if (decision.clear().contains(Control.PROMOTE)) {
      applied.promote = false;
    }
    if (decision.abort() != AbortWrite.NONE) {
      // status.abort is the user's control: written with a merge patch, never owned by the operator's apply. Were
      // it in the apply, the operator's field manager would own it, and the next apply without it would delete it:
      // a rollback would not hold. (ContextCluster patches the resource object itself: a patch by name would GET
      // it first, which the operator's RBAC does not allow.)
      cluster.mergeStatus(resource, "{\"abort\":" + (decision.abort() == AbortWrite.SET) + "}");
    }
    super.writeStatus(resource, applied, cluster);
  }

  /**
   * Every status write of the operator (the failure path's too) leaves out the user's controls (abort, promote,
   * promoteFull), so that a user's change between the operator's read and write is never overwritten.
   */
  @Override
  protected void writeStatus(LambdaAlias resource, LambdaAliasStatus status, Cluster<LambdaAlias> cluster) {
    super.writeStatus(resource, withoutControls(status), cluster);
  }

  private static LambdaAliasStatus withoutControls(LambdaAliasStatus status) {
    LambdaAliasStatus copy = Serialization.clone(status);
    copy.abort = null;
    copy.promoteFull = null;
    copy.promote = null;
    return copy;
  }

  @Override
  public DeleteControl cleanup(LambdaAlias resource, Cluster<LambdaAlias> cluster) {
    LambdaAliasStatus status = resource.getStatus();
    if (status != null && status.functionName != null && status.aliasArn != null) {
      LambdaAliasSpec spec = resource.getSpec();
      String region = functions.regionForCleanup(resource, status.region, spec.functionRef, spec.functionName,
          cluster);
      router.release(resource, region, status.functionName);
    }
    metrics.aliasDeleted(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    hooks.forget(resource);
    resync.forget(ResyncSpread.key(resource));
    return DeleteControl.defaultDelete();
  }
}
