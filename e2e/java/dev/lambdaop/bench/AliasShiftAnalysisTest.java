package dev.lambdaop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.bench.AliasPoller.AwsObs;
import dev.lambdaop.bench.AliasShiftAnalysis.Figures;
import dev.lambdaop.bench.AliasShiftRecorder.Obs;
import dev.lambdaop.bench.AliasShiftRecorder.Recording;
import dev.lambdaop.bench.AliasShiftRecorder.Sample;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The alias benchmark's analysis and verdict, on made-up observations of one alias (no test bed). */
class AliasShiftAnalysisTest {
  private static final long T = 1_700_000_000_000L;
  private static final long INTERVAL = 5000;
  private static final List<Integer> WEIGHTS = List.of(20, 40, 60, 80, 100);
  private static final String FN = "shift-00000";
  private static final String ALIAS = AliasShiftScenario.aliasName(FN);
  private final AliasShiftAnalysis analysis = new AliasShiftAnalysis(WEIGHTS, INTERVAL);

  /** The status of one step: the weight of version 2, when it started, and when the informer saw it. */
  private static Obs status(int weight, long startedAtMs, long seenAtMs) {
    String started = Instant.ofEpochMilli(startedAtMs).toString();
    return weight == 100
        ? new Obs(seenAtMs, "2", null, null, null, started, "Promoted", "True Ready", "")
        : new Obs(seenAtMs, "1", "2", weight, WEIGHTS.indexOf(weight), started, "Progressing", "True Ready", "");
  }

  /** Each step starts on schedule (the previous start + interval) and is seen that much late. */
  private static List<Obs> onSchedule(List<Integer> weights, long... latenessMs) {
    List<Obs> list = new ArrayList<>();
    for (int i = 0; i < weights.size(); i++) {
      long start = T + 100 + i * INTERVAL;
      list.add(status(weights.get(i), start, start + latenessMs[i]));
    }
    return list;
  }

  private static Recording recording(List<Obs> statuses, List<AwsObs> aws, long updateAlias, List<String> wrongEnd,
      Map<String, Long> shiftCalls, List<Sample> samples) {
    CallWindow.Counts shift = new CallWindow.Counts(T, T + 30_000, 0, 30_000_000_000L, shiftCalls, 0, Duration.ZERO);
    CallWindow.Counts tail = new CallWindow.Counts(T + 30_000, T + 40_000, 0, 0, Map.of(), 0, Duration.ZERO);
    return new Recording(List.of(FN), List.of(FN), Map.of(ALIAS, statuses), Map.of(FN, T), Map.of(FN, aws),
        new AliasPoller.PollStats(1, 100, 0, 3.0, null), samples, shift, null, tail, Map.of(FN, updateAlias), 12,
        Map.of(), wrongEnd, 10);
  }

  private static Recording recording(List<Obs> statuses) {
    return recording(statuses, List.of(), 5, List.of(), Map.of("GetAlias", 5L, "UpdateAlias", 5L), List.of());
  }

  @Test
  void latenessIsMeasuredAgainstThePreviousStepsStartPlusTheInterval() {
    Figures f = analysis.analyze(recording(onSchedule(WEIGHTS, 40, 300, 700, 1500, 0)));

    // the first step has no schedule; the other four are 300, 700, 1500 and 0 ms late
    Stats late = f.lateness(f.statusSteps);
    assertEquals(4, late.count());
    assertEquals(300.0, late.p(0.5));
    assertEquals(1500.0, late.max());
    assertEquals(0.0, late.min());
    assertEquals(1, Figures.late(f.statusSteps), "only the step more than 1 s late");
    assertEquals(List.of(140.0), f.firstStep(f.statusSteps).sorted(), "first step 40 ms after publication");
    assertEquals(0, f.skipped);
    assertEquals(0, f.repeated);
    assertTrue(f.rebased.isEmpty());
    assertTrue(analysis.verdict(f).pass(), () -> analysis.verdict(f).failures().toString());
  }

  @Test
  void aSkippedStepIsFoundAndFails() {
    Figures f = analysis.analyze(recording(onSchedule(List.of(20, 60, 80, 100), 0, 0, 0, 0)));

    assertEquals(1, f.skipped);
    assertEquals(Map.of(40, 1), f.skippedByWeight);
    assertEquals(1, f.missingSteps());
    assertTrue(f.anomalies.get(0).contains("skipping [40]"), f.anomalies.get(0));
    Verdict v = analysis.verdict(f);
    assertFalse(v.pass());
    assertEquals(1, v.exitCode());
  }

  @Test
  void aStepAppliedTwiceFails() {
    Figures f = analysis.analyze(recording(onSchedule(List.of(20, 40, 60, 40, 60, 80, 100), 0, 0, 0, 0, 0, 0, 0)));

    assertTrue(f.repeated > 0);
    assertEquals(0, f.skipped);
    assertEquals("FAIL", analysis.verdict(f).word());
  }

  @Test
  void aRestartedStepIsAnAnomaly() {
    List<Obs> statuses = new ArrayList<>(onSchedule(WEIGHTS, 0, 0, 0, 0, 0));
    // the 40% step's stepStartedAt moves while the weight stays: the step started again
    statuses.add(2, status(40, T + 100 + INTERVAL + 2000, T + 100 + INTERVAL + 2000));
    Figures f = analysis.analyze(recording(statuses));

    assertTrue(f.anomalies.stream().anyMatch(a -> a.contains("a step restarted")), f.anomalies.toString());
    assertFalse(analysis.verdict(f).pass());
  }

  @Test
  void anAliasThatStopsShortFails() {
    Figures f = analysis.analyze(recording(onSchedule(List.of(20, 40), 0, 0)));

    assertEquals(3, f.missingSteps());
    assertTrue(f.anomalies.get(0).contains("never reached [60, 80, 100]"), f.anomalies.get(0));
    assertFalse(analysis.verdict(f).pass());
  }

  @Test
  void anExtraUpdateAliasOrAWrongEndFailsEvenWhenEveryStepWasWritten() {
    List<Obs> steps = onSchedule(WEIGHTS, 0, 0, 0, 0, 0);
    Map<String, Long> calls = Map.of("UpdateAlias", 6L);
    Figures extraWrite = analysis.analyze(recording(steps, List.of(), 6, List.of(), calls, List.of()));
    Figures wrongEnd = analysis.analyze(recording(steps, List.of(), 5, List.of(FN + " in AWS: version 1"), calls,
        List.of()));

    assertTrue(extraWrite.anomalies.isEmpty());
    assertEquals(Map.of(FN, 6L), extraWrite.updateAliasOff);
    assertFalse(analysis.verdict(extraWrite).pass());
    assertFalse(analysis.verdict(wrongEnd).pass());
  }

  @Test
  void awsStepsAreScheduledFromTheStatusOfThePreviousStep() {
    List<Obs> statuses = onSchedule(WEIGHTS, 0, 0, 0, 0, 0);
    List<AwsObs> aws = new ArrayList<>();
    aws.add(new AwsObs(T - 1000, T - 1000, "1", 0, null)); // before the shift: not a step
    for (int i = 0; i < WEIGHTS.size(); i++) {
      long seen = T + 100 + i * INTERVAL + 250;
      aws.add(new AwsObs(seen, seen, WEIGHTS.get(i) == 100 ? "2" : "1", WEIGHTS.get(i), null));
    }
    Figures f = analysis.analyze(recording(statuses, aws, 5, List.of(), Map.of(), List.of()));

    assertEquals(5, f.awsSteps.size());
    assertEquals(List.of(250.0, 250.0, 250.0, 250.0), f.lateness(f.awsSteps).sorted());
    assertTrue(f.awsNotes.isEmpty(), f.awsNotes.toString());
  }

  @Test
  void callsPerStepAndThePeakWriteRateComeFromTheCounts() {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i <= 120; i++) { // 30 s, one UpdateAlias per 250 ms: 4 writes/s
      samples.add(new Sample(T + i * 250L, Map.of("UpdateAlias", (long) i, "GetAlias", 2L * i), 0, 0));
    }
    Map<String, Long> calls = Map.of("GetAlias", 10L, "UpdateAlias", 5L, "GetFunctionConfiguration", 7L);
    Figures f = analysis.analyze(recording(onSchedule(WEIGHTS, 0, 0, 0, 0, 0), List.of(), 5, List.of(), calls,
        samples));

    assertEquals(22, f.callsAll);
    assertEquals(5, f.writesAll, "only UpdateAlias writes");
    assertEquals(10, f.reconciles);
    assertEquals(4.0, f.peakWriteRate, 1e-9);
    assertFalse(f.budgetLimiting, "no write waited");
    assertEquals(6, f.timeline.size(), "30 s in buckets of one interval");
    assertEquals(20, f.timeline.get(0).updateAlias());
  }

  @Test
  void theResultLinePrintsTheVerdict() {
    AliasShiftSettings settings = new AliasShiftSettings(1, "5s", Duration.ofMillis(INTERVAL), 20,
        Duration.ofMinutes(10), 1, Duration.ofMillis(200), Duration.ofSeconds(60), 1, Path.of("."), null, null,
        WEIGHTS);
    Recording skipped = recording(onSchedule(List.of(20, 60, 80, 100), 0, 0, 0, 0));
    Figures f = analysis.analyze(skipped);
    Printed printed = Printed.by(() -> new AliasShiftReport(settings, skipped, f).print(analysis.verdict(f)));
    assertTrue(printed.result().startsWith("RESULT N=1 Linear 20%/5s | steps 4/5, skipped 1, twice 0 FAIL |"),
        printed.result());
    assertFalse(printed.output().contains("PASS"), "no other verdict printed");
  }
}
