package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.forAll;
import static dev.lambdaop.bench.BenchSupport.seconds;
import static dev.lambdaop.bench.ScaleReport.line;
import static dev.lambdaop.bench.ScaleReport.s;
import static dev.lambdaop.bench.ScaleReport.stats;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.testbed.FaultProxy.RandomFaults;
import dev.lambdaop.testbed.FaultProxy.Request;
import dev.lambdaop.testbed.SampleFunctions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Scenario throttle: N LambdaFunctions applied at once to the operator at its defaults while, for {@code faultFor},
 * the fault proxy answers {@code faultRate} of the Lambda requests with 429 TooManyRequestsException. No error may
 * reach a status (every Ready=False reason is watched); the figures are the request rate the operator settles at,
 * during the faults and after them, as the proxy saw the requests arrive.
 */
final class ScaleThrottle {
  private static final long BUCKET_MS = 10_000;

  private final ScaleSettings s;
  private final ScaleBed bed;

  ScaleThrottle(ScaleSettings settings, ScaleBed bed) {
    this.s = settings;
    this.bed = bed;
  }

  String run() throws Exception {
    int n = s.n("throttle");
    List<String> names = BenchSupport.names("scale-t", n);
    line("throttle: N=%d LambdaFunctions; 429 to %.0f%% of Lambda requests for %s; %s", n, s.faultRate() * 100,
        BenchSupport.text(s.faultFor()), ScaleBed.load());
    bed.startOperator("default", Map.of());
    ScaleWatch<LambdaFunction> functions = ScaleWatch.functions();
    bed.inform(LambdaFunction.class, functions);

    long seed = System.currentTimeMillis() % 1_000_000;
    RandomFaults faults = bed.proxy.injectRandom(RandomFaults.lambdaThrottling(s.faultRate(), seed));
    long applied = System.currentTimeMillis();
    long t = System.nanoTime();
    forAll(bed.pool, names, x -> bed.create(LambdaFunction.class,
        SampleFunctions.inline(bed.ns, x, bed.role, BenchSupport.source(x, 1))));
    line("  applied %d LambdaFunctions in %s; faults armed (%s)", n, s(seconds(t)), faults);
    long faultEnd;
    try {
      long until = applied + s.faultFor().toMillis();
      while (System.currentTimeMillis() < until) {
        BenchSupport.waitUnlessStopping(Duration.ofMillis(Math.min(500, Math.max(1, until
            - System.currentTimeMillis()))));
      }
    } finally {
      bed.proxy.clearRandom();
      faultEnd = System.currentTimeMillis();
    }
    line("  faults cleared after %s: %d of %d Lambda requests answered 429", s((faultEnd - applied) / 1000.0),
        faults.injected(), faults.seen());
    BenchSupport.awaitAll("throttle", t, s.timeout(), names, functions::ready, functions::lastState, "not Ready");
    long converged = functions.readyAtMs().values().stream().mapToLong(Long::longValue).max().orElse(applied);
    // a look at the rate after convergence too: resyncs and retries that come late
    long tailEnd = Math.max(converged, faultEnd) + BUCKET_MS * 3;
    while (System.currentTimeMillis() < tailEnd) {
      BenchSupport.waitUnlessStopping(Duration.ofMillis(500));
    }

    List<Request> traffic = bed.proxy.traffic();
    Stats ready = ScaleAnalysis.readySeconds(names, functions.readyAtMs(), applied);
    Map<String, Set<String>> surfaced = ScaleAnalysis.surfaced(functions.notReadyReasons(),
        ScaleAnalysis.AWS_ERROR_REASONS);
    // the rates while there was work: during the faults until all Ready; after them only if work was left
    double during = ScaleAnalysis.lambdaRate(traffic, applied, Math.min(faultEnd, converged + 1));
    double after = converged > faultEnd ? ScaleAnalysis.lambdaRate(traffic, faultEnd, converged + 1) : Double.NaN;
    if (converged <= faultEnd) {
      line("  every function was Ready before the faults ended: no rate after them (a larger N or a shorter"
          + " FAULT_FOR measures one)");
    }
    line("  all Ready after %s; time to Ready %s", s((converged - applied) / 1000.0), stats(ready, "s"));
    line("  Lambda requests/s at the proxy: during the faults until all Ready %.1f (429s %d), after them until all"
        + " Ready %.1f",
        during, ScaleAnalysis.throttled(ScaleAnalysis.between(traffic, applied, faultEnd)), after);
    line("  per %d s from the apply: %s", BUCKET_MS / 1000, ScaleReport.rates(ScaleAnalysis.lambdaRates(traffic,
        applied, tailEnd, BUCKET_MS)));
    ScaleReport.calls("calls until all Ready", ScaleAnalysis.between(traffic, applied, converged + 1), n);
    line("  resources that showed Ready=False Throttled or AwsServiceError: %s; all Ready=False reasons: %s",
        ScaleReport.reasons(surfaced), ScaleAnalysis.reasons(functions.notReadyReasons()));
    Verdict v = ScaleAnalysis.throttle(new ScaleAnalysis.ThrottleCheck(n, ready.count(), surfaced,
        faults.injected()));
    return ScaleReport.verdict("throttle", v, String.format(Locale.ROOT,
        "all Ready %d/%d in %s, errors surfaced %d, %d 429s, rate during %.1f/s, after %.1f/s", ready.count(), n,
        s((converged - applied) / 1000.0), surfaced.size(), faults.injected(), during, after));
  }
}
