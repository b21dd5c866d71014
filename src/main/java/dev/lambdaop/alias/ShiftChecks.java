package dev.lambdaop.alias;

import dev.lambdaop.api.Durations;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.aws.Aws;
import dev.lambdaop.aws.HealthSignals;
import dev.lambdaop.aws.Invoker;
import dev.lambdaop.reconcile.SpecProblem;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * What decides whether a running shift goes on or rolls back: the pre- and post-traffic hooks (invoked
 * synchronously, their results kept in status.hooks) and the rollback triggers (alarms in ALARM, the new version's
 * error rate). Reads and invokes through the gateways; the verdict goes to {@link AliasPlan}.
 */
final class ShiftChecks {
  private final Aws aws;
  private final LambdaAliasReconciler.Target target;
  private final String alias;
  private final LambdaAliasSpec.Deployment deployment;
  private final LambdaAliasStatus status;
  private final boolean shifting;
  private final Instant now;

  ShiftChecks(Aws aws, LambdaAliasReconciler.Target target, String alias,
      LambdaAliasSpec.Deployment deployment, LambdaAliasStatus status, String stable, boolean shiftAllowed,
      Instant now) {
    this.aws = aws;
    this.target = target;
    this.alias = alias;
    this.deployment = deployment;
    this.status = status;
    this.shifting = shiftAllowed && deployment != null && !target.version().equals(stable);
    this.now = now;
  }

  /** Before the routing of this reconcile is written: the pre-traffic hook, alarms and error rate. */
  AliasPlan.Checks beforeRouting() {
    if (!shifting) {
      return AliasPlan.Checks.NONE;
    }
    String version = target.version();
    boolean starting = !version.equals(status.canaryVersion);
    if (starting) {
      checkInvokable(deployment.preTrafficHook);
      checkInvokable(deployment.postTrafficHook);
    }
    String reason = null;
    if (deployment.preTrafficHook != null && !passed(hooks().preTraffic)) {
      reason = run("pre-traffic", deployment.preTrafficHook, result -> hooks().preTraffic = result);
    }
    if (reason == null && !starting && deployment.rollback != null) {
      reason = rollbackTrigger(deployment.rollback);
    }
    return new AliasPlan.Checks(reason, deployment.postTrafficHook != null, passed(hooks().postTraffic));
  }

  /** After all traffic moved to the new version: the post-traffic hook. */
  AliasPlan.Checks afterFullTraffic() {
    String reason = run("post-traffic", deployment.postTrafficHook, result -> hooks().postTraffic = result);
    return new AliasPlan.Checks(reason, true, reason == null);
  }

  /** Whether alarms or the error rate are watched while the shift runs. */
  boolean watchesHealth() {
    return deployment != null && deployment.rollback != null
        && ((deployment.rollback.alarms != null && !deployment.rollback.alarms.isEmpty())
            || deployment.rollback.errorRate != null);
  }

  private String rollbackTrigger(LambdaAliasSpec.Rollback rollback) {
    if (rollback.alarms != null && !rollback.alarms.isEmpty()) {
      List<String> firing = aws.health().inAlarm(target.region(), rollback.alarms);
      if (!firing.isEmpty()) {
        return "alarm " + String.join(", ", firing) + " in ALARM";
      }
    }
    if (rollback.errorRate != null && status.shiftStartedAt != null) {
      HealthSignals.VersionHealth health = aws.health().health(target.region(), target.functionName(), alias,
          target.version(), Instant.parse(status.shiftStartedAt));
      long min = rollback.errorRate.minInvocations == null ? 20 : rollback.errorRate.minInvocations;
      if (health.invocations() >= min && health.invocations() > 0) {
        BigDecimal rate = BigDecimal.valueOf(health.errors()).divide(BigDecimal.valueOf(health.invocations()),
            4, java.math.RoundingMode.HALF_UP);
        if (rate.compareTo(new BigDecimal(rollback.errorRate.max)) > 0) {
          return "error rate of version " + target.version() + " is " + rate.stripTrailingZeros().toPlainString()
              + " (" + health.errors() + " errors in " + health.invocations() + " invocations), above "
              + rollback.errorRate.max;
        }
      }
    }
    return null;
  }

  private void checkInvokable(LambdaAliasSpec.Hook hook) {
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

  /** Invokes a hook; returns why it failed, or null when it passed. */
  private String run(String which, LambdaAliasSpec.Hook hook, java.util.function.Consumer<LambdaAliasStatus.HookResult> record) {
    String payload = "{\"hook\":\"" + which + "\",\"functionName\":\"" + target.functionName() + "\",\"alias\":\""
        + alias + "\",\"version\":\"" + target.version() + "\",\"stableVersion\":\"" + status.stableVersion + "\"}";
    Invoker.Result result = aws.invoker().invoke(target.region(), hook.functionName, payload,
        Durations.parse(hook.timeout == null ? "1m" : hook.timeout));
    LambdaAliasStatus.HookResult outcome = new LambdaAliasStatus.HookResult();
    outcome.version = target.version();
    outcome.result = result.succeeded() ? "Succeeded" : "Failed";
    outcome.finishedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    String failure = null;
    if (!result.succeeded()) {
      String detail = result.payload().length() > 300 ? result.payload().substring(0, 300) + "..." : result.payload();
      failure = which + " hook " + hook.functionName + " failed"
          + (result.functionError() == null ? "" : " (" + result.functionError() + ")") + ": " + detail;
      outcome.message = failure;
    }
    record.accept(outcome);
    return failure;
  }

  private LambdaAliasStatus.Hooks hooks() {
    if (status.hooks == null) {
      status.hooks = new LambdaAliasStatus.Hooks();
    }
    return status.hooks;
  }

  private boolean passed(LambdaAliasStatus.HookResult result) {
    return result != null && "Succeeded".equals(result.result) && target.version().equals(result.version);
  }
}
