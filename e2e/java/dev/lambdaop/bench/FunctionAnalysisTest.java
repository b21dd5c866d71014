package dev.lambdaop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.bench.FunctionAnalysis.Figures;
import dev.lambdaop.bench.FunctionAnalysis.PhaseFigures;
import dev.lambdaop.bench.FunctionRecorder.Heap;
import dev.lambdaop.bench.FunctionRecorder.PhaseRecord;
import dev.lambdaop.bench.FunctionRecorder.Recording;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The function benchmark's analysis and verdict, on made-up phases of two functions (no test bed). */
class FunctionAnalysisTest {
  private static final long S = 1_000_000_000L;
  private static final int N = 2;

  private static CallWindow.Counts counts(long startNanos, long endNanos, Map<String, Long> calls) {
    return new CallWindow.Counts(0, (endNanos - startNanos) / 1_000_000, startNanos, endNanos, calls, 0,
        Duration.ZERO);
  }

  /** Two functions sent at 0 and 1 s after the phase started, Ready at 2 and 4 s. */
  private static PhaseRecord converged(String name) {
    return new PhaseRecord(name, counts(10 * S, 20 * S, Map.of("CreateFunction", 2L, "GetFunction", 4L)), 6, 0,
        Map.of("a", 10 * S, "b", 11 * S), Map.of("a", 12 * S, "b", 14 * S));
  }

  private static PhaseRecord quiet(String name, Map<String, Long> calls) {
    return new PhaseRecord(name, counts(30 * S, 55 * S, calls), 0, 0, Map.of(), Map.of());
  }

  private static Recording recording(Map<String, Long> idleCalls, Map<String, Long> idleAgainCalls) {
    return new Recording(List.of(converged("create"), quiet("idle", idleCalls), converged("update code"),
        quiet("idle again", idleAgainCalls)), List.of(), Map.of(), Map.of(), List.of(), new Heap(30, 64, 512, 90, 200));
  }

  @Test
  void latencyRunsFromEachRequestToReadyForItsGeneration() {
    PhaseFigures create = FunctionAnalysis.phase(converged("create"));

    assertEquals(List.of(2.0, 3.0), create.latencies().sorted());
    assertEquals(2.0, create.latencies().p(0.5));
    assertEquals(3.0, create.latencies().max());
    assertEquals(4.0, create.seconds(), 1e-9, "from the phase's start to the last Ready, not to its end");
    assertEquals(4, create.reconciles());
    assertEquals("1.00", create.perFunction("CreateFunction", N));
    assertEquals("-", create.perFunction("DeleteFunction", N));
  }

  @Test
  void quietPhasesWithoutWritesThatReconciledEveryFunctionPass() {
    Figures f = FunctionAnalysis.analyze(N, recording(Map.of("GetFunction", 2L), Map.of("GetFunction", 3L)));

    assertEquals(2, f.quiet().size());
    assertNull(f.phase("idle").quietProblem(N));
    assertEquals(25.0, f.phase("idle").seconds(), 1e-9, "a quiet phase lasts to its end");
    Verdict v = FunctionAnalysis.verdict(f);
    assertTrue(v.pass(), v.failures().toString());
    assertEquals(0, v.exitCode());
  }

  @Test
  void aWriteAtNoOpResyncFails() {
    Figures f = FunctionAnalysis.analyze(N, recording(Map.of("GetFunction", 2L),
        Map.of("GetFunction", 2L, "UpdateFunctionConfiguration", 1L)));

    assertEquals(1, f.quietWrites());
    Verdict v = FunctionAnalysis.verdict(f);
    assertEquals(1, v.exitCode());
    assertEquals(List.of("idle again: 1 AWS writes while nothing changed: {UpdateFunctionConfiguration=1}"),
        v.failures());
  }

  @Test
  void aQuietPhaseThatDidNotReconcileEveryFunctionProvesNothingAndFails() {
    Figures f = FunctionAnalysis.analyze(N, recording(Map.of("GetFunction", 1L), Map.of("GetFunction", 2L)));

    assertEquals(0, f.quietWrites());
    assertFalse(FunctionAnalysis.verdict(f).pass());
    assertTrue(f.phase("idle").quietProblem(N).startsWith("only 1 reconciles of 2 functions"));
  }

  @Test
  void theResultLinePrintsTheOnlyVerdict() {
    FunctionSettings settings = new FunctionSettings(N, Duration.ofSeconds(20), Duration.ofMinutes(10), 1,
        Path.of("."));
    Recording r = recording(Map.of("GetFunction", 2L, "PublishVersion", 1L), Map.of("GetFunction", 2L));
    Figures f = FunctionAnalysis.analyze(N, r);
    Printed printed = Printed.by(() -> new FunctionReport(settings, r, f).print(FunctionAnalysis.verdict(f)));
    assertTrue(printed.result().contains("| no-op resync writes 1 FAIL |"), printed.result());
    String tables = printed.output();
    assertTrue(tables.contains("no-op resync (idle, 25.0 s, resync period 20s): 1 AWS writes while nothing"
        + " changed"), tables);
    assertFalse(tables.contains("PASS") || tables.contains("FAIL"), "no verdict but the RESULT line");
  }
}
