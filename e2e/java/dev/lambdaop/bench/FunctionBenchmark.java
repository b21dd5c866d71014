package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.printResult;
import static dev.lambdaop.bench.BenchSupport.startWatchdog;

import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.testbed.Testbed;
import java.time.Duration;

/**
 * A benchmark, not a test: LambdaFunction at scale against the test bed. It starts the test bed
 * ({@link Testbed#start()}, local by default), installs crds/, starts the operator in this JVM, then
 * ({@link FunctionScenario})
 * <ol>
 *   <li>creates N LambdaFunctions at once (inline Python, distinct per function) and measures, with an informer
 *       ({@link FunctionTracker}), the time from each create request until Ready=True for that generation;</li>
 *   <li>changes nothing for at least one full resync period: the operator must make no AWS write then;</li>
 *   <li>changes the code of all N functions and measures convergence again;</li>
 *   <li>changes nothing for another resync period (no AWS write again), then checks that every status names the
 *       code of its spec;</li>
 * </ol>
 * and prints ({@link FunctionReport}) latencies, reconciles, AWS calls per function by operation and phase, the write
 * budget's waits, throttling seen in conditions, and the heap after convergence. Every wait is bounded. Exit code 0
 * when both quiet periods made no AWS write (and reconciled every function), 1 otherwise (FAIL;
 * {@link FunctionAnalysis#verdict}, the same verdict the RESULT line prints), 2 when the benchmark could not
 * complete.
 *
 * <p>Settings (system properties): {@code n} (or the first argument; default 200), {@code resync} (default 20s),
 * {@code timeout} (limit of each convergence phase, default 10m), {@code threads} (client threads that create and
 * patch, default 8), {@code bench.log} (level of the operator's and libraries' logs, default WARN),
 * {@code lambdaop.projectDir}, {@code lambdaop.testbed}.
 */
public final class FunctionBenchmark {
  private FunctionBenchmark() {}

  public static void main(String[] args) {
    BenchSupport.runAndExit(() -> run(args), FunctionBenchmark.class, FunctionSettings.class,
        FunctionScenario.class, FunctionRecorder.class, FunctionTracker.class, CallWindow.class,
        FunctionAnalysis.class, FunctionReport.class, Stats.class, Verdict.class, BenchBed.class,
        BenchSupport.class);
  }

  private static int run(String[] args) throws Exception {
    FunctionSettings s = FunctionSettings.fromSystemProperties(args);
    startWatchdog(s.timeout().multipliedBy(2).plus(s.resync().multipliedBy(8)).plus(Duration.ofMinutes(10)));
    long t0 = System.nanoTime();
    FunctionReport.printHeader(s);
    Verdict verdict;
    String result;
    OperatorSettings settings = OperatorSettings.defaults().withResyncPeriod(s.resync());
    try (BenchBed bed = BenchBed.start(s.projectDir(), settings, "bench", s.threads())) {
      FunctionRecorder.Recording recording = new FunctionScenario(s, bed, t0).run();
      FunctionAnalysis.Figures figures = FunctionAnalysis.analyze(s.n(), recording);
      verdict = FunctionAnalysis.verdict(figures);
      result = new FunctionReport(s, recording, figures).print(verdict);
    }
    printResult(result, t0);
    return verdict.exitCode();
  }
}
