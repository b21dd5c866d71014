package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.printResult;
import static dev.lambdaop.bench.BenchSupport.startWatchdog;

import dev.lambdaop.testbed.FaultProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A benchmark, not a test: the operator at scale, as its own process ({@link OperatorProcess}) behind a
 * {@link FaultProxy} in front of moto, on a fresh test bed per scenario ({@link ScaleBed}). Scenarios
 * ({@code -Dscenario=converge|steady|throttle|all}):
 *
 * <ul>
 *   <li>{@link ScaleConverge}: 1,000 LambdaFunctions and 100 LambdaAliases shifting (Linear 10% every minute) applied
 *       at once to the operator at its default budget: time to all Ready against the bound its calls allow, calls per
 *       function by operation and quota, throttles surfaced (0), RSS after convergence (&lt; 200 MiB), and each step's
 *       lateness as AWS shows it (p99 &lt; 1 s);
 *   <li>{@link ScaleSteady}: 10,000 LambdaFunctions and 2,000 LambdaAliases created with a raised budget (moto's
 *       memory and CreateFunction times measured meanwhile), then a cold start at the defaults: time until every
 *       resource was reconciled once, the calls of one resync period (no write, reads within the share), heap
 *       (&lt; 512 MiB) and RSS;
 *   <li>{@link ScaleThrottle}: 200 LambdaFunctions while 30% of Lambda requests get 429 for one minute: no error in
 *       any status, and the request rate the operator settles at.
 * </ul>
 *
 * <p>Each scenario prints its figures and one line {@code VERDICT <scenario>: PASS|FAIL ...} ({@link ScaleAnalysis},
 * pure and unit-tested); the last line is a RESULT with every verdict. Exit code 0 when all pass, 1 when one fails,
 * 2 when the benchmark could not complete. Everything it started is stopped at its end, on failure and on Ctrl-C.
 *
 * <p>Settings (system properties; {@link ScaleSettings}): {@code scenario} (all), {@code n} and {@code aliases} (each
 * scenario's defaults), {@code interval} (1m), {@code stepWeight} (10), {@code poll} (250ms), {@code sample} (20
 * aliases polled), {@code resync} (steady: the restarted operator's LAMBDAOP_RESYNC_PERIOD; default its own, 10m),
 * {@code raisedBudget} ({@value ScaleSettings#RAISED_BUDGET}), {@code rates} ({@value ScaleSettings#DEFAULT_RATES}),
 * {@code readShare} (0.2), {@code faultRate} (0.3), {@code faultFor} (1m), {@code timeout} (60m per wait),
 * {@code threads} (8), {@code javaOptions}, {@code rssGoalMiB} (200), {@code heapGoalMiB} (512), {@code stepGoalMs}
 * (1000), {@code bench.log} (WARN).
 */
public final class ScaleBenchmark {
  private ScaleBenchmark() {}

  public static void main(String[] args) {
    BenchSupport.runAndExit(ScaleBenchmark::run, ScaleBenchmark.class, ScaleSettings.class, ScaleBed.class,
        ScaleWatch.class, ScaleAnalysis.class, ScaleReport.class, ScaleConverge.class, ScaleSteady.class,
        ScaleThrottle.class, OperatorProcess.class, RoutingPoller.class, Stats.class, Verdict.class,
        BenchSupport.class, FaultProxy.class);
  }

  private static int run() throws Exception {
    ScaleSettings s = ScaleSettings.fromSystemProperties();
    startWatchdog(s.timeout().multipliedBy(3L * s.scenarios().size()).plus(Duration.ofMinutes(30)));
    long t0 = System.nanoTime();
    System.out.printf(Locale.ROOT, "scale benchmark: scenarios %s; %s; operator JVM %s%n", s.scenarios(),
        ScaleBed.load(), s.javaOptions());
    System.getenv().keySet().stream().filter(k -> k.startsWith(ScaleSettings.OPERATOR_VARIABLES)).forEach(k ->
        System.out.println("WARNING: " + k + " is set in this environment and reaches every operator process: the"
            + " default-budget phases do not run at the defaults"));
    List<String> lines = new ArrayList<>();
    boolean pass = true;
    for (String scenario : s.scenarios()) {
      System.out.println();
      String line;
      try (ScaleBed bed = ScaleBed.start(s, scenario)) {
        line = switch (scenario) {
          case "converge" -> new ScaleConverge(s, bed).run();
          case "steady" -> new ScaleSteady(s, bed).run();
          default -> new ScaleThrottle(s, bed).run();
        };
      }
      lines.add(line);
      pass &= line.contains(": PASS");
    }
    System.out.println();
    lines.forEach(System.out::println);
    printResult("RESULT scale " + s.scenarios() + ": " + (pass ? "PASS" : "FAIL"), t0);
    return pass ? Verdict.EXIT_PASS : Verdict.EXIT_FAIL;
  }
}
