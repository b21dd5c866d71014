package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.awaitAll;
import static dev.lambdaop.bench.BenchSupport.delta;
import static dev.lambdaop.bench.BenchSupport.forAll;
import static dev.lambdaop.bench.BenchSupport.max;
import static dev.lambdaop.bench.BenchSupport.seconds;
import static dev.lambdaop.bench.BenchSupport.text;
import static org.awaitility.Awaitility.await;

import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.sdk.AwsCallCounter;
import dev.lambdaop.aws.sdk.RequestBudget;
import dev.lambdaop.bench.AliasShiftRecorder.AliasTracker;
import dev.lambdaop.bench.AliasShiftRecorder.Recording;
import dev.lambdaop.bench.AliasShiftRecorder.Sampler;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetAliasResponse;

/**
 * What the alias benchmark does on the test bed: N LambdaFunctions with a LambdaAlias each, all Ready on version 1;
 * then new code for all of them at once, so that every alias shifts to version 2; then a quiet time after 100%, and a
 * final look at every alias in AWS. Every wait is bounded by {@code timeout}. It returns what the recorders saw.
 */
final class AliasShiftScenario {
  static final String ALIAS = "live";
  static final String OLD = "1";
  static final String NEW = "2";

  private final AliasShiftSettings s;
  private final BenchBed bed;
  private final long t0;
  private final FunctionTracker functions = new FunctionTracker();
  private final AliasTracker aliases = new AliasTracker();

  AliasShiftScenario(AliasShiftSettings settings, BenchBed bed, long startNanos) {
    this.s = settings;
    this.bed = bed;
    this.t0 = startNanos;
  }

  static String aliasName(String function) {
    return function + "-" + ALIAS;
  }

  Recording run() throws Exception {
    SharedIndexInformer<LambdaFunction> functionInformer = bed.inform(LambdaFunction.class, functions);
    SharedIndexInformer<LambdaAlias> aliasInformer = bed.inform(LambdaAlias.class, aliases);
    AwsCallCounter calls = bed.operator.awsCalls();
    RequestBudget budget = bed.budget();
    double burst = s.operatorSettings().budgets().lambdaBurst();
    System.out.printf(Locale.ROOT, "setup: test bed (AWS endpoint %s, %s), CRDs, role, operator, namespace %s:"
        + " %.1f s; AWS write budget %.0f/s, burst %.0f%s%n", bed.testbed.awsEndpoint(), bed.testbed.awsRegion(),
        bed.ns, seconds(t0), budget.perSecond(), burst, s.defaultBudget() ? " (defaults)"
            : " (NOT the defaults: -DwritesPerSecond/-DwriteBurst)");
    List<String> names = BenchSupport.names("shift", s.n());

    // 1. N functions, then N aliases on them, all on version 1
    long createStart = System.nanoTime();
    forAll(bed.pool, names, name -> bed.create(LambdaFunction.class,
        SampleFunctions.inline(bed.ns, name, bed.role, BenchSupport.source(name, 1))));
    awaitAll("create functions", createStart, s.timeout(), names,
        name -> FunctionTracker.readyOn(functionInformer.getStore().getByKey(bed.ns + "/" + name), OLD),
        functions::lastState, "not Ready on version 1");
    System.out.printf(Locale.ROOT, "create: %d LambdaFunctions Ready on version 1 after %.1f s%n", s.n(),
        seconds(createStart));
    long aliasStart = System.nanoTime();
    forAll(bed.pool, names, name -> bed.create(LambdaAlias.class, alias(name)));
    awaitAll("create aliases", aliasStart, s.timeout(), names,
        name -> aliasReadyOn(aliasInformer.getStore().getByKey(bed.ns + "/" + aliasName(name)), OLD),
        name -> aliases.describe(aliasName(name)), "not Ready on version 1");
    System.out.printf(Locale.ROOT, "create: %d LambdaAliases Ready on version 1 after %.1f s%n", s.n(),
        seconds(aliasStart));
    // let the budget refill and stray reconciles end, so that the shift starts from a quiet operator
    BenchSupport.waitUnlessStopping(Duration.ofMillis(Math.max(2000, (long) (1000 * burst / budget.perSecond()) + 1000)));

    // 2. new code for all N: each function publishes version 2 and each alias shifts to it
    List<String> sampled = new ArrayList<>();
    for (int i = 0; i < s.sample(); i++) {
      sampled.add(names.get((int) ((long) i * s.n() / s.sample())));
    }
    AliasPoller poller = bed.closeFirst(new AliasPoller(bed.testbed, sampled, s.poll()));
    poller.start();
    Sampler sampler = bed.closeFirst(new Sampler(calls, budget));
    sampler.start();
    // the poller's first view of every sampled alias
    BenchSupport.waitUnlessStopping(Duration.ofMillis(Math.max(500, 2 * s.poll().toMillis())));
    Map<String, Map<String, Long>> callsByFunctionBefore = new TreeMap<>();
    for (String name : names) {
      callsByFunctionBefore.put(name, calls.snapshot(name));
    }
    CallWindow shift = new CallWindow(calls, budget);
    aliases.shiftStarts(shift.startMs);
    forAll(bed.pool, names, name -> bed.patchCode(name, BenchSupport.source(name, 2)));
    System.out.printf(Locale.ROOT, "shift: %d code changes applied in %.1f s; waiting for every alias to reach 100%%"
        + " of version 2 (limit %s) ...%n", s.n(), shift.elapsedSeconds(), text(s.timeout()));
    CallWindow aliasesOnly = awaitShift(shift, names, functionInformer, aliasInformer);
    long lastPromotedMs = names.stream().mapToLong(name -> aliases.promotedAt(aliasName(name), shift.startMs))
        .max().orElse(shift.startMs);
    CallWindow.Counts shiftCounts = shift.endAt(lastPromotedMs);
    long statusWrites = aliases.statusWrites.get();
    CallWindow.Counts aliasesOnlyCounts = aliasesOnly == null ? null : aliasesOnly.endAt(lastPromotedMs);
    System.out.printf(Locale.ROOT, "shift: every alias at 100%% of version 2 after %.1f s%n",
        (lastPromotedMs - shift.startMs) / 1000.0);
    // the poller's last view of the sampled aliases: a bounded wait for AWS to show version 2 alone
    try {
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> poller.allOn(NEW));
    } catch (ConditionTimeoutException e) {
      // reported by the analysis: the sampled aliases AWS did not show on version 2 alone
    }

    // 3. after 100%: nothing more should be written
    Duration tailLength = max(s.interval().multipliedBy(2), Duration.ofSeconds(10));
    CallWindow tail = new CallWindow(calls, budget);
    System.out.printf(Locale.ROOT, "after: no change for %s; the operator should write nothing ...%n",
        text(tailLength));
    BenchSupport.waitUnlessStopping(tailLength); // the measured window: the benchmark only watches
    CallWindow.Counts tailCounts = tail.end();
    bed.closeNow(poller);
    bed.closeNow(sampler);
    Map<String, Long> updateAliasPerFunction = new TreeMap<>();
    for (String name : names) {
      Map<String, Long> d = delta(calls.snapshot(name), callsByFunctionBefore.get(name));
      updateAliasPerFunction.put(name, d.getOrDefault("UpdateAlias", 0L));
    }
    Map<String, Long> publishedAt = new TreeMap<>();
    for (String name : names) {
      Long at = functions.publishedAt(name, NEW);
      if (at != null) {
        publishedAt.put(name, at);
      }
    }

    // 4. every alias in AWS and in status
    List<String> wrongEnd = finalCheck(names, aliasInformer);
    return new Recording(names, sampled, aliases.observations(), publishedAt, poller.changes(), poller.stats(),
        sampler.samples(), shiftCounts, aliasesOnlyCounts, tailCounts, updateAliasPerFunction, statusWrites,
        Map.copyOf(aliases.notReadyDuringShift), wrongEnd, budget.perSecond());
  }

  /**
   * Waits (bounded by {@code timeout}) until every alias is at 100% of version 2. Returns the window from the moment
   * every function was Ready on version 2 (from then on only the aliases call AWS), or null if that was not seen
   * before the last alias finished.
   */
  private CallWindow awaitShift(CallWindow shift, List<String> names,
      SharedIndexInformer<LambdaFunction> functionInformer, SharedIndexInformer<LambdaAlias> aliasInformer)
      throws InterruptedException {
    long deadline = System.nanoTime() + s.timeout().toNanos();
    long lastReport = System.nanoTime();
    CallWindow aliasesOnly = null;
    int n = s.n();
    while (true) {
      int functionsReady = 0;
      int promoted = 0;
      List<String> pending = new ArrayList<>();
      for (String name : names) {
        if (FunctionTracker.readyOn(functionInformer.getStore().getByKey(bed.ns + "/" + name), NEW)) {
          functionsReady++;
        }
        LambdaAlias a = aliasInformer.getStore().getByKey(bed.ns + "/" + aliasName(name));
        if (a != null && a.getStatus() != null && NEW.equals(a.getStatus().stableVersion)
            && a.getStatus().canaryVersion == null) {
          promoted++;
        } else {
          pending.add(name);
        }
      }
      if (aliasesOnly == null && functionsReady == n) {
        aliasesOnly = new CallWindow(bed.operator.awsCalls(), bed.budget());
        System.out.printf(Locale.ROOT, "  shift: every function Ready on version 2 after %.1f s%n",
            shift.elapsedSeconds());
      }
      if (pending.isEmpty()) {
        return aliasesOnly;
      }
      long now = System.nanoTime();
      if (now - deadline > 0) {
        StringBuilder why = new StringBuilder();
        for (String name : pending.subList(0, Math.min(5, pending.size()))) {
          why.append("\n  ").append(aliasName(name)).append(": ").append(aliases.describe(aliasName(name)));
        }
        throw new IllegalStateException("shift: " + pending.size() + " of " + n + " LambdaAliases not at 100% of"
            + " version 2 within " + text(s.timeout()) + " (functions Ready on version 2: " + functionsReady + "/"
            + n + "); for example:" + why);
      }
      if (now - lastReport > TimeUnit.SECONDS.toNanos(15)) {
        lastReport = now;
        System.out.printf(Locale.ROOT, "  shift: after %.0f s: functions Ready on version 2 %d/%d, aliases at 100%%"
            + " %d/%d, steps written in status %d/%d, AWS write budget waits %d%n", shift.elapsedSeconds(),
            functionsReady, n, promoted, n, aliases.stepsSince(shift.startMs), n * s.weights().size(),
            shift.budgetWaitsSoFar());
      }
      BenchSupport.waitUnlessStopping(Duration.ofMillis(100));
    }
  }

  /** Ready=True for the current generation, the alias created in AWS, all traffic on this version. */
  private static boolean aliasReadyOn(LambdaAlias a, String version) {
    if (a == null || a.getStatus() == null) {
      return false;
    }
    LambdaAliasStatus st = a.getStatus();
    return version.equals(st.stableVersion) && st.canaryVersion == null && st.aliasArn != null
        && BenchSupport.readyFor(a.getMetadata().getGeneration(), st.observedGeneration, st.conditions);
  }

  /** Every alias in AWS on version 2 with no weighted routing, and its status records the promotion. */
  private List<String> finalCheck(List<String> names, SharedIndexInformer<LambdaAlias> aliasInformer) {
    List<String> wrong = new ArrayList<>();
    try (LambdaClient lambda = bed.testbed.configureAws(LambdaClient.builder())
        .httpClient(ApacheHttpClient.builder().maxConnections(4).build()).build()) {
      for (String name : names) {
        GetAliasResponse a = lambda.getAlias(r -> r.functionName(name).name(ALIAS));
        boolean routed = a.routingConfig() != null && a.routingConfig().hasAdditionalVersionWeights()
            && !a.routingConfig().additionalVersionWeights().isEmpty();
        if (!NEW.equals(a.functionVersion()) || routed) {
          wrong.add(name + " in AWS: version " + a.functionVersion() + (routed ? ", routing "
              + a.routingConfig().additionalVersionWeights() : ""));
        }
        LambdaAlias alias = aliasInformer.getStore().getByKey(bed.ns + "/" + aliasName(name));
        LambdaAliasStatus st = alias == null ? null : alias.getStatus();
        if (st == null || st.history.isEmpty() || !"Promoted".equals(st.history.get(0).result)
            || !NEW.equals(st.history.get(0).toVersion)) {
          wrong.add(aliasName(name) + " status.history[0] is not Promoted to version 2: "
              + (st == null || st.history.isEmpty() ? "empty" : st.history.get(0).result + " to "
                  + st.history.get(0).toVersion));
        }
      }
    } catch (SdkException e) {
      wrong.add("GetAlias failed: " + e.getMessage());
    }
    return wrong;
  }

  /** Linear {@code stepWeight} every {@code interval}, to the latest version. */
  private LambdaAlias alias(String function) {
    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName(aliasName(function)).withNamespace(bed.ns).build());
    LambdaAliasSpec spec = new LambdaAliasSpec();
    spec.functionRef = new FunctionRef(function);
    spec.aliasName = ALIAS;
    spec.version = "latest";
    spec.deployment = new LambdaAliasSpec.Deployment();
    spec.deployment.strategy = LambdaAliasSpec.Strategy.Linear;
    spec.deployment.linear = new LambdaAliasSpec.Linear();
    spec.deployment.linear.stepWeight = s.stepWeight();
    spec.deployment.linear.interval = s.intervalText();
    alias.setSpec(spec);
    return alias;
  }
}
