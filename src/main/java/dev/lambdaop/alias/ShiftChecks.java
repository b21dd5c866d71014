package dev.lambdaop.alias;

import dev.lambdaop.alias.HookRuns.Attempt;
import dev.lambdaop.alias.HookRuns.Hook;
import dev.lambdaop.api.Durations;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.HookResult;
import dev.lambdaop.aws.Aws;
import dev.lambdaop.aws.HealthSignals;
import dev.lambdaop.aws.Invoker;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.SpecProblem;
import dev.lambdaop.status.Events;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * What decides whether a running shift goes on or rolls back: the pre- and post-traffic hooks and the rollback
 * triggers (alarms in ALARM, the new version's error rate). Hooks run on {@link HookRuns}' threads, never in the
 * reconcile: a pass starts a hook and finds it Running; a later pass (the hook's end triggers one) finds its answer.
 * Reads and invokes through the ports; what it finds is returned as values, which {@link AliasPlan} puts into the
 * status.
 */
final class ShiftChecks {
  /** Event reason: a hook recorded as Running had no invocation in this operator process, and runs again. */
  static final String HOOK_RESTARTED = "HookRestarted";

  private final Aws aws;
  private final FunctionResolver functions;
  private final HookRuns runs;
  private final Events events;
  private final Clock clock;

  ShiftChecks(Aws aws, FunctionResolver functions, HookRuns runs, Events events, Clock clock) {
    this.aws = aws;
    this.functions = functions;
    this.runs = runs;
    this.events = events;
    this.clock = clock;
  }

  /**
   * Before the routing of this pass, while a shift runs: whether its hooks can be invoked (as it starts), the
   * pre-traffic hook until it passed, then alarms and the error rate.
   *
   * @param status the status as read (the hook payload's stable version, the running shift, its hook results)
   */
  AliasPlan.Checks beforeRouting(HasMetadata resource, AliasTarget target, AliasPlan.Wanted wanted, String observedVersion,
      LambdaAliasStatus status) {
    if (!AliasPlan.checksShift(wanted, observedVersion, status)) {
      return AliasPlan.Checks.NONE;
    }
    LambdaAliasSpec.Deployment deployment = wanted.deployment();
    boolean starting = !target.version().equals(status.canaryVersion);
    // The invokability check goes once, as the shift starts: not again at every pass while its pre-traffic hook
    // runs (the hook's own answer tells from then on).
    boolean preTrafficStarted = deployment.preTrafficHook != null
        && (status.hooks != null && status.hooks.preTraffic != null
            && target.version().equals(status.hooks.preTraffic.version)
            || runs.attempt(resource, Hook.PRE_TRAFFIC).filter(a -> a.version().equals(target.version())).isPresent());
    if (starting && !preTrafficStarted) {
      // Every read before the first invocation: a pass the request budget defers is deferred before its DryRuns.
      checkOwner(resource, target, deployment.preTrafficHook);
      checkOwner(resource, target, deployment.postTrafficHook);
      checkInvokable(target, deployment.preTrafficHook);
      checkInvokable(target, deployment.postTrafficHook);
    }
    LambdaAliasStatus.Hooks hooks = new LambdaAliasStatus.Hooks();
    if (status.hooks != null) {
      hooks.preTraffic = status.hooks.preTraffic;
      hooks.postTraffic = status.hooks.postTraffic;
    }
    String reason = null;
    boolean preTrafficRunning = false;
    if (deployment.preTrafficHook != null && !AliasPlan.passed(hooks.preTraffic, target.version())) {
      AliasPlan.HookRun run = hook(resource, Hook.PRE_TRAFFIC, deployment.preTrafficHook, target,
          status.stableVersion, hooks.preTraffic, starting && !preTrafficStarted);
      hooks.preTraffic = run.result();
      reason = run.failure();
      preTrafficRunning = run.running();
    }
    if (reason == null && !starting && !preTrafficRunning && deployment.rollback != null) {
      reason = rollbackTrigger(target, deployment.rollback, status.shiftStartedAt);
    }
    return new AliasPlan.Checks(hooks, reason, preTrafficRunning);
  }

  /** Once all traffic is on the new version: the post-traffic hook, started, still running, or answered. */
  AliasPlan.HookRun postTraffic(HasMetadata resource, AliasTarget target, AliasPlan.Wanted wanted,
      LambdaAliasStatus status) {
    return hook(resource, Hook.POST_TRAFFIC, wanted.deployment().postTrafficHook, target, status.stableVersion,
        status.hooks == null ? null : status.hooks.postTraffic, false);
  }

  private String rollbackTrigger(AliasTarget target, LambdaAliasSpec.Rollback rollback, String shiftStartedAt) {
    if (rollback.alarms != null && !rollback.alarms.isEmpty()) {
      List<String> firing = aws.health().inAlarm(target.region(), rollback.alarms);
      if (!firing.isEmpty()) {
        return "alarm " + String.join(", ", firing) + " in ALARM";
      }
    }
    if (rollback.errorRate != null && shiftStartedAt != null) {
      HealthSignals.VersionHealth health = aws.health().health(target.region(), target.functionName(),
          target.alias(), target.version(), Instant.parse(shiftStartedAt));
      if (health.invocations() >= rollback.errorRate.invocationsNeeded() && health.invocations() > 0) {
        BigDecimal rate = BigDecimal.valueOf(health.errors()).divide(BigDecimal.valueOf(health.invocations()),
            4, RoundingMode.HALF_UP);
        if (rate.compareTo(new BigDecimal(rollback.errorRate.max)) > 0) {
          return "error rate of version " + target.version() + " is " + rate.stripTrailingZeros().toPlainString()
              + " (" + health.errors() + " errors in " + health.invocations() + " invocations), above "
              + rollback.errorRate.max;
        }
      }
    }
    return null;
  }

  /** A hook acts on its function: like the alias, only on one no operator owns or this namespace owns. */
  private void checkOwner(HasMetadata resource, AliasTarget target, LambdaAliasSpec.Hook hook) {
    if (hook != null) {
      functions.checkOwner(resource, target.region(), hook.functionName);
    }
  }

  private void checkInvokable(AliasTarget target, LambdaAliasSpec.Hook hook) {
    if (hook == null) {
      return;
    }
    try {
      aws.invoker().checkInvokable(target.region(), hook.functionName);
    } catch (AwsFailure f) {
      throw new SpecProblem("HookNotInvokable", "the operator cannot invoke hook function " + hook.functionName
          + ": " + f.getMessage() + ". No traffic moved.", true);
    }
  }

  /**
   * Where one hook of this shift stands: the attempt the status records, if this process runs it; else a new
   * attempt, started now. A Running record that this process does not run was interrupted (the operator restarted,
   * or the hook's function changed in the spec): it runs again, and an event says so. An attempt of another
   * version, another function, or one the status recorded as ended, is never taken for this one.
   */
  /**
   * @param ownerChecked whether this pass checked the hook function's owner already (as the shift starts, before its
   *     DryRun): the owner is read before anything is invoked, so that a pass deferred by the request budget is
   *     deferred before its DryRun, not between the DryRun and the hook
   */
  private AliasPlan.HookRun hook(HasMetadata resource, Hook which, LambdaAliasSpec.Hook hook, AliasTarget target,
      String stable, HookResult recorded, boolean ownerChecked) {
    String version = target.version();
    Optional<Attempt> live = runs.attempt(resource, which)
        .filter(a -> a.version().equals(version) && a.functionName().equals(hook.functionName));
    String again = null;
    if (recorded != null && recorded.running() && version.equals(recorded.version)) {
      if (live.isPresent() && live.get().startedAt().equals(recorded.startedAt)) {
        return state(which, hook, live.get());
      }
      again = "invoked again: the attempt started at " + recorded.startedAt + " was interrupted (it is not running in"
          + " this operator process: the operator restarted, or the hook's function changed)";
    } else if (live.isPresent() && (recorded == null || !live.get().startedAt().equals(recorded.startedAt))) {
      // Started by a pass whose status write did not happen: the attempt is this shift's, and not run twice.
      return state(which, hook, live.get());
    }
    if (!ownerChecked) {
      functions.checkOwner(resource, target.region(), hook.functionName);
    }
    String payload = "{\"hook\":\"" + which.words() + "\",\"functionName\":\"" + target.functionName()
        + "\",\"alias\":\"" + target.alias() + "\",\"version\":\"" + version + "\",\"stableVersion\":\"" + stable
        + "\"}";
    String startedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
    Attempt attempt = runs.start(resource, which, target.region(), hook.functionName, payload, hook.timeLimit(),
        version, startedAt, again);
    if (again != null) {
      events.warning(resource, HOOK_RESTARTED, which.words() + " hook " + hook.functionName + " for version "
          + version + " " + again);
    }
    return state(which, hook, attempt);
  }

  /** An attempt as status.hooks shows it. */
  private AliasPlan.HookRun state(Hook which, LambdaAliasSpec.Hook hook, Attempt attempt) {
    HookResult outcome = new HookResult();
    outcome.version = attempt.version();
    outcome.startedAt = attempt.startedAt();
    if (!attempt.done()) {
      outcome.result = HookResult.RUNNING;
      String doing = attempt.invoking()
          ? "invoked " + hook.functionName + "; waiting for its answer (timeout " + Durations.format(attempt.timeout())
              + ")"
          : "waiting for a free hook thread: all " + runs.threads() + " are running hooks (LAMBDAOP_HOOK_CONCURRENCY)";
      outcome.message = attempt.note() == null ? doing : attempt.note() + "; " + doing;
      return new AliasPlan.HookRun(outcome, null);
    }
    Invoker.Result result = attempt.outcome();
    outcome.result = result.succeeded() ? HookResult.SUCCEEDED : HookResult.FAILED;
    outcome.finishedAt = attempt.finishedAt().truncatedTo(ChronoUnit.SECONDS).toString();
    String failure = null;
    if (!result.succeeded()) {
      String detail = result.payload().length() > 300 ? result.payload().substring(0, 300) + "..." : result.payload();
      failure = which.words() + " hook " + hook.functionName + " failed"
          + (result.functionError() == null ? "" : " (" + result.functionError() + ")") + ": " + detail;
      outcome.message = failure;
    }
    return new AliasPlan.HookRun(outcome, failure);
  }
}
