package dev.lambdaop.shift;

import dev.lambdaop.api.Durations;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasSpec.Deployment;
import dev.lambdaop.api.LambdaAliasSpec.Preset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The steps of a traffic shift, from a LambdaAlias's deployment: every strategy and CodeDeploy preset becomes one
 * list of setWeight and pause steps, after which the new version takes 100% and becomes stable. The step indexes
 * are what status.currentStepIndex counts.
 */
public final class TrafficShiftPlan {
  private TrafficShiftPlan() {}

  public static List<ShiftStep> steps(Deployment deployment) {
    if (deployment == null) {
      return List.of();
    }
    if (deployment.preset != null) {
      return preset(deployment.preset);
    }
    LambdaAliasSpec.Strategy strategy =
        deployment.strategy == null ? LambdaAliasSpec.Strategy.AllAtOnce : deployment.strategy;
    return switch (strategy) {
      case AllAtOnce -> List.of();
      case Canary -> canary(deployment.canary.weight, Durations.parse(deployment.canary.interval));
      case Linear -> linear(deployment.linear.stepWeight, Durations.parse(deployment.linear.interval));
      case Steps -> deployment.steps.stream()
          .map(s -> s.setWeight != null ? ShiftStep.weight(s.setWeight)
              : s.pause.duration == null ? ShiftStep.pauseUntilPromoted()
              : ShiftStep.pauseFor(Durations.parse(s.pause.duration)))
          .toList();
    };
  }

  /** The CodeDeploy configurations of the same names. */
  public static List<ShiftStep> preset(Preset preset) {
    return switch (preset) {
      case AllAtOnce -> List.of();
      case Canary10Percent5Minutes -> canary(10, Duration.ofMinutes(5));
      case Canary10Percent10Minutes -> canary(10, Duration.ofMinutes(10));
      case Canary10Percent15Minutes -> canary(10, Duration.ofMinutes(15));
      case Canary10Percent30Minutes -> canary(10, Duration.ofMinutes(30));
      case Linear10PercentEvery1Minute -> linear(10, Duration.ofMinutes(1));
      case Linear10PercentEvery2Minutes -> linear(10, Duration.ofMinutes(2));
      case Linear10PercentEvery3Minutes -> linear(10, Duration.ofMinutes(3));
      case Linear10PercentEvery10Minutes -> linear(10, Duration.ofMinutes(10));
    };
  }

  /** weight% for the interval, then 100%. */
  public static List<ShiftStep> canary(int weight, Duration interval) {
    return List.of(ShiftStep.weight(weight), ShiftStep.pauseFor(interval));
  }

  /** +stepWeight% every interval while below 100%, then 100%. */
  public static List<ShiftStep> linear(int stepWeight, Duration interval) {
    if (stepWeight < 1) {
      throw new IllegalArgumentException("stepWeight must be at least 1");
    }
    List<ShiftStep> steps = new ArrayList<>();
    for (int weight = stepWeight; weight < 100; weight += stepWeight) {
      steps.add(ShiftStep.weight(weight));
      steps.add(ShiftStep.pauseFor(interval));
    }
    return List.copyOf(steps);
  }
}
