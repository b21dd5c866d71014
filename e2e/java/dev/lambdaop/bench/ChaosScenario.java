package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.forAll;
import static dev.lambdaop.bench.BenchSupport.seconds;
import static dev.lambdaop.bench.BenchSupport.text;
import static dev.lambdaop.bench.BenchSupport.withRetries;

import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.bench.ChaosAnalysis.Inventory;
import dev.lambdaop.bench.ChaosAnalysis.Shift;
import dev.lambdaop.bench.ChaosAnalysis.Trigger;
import dev.lambdaop.bench.ChaosAnalysis.Version;
import dev.lambdaop.bench.RoutingPoller.Seen;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.testbed.FaultProxy.RandomFaults;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.cloudwatch.model.ComparisonOperator;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.lambda.model.AliasConfiguration;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;

/**
 * What the chaos benchmark does on the test bed. With the operator process ready and no fault yet, it creates N
 * LambdaFunctions and, on the first {@code aliases} of them, a LambdaAlias each (version latest, Linear
 * {@code stepWeight} every {@code interval}; their rollback triggers take turns, see {@link Trigger}), and waits until
 * every function is Ready on version 1 and every alias serves it. Then the chaos starts: the operator killed with
 * SIGKILL every {@code killMin}-{@code killMax} and started again, {@code faultRate} of its AWS requests failing. During
 * {@code chaos}:
 * <ul>
 *   <li>each alias goes through shifts one after the other: new code for its function (so a new version), and a
 *       shift to it; when AWS shows traffic on the new version, the benchmark fires the alias's trigger (an alarm to
 *       ALARM, or error metrics for the new version); when status.history records the end and AWS is at rest, a pause
 *       of 1-3 s, then the next shift (a rolled-back alias is retried as a user would: status abort set to false,
 *       once its function published the next version);</li>
 *   <li>every {@code churnEvery}, a quarter of the functions without alias get new code, two of them are deleted and
 *       two new ones created.</li>
 * </ul>
 * When the chaos time is up it stops killing (a process runs) and clears the faults: the last fault. Shifts under
 * way go on to their end; no new one starts. It waits (at most {@code timeout}) until everything matches: every
 * alias's last shift ended in status and AWS, every function Ready with the code of its spec in AWS and a version of
 * it, every deleted one gone, nothing else in AWS. After a short quiet time it lists what AWS holds. The
 * {@link RoutingPoller} watches every alias in AWS from the start to the end, an informer the steps status records.
 */
final class ChaosScenario {
  static final String ALIAS = "live";
  private static final String TERMINAL = "Promoted RolledBack Aborted";

  private final ChaosSettings s;
  private final ChaosBed bed;
  private final Random random;
  private final Map<String, Fn> functions = new ConcurrentHashMap<>();
  private final List<AliasRun> aliasRuns = new ArrayList<>();
  private final AtomicInteger created = new AtomicInteger();
  /** Functions the churn created so far (their names: chaos-n0000, ...). */
  private final AtomicInteger churned = new AtomicInteger();
  private final AtomicInteger deleted = new AtomicInteger();
  private final AtomicInteger codeChanges = new AtomicInteger();
  private final List<String> driverErrors = java.util.Collections.synchronizedList(new ArrayList<>());
  /** Every step the LambdaAliases' status showed (new version, weight, stepStartedAt), by LambdaAlias name. */
  private final Map<String, List<ChaosAnalysis.StatusStep>> statusSteps = new ConcurrentHashMap<>();
  private SharedIndexInformer<LambdaFunction> functionInformer;
  private SharedIndexInformer<LambdaAlias> aliasInformer;
  private RoutingPoller poller;
  private long chaosStartMs;
  private long chaosEndMs;
  private volatile boolean chaosOn;

  /** A LambdaFunction of the scenario: its code revision, and whether it was deleted. */
  private static final class Fn {
    final String name;
    final boolean aliased;
    final AtomicInteger revision = new AtomicInteger(1);
    volatile boolean deleted;

    Fn(String name, boolean aliased) {
      this.name = name;
      this.aliased = aliased;
    }

    String sha() {
      return sha(name, revision.get());
    }

    static String sha(String name, int revision) {
      return DeterministicZip.of(Map.of("index.py", BenchSupport.source(name, revision))).sha256();
    }
  }

  /**
   * Everything the scenario recorded: the analysis's input, and for the report the operator's processes, the AWS
   * requests by operation, the faults, the polling and what was under way when the chaos ended.
   */
  record Recording(ChaosAnalysis.Input input, List<OperatorProcess.Run> runs, Map<String, Long> operations,
      Map<RandomFaults.Kind, Long> faultsByKind, long faultsSeen, Map<String, Long> faultsByOperation,
      RoutingPoller.PollStats polling, long chaosStartMs, long chaosEndMs, int created, int deleted,
      int codeChanges, int shiftsUnderWayAtChaosEnd, int functionsPendingAtChaosEnd, List<String> driverErrors,
      java.nio.file.Path logDirectory) {}

  ChaosScenario(ChaosSettings settings, ChaosBed bed) {
    this.s = settings;
    this.bed = bed;
    this.random = new Random(settings.seed());
  }

  Recording run() throws Exception {
    long setupStart = System.nanoTime();
    functionInformer = bed.inform(LambdaFunction.class, null);
    aliasInformer = bed.inform(LambdaAlias.class, new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
      @Override
      public void onAdd(LambdaAlias a) {
        recordStep(a);
      }

      @Override
      public void onUpdate(LambdaAlias old, LambdaAlias a) {
        recordStep(a);
      }

      @Override
      public void onDelete(LambdaAlias a, boolean unknown) {}
    });
    List<String> names = BenchSupport.names("chaos", s.n());
    for (int i = 0; i < names.size(); i++) {
      functions.put(names.get(i), new Fn(names.get(i), i < s.aliases()));
    }
    for (int i = 0; i < s.aliases(); i++) {
      aliasRuns.add(new AliasRun(names.get(i), Trigger.of(i)));
    }
    for (AliasRun a : aliasRuns) {
      if (a.trigger.alarm()) {
        bed.cloudWatch.putMetricAlarm(r -> r.alarmName(a.alarm()).namespace("AWS/Lambda").metricName("Errors")
            .dimensions(Dimension.builder().name("FunctionName").value(a.function).build())
            .statistic(Statistic.SUM).period(60).evaluationPeriods(1).threshold(1.0)
            .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD));
      }
    }
    poller = bed.closeFirst(new RoutingPoller(bed.testbed, aliasRuns.stream().map(a -> a.function).toList(), ALIAS,
        s.poll(), 4));
    poller.start();
    bed.operator.start();
    if (!bed.operator.awaitReady(Duration.ofMinutes(3))) {
      throw new IllegalStateException("the operator process did not become ready within 3 minutes; see "
          + bed.logDirectory);
    }
    System.out.printf(Locale.ROOT, "setup: test bed (AWS endpoint %s), fault proxy %s, CRDs, role, %d alarms,"
        + " namespace %s, operator process ready: %.1f s; operator logs in %s%n", bed.testbed.awsEndpoint(),
        bed.proxy.uri(), aliasRuns.stream().filter(a -> a.trigger.alarm()).count(), bed.ns, seconds(setupStart),
        bed.logDirectory);

    // every function Ready on version 1 and every alias serving it, before any fault
    long createStart = System.nanoTime();
    forAll(bed.pool, names, name -> bed.create(LambdaFunction.class, function(name, 1)));
    Map<String, AliasRun> byFunction = new TreeMap<>();
    aliasRuns.forEach(a -> byFunction.put(a.function, a));
    forAll(bed.pool, List.copyOf(byFunction.keySet()), fn -> bed.create(LambdaAlias.class,
        alias(byFunction.get(fn))));
    created.addAndGet(names.size());
    BenchSupport.awaitAll("create", createStart, s.timeout(), names, name -> functionMatches(functions.get(name))
        && (!functions.get(name).aliased || aliasOnVersionOne(byFunction.get(name))), this::describe,
        "LambdaFunctions not Ready on version 1 (or their LambdaAlias not on it)");
    aliasRuns.forEach(a -> a.rest(System.currentTimeMillis()));
    System.out.printf(Locale.ROOT, "create: %d LambdaFunctions Ready on version 1 and %d LambdaAliases on it after"
        + " %.1f s (no faults yet)%n", s.n(), s.aliases(), seconds(createStart));

    // the chaos
    chaosStartMs = System.currentTimeMillis();
    chaosEndMs = chaosStartMs + s.chaos().toMillis();
    chaosOn = true;
    RandomFaults faults = s.faultRate() > 0 ? bed.proxy.injectRandom(RandomFaults.of(s.faultRate(), s.seed())
        .timeoutHold(s.timeoutHold())) : null;
    bed.operator.startKilling(new Random(s.seed() + 1), s.killMin(), s.killMax());
    System.out.printf(Locale.ROOT, "chaos: for %s: the operator killed (SIGKILL) every %s, %s; every alias shifts"
        + " to one new version after the other, every %s the other functions change ...%n", text(s.chaos()),
        s.kills() ? text(s.killMin()) + "-" + text(s.killMax()) : "never", faults == null ? "no AWS faults"
            : faults, text(s.churnEvery()));
    long nextChurn = chaosStartMs + s.churnEvery().toMillis();
    long nextReport = System.currentTimeMillis() + 30_000;
    Future<?> churn = null;
    while (System.currentTimeMillis() < chaosEndMs) {
      long now = System.currentTimeMillis();
      tick(now);
      if (now >= nextChurn && !s.churnEvery().isZero() && (churn == null || churn.isDone())) {
        nextChurn = now + s.churnEvery().toMillis();
        churn = bed.pool.submit(this::churn);
      }
      if (now >= nextReport) {
        nextReport = now + 30_000;
        progress("chaos", now - chaosStartMs);
      }
      BenchSupport.waitUnlessStopping(Duration.ofMillis(200));
    }
    chaosOn = false;
    if (churn != null) {
      churn.get();
    }

    // the last fault: no more kills, no more failing requests
    bed.operator.stopKilling();
    bed.proxy.clearRandom();
    long lastFaultMs = System.currentTimeMillis();
    int underWay = (int) aliasRuns.stream().filter(a -> a.state == State.PUBLISHING || a.state == State.SHIFTING)
        .count();
    int functionsPending = pendingFunctions(false).size();
    System.out.printf(Locale.ROOT, "chaos over after %.0f s: %d kills, %d AWS requests failed; the last fault ended"
        + " now; %d shifts under way, %d LambdaFunctions not yet matching; waiting for everything to match (limit"
        + " %s) ...%n", (lastFaultMs - chaosStartMs) / 1000.0, bed.operator.kills(),
        faults == null ? 0 : faults.injected(), underWay, functionsPending, text(s.timeout()));

    // convergence
    Long convergedMs = null;
    List<String> pending = List.of();
    long deadline = lastFaultMs + s.timeout().toMillis();
    long nextCheck = 0;
    nextReport = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < deadline) {
      long now = System.currentTimeMillis();
      tick(now);
      if (now >= nextCheck) {
        nextCheck = now + 1000;
        pending = pending();
        if (pending.isEmpty()) {
          convergedMs = now;
          break;
        }
      }
      if (now >= nextReport) {
        nextReport = now + 30_000;
        System.out.printf(Locale.ROOT, "  after %.0f s: %d not matching, e.g. %s%n", (now - lastFaultMs) / 1000.0,
            pending.size(), pending.subList(0, Math.min(3, pending.size())));
      }
      BenchSupport.waitUnlessStopping(Duration.ofMillis(200));
    }
    if (convergedMs != null) {
      System.out.printf(Locale.ROOT, "converged %.1f s after the last fault%n", (convergedMs - lastFaultMs) / 1000.0);
    } else {
      System.out.printf(Locale.ROOT, "NOT converged within %s after the last fault: %d not matching, e.g.%n",
          text(s.timeout()), pending.size());
      pending.stream().limit(10).forEach(p -> System.out.println("  " + p));
    }
    // a quiet time: the poller goes on watching, nothing should move
    Duration quiet = BenchSupport.max(s.interval().multipliedBy(2), Duration.ofSeconds(10));
    System.out.printf(Locale.ROOT, "quiet: %s without any change; then listing what AWS holds ...%n", text(quiet));
    BenchSupport.waitUnlessStopping(quiet); // the measured window: the poller watches, nothing should move
    Map<String, List<Seen>> routing = poller.changes();
    RoutingPoller.PollStats polling = poller.stats();
    bed.closeNow(poller);

    Map<String, List<Version>> versions = new TreeMap<>();
    Inventory inventory = inventory(versions);
    List<Shift> shifts = new ArrayList<>();
    for (AliasRun a : aliasRuns) {
      shifts.addAll(a.shifts());
    }
    Map<String, List<ChaosAnalysis.StatusStep>> steps = new TreeMap<>();
    statusSteps.forEach((alias, list) -> steps.put(alias, List.copyOf(list)));
    dump(routing);
    ChaosAnalysis.Input input = new ChaosAnalysis.Input(shifts, routing, steps, versions, inventory, lastFaultMs,
        convergedMs, pending, bed.operator.kills(), bed.operator.exits().size(),
        faults == null ? 0 : faults.injected(), s.kills(), s.faultRate() > 0);
    Map<RandomFaults.Kind, Long> byKind = new EnumMap<>(RandomFaults.Kind.class);
    if (faults != null) {
      for (RandomFaults.Kind k : RandomFaults.Kind.values()) {
        byKind.put(k, faults.injected(k));
      }
    }
    return new Recording(input, bed.operator.runs(), bed.proxy.operations(), byKind,
        faults == null ? 0 : faults.seen(), faults == null ? Map.of() : faults.injectedByOperation(), polling,
        chaosStartMs, lastFaultMs, created.get(), deleted.get(), codeChanges.get(), underWay, functionsPending,
        List.copyOf(driverErrors), bed.logDirectory);
  }

  private void recordStep(LambdaAlias a) {
    LambdaAliasStatus st = a.getStatus();
    if (st == null || st.canaryVersion == null || st.canaryWeight == null || st.stepStartedAt == null) {
      return;
    }
    ChaosAnalysis.StatusStep step = new ChaosAnalysis.StatusStep(st.canaryVersion, st.canaryWeight,
        Instant.parse(st.stepStartedAt).toEpochMilli());
    List<ChaosAnalysis.StatusStep> list = statusSteps.computeIfAbsent(a.getMetadata().getName(),
        k -> new java.util.concurrent.CopyOnWriteArrayList<>());
    if (list.isEmpty() || !list.get(list.size() - 1).equals(step)) {
      list.add(step);
    }
  }

  private void progress(String phase, long elapsedMs) {
    Map<State, Long> states = aliasRuns.stream().collect(Collectors.groupingBy(a -> a.state, () -> new EnumMap<>(
        State.class), Collectors.counting()));
    long ended = aliasRuns.stream().mapToLong(a -> a.rounds.stream().filter(r -> r.endedMs != null).count()).sum();
    System.out.printf(Locale.ROOT, "  %s after %.0f s: operator processes %d (killed %d), aliases %s, shifts ended"
        + " %d, functions %d created / %d deleted / %d code changes%n", phase, elapsedMs / 1000.0,
        bed.operator.runs().size(), bed.operator.kills(), states, ended, created.get(), deleted.get(),
        codeChanges.get());
  }

  /** One pass of every alias's state machine; an error (the API server) is retried at the next tick. */
  private void tick(long now) {
    for (AliasRun a : aliasRuns) {
      try {
        a.step(now);
      } catch (RuntimeException | InterruptedException e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return;
        }
        if (driverErrors.size() < 20) {
          driverErrors.add(a.function + ": " + e);
        }
      }
    }
  }

  /**
   * For a look at any anomaly the report shows, into the log directory next to the operator logs:
   * aws-requests.log (the requests the proxy kept, the last 10,000: arrival, operation, path, status (-1 dropped, -3
   * timed out), request, and the answer to a Query call or an error), routing.log (every change the poller saw, by
   * alias), status-steps.log (every step status recorded) and aliases.json (each LambdaAlias's status at the end).
   */
  private void dump(Map<String, List<Seen>> routing) {
    java.nio.file.Path dir = bed.logDirectory;
    try (java.io.PrintWriter out = new java.io.PrintWriter(java.nio.file.Files.newBufferedWriter(
        dir.resolve("aws-requests.log")))) {
      for (dev.lambdaop.testbed.FaultProxy.Exchange e : bed.proxy.exchanges()) {
        boolean query = e.requestBody().startsWith("Action=");
        String body = cut(e.requestBody(), query ? 2000 : 300);
        String operation = dev.lambdaop.testbed.FaultProxy.operation(e.method(), e.path(),
            query ? "application/x-www-form-urlencoded" : "application/json", e.requestBody());
        String answer = query || e.status() >= 400 ? " <- " + cut(e.responseBody(), 600) : "";
        out.println(e.at() + " " + operation + " " + e.method() + " " + e.path() + " -> " + e.status() + " "
            + body + answer);
      }
    } catch (java.io.IOException e) {
      driverErrors.add("writing aws-requests.log: " + e);
    }
    try (java.io.PrintWriter out = new java.io.PrintWriter(java.nio.file.Files.newBufferedWriter(
        dir.resolve("routing.log")))) {
      routing.forEach((fn, list) -> list.forEach(seen -> out.println(fn + " " + Instant.ofEpochMilli(seen.atMs())
          + " " + seen)));
      statusSteps.forEach((alias, list) -> list.forEach(st -> out.println(alias + " status step: version "
          + st.canary() + " at " + st.weight() + "%, stepStartedAt " + Instant.ofEpochMilli(st.stepStartedAtMs()))));
    } catch (java.io.IOException e) {
      driverErrors.add("writing routing.log: " + e);
    }
    try {
      List<Object> statuses = new ArrayList<>();
      for (AliasRun a : aliasRuns) {
        LambdaAlias r = a.resourceNow();
        statuses.add(Map.of("name", a.resource(), "generation", String.valueOf(r == null ? null
            : r.getMetadata().getGeneration()), "status", r == null || r.getStatus() == null ? Map.of()
            : r.getStatus()));
      }
      java.nio.file.Files.writeString(dir.resolve("aliases.json"),
          io.fabric8.kubernetes.client.utils.Serialization.asJson(statuses));
    } catch (java.io.IOException | RuntimeException e) {
      driverErrors.add("writing aliases.json: " + e);
    }
  }

  private static String cut(String text, int max) {
    String oneLine = text.replace('\n', ' ');
    return oneLine.length() > max ? oneLine.substring(0, max) : oneLine;
  }

  /** A quarter of the live functions without alias get new code; two are deleted and two created. */
  private void churn() {
    try {
      List<Fn> plain = functions.values().stream().filter(f -> !f.aliased && !f.deleted)
          .sorted(Comparator.comparing(f -> f.name)).toList();
      if (plain.isEmpty()) {
        return;
      }
      List<Fn> change = new ArrayList<>(plain);
      java.util.Collections.shuffle(change, random);
      for (Fn f : change.subList(0, Math.max(1, plain.size() / 4))) {
        patchCode(f);
      }
      for (Fn f : change.subList(change.size() - Math.min(2, change.size()), change.size())) {
        f.deleted = true;
        withRetries(() -> bed.kube.resources(LambdaFunction.class).inNamespace(bed.ns).withName(f.name).delete());
        deleted.incrementAndGet();
      }
      for (int i = 0; i < 2; i++) {
        String name = String.format(Locale.ROOT, "chaos-n%04d", churned.getAndIncrement());
        Fn f = new Fn(name, false);
        functions.put(name, f);
        created.incrementAndGet();
        bed.create(LambdaFunction.class, function(name, 1));
      }
    } catch (RuntimeException | InterruptedException e) {
      driverErrors.add("churn: " + e);
    }
  }

  private void patchCode(Fn f) throws InterruptedException {
    int revision = f.revision.incrementAndGet();
    bed.patchCode(f.name, BenchSupport.source(f.name, revision));
    codeChanges.incrementAndGet();
  }

  private LambdaFunction function(String name, int revision) {
    return SampleFunctions.inline(bed.ns, name, bed.role, BenchSupport.source(name, revision));
  }

  private LambdaAlias alias(AliasRun run) {
    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName(run.resource()).withNamespace(bed.ns).build());
    LambdaAliasSpec spec = new LambdaAliasSpec();
    spec.functionRef = new FunctionRef(run.function);
    spec.aliasName = ALIAS;
    spec.version = "latest";
    spec.deployment = new LambdaAliasSpec.Deployment();
    spec.deployment.strategy = LambdaAliasSpec.Strategy.Linear;
    spec.deployment.linear = new LambdaAliasSpec.Linear();
    spec.deployment.linear.stepWeight = s.stepWeight();
    spec.deployment.linear.interval = s.intervalText();
    if (run.trigger.alarm()) {
      spec.deployment.rollback = new LambdaAliasSpec.Rollback();
      spec.deployment.rollback.alarms = List.of(run.alarm());
    } else if (run.trigger.errorRate()) {
      spec.deployment.rollback = new LambdaAliasSpec.Rollback();
      spec.deployment.rollback.errorRate = new LambdaAliasSpec.ErrorRate();
      spec.deployment.rollback.errorRate.max = "0.1";
      spec.deployment.rollback.errorRate.minInvocations = 10;
    }
    alias.setSpec(spec);
    return alias;
  }

  private enum State {
    /** Between two shifts (before the first: until the setup is done). */
    RESTING,
    /** New code: waiting for the function to publish its version. */
    PUBLISHING,
    /** Waiting for the shift to end in status and AWS (firing the trigger on the way). */
    SHIFTING,
    /** No more shifts. */
    DONE
  }

  /** One shift of an alias as the driver goes through it. */
  private static final class Round {
    final int round;
    final String from;
    final long startMs;
    volatile String to;
    volatile Long nextStartMs;
    volatile Long triggeredMs;
    volatile Long endedMs;
    volatile String statusResult;

    Round(int round, String from, long startMs) {
      this.round = round;
      this.from = from;
      this.startMs = startMs;
    }
  }

  /** The driver of one alias: its shifts one after the other, each with its trigger. */
  private final class AliasRun {
    final String function;
    final Trigger trigger;
    final List<Round> rounds = new ArrayList<>();
    volatile State state = State.RESTING;
    long restUntil = Long.MAX_VALUE;
    boolean abortHeld;
    long publishedSeenMs;
    long lastFedMs;

    AliasRun(String function, Trigger trigger) {
      this.function = function;
      this.trigger = trigger;
    }

    String resource() {
      return function + "-" + ALIAS;
    }

    String alarm() {
      return "chaos-" + function;
    }

    Round current() {
      return rounds.isEmpty() ? null : rounds.get(rounds.size() - 1);
    }

    LambdaAlias resourceNow() {
      return aliasInformer.getStore().getByKey(bed.ns + "/" + resource());
    }

    void step(long now) throws InterruptedException {
      switch (state) {
        case RESTING -> {
          if (now < restUntil) {
            return;
          }
          Seen seen = poller.latest(function);
          if (!chaosOn) {
            state = State.DONE;
          } else if (seen != null && seen.atRest()) {
            Round previous = current();
            Round next = new Round(rounds.size() + 1, seen.version(), now);
            if (previous != null) {
              previous.nextStartMs = now;
            }
            rounds.add(next);
            state = State.PUBLISHING;
            patchCode(functions.get(function));
          }
        }
        case PUBLISHING -> {
          LambdaFunction fn = functionInformer.getStore().getByKey(bed.ns + "/" + function);
          String to = versionOf(fn, functions.get(function).sha());
          if (to == null) {
            return;
          }
          if (abortHeld) {
            // As a user retries after a rollback, once the next version is there (and the operator had 2 s to see
            // it too): status.abort false, and (by default) a change of the spec.
            if (publishedSeenMs == 0) {
              publishedSeenMs = now;
              return;
            }
            if (now - publishedSeenMs < 2000) {
              return;
            }
            withRetries(() -> bed.kube.resources(LambdaAlias.class).inNamespace(bed.ns).withName(resource())
                .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"abort\":false}}"));
            if (s.retryBySpec()) {
              String description = "{\"spec\":{\"description\":\"shift " + current().round + "\"}}";
              withRetries(() -> bed.kube.resources(LambdaAlias.class).inNamespace(bed.ns).withName(resource())
                  .patch(PatchContext.of(PatchType.JSON_MERGE), description));
            }
            abortHeld = false;
          }
          publishedSeenMs = 0;
          current().to = to;
          state = State.SHIFTING;
        }
        case SHIFTING -> {
          Round r = current();
          Seen seen = poller.latest(function);
          if (r.triggeredMs == null && seen != null && seen.weightOf(r.to) >= s.weights().get(0)) {
            fire(r);
            r.triggeredMs = now;
            lastFedMs = now;
          } else if (r.triggeredMs != null && trigger.errorRate() && now - lastFedMs >= 5000) {
            // a version keeps erring (or keeps being healthy) while it takes traffic
            fire(r);
            lastFedMs = now;
          }
          String result = statusResult(resourceNow(), r.to);
          if (result != null && seen != null && seen.atRest()) {
            r.statusResult = result;
            r.endedMs = now;
            if (trigger == Trigger.ALARM_FIRES && r.triggeredMs != null) {
              bed.cloudWatch.setAlarmState(q -> q.alarmName(alarm()).stateValue(StateValue.OK)
                  .stateReason("chaos benchmark: shift ended"));
            }
            abortHeld = !"Promoted".equals(result);
            rest(now);
          }
        }
        case DONE -> {
          // nothing
        }
        default -> throw new IllegalStateException(state.name());
      }
    }

    void rest(long now) {
      state = State.RESTING;
      restUntil = now + 1000 + random.nextInt(2000);
    }

    /**
     * The alias's trigger: an alarm to ALARM, or metrics of the new version behind the alias (20 invocations, 5
     * errors or none; again every 5 s while the shift runs).
     */
    private void fire(Round r) {
      switch (trigger) {
        case ALARM_FIRES -> bed.cloudWatch.setAlarmState(q -> q.alarmName(alarm()).stateValue(StateValue.ALARM)
            .stateReason("chaos benchmark: version " + r.to + " took traffic"));
        case ERROR_RATE_FIRES -> errorMetrics(r.to, 20, 5);
        case ERROR_RATE_QUIET -> errorMetrics(r.to, 20, 0);
        default -> {
          // an alarm that stays OK, or no trigger
        }
      }
    }

    private void errorMetrics(String version, int invocations, int errors) {
      List<Dimension> dims = List.of(Dimension.builder().name("FunctionName").value(function).build(),
          Dimension.builder().name("Resource").value(function + ":" + ALIAS).build(),
          Dimension.builder().name("ExecutedVersion").value(version).build());
      Instant at = Instant.now();
      bed.cloudWatch.putMetricData(q -> q.namespace("AWS/Lambda").metricData(
          m -> m.metricName("Invocations").dimensions(dims).value((double) invocations).timestamp(at),
          m -> m.metricName("Errors").dimensions(dims).value((double) errors).timestamp(at)));
    }

    List<Shift> shifts() {
      List<Shift> list = new ArrayList<>();
      for (Round r : rounds) {
        list.add(new Shift(function, resource(), r.round, trigger, r.from, r.to, r.startMs, r.nextStartMs,
            r.triggeredMs, r.endedMs, r.statusResult));
      }
      return list;
    }

    String describe() {
      Round r = current();
      LambdaAlias a = resourceNow();
      LambdaAliasStatus st = a == null ? null : a.getStatus();
      return resource() + " " + state + (r == null ? "" : " shift #" + r.round + " v" + r.from + "->v" + r.to)
          + ", AWS " + poller.latest(function) + ", status " + (st == null ? "none" : "stable " + st.stableVersion
              + " canary " + st.canaryVersion + " at " + st.canaryWeight + "% phase " + st.phase + ": " + st.message);
    }
  }

  private boolean aliasOnVersionOne(AliasRun a) {
    LambdaAlias r = a.resourceNow();
    Seen seen = poller.latest(a.function);
    return r != null && r.getStatus() != null && "1".equals(r.getStatus().stableVersion)
        && r.getStatus().canaryVersion == null && seen != null && seen.atRest() && "1".equals(seen.version());
  }

  private String describe(String name) {
    Fn f = functions.get(name);
    LambdaFunction r = functionInformer.getStore().getByKey(bed.ns + "/" + name);
    String fn = r == null || r.getStatus() == null ? "no status" : conditionText(r.getStatus()) + ", latest version "
        + r.getStatus().latestVersion;
    return fn + (f.aliased ? "; " + aliasRuns.stream().filter(a -> a.function.equals(name)).findFirst()
        .map(AliasRun::describe).orElse("") : "");
  }

  /** Ready for its generation, with the code of its spec, and a version of that code as latestVersion. */
  private boolean functionMatches(Fn f) {
    LambdaFunction r = functionInformer.getStore().getByKey(bed.ns + "/" + f.name);
    LambdaFunctionStatus st = r == null ? null : r.getStatus();
    String sha = f.sha();
    return st != null && BenchSupport.readyFor(r.getMetadata().getGeneration(), st.observedGeneration,
        st.conditions) && sha.equals(st.codeSha256) && sha.equals(shaOf(st, st.latestVersion));
  }

  /** The version the function's status recorded for this code, or null. */
  private static String versionOf(LambdaFunction fn, String sha) {
    if (fn == null || fn.getStatus() == null) {
      return null;
    }
    for (LambdaFunctionStatus.PublishedVersion v : fn.getStatus().versions) {
      if (sha.equals(v.codeSha256)) {
        return v.version;
      }
    }
    return null;
  }

  /** The oldest end status.history records for a shift to this version, or null. */
  private static String statusResult(LambdaAlias a, String to) {
    if (a == null || a.getStatus() == null || to == null) {
      return null;
    }
    String result = null;
    for (LambdaAliasStatus.ShiftRecord r : a.getStatus().history) {
      if (to.equals(r.toVersion) && r.result != null && TERMINAL.contains(r.result)) {
        result = r.result; // newest first: the last match is the oldest
      }
    }
    return result;
  }

  /** What does not match yet: aliases whose last shift did not end, functions not converged, AWS extras. */
  private List<String> pending() {
    List<String> pending = new ArrayList<>();
    for (AliasRun a : aliasRuns) {
      Seen seen = poller.latest(a.function);
      LambdaAlias r = a.resourceNow();
      LambdaAliasStatus st = r == null ? null : r.getStatus();
      if (a.state != State.DONE || seen == null || !seen.atRest() || st == null
          || !seen.version().equals(st.stableVersion) || st.shifting()) {
        pending.add(a.describe());
      }
    }
    pending.addAll(pendingFunctions(true));
    return pending;
  }

  private List<String> pendingFunctions(boolean withAws) {
    List<String> pending = new ArrayList<>();
    Map<String, String> aws = new TreeMap<>();
    if (withAws) {
      for (FunctionConfiguration c : bed.lambda.listFunctionsPaginator(r -> r.maxItems(50)).functions()) {
        aws.put(c.functionName(), c.codeSha256());
      }
    }
    Set<String> live = new HashSet<>();
    for (Fn f : functions.values()) {
      LambdaFunction r = functionInformer.getStore().getByKey(bed.ns + "/" + f.name);
      if (f.deleted) {
        if (r != null) {
          pending.add(f.name + ": deleted, still in Kubernetes");
        } else if (aws.containsKey(f.name)) {
          pending.add(f.name + ": deleted, still in AWS");
        }
        continue;
      }
      live.add(f.name);
      String sha = f.sha();
      LambdaFunctionStatus st = r == null ? null : r.getStatus();
      if (!functionMatches(f)) {
        pending.add(f.name + ": revision " + f.revision.get() + " not Ready with its version"
            + (st == null ? "" : " (" + conditionText(st) + ")"));
      } else if (withAws && !sha.equals(aws.get(f.name))) {
        pending.add(f.name + ": AWS has other code");
      }
    }
    for (String name : aws.keySet()) {
      if (!functions.containsKey(name)) {
        pending.add(name + ": in AWS, no LambdaFunction");
      }
    }
    return pending;
  }

  private static String shaOf(LambdaFunctionStatus st, String version) {
    return st.versions.stream().filter(v -> v.version != null && v.version.equals(version)).map(v -> v.codeSha256)
        .findFirst().orElse(null);
  }

  private static String conditionText(LambdaFunctionStatus st) {
    return st.conditions.stream().filter(c -> "Ready".equals(c.getType())).map(c -> c.getStatus() + " "
        + c.getReason()).findFirst().orElse("no Ready");
  }

  /** What AWS and Kubernetes hold at the end; the published versions of every function by the way. */
  private Inventory inventory(Map<String, List<Version>> versions) throws InterruptedException {
    Set<String> awsFunctions = new TreeSet<>();
    Set<String> awsAliases = new TreeSet<>();
    for (FunctionConfiguration c : bed.lambda.listFunctionsPaginator(r -> r.maxItems(50)).functions()) {
      awsFunctions.add(c.functionName());
    }
    for (String fn : awsFunctions) {
      List<Version> list = new ArrayList<>();
      for (FunctionConfiguration v : bed.lambda.listVersionsByFunctionPaginator(r -> r.functionName(fn).maxItems(50))
          .versions()) {
        if (!"$LATEST".equals(v.version())) {
          list.add(new Version(v.version(), v.codeSha256(), configuration(v)));
        }
      }
      versions.put(fn, list);
      for (AliasConfiguration a : bed.lambda.listAliasesPaginator(r -> r.functionName(fn)).aliases()) {
        awsAliases.add(fn + ":" + a.name());
      }
    }
    Set<String> functionResources = new TreeSet<>();
    Set<String> stuck = new TreeSet<>();
    for (LambdaFunction r : withRetries(() -> bed.kube.resources(LambdaFunction.class).inNamespace(bed.ns).list())
        .getItems()) {
      String name = r.getSpec().functionName != null ? r.getSpec().functionName : r.getMetadata().getName();
      Fn f = functions.get(r.getMetadata().getName());
      if (r.getMetadata().getDeletionTimestamp() != null || (f != null && f.deleted)) {
        stuck.add(r.getMetadata().getName());
      } else {
        functionResources.add(name);
      }
    }
    Set<String> aliasResources = new TreeSet<>();
    for (LambdaAlias r : withRetries(() -> bed.kube.resources(LambdaAlias.class).inNamespace(bed.ns).list())
        .getItems()) {
      aliasResources.add(r.getSpec().functionRef.name + ":" + r.aliasName());
    }
    return new Inventory(awsFunctions, functionResources, awsAliases, aliasResources, stuck);
  }

  /** The configuration a version captured, as text: what makes two versions with the same code differ. */
  private static String configuration(FunctionConfiguration v) {
    return String.join("|", String.valueOf(v.runtimeAsString()), String.valueOf(v.handler()),
        String.valueOf(v.role()), String.valueOf(v.memorySize()), String.valueOf(v.timeout()),
        String.valueOf(v.description()), String.valueOf(v.environment() == null ? null
            : new TreeMap<>(v.environment().variables())), String.valueOf(v.architecturesAsStrings()),
        String.valueOf(v.layers()), String.valueOf(v.packageTypeAsString()));
  }
}
