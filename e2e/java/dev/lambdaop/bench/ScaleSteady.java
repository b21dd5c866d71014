package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.forAll;
import static dev.lambdaop.bench.BenchSupport.seconds;
import static dev.lambdaop.bench.ScaleReport.line;
import static dev.lambdaop.bench.ScaleReport.mib;
import static dev.lambdaop.bench.ScaleReport.s;
import static dev.lambdaop.bench.ScaleReport.stats;

import dev.lambdaop.api.Durations;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.Quota;
import dev.lambdaop.testbed.FaultProxy.Request;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario steady: N LambdaFunctions and ALIASES LambdaAliases (functionRef, version latest) created with a raised
 * budget, with moto's memory and CreateFunction times measured meanwhile; then the operator restarted at its defaults
 * (only the resync period may be shortened, for quick runs): the time from its cold start until every resource was
 * reconciled once (each function's first GetFunction and each alias's first GetAlias at the proxy), then the AWS calls
 * of one resync period (expected: no write, quota-counted reads within the configured share of the LAMBDA budget), and
 * the operator's heap and RSS.
 */
final class ScaleSteady {
  static final String ALIAS = "live";

  private final ScaleSettings s;
  private final ScaleBed bed;

  ScaleSteady(ScaleSettings settings, ScaleBed bed) {
    this.s = settings;
    this.bed = bed;
  }

  String run() throws Exception {
    int n = s.n("steady");
    int a = s.aliases("steady");
    List<String> names = BenchSupport.names("scale-s", n);
    List<String> aliased = names.subList(0, a);
    Duration resync = Durations.parse(s.resync() == null ? "10m" : s.resync());
    line("steady: N=%d LambdaFunctions, ALIASES=%d LambdaAliases; resync period %s%s; %s", n, a,
        BenchSupport.text(resync), s.resync() == null ? " (the operator's default)"
            : " (LAMBDAOP_RESYNC_PERIOD=" + s.resync() + ": NOT the default of 10m)", ScaleBed.load());

    // 1. create everything with a raised budget; moto measured meanwhile
    long motoPid = ScaleBed.motoPid();
    double motoBefore = ScaleBed.rssMiB(motoPid);
    bed.startOperator("raised", s.raisedBudget());
    ScaleWatch<LambdaFunction> functions = ScaleWatch.functions();
    ScaleWatch<LambdaAlias> aliases = ScaleWatch.aliases();
    bed.inform(LambdaFunction.class, functions);
    bed.inform(LambdaAlias.class, aliases);
    long created = System.currentTimeMillis();
    long t = System.nanoTime();
    List<String> all = new ArrayList<>(names);
    aliased.forEach(x -> all.add("alias:" + x));
    forAll(bed.pool, all, x -> {
      if (x.startsWith("alias:")) {
        bed.create(LambdaAlias.class, alias(x.substring("alias:".length())));
      } else {
        bed.create(LambdaFunction.class, SampleFunctions.inline(bed.ns, x, bed.role, BenchSupport.source(x, 1)));
      }
    });
    line("  applied with the raised budget %s in %s", s.raisedBudget(), s(seconds(t)));
    BenchSupport.awaitAll("steady: functions", t, s.timeout(), names, functions::ready, functions::lastState,
        "not Ready");
    List<String> aliasNames = aliased.stream().map(x -> x + "-" + ALIAS).toList();
    BenchSupport.awaitAll("steady: aliases", t, s.timeout(), aliasNames, aliases::ready, aliases::lastState,
        "not Ready");
    long ready = System.currentTimeMillis();
    double motoAfter = ScaleBed.rssMiB(motoPid);
    List<Request> creation = ScaleAnalysis.between(bed.proxy.traffic(), created, ready + 1);
    line("  all Ready after %s (%.1f functions/s)", s((ready - created) / 1000.0), n * 1000.0 / (ready - created));
    line("  moto (pid %d): RSS %s before, %s with %d functions (%s per function)", motoPid, mib(motoBefore),
        mib(motoAfter), n, Double.isNaN(motoAfter - motoBefore) ? "-"
            : String.format(Locale.ROOT, "%.1f KiB", (motoAfter - motoBefore) * 1024 / n));
    List<Double> createMs = creation.stream().filter(r -> r.operation().equals("CreateFunction"))
        .map(r -> (double) r.tookMs()).toList();
    int tenth = Math.max(1, createMs.size() / 10);
    line("  moto's CreateFunction (answer time at the proxy): all %s", stats(Stats.of(createMs), "ms"));
    line("    first tenth %s; last tenth %s", stats(Stats.of(createMs.subList(0, Math.min(tenth, createMs.size()))),
        "ms"), stats(Stats.of(createMs.subList(Math.max(0, createMs.size() - tenth), createMs.size())), "ms"));

    // 2. a cold start at the defaults (the resync period aside)
    bed.stopOperator();
    long restart = System.currentTimeMillis();
    bed.startOperator("default", s.resync() == null ? Map.of() : Map.of("LAMBDAOP_RESYNC_PERIOD", s.resync()));
    line("  operator restarted at its defaults: /readyz after %s", s((System.currentTimeMillis() - restart) / 1000.0));
    List<String> aliasKeys = aliased.stream().map(x -> x + "/" + ALIAS).toList();
    ScaleAnalysis.Reconciled reconciled;
    long deadline = System.nanoTime() + s.timeout().toNanos();
    long lastReport = System.nanoTime();
    while (true) {
      reconciled = ScaleAnalysis.reconciledOnce(bed.proxy.traffic(), restart, names, aliasKeys);
      if (reconciled.all() || System.nanoTime() - deadline > 0) {
        break;
      }
      if (System.nanoTime() - lastReport > 30_000_000_000L) {
        lastReport = System.nanoTime();
        line("  reconciled since the restart: functions %d/%d, aliases %d/%d", reconciled.functionsSeen(), n,
            reconciled.aliasesSeen(), a);
      }
      BenchSupport.waitUnlessStopping(Duration.ofSeconds(2));
    }
    String scrape = bed.metrics();
    line("  every resource reconciled once %s after the cold start (functions %d/%d, aliases %d/%d); /metrics"
        + " lambdaop_reconciles_total: LambdaFunction %.0f, LambdaAlias %.0f", s(reconciled.seconds()),
        reconciled.functionsSeen(), n, reconciled.aliasesSeen(), a,
        ScaleBed.metric(scrape, "lambdaop_reconciles_total", "kind=\"LambdaFunction\""),
        ScaleBed.metric(scrape, "lambdaop_reconciles_total", "kind=\"LambdaAlias\""));
    List<Request> startup = ScaleAnalysis.between(bed.proxy.traffic(), restart,
        restart + (long) (Double.isNaN(reconciled.seconds()) ? 0 : reconciled.seconds() * 1000) + 1);
    ScaleReport.calls("calls from the cold start until every resource reconciled", startup, n);

    // 3. one resync period, watched
    long windowStart = System.currentTimeMillis();
    double functionReconciles = ScaleBed.metric(scrape, "lambdaop_reconciles_total", "kind=\"LambdaFunction\"");
    double aliasReconciles = ScaleBed.metric(scrape, "lambdaop_reconciles_total", "kind=\"LambdaAlias\"");
    line("  watching one resync period (%s) ...", BenchSupport.text(resync));
    BenchSupport.waitUnlessStopping(resync);
    long windowEnd = System.currentTimeMillis();
    String after = bed.metrics();
    List<Request> window = ScaleAnalysis.between(bed.proxy.traffic(), windowStart, windowEnd);
    ScaleAnalysis.Reconciled resynced = ScaleAnalysis.reconciledOnce(window, windowStart, names, aliasKeys);
    line("    read in the period: functions %d/%d (GetFunction), aliases %d/%d (GetAlias); reconciles started"
        + " (/metrics): LambdaFunction %.0f, LambdaAlias %.0f", resynced.functionsSeen(), n, resynced.aliasesSeen(),
        a, ScaleBed.metric(after, "lambdaop_reconciles_total", "kind=\"LambdaFunction\"") - functionReconciles,
        ScaleBed.metric(after, "lambdaop_reconciles_total", "kind=\"LambdaAlias\"") - aliasReconciles);
    Map<String, Long> writes = ScaleAnalysis.writes(window);
    Map<Quota, Long> quotas = ScaleAnalysis.byQuota(window);
    double seconds = (windowEnd - windowStart) / 1000.0;
    double lambdaReads = window.stream().filter(r -> ScaleAnalysis.quota(r.service(), r.operation()) == Quota.LAMBDA
        && ScaleAnalysis.read(r.operation())).count() / seconds;
    double share = s.readShare() * s.rate(Quota.LAMBDA);
    ScaleReport.calls("calls in one resync period", window, n);
    line("    per second by quota: %s", quotas.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f/s",
        e.getKey(), e.getValue() / seconds)).toList());
    line("    writes: %s; LAMBDA-quota reads %.2f/s against the resync share %.0f%% of %.0f/s = %.2f/s",
        writes.isEmpty() ? "0" : writes, lambdaReads, s.readShare() * 100, s.rate(Quota.LAMBDA), share);
    long pid = bed.operator.pid();
    double rss = ScaleBed.rssMiB(pid);
    double heap = ScaleBed.heapAfterGcMiB(pid);
    line("  operator: heap after GC %s (goal < %d MiB), RSS %s", mib(heap), s.steadyHeapGoalMiB(), mib(rss));
    double effective = ScaleBed.metric(after, "lambdaop_resync_period_effective_seconds", "");
    double expected = seconds / effective;
    line("    effective resync period (/metrics): %.0f s (configured %s): a window of %.0f s should read %.0f%% of the"
        + " resources", effective, BenchSupport.text(resync), seconds, Math.min(1, expected) * 100);
    double gfReads = window.stream().filter(r -> ScaleAnalysis.quota(r.service(), r.operation())
        == Quota.LAMBDA_GET_FUNCTION).count() / seconds;
    line("    GetFunction %.2f/s against the resync share %.0f%% of %.0f/s = %.2f/s", gfReads, s.readShare() * 100,
        s.rate(Quota.LAMBDA_GET_FUNCTION), s.readShare() * s.rate(Quota.LAMBDA_GET_FUNCTION));
    Verdict v = ScaleAnalysis.steady(new ScaleAnalysis.SteadyCheck(reconciled, resynced, writes, lambdaReads, share,
        heap, s.steadyHeapGoalMiB(), expected));
    return ScaleReport.verdict("steady", v, String.format(Locale.ROOT,
        "reconciled once in %s, %d writes and LAMBDA reads %.2f/s (share %.2f/s) per resync %s, heap %s, RSS %s",
        s(reconciled.seconds()), BenchSupport.sum(writes), lambdaReads, share, BenchSupport.text(resync),
        mib(heap), mib(rss)));
  }

  private LambdaAlias alias(String fn) {
    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName(fn + "-" + ALIAS).withNamespace(bed.ns).build());
    LambdaAliasSpec spec = new LambdaAliasSpec();
    spec.functionRef = new FunctionRef(fn);
    spec.aliasName = ALIAS;
    spec.version = LambdaAliasSpec.LATEST;
    alias.setSpec(spec);
    return alias;
  }
}
