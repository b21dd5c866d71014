package dev.lambdaop.shift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasSpec.Deployment;
import dev.lambdaop.api.LambdaAliasSpec.Preset;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class TrafficShiftPlanTest {
  @Test
  void noDeploymentAndAllAtOnceHaveNoSteps() {
    assertEquals(List.of(), TrafficShiftPlan.steps(null));
    Deployment d = new Deployment();
    assertEquals(List.of(), TrafficShiftPlan.steps(d));
    d.strategy = LambdaAliasSpec.Strategy.AllAtOnce;
    assertEquals(List.of(), TrafficShiftPlan.steps(d));
  }

  @Test
  void canaryHoldsItsWeightForTheInterval() {
    Deployment d = new Deployment();
    d.strategy = LambdaAliasSpec.Strategy.Canary;
    d.canary = new LambdaAliasSpec.Canary();
    d.canary.weight = 10;
    d.canary.interval = "5m";
    assertEquals(List.of(ShiftStep.weight(10), ShiftStep.pauseFor(Duration.ofMinutes(5))), TrafficShiftPlan.steps(d));
  }

  @Test
  void linearAddsTheStepWeightEveryIntervalBelowOneHundred() {
    Deployment d = new Deployment();
    d.strategy = LambdaAliasSpec.Strategy.Linear;
    d.linear = new LambdaAliasSpec.Linear();
    d.linear.stepWeight = 30;
    d.linear.interval = "30s";
    Duration i = Duration.ofSeconds(30);
    assertEquals(List.of(ShiftStep.weight(30), ShiftStep.pauseFor(i), ShiftStep.weight(60), ShiftStep.pauseFor(i),
        ShiftStep.weight(90), ShiftStep.pauseFor(i)), TrafficShiftPlan.steps(d));
    assertEquals(2, TrafficShiftPlan.linear(50, i).size(), "50% then 100%: one weight and one pause");
    assertThrows(IllegalArgumentException.class, () -> TrafficShiftPlan.linear(0, i));
  }

  @Test
  void stepsAreTakenAsWritten() {
    Deployment d = new Deployment();
    d.strategy = LambdaAliasSpec.Strategy.Steps;
    d.steps = List.of(step(5, null), step(null, "10m"), step(50, null), step(null, null));
    assertEquals(List.of(ShiftStep.weight(5), ShiftStep.pauseFor(Duration.ofMinutes(10)), ShiftStep.weight(50),
        ShiftStep.pauseUntilPromoted()), TrafficShiftPlan.steps(d));
  }

  @ParameterizedTest
  @CsvSource({
      "AllAtOnce, 0, 0, 0",
      "Canary10Percent5Minutes, 2, 10, 5",
      "Canary10Percent10Minutes, 2, 10, 10",
      "Canary10Percent15Minutes, 2, 10, 15",
      "Canary10Percent30Minutes, 2, 10, 30",
      "Linear10PercentEvery1Minute, 18, 10, 1",
      "Linear10PercentEvery2Minutes, 18, 10, 2",
      "Linear10PercentEvery3Minutes, 18, 10, 3",
      "Linear10PercentEvery10Minutes, 18, 10, 10"
  })
  void everyCodeDeployPresetMatchesItsName(Preset preset, int steps, int firstWeight, int minutes) {
    Deployment d = new Deployment();
    d.preset = preset;
    List<ShiftStep> plan = TrafficShiftPlan.steps(d);
    assertEquals(steps, plan.size());
    if (steps > 0) {
      assertEquals(firstWeight, plan.get(0).setWeight());
      assertEquals(Duration.ofMinutes(minutes), plan.get(1).pause());
      // total time until 100%: the sum of the pauses
      Duration total = plan.stream().filter(s -> !s.isWeight()).map(ShiftStep::pause).reduce(Duration.ZERO, Duration::plus);
      assertEquals(Duration.ofMinutes((long) minutes * (steps / 2)), total);
    }
  }

  private static LambdaAliasSpec.Step step(Integer weight, String pause) {
    LambdaAliasSpec.Step s = new LambdaAliasSpec.Step();
    s.setWeight = weight;
    if (weight == null) {
      s.pause = new LambdaAliasSpec.Pause();
      s.pause.duration = pause;
    }
    return s;
  }
}
