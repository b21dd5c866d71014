package dev.lambdaop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.bench.ChaosAnalysis.Figures;
import dev.lambdaop.bench.ChaosAnalysis.Input;
import dev.lambdaop.bench.ChaosAnalysis.Inventory;
import dev.lambdaop.bench.ChaosAnalysis.Outcome;
import dev.lambdaop.bench.ChaosAnalysis.Result;
import dev.lambdaop.bench.ChaosAnalysis.Shift;
import dev.lambdaop.bench.ChaosAnalysis.Trigger;
import dev.lambdaop.bench.ChaosAnalysis.Version;
import dev.lambdaop.bench.RoutingPoller.Seen;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The chaos benchmark's analysis and verdict, on made-up poller observations and inventories (no test bed). */
class ChaosAnalysisTest {
  private static final long T = 1_700_000_000_000L;
  private static final List<Integer> PLAN = List.of(20, 40, 60, 80, 100);
  private static final String FN = "chaos-00000";
  private static final String ALIAS = FN + "-live";
  private final ChaosAnalysis analysis = new ChaosAnalysis(PLAN);

  /** The alias as GetAlias shows it every 10 s: v1 with v2 at each weight (0: v1 alone, 100: v2 alone). */
  private static List<Seen> routing(long from, int... weights) {
    List<Seen> seen = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      long at = from + i * 10_000L;
      int w = weights[i];
      seen.add(w == 0 ? new Seen(at, "1", null, 0) : w == 100 ? new Seen(at, "2", null, 0)
          : new Seen(at, "1", "2", w));
    }
    return seen;
  }

  private static Shift shift(Trigger trigger, String statusResult) {
    return new Shift(FN, ALIAS, 1, trigger, "1", "2", T + 1, null, null, T + 100_000, statusResult);
  }

  private static Inventory clean() {
    return new Inventory(Set.of(FN), Set.of(FN), Set.of(FN + ":live"), Set.of(FN + ":live"), Set.of());
  }

  private static Map<String, List<Version>> versions(String... shas) {
    List<Version> list = new ArrayList<>();
    for (int i = 0; i < shas.length; i++) {
      list.add(new Version(String.valueOf(i + 1), shas[i], "python3.12 index.handler lambdaop spec d" + i));
    }
    return Map.of(FN, list);
  }

  private static Input input(List<Shift> shifts, List<Seen> routing, Map<String, List<Version>> versions,
      Inventory inventory, Long convergedMs) {
    return new Input(shifts, Map.of(FN, routing), Map.of(), versions, inventory, T + 200_000, convergedMs, List.of(),
        3, 0, 100, true, true);
  }

  private Figures analyze(Shift shift, List<Seen> routing) {
    return analysis.analyze(input(List.of(shift), routing, versions("a", "b"), clean(), T + 230_000));
  }

  @Test
  void aShiftThroughEveryStepToThePromotionPasses() {
    Figures f = analyze(shift(Trigger.NONE, "Promoted"), routing(T, 0, 20, 40, 60, 80, 100));

    Outcome o = f.outcomes.get(0);
    assertEquals(Result.PROMOTED, o.aws());
    assertEquals("0>20>40>60>80>100", o.pathText());
    assertEquals(0, f.skipped);
    assertEquals(0, f.twice);
    assertEquals(5, f.steps);
    assertEquals(List.of(10_000L, 10_000L, 10_000L, 10_000L), o.holds().stream().map(ChaosAnalysis.Hold::ms).toList(),
        "20, 40, 60 and 80 each held 10 s");
    assertEquals(30_000L, f.convergeMs);
    assertTrue(analysis.verdict(f).pass(), () -> analysis.verdict(f).failures().toString());
  }

  @Test
  void anAlarmThatFiresMustEndRolledBackAndAPromotionInsteadFails() {
    Figures rolledBack = analyze(shift(Trigger.ALARM_FIRES, "RolledBack"), routing(T, 0, 20, 40, 0));
    assertEquals(Result.ROLLED_BACK, rolledBack.outcomes.get(0).aws());
    assertTrue(analysis.verdict(rolledBack).pass(), () -> analysis.verdict(rolledBack).failures().toString());

    Figures promoted = analyze(shift(Trigger.ALARM_FIRES, "Promoted"), routing(T, 0, 20, 40, 60, 80, 100));
    assertEquals(1, promoted.wrong.size());
    assertFalse(analysis.verdict(promoted).pass());
    assertTrue(analysis.verdict(promoted).failures().get(0).contains("1 shifts ended otherwise"));

    // no trigger fires, yet traffic went back: just as wrong
    Figures back = analyze(shift(Trigger.ERROR_RATE_QUIET, "RolledBack"), routing(T, 0, 20, 0));
    assertEquals(1, back.wrong.size());
    assertFalse(analysis.verdict(back).pass());
  }

  @Test
  void skippedAndRepeatedStepsAreCountedFromTheWeightsAwsShowed() {
    // 20 -> 60 skips 40 on the way up; 60 -> 40 -> 60 reaches 60 a second time (40 only once, late)
    Figures f = analyze(shift(Trigger.NONE, "Promoted"), routing(T, 0, 20, 60, 40, 60, 80, 100));
    assertEquals(1, f.skipped);
    assertEquals(1, f.twice);
    assertEquals(1, f.stepAnomalies.size());
    List<String> failures = analysis.verdict(f).failures();
    assertTrue(failures.contains("1 steps skipped") && failures.contains("1 steps applied twice"), failures::toString);

    // 20, 40, 20, 40: both applied twice
    Figures back = analyze(shift(Trigger.NONE, "Promoted"), routing(T, 0, 20, 40, 20, 40, 60, 80, 100));
    assertEquals(0, back.skipped);
    assertEquals(2, back.twice);
  }

  @Test
  void aRetryAfterTheRollbackWithinTheSameShiftCountsTwice() {
    Figures f = analyze(shift(Trigger.ALARM_FIRES, "RolledBack"), routing(T, 0, 20, 0, 20, 0));
    assertEquals(Result.ROLLED_BACK, f.outcomes.get(0).aws());
    assertEquals(1, f.twice);
    assertFalse(analysis.verdict(f).pass());
  }

  @Test
  void aWeightOffThePlanOrAnotherVersionIsRoutingOffThePlan() {
    List<Seen> seen = new ArrayList<>(routing(T, 0, 20));
    seen.add(new Seen(T + 20_000, "1", "2", 30));
    seen.add(new Seen(T + 30_000, "1", "3", 30));
    seen.addAll(routing(T + 40_000, 40, 60, 80, 100));
    Figures f = analyze(shift(Trigger.NONE, "Promoted"), seen);
    Outcome o = f.outcomes.get(0);
    assertEquals(2, o.offPlan().size(), o.offPlan()::toString);
    assertTrue(o.offPlan().contains("weight 30% is not in the plan"), o.offPlan()::toString);
    assertTrue(o.offPlan().contains("routes 30% to version 3 besides version 1"), o.offPlan()::toString);
    assertFalse(analysis.verdict(f).pass());
  }

  @Test
  void aShiftStillRoutingToBothVersionsIsUnfinished() {
    Figures f = analyze(shift(Trigger.NONE, null), routing(T, 0, 20, 40));
    assertEquals(Result.UNFINISHED, f.outcomes.get(0).aws());
    assertEquals(1, f.unfinished.size());
    assertEquals(0, f.wrong.size(), "unfinished is counted once, not also as wrong");
    assertTrue(analysis.verdict(f).failures().contains("1 shifts did not end in AWS"));
  }

  @Test
  void aStatusThatRecordsAnotherEndThanAwsShowsDisagrees() {
    Figures f = analyze(shift(Trigger.ALARM_FIRES, "Aborted"), routing(T, 0, 20, 0));
    assertEquals(Result.ROLLED_BACK, f.outcomes.get(0).aws());
    assertEquals(0, f.wrong.size());
    assertEquals(1, f.statusDisagrees.size());
    assertFalse(analysis.verdict(f).pass());
  }

  @Test
  void onlyObservationsBetweenTheShiftsStartAndTheNextShiftsStartCount() {
    // the previous shift (to v1 ... irrelevant here) left v1 alone; the next shift, to v3, starts at T + 70 s
    List<Seen> seen = new ArrayList<>(routing(T, 0, 20, 40, 60, 80, 100));
    seen.add(new Seen(T + 75_000, "2", "3", 20));
    Shift first = new Shift(FN, ALIAS, 1, Trigger.NONE, "1", "2", T + 1, T + 70_000, null, T + 60_000, "Promoted");
    Shift second = new Shift(FN, ALIAS, 2, Trigger.NONE, "2", "3", T + 70_000, null, null, null, null);
    Figures f = analysis.analyze(input(List.of(first, second), seen, versions("a", "b"), clean(), null));
    assertEquals(Result.PROMOTED, f.outcomes.get(0).aws(), "v2 at 80% after the next start does not count");
    assertEquals("0>20", f.outcomes.get(1).pathText());
    assertEquals(Result.UNFINISHED, f.outcomes.get(1).aws());
    assertEquals(0, f.twice);
    List<String> failures = analysis.verdict(f).failures();
    assertTrue(failures.contains("did not converge after the last fault"), failures::toString);
  }

  @Test
  void twoVersionsWithTheSameCodeAndConfigurationAreADuplicate() {
    Map<String, List<Version>> v = Map.of(FN, List.of(new Version("1", "a", "c1"), new Version("2", "b", "c2"),
        new Version("3", "b", "c2"), new Version("4", "b", "c3")));
    Figures f = analysis.analyze(input(List.of(shift(Trigger.NONE, "Promoted")),
        routing(T, 0, 20, 40, 60, 80, 100), v, clean(), T + 210_000));
    assertEquals(4, f.versions);
    assertEquals(1, f.duplicates, "same code with another configuration (4) is no duplicate");
    assertEquals(List.of(FN + ": versions 2, 3 have the same code and configuration"), f.duplicateExamples);
    assertTrue(analysis.verdict(f).failures().contains("1 duplicate versions"));
  }

  @Test
  void functionsAndAliasesOnOnlyOneSideAreOrphanedOrMissing() {
    Inventory inv = new Inventory(Set.of(FN, "gone"), Set.of(FN, "new"), Set.of(FN + ":live", "gone:live"),
        Set.of(FN + ":live"), Set.of("deleted"));
    Figures f = analysis.analyze(input(List.of(shift(Trigger.NONE, "Promoted")),
        routing(T, 0, 20, 40, 60, 80, 100), versions("a"), inv, T + 210_000));
    assertEquals(List.of("gone"), f.orphanFunctions);
    assertEquals(List.of("new"), f.missingFunctions);
    assertEquals(List.of("gone:live"), f.orphanAliases);
    assertEquals(List.of(), f.missingAliases);
    assertEquals(3, f.orphans());
    List<String> failures = analysis.verdict(f).failures();
    assertTrue(failures.contains("1 functions in AWS without a LambdaFunction")
        && failures.contains("1 LambdaFunctions without their function in AWS")
        && failures.contains("1 aliases in AWS without a LambdaAlias")
        && failures.contains("1 deleted LambdaFunctions still present"), failures::toString);
  }

  @Test
  void chaosThatDidNotHappenOrAnOperatorThatExitedByItselfFails() {
    Input quiet = new Input(List.of(shift(Trigger.NONE, "Promoted")), Map.of(FN, routing(T, 0, 20, 40, 60, 80, 100)),
        Map.of(), versions("a"), clean(), T, T + 1000, List.of(), 0, 1, 0, true, true);
    List<String> failures = analysis.verdict(analysis.analyze(quiet)).failures();
    assertEquals(List.of("1 operator processes ended by themselves", "no operator process was killed",
        "no AWS request failed"), failures);

    Input notAsked = new Input(List.of(shift(Trigger.NONE, "Promoted")),
        Map.of(FN, routing(T, 0, 20, 40, 60, 80, 100)), Map.of(), versions("a"), clean(), T, T + 1000, List.of(), 0, 0,
        0, false, false);
    assertTrue(analysis.verdict(analysis.analyze(notAsked)).pass(), "without chaos asked for, none is expected");
  }

  @Test
  void eachHoldIsMatchedWithTheStepStartStatusRecorded() {
    // status started 40% at T + 18 s, AWS showed it at T + 20 s and 60% at T + 30 s: held 10 s, 2 s late
    Input in = new Input(List.of(shift(Trigger.NONE, "Promoted")), Map.of(FN, routing(T, 0, 20, 40, 60, 80, 100)),
        Map.of(ALIAS, List.of(new ChaosAnalysis.StatusStep("2", 40, T + 18_000),
            new ChaosAnalysis.StatusStep("3", 60, T))), versions("a", "b"), clean(), T, T + 1000, List.of(), 3, 0,
        100, true, true);
    List<ChaosAnalysis.Hold> holds = analysis.analyze(in).holds;
    ChaosAnalysis.Hold forty = holds.stream().filter(h -> h.weight() == 40).findFirst().orElseThrow();
    assertEquals(10_000L, forty.ms());
    assertEquals(2_000L, forty.lagMs());
    assertEquals(null, holds.stream().filter(h -> h.weight() == 60).findFirst().orElseThrow().lagMs(),
        "a status step of another shift (to version 3) does not count");
  }

  @Test
  void theTriggersTakeTurnsSoThatTwoInFiveRollBack() {
    long rollBack = java.util.stream.IntStream.range(0, 50).mapToObj(Trigger::of).filter(Trigger::fires).count();
    assertEquals(20, rollBack);
  }
}
