package dev.lambdaop.cli;

import dev.lambdaop.api.Deployments;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;

/** LambdaAliases and LambdaFunctions in the states the plugin meets. */
final class Fixtures {
  static final Instant NOW = Instant.parse("2025-11-26T18:02:00Z");

  private Fixtures() {}

  /** An alias of LambdaFunction orders, generation 1, status not reported yet. */
  static LambdaAlias alias(String name, LambdaAliasSpec.Deployment deployment) {
    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").withGeneration(1L)
        .withResourceVersion("1").build());
    alias.setSpec(new LambdaAliasSpec());
    alias.getSpec().functionRef = new FunctionRef("orders");
    alias.getSpec().aliasName = "live";
    alias.getSpec().version = "latest";
    alias.getSpec().deployment = deployment;
    return alias;
  }

  /** Healthy on {@code stable}: what the operator writes once no shift runs. */
  static LambdaAlias healthy(LambdaAlias alias, String stable) {
    LambdaAliasStatus s = new LambdaAliasStatus();
    s.observedGeneration = alias.getMetadata().getGeneration();
    s.phase = Phase.Healthy;
    s.functionName = "orders-api";
    s.stableVersion = stable;
    s.message = "all traffic on version " + stable;
    Conditions.set(s.conditions, Conditions.READY, true, "Synced", s.message, s.observedGeneration, NOW);
    Conditions.set(s.conditions, Conditions.PROGRESSING, false, "Idle", s.message, s.observedGeneration, NOW);
    Conditions.set(s.conditions, Conditions.DEGRADED, false, "Healthy", "", s.observedGeneration, NOW);
    alias.setStatus(s);
    return alias;
  }

  /** Shifting from {@code stable} to {@code canary}, at {@code weight}%, in step {@code step} since {@code since}. */
  static LambdaAlias shifting(LambdaAlias alias, String stable, String canary, int weight, int step,
      Instant since) {
    healthy(alias, stable);
    LambdaAliasStatus s = alias.getStatus();
    s.phase = Phase.Progressing;
    s.canaryVersion = canary;
    s.canaryWeight = weight;
    s.currentStepIndex = step;
    s.stepStartedAt = since.toString();
    s.shiftStartedAt = since.minusSeconds(60).toString();
    s.message = "shifting " + weight + "% to version " + canary;
    Conditions.set(s.conditions, Conditions.PROGRESSING, true, "Shifting", s.message, s.observedGeneration, NOW);
    return alias;
  }

  /** Rolled back by the operator (abort set, rolledBackAtGeneration), history RolledBack. */
  static LambdaAlias rolledBack(LambdaAlias alias, String stable, String canary, String reason) {
    shifting(alias, stable, canary, 0, 0, NOW.minusSeconds(30));
    LambdaAliasStatus s = alias.getStatus();
    s.phase = Phase.Degraded;
    s.canaryWeight = 0;
    s.stepStartedAt = null;
    s.abort = true;
    s.rolledBackAtGeneration = alias.getMetadata().getGeneration();
    s.message = "rolled back to version " + stable + ": " + reason;
    s.history.add(0, record(stable, canary, "RolledBack", reason));
    Conditions.set(s.conditions, Conditions.DEGRADED, true, "RolledBack", s.message, s.observedGeneration, NOW);
    return alias;
  }

  static LambdaAliasStatus.ShiftRecord record(String from, String to, String result, String reason) {
    LambdaAliasStatus.ShiftRecord r = new LambdaAliasStatus.ShiftRecord();
    r.fromVersion = from;
    r.toVersion = to;
    r.result = result;
    r.reason = reason;
    r.startedAt = NOW.minusSeconds(75).toString();
    r.finishedAt = NOW.minusSeconds(10).toString();
    return r;
  }

  static LambdaAliasSpec.Deployment steps(Object... weightsAndPauses) {
    return Deployments.steps(weightsAndPauses);
  }

  static LambdaAliasSpec.Deployment linear(int stepWeight, String interval) {
    return Deployments.linear(stepWeight, interval);
  }

  static LambdaAliasSpec.Hook hook(String function) {
    return Deployments.hook(function, "1m");
  }

  /** LambdaFunction orders (AWS orders-api), Ready, generation 1 deployed, versions newest first. */
  static LambdaFunction function(String... versions) {
    LambdaFunction fn = new LambdaFunction();
    fn.setMetadata(new ObjectMetaBuilder().withName("orders").withNamespace("shop").withGeneration(1L)
        .withResourceVersion("7").build());
    fn.setSpec(new LambdaFunctionSpec());
    fn.getSpec().functionName = "orders-api";
    LambdaFunctionStatus s = new LambdaFunctionStatus();
    s.observedGeneration = 1L;
    s.functionName = "orders-api";
    s.latestVersion = versions.length == 0 ? null : versions[0];
    for (int i = 0; i < versions.length; i++) {
      s.versions.add(new LambdaFunctionStatus.PublishedVersion(versions[i], "c2hhLW9mLXZlcnNpb24t" + versions[i] + "=",
          "digest" + versions[i], NOW.minusSeconds(3600L * (i + 1)).toString()));
    }
    Conditions.set(s.conditions, Conditions.READY, true, "Synced", "", 1L, NOW);
    fn.setStatus(s);
    return fn;
  }
}
