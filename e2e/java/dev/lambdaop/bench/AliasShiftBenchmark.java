package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.printResult;
import static dev.lambdaop.bench.BenchSupport.startWatchdog;

import dev.lambdaop.testbed.Testbed;
import java.time.Duration;

/**
 * A benchmark, not a test: N progressive traffic shifts at once against the test bed. It starts the test bed
 * ({@link Testbed#start()}, local by default), installs crds/, starts the operator in this JVM (resync 60 s, so that
 * resyncs do not interfere; the AWS write budget at its default), then ({@link AliasShiftScenario})
 * <ol>
 *   <li>creates N LambdaFunctions, waits until they are Ready, creates N LambdaAliases on them (version latest,
 *       deployment Linear with {@code stepWeight} and {@code interval}) and waits until every alias is Ready on
 *       version 1;</li>
 *   <li>changes the code of all N functions at once: each publishes version 2, and each alias shifts to it
 *       (20, 40, 60, 80, 100% by default);</li>
 *   <li>records every step of every alias as the operator writes it in status (an informer on the LambdaAliases),
 *       and, for a sample of aliases, as AWS reports it (GetAlias every {@code poll}) ({@link AliasShiftRecorder},
 *       {@link AliasPoller});</li>
 *   <li>after the shift, watches for a short while that nothing more is written, and checks every alias in AWS.</li>
 * </ol>
 * {@link AliasShiftAnalysis} measures each step's lateness against its schedule (the previous step's
 * status.stepStartedAt + interval), the first step's delay and the shift's duration, steps skipped or applied twice,
 * AWS calls per step and the write budget's waits; {@link AliasShiftReport} prints them with a timeline, and a final
 * RESULT line. Every wait is bounded. Exit code 0 when every alias went through every step once (one UpdateAlias
 * each) and ended on version 2 alone, 1 otherwise (FAIL; {@link AliasShiftAnalysis#verdict}, the same verdict the
 * RESULT line prints), 2 when the benchmark could not complete (for example the shift did not finish within
 * {@code timeout}).
 *
 * <p>Settings (system properties): {@code n} (or the first argument; default 100), {@code interval} (default 5s),
 * {@code stepWeight} (default 20), {@code timeout} (limit of each wait: setup and shift; default 10m), {@code sample}
 * (aliases polled in AWS, default 10), {@code poll} (default 200ms), {@code resync} (default 60s), {@code threads}
 * (client threads that create and patch, default 8), {@code writesPerSecond} and {@code writeBurst} (the AWS write
 * budget; default: the operator's defaults, 10 and 10; for experiments only), {@code bench.log} (default WARN),
 * {@code lambdaop.projectDir}, {@code lambdaop.testbed}.
 */
public final class AliasShiftBenchmark {
  private AliasShiftBenchmark() {}

  public static void main(String[] args) {
    BenchSupport.runAndExit(() -> run(args), AliasShiftBenchmark.class, AliasShiftSettings.class,
        AliasShiftScenario.class, AliasShiftRecorder.class, AliasPoller.class, FunctionTracker.class,
        CallWindow.class, AliasShiftAnalysis.class, AliasShiftReport.class, Stats.class, Verdict.class,
        BenchBed.class, BenchSupport.class);
  }

  private static int run(String[] args) throws Exception {
    AliasShiftSettings s = AliasShiftSettings.fromSystemProperties(args);
    startWatchdog(s.timeout().multipliedBy(3).plus(Duration.ofMinutes(10)));
    long t0 = System.nanoTime();
    AliasShiftReport.printHeader(s);
    AliasShiftAnalysis analysis = new AliasShiftAnalysis(s.weights(), s.interval().toMillis());
    Verdict verdict;
    String result;
    try (BenchBed bed = BenchBed.start(s.projectDir(), s.operatorSettings(), "shift", s.threads())) {
      AliasShiftRecorder.Recording recording = new AliasShiftScenario(s, bed, t0).run();
      AliasShiftAnalysis.Figures figures = analysis.analyze(recording);
      verdict = analysis.verdict(figures);
      result = new AliasShiftReport(s, recording, figures).print(verdict);
    }
    printResult(result, t0);
    return verdict.exitCode();
  }
}
