package dev.lambdaop.alias;

import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.HookResult;
import dev.lambdaop.aws.Aws;
import dev.lambdaop.aws.HealthSignals;
import dev.lambdaop.aws.Invoker;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.FunctionResolver;
import io.fabric8.kubernetes.api.model.HasMetadata;
import dev.lambdaop.reconcile.SpecProblem;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * What decides whether a running shift goes on or rolls back: the pre- and post-traffic hooks (invoked
 * synchronously) and the rollback triggers (alarms in ALARM, the new version's error rate). Reads and invokes
 * through the ports; what it finds is returned as values, which {@link AliasPlan} puts into the status.
 */
final class ShiftChecks {
  private final Aws aws;
  private final FunctionResolver functions;
  private final Clock clock;

  ShiftChecks(Aws aws, FunctionResolver functions, Clock clock) {
    this.aws = aws;
    this.functions = functions;
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
    if (starting) {
      checkInvokable(resource, target, deployment.preTrafficHook);
      checkInvokable(resource, target, deployment.postTrafficHook);
    }
    LambdaAliasStatus.Hooks hooks = new LambdaAliasStatus.Hooks();
    if (status.hooks != null) {
      hooks.preTraffic = status.hooks.preTraffic;
      hooks.postTraffic = status.hooks.postTraffic;
    }
    String reason = null;
    if (deployment.preTrafficHook != null && !AliasPlan.passed(hooks.preTraffic, target.version())) {
      AliasPlan.HookRun run = run(resource, "pre-traffic", deployment.preTrafficHook, target, status.stableVersion);
      hooks.preTraffic = run.result();
      reason = run.failure();
    }
    if (reason == null && !starting && deployment.rollback != null) {
      reason = rollbackTrigger(target, deployment.rollback, status.shiftStartedAt);
    }
    return new AliasPlan.Checks(hooks, reason);
  }

  /** Once all traffic is on the new version: the post-traffic hook. */
  AliasPlan.HookRun postTraffic(HasMetadata resource, AliasTarget target, AliasPlan.Wanted wanted,
      LambdaAliasStatus status) {
    return run(resource, "post-traffic", wanted.deployment().postTrafficHook, target, status.stableVersion);
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
  private void checkInvokable(HasMetadata resource, AliasTarget target, LambdaAliasSpec.Hook hook) {
    if (hook == null) {
      return;
    }
    functions.checkOwner(resource, target.region(), hook.functionName);
    try {
      aws.invoker().checkInvokable(target.region(), hook.functionName);
    } catch (AwsFailure f) {
      throw new SpecProblem("HookNotInvokable", "the operator cannot invoke hook function " + hook.functionName
          + ": " + f.getMessage() + ". No traffic moved.", true);
    }
  }

  private AliasPlan.HookRun run(HasMetadata resource, String which, LambdaAliasSpec.Hook hook, AliasTarget target,
      String stable) {
    functions.checkOwner(resource, target.region(), hook.functionName);
    String payload = "{\"hook\":\"" + which + "\",\"functionName\":\"" + target.functionName() + "\",\"alias\":\""
        + target.alias() + "\",\"version\":\"" + target.version() + "\",\"stableVersion\":\"" + stable + "\"}";
    Invoker.Result result = aws.invoker().invoke(target.region(), hook.functionName, payload, hook.timeLimit());
    HookResult outcome = new HookResult();
    outcome.version = target.version();
    outcome.result = result.succeeded() ? HookResult.SUCCEEDED : HookResult.FAILED;
    outcome.finishedAt = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    String failure = null;
    if (!result.succeeded()) {
      String detail = result.payload().length() > 300 ? result.payload().substring(0, 300) + "..." : result.payload();
      failure = which + " hook " + hook.functionName + " failed"
          + (result.functionError() == null ? "" : " (" + result.functionError() + ")") + ": " + detail;
      outcome.message = failure;
    }
    return new AliasPlan.HookRun(outcome, failure);
  }
}
