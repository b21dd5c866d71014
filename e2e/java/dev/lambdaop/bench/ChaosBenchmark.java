package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.printResult;
import static dev.lambdaop.bench.BenchSupport.startWatchdog;

import dev.lambdaop.testbed.FaultProxy;
import java.time.Duration;

/**
 * A benchmark, not a test: progressive traffic shifts while the operator is killed and AWS fails. It starts the test
 * bed, a {@link FaultProxy} in front of its AWS endpoint, installs crds/ and starts the operator as its own process
 * ({@code dev.lambdaop.OperatorMain}, AWS endpoint the proxy; {@link OperatorProcess}). Then ({@link ChaosScenario})
 * it creates N LambdaFunctions, {@code aliases} of them with a LambdaAlias (Linear {@code stepWeight} every
 * {@code interval}), and once all are Ready on version 1, for {@code chaos}: the operator is killed with SIGKILL every
 * {@code killEvery} (at random in the range) and started again at once, and {@code faultRate} of its AWS requests
 * fail (5xx, throttling, conflicts, timeouts); meanwhile each alias shifts to one new version after the other, two in
 * five with a rollback trigger that the benchmark makes fire, and the other functions get new code, are deleted and
 * created. Then the chaos stops and it waits until everything matches.
 *
 * <p>{@link ChaosAnalysis} takes its figures from the AWS side ({@link RoutingPoller}: GetAlias of every alias,
 * straight to the endpoint, not through the proxy; and the final listing of functions, versions and aliases): shifts
 * that ended Promoted or RolledBack against what their trigger calls for (and status.history against AWS), steps
 * skipped or applied twice against the Linear plan, duplicate versions, functions and aliases orphaned or missing,
 * and the time to converge after the last fault. {@link ChaosReport} prints them and a RESULT line. Exit code 0 when
 * there was none of any kind of loss and everything converged (PASS), 1 otherwise (FAIL; {@link ChaosAnalysis#verdict},
 * the same verdict the RESULT line prints), 2 when the benchmark could not complete. Everything it started (operator
 * processes, proxy, test bed) is stopped at its end, on failure and on Ctrl-C.
 *
 * <p>Settings (system properties): {@code n} (or the first argument; default 200), {@code aliases} (50),
 * {@code chaos} (5m), {@code killEvery} (20s-40s; off: never), {@code faultRate} (0.2), {@code interval} (10s),
 * {@code stepWeight} (20), {@code timeoutHold} (how long a timed-out request gets no answer; 25s, past the operator's
 * 20 s attempt timeout), {@code churnEvery} (30s), {@code poll} (500ms), {@code timeout} (limit of the setup and of
 * convergence; 10m), {@code resync} (the operator's LAMBDAOP_RESYNC_PERIOD; default its own), {@code seed},
 * {@code threads} (8), {@code bench.log} (WARN), {@code lambdaop.projectDir}, {@code lambdaop.testbed}.
 */
public final class ChaosBenchmark {
  private ChaosBenchmark() {}

  public static void main(String[] args) {
    BenchSupport.runAndExit(() -> run(args), ChaosBenchmark.class, ChaosSettings.class, ChaosScenario.class,
        ChaosBed.class, OperatorProcess.class, RoutingPoller.class, ChaosAnalysis.class, ChaosReport.class,
        Stats.class, Verdict.class, BenchSupport.class, FaultProxy.class);
  }

  private static int run(String[] args) throws Exception {
    ChaosSettings s = ChaosSettings.fromSystemProperties(args);
    startWatchdog(s.chaos().plus(s.timeout().multipliedBy(2)).plus(Duration.ofMinutes(15)));
    long t0 = System.nanoTime();
    ChaosReport.printHeader(s);
    ChaosAnalysis analysis = new ChaosAnalysis(s.weights());
    Verdict verdict;
    String result;
    try (ChaosBed bed = ChaosBed.start(s)) {
      ChaosScenario.Recording recording = new ChaosScenario(s, bed).run();
      ChaosAnalysis.Figures figures = analysis.analyze(recording.input());
      verdict = analysis.verdict(figures);
      result = new ChaosReport(s, recording, figures).print(verdict);
    }
    printResult(result, t0);
    return verdict.exitCode();
  }
}
