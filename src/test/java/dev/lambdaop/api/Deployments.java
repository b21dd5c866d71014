package dev.lambdaop.api;

import java.util.ArrayList;
import java.util.List;

/** Builders of LambdaAlias deployments for tests (unit and end to end). */
public final class Deployments {
  private Deployments() {}

  /** A Steps deployment: an Integer is setWeight, a String a timed pause, null a pause until promoted. */
  public static LambdaAliasSpec.Deployment steps(Object... weightsAndPauses) {
    LambdaAliasSpec.Deployment d = new LambdaAliasSpec.Deployment();
    d.strategy = LambdaAliasSpec.Strategy.Steps;
    d.steps = new ArrayList<>();
    for (Object o : weightsAndPauses) {
      LambdaAliasSpec.Step s = new LambdaAliasSpec.Step();
      if (o instanceof Integer w) {
        s.setWeight = w;
      } else {
        s.pause = new LambdaAliasSpec.Pause();
        s.pause.duration = (String) o;
      }
      d.steps.add(s);
    }
    return d;
  }

  /** A Canary deployment: {@code weight}% for {@code interval}, then 100%. */
  public static LambdaAliasSpec.Deployment canary(int weight, String interval) {
    LambdaAliasSpec.Deployment d = new LambdaAliasSpec.Deployment();
    d.strategy = LambdaAliasSpec.Strategy.Canary;
    d.canary = new LambdaAliasSpec.Canary();
    d.canary.weight = weight;
    d.canary.interval = interval;
    return d;
  }

  /** A Linear deployment: +{@code stepWeight}% every {@code interval} until 100%. */
  public static LambdaAliasSpec.Deployment linear(int stepWeight, String interval) {
    LambdaAliasSpec.Deployment d = new LambdaAliasSpec.Deployment();
    d.strategy = LambdaAliasSpec.Strategy.Linear;
    d.linear = new LambdaAliasSpec.Linear();
    d.linear.stepWeight = stepWeight;
    d.linear.interval = interval;
    return d;
  }

  /** Rolls the deployment back when an alarm fires. */
  public static LambdaAliasSpec.Deployment rollbackOnAlarms(LambdaAliasSpec.Deployment d, String... alarms) {
    d.rollback = new LambdaAliasSpec.Rollback();
    d.rollback.alarms = List.of(alarms);
    return d;
  }

  /** Rolls the deployment back when the new version's error rate is above {@code max} after {@code min} calls. */
  public static LambdaAliasSpec.Deployment rollbackOnErrorRate(LambdaAliasSpec.Deployment d, String max, int min) {
    d.rollback = new LambdaAliasSpec.Rollback();
    d.rollback.errorRate = new LambdaAliasSpec.ErrorRate();
    d.rollback.errorRate.max = max;
    d.rollback.errorRate.minInvocations = min;
    return d;
  }

  /** A hook on {@code function} with a timeout. */
  public static LambdaAliasSpec.Hook hook(String function, String timeout) {
    LambdaAliasSpec.Hook h = new LambdaAliasSpec.Hook();
    h.functionName = function;
    h.timeout = timeout;
    return h;
  }
}
