package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.forAll;
import static dev.lambdaop.bench.BenchSupport.seconds;
import static dev.lambdaop.bench.ScaleReport.line;
import static dev.lambdaop.bench.ScaleReport.mib;
import static dev.lambdaop.bench.ScaleReport.s;
import static dev.lambdaop.bench.ScaleReport.stats;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.Quota;
import dev.lambdaop.testbed.FaultProxy.Request;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.Runtime;

/**
 * Scenario converge: ALIASES functions prepared in moto by the benchmark itself (versions 1 and 2, an alias on version
 * 1, no owner tag: a function no operator owns, which a LambdaAlias may name by functionName and adopt); then, with
 * the operator at its default settings, N LambdaFunctions and ALIASES LambdaAliases (version 2, Linear stepWeight
 * every interval) applied at once. Figures: time until every function is Ready against the bound its quota-counted
 * calls allow, time to Ready, calls per function, throttles that reached a status, the operator's heap and RSS after
 * convergence, and each step's lateness as GetAlias against moto shows it.
 */
final class ScaleConverge {
  static final String ALIAS = "live";
  static final String FROM = "1";
  static final String TO = "2";

  private final ScaleSettings s;
  private final ScaleBed bed;

  ScaleConverge(ScaleSettings settings, ScaleBed bed) {
    this.s = settings;
    this.bed = bed;
  }

  String run() throws Exception {
    int n = s.n("converge");
    int a = s.aliases("converge");
    List<String> names = BenchSupport.names("scale-f", n);
    List<String> aliased = BenchSupport.names("scale-a", a);
    line("converge: N=%d LambdaFunctions, ALIASES=%d LambdaAliases (Linear %d%% every %s); %s", n, a,
        s.stepWeight(), s.intervalText(), ScaleBed.load());

    // 1. the aliases' functions, straight in moto: versions 1 and 2, alias live on 1
    long prep = System.nanoTime();
    forAll(bed.pool, aliased, this::prepare);
    line("  prepared %d functions in moto (2 versions, alias %s on version %s each) in %s", a, ALIAS, FROM,
        s(seconds(prep)));

    // 2. the operator at its defaults, watches on every status, the poller on AWS
    bed.startOperator("default", Map.of());
    ScaleWatch<LambdaFunction> functions = ScaleWatch.functions();
    ScaleWatch<LambdaAlias> aliases = ScaleWatch.aliases();
    bed.inform(LambdaFunction.class, functions);
    bed.inform(LambdaAlias.class, aliases);
    List<String> sampled = new ArrayList<>();
    int sample = Math.min(a, s.sample());
    for (int i = 0; i < sample; i++) {
      sampled.add(aliased.get((int) ((long) i * a / sample)));
    }
    RoutingPoller poller = bed.closeFirst(new RoutingPoller(bed.testbed, sampled, ALIAS, s.poll(),
        Math.max(1, Math.min(sample, 4))));
    poller.start();
    BenchSupport.waitUnlessStopping(Duration.ofMillis(Math.max(500, 2 * s.poll().toMillis())));

    // 3. everything at once
    long applied = System.currentTimeMillis();
    long t = System.nanoTime();
    List<String> all = new ArrayList<>();
    aliased.forEach(x -> all.add("alias:" + x));
    all.addAll(names);
    forAll(bed.pool, all, x -> {
      if (x.startsWith("alias:")) {
        bed.create(LambdaAlias.class, alias(x.substring("alias:".length())));
      } else {
        bed.create(LambdaFunction.class, SampleFunctions.inline(bed.ns, x, bed.role, BenchSupport.source(x, 1)));
      }
    });
    line("  applied %d LambdaFunctions and %d LambdaAliases in %s", n, a, s(seconds(t)));
    BenchSupport.awaitAll("converge", t, s.timeout(), names, functions::ready, functions::lastState,
        "not Ready");
    long converged = functions.readyAtMs().values().stream().mapToLong(Long::longValue).max().orElse(applied);
    long pid = bed.operator.pid();
    double rss = ScaleBed.rssMiB(pid);
    double heap = ScaleBed.heapAfterGcMiB(pid);
    line("  every function Ready after %s; the operator's RSS %s, heap after GC %s", s((converged - applied) / 1000.0),
        mib(rss), mib(heap));

    // 4. the shifts to their end (sampled aliases at 100% in AWS), bounded
    long shiftLimit = System.nanoTime() + s.interval().multipliedBy(s.weights().size() + 2).toNanos()
        + Duration.ofMinutes(2).toNanos();
    while (a > 0 && System.nanoTime() < shiftLimit && !sampled.stream().allMatch(fn -> {
      RoutingPoller.Seen seen = poller.latest(fn);
      return seen != null && seen.weightOf(TO) == 100;
    })) {
      BenchSupport.waitUnlessStopping(Duration.ofMillis(500));
    }
    long ended = System.currentTimeMillis();
    bed.closeNow(poller);

    // 5. figures
    List<Request> traffic = bed.proxy.traffic();
    List<Request> converging = ScaleAnalysis.between(traffic, applied, converged + 1);
    Set<String> functionNames = new HashSet<>(names);
    List<Request> ofFunctions = converging.stream().filter(r -> functionNames.contains(r.function())).toList();
    Map<Quota, Long> quotas = ScaleAnalysis.byQuota(converging);
    double bound = ScaleAnalysis.boundSeconds(quotas, s.rates());
    Stats ready = ScaleAnalysis.readySeconds(names, functions.readyAtMs(), applied);
    Map<String, Set<String>> reasons = new java.util.TreeMap<>(functions.notReadyReasons());
    aliases.notReadyReasons().forEach((k, v) -> reasons.put("alias " + k, v));
    Map<String, Set<String>> throttles = ScaleAnalysis.surfaced(reasons, ScaleAnalysis.THROTTLE_REASONS);
    ScaleAnalysis.Lateness late = ScaleAnalysis.lateness(poller.changes(), TO, s.interval(), s.weights(), converged);
    RoutingPoller.PollStats ps = poller.stats();

    line("  time until all Ready: %s; bound at the default budget %s (quota-counted calls / rate: %s at %s/s)",
        s((converged - applied) / 1000.0), s(bound), quotas, s.rates());
    line("  time to Ready per function: %s", stats(ready, "s"));
    ScaleReport.calls("calls of the LambdaFunctions until all Ready", ofFunctions, n);
    ScaleReport.calls("all calls until all Ready (aliases included)", converging, n);
    line("  resources that showed Ready=False Throttled: %s; all Ready=False reasons: %s",
        ScaleReport.reasons(throttles), ScaleAnalysis.reasons(reasons));
    line("  operator after convergence: RSS %s (goal < %d MiB), heap after GC %s", mib(rss), s.rssGoalMiB(),
        mib(heap));
    line("  alias steps seen from AWS (GetAlias of %d aliases every %s, straight to moto; %d polls, %d errors,"
        + " %.1f ms each): %d steps, %d skipped, %d of %d shifts at 100%% after %s", ps.aliases(), BenchSupport.text(
        s.poll()), ps.polls(), ps.errors(), ps.meanCallMs(), late.steps(), late.skipped(), late.shiftsComplete(),
        ps.aliases(), s((ended - applied) / 1000.0));
    line("    lateness against the previous step + %s: %s", s.intervalText(), stats(late.ms(), "ms"));
    line("    of steps due while the functions converged: %s", stats(late.duringMs(), "ms"));
    Verdict v = ScaleAnalysis.converge(new ScaleAnalysis.ConvergeCheck(n, ready.count(), throttles.size(), rss,
        s.rssGoalMiB(), late, sample * s.weights().size(), s.stepGoalMs()));
    return ScaleReport.verdict("converge", v, String.format(java.util.Locale.ROOT,
        "all Ready %d/%d in %s (bound %s), throttles surfaced %d, RSS %s, step p99 %s ms", ready.count(), n,
        s((converged - applied) / 1000.0), s(bound), throttles.size(), mib(rss), BenchSupport.ms(late.ms().p(0.99))));
  }

  private void prepare(String fn) {
    bed.lambda.createFunction(r -> r.functionName(fn).role(bed.role).runtime(Runtime.PYTHON3_12)
        .handler("index.handler").code(c -> c.zipFile(zip(BenchSupport.source(fn, 1)))));
    bed.lambda.publishVersion(r -> r.functionName(fn));
    bed.lambda.updateFunctionCode(r -> r.functionName(fn).zipFile(zip(BenchSupport.source(fn, 2))));
    bed.lambda.publishVersion(r -> r.functionName(fn));
    bed.lambda.createAlias(r -> r.functionName(fn).name(ALIAS).functionVersion(FROM));
  }

  static SdkBytes zip(String source) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.putNextEntry(new ZipEntry("index.py"));
      zip.write(source.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return SdkBytes.fromByteArray(out.toByteArray());
  }

  /** Version 2 of a function no operator owns, by functionName, adopting the alias on version 1: a shift. */
  private LambdaAlias alias(String fn) {
    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName(fn + "-" + ALIAS).withNamespace(bed.ns).build());
    LambdaAliasSpec spec = new LambdaAliasSpec();
    spec.functionName = fn;
    spec.aliasName = ALIAS;
    spec.version = TO;
    spec.adopt = true;
    spec.deployment = new LambdaAliasSpec.Deployment();
    spec.deployment.strategy = LambdaAliasSpec.Strategy.Linear;
    spec.deployment.linear = new LambdaAliasSpec.Linear();
    spec.deployment.linear.stepWeight = s.stepWeight();
    spec.deployment.linear.interval = s.intervalText();
    alias.setSpec(spec);
    return alias;
  }
}
