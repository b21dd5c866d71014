package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.awaitAll;
import static dev.lambdaop.bench.BenchSupport.forAll;
import static dev.lambdaop.bench.BenchSupport.max;
import static dev.lambdaop.bench.BenchSupport.seconds;
import static dev.lambdaop.bench.BenchSupport.text;
import static org.awaitility.Awaitility.await;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.sdk.RequestBudget;
import dev.lambdaop.bench.FunctionRecorder.Heap;
import dev.lambdaop.bench.FunctionRecorder.Phase;
import dev.lambdaop.bench.FunctionRecorder.PhaseRecord;
import dev.lambdaop.bench.FunctionRecorder.Recording;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the function benchmark does on the test bed: N LambdaFunctions created at once; nothing changed for a resync
 * period; new code for all N; nothing changed again; then every status is checked against its spec and the heap
 * measured. Every wait is bounded. It returns what the recorders saw.
 */
final class FunctionScenario {
  private final FunctionSettings s;
  private final BenchBed bed;
  private final long t0;
  private final FunctionTracker tracker = new FunctionTracker();
  /** Code identities (zip:sha) of the sources this benchmark writes, with a readable label: "bench-00001 rev1". */
  private final Map<String, String> codeLabels = new ConcurrentHashMap<>();
  private RequestBudget budget;

  FunctionScenario(FunctionSettings settings, BenchBed bed, long startNanos) {
    this.s = settings;
    this.bed = bed;
    this.t0 = startNanos;
  }

  Recording run() throws Exception {
    SharedIndexInformer<LambdaFunction> informer = bed.inform(LambdaFunction.class, tracker);
    budget = bed.budget();
    System.out.printf(Locale.ROOT, "setup: test bed (AWS endpoint %s, %s), CRDs, role, operator, namespace %s:"
        + " %.1f s; AWS write budget %.0f/s%n", bed.testbed.awsEndpoint(), bed.testbed.awsRegion(), bed.ns,
        seconds(t0), budget.perSecond());
    List<String> names = BenchSupport.names("bench", s.n());

    // 1. N creates at once
    Phase create = phase("create");
    Map<String, Long> created = new ConcurrentHashMap<>();
    Map<String, Long> createGenerations = new ConcurrentHashMap<>();
    forAll(bed.pool, names, name -> {
      LambdaFunction fn = SampleFunctions.inline(bed.ns, name, bed.role, source(name, 1));
      created.put(name, System.nanoTime());
      createGenerations.put(name, bed.create(LambdaFunction.class, fn).getMetadata().getGeneration());
    });
    System.out.printf(Locale.ROOT, "create: %d LambdaFunctions created in %.1f s; waiting for Ready ...%n", s.n(),
        create.window.elapsedSeconds());
    PhaseRecord createRecord = converge("create", create, names, created, createGenerations);

    // 2. nothing changes
    PhaseRecord idle = quiet("idle");

    // 3. new code for all N
    Phase update = phase("update code");
    Map<String, Long> patched = new ConcurrentHashMap<>();
    Map<String, Long> updateGenerations = new ConcurrentHashMap<>();
    forAll(bed.pool, names, name -> {
      String code = source(name, 2);
      patched.put(name, System.nanoTime());
      updateGenerations.put(name, bed.patchCode(name, code).getMetadata().getGeneration());
    });
    System.out.printf(Locale.ROOT, "update: %d code changes applied in %.1f s; waiting for Ready ...%n", s.n(),
        update.window.elapsedSeconds());
    PhaseRecord updateRecord = converge("update", update, names, patched, updateGenerations);

    // 4. nothing changes again; then every status should name the code of its spec
    PhaseRecord idleAfterUpdate = quiet("idle again");
    List<String> wrongStatus = new ArrayList<>();
    for (String name : names) {
      LambdaFunction fn = informer.getStore().getByKey(bed.ns + "/" + name);
      String expected = DeterministicZip.of(Map.of("index.py", BenchSupport.source(name, 2))).identity();
      String actual = fn == null || fn.getStatus() == null ? null : fn.getStatus().codeIdentity;
      if (!expected.equals(actual)) {
        wrongStatus.add(name + " status.codeIdentity is " + label(actual) + ", spec has " + label(expected));
      }
    }

    // the benchmark's own cache goes before the heap is measured
    bed.closeNow(informer);
    Heap heap = Heap.measure();
    List<String> rewriteExamples;
    synchronized (tracker.rewriteExamples) {
      rewriteExamples = tracker.rewriteExamples.stream().map(this::relabel).toList();
    }
    return new Recording(List.of(createRecord, idle, updateRecord, idleAfterUpdate), wrongStatus,
        new TreeMap<>(tracker.throttled), new TreeMap<>(tracker.notReady), rewriteExamples, heap);
  }

  private Phase phase(String name) {
    return new Phase(name, bed.operator.awsCalls(), budget, tracker);
  }

  /** Waits (bounded) until every function is Ready=True for the generation it was given. */
  private PhaseRecord converge(String what, Phase phase, List<String> names, Map<String, Long> submitted,
      Map<String, Long> generations) throws InterruptedException {
    awaitAll(phase.name, phase.window.startNanos, s.timeout(), names,
        name -> tracker.readyAt(name, generations.get(name)) != null, tracker::lastState,
        "LambdaFunctions not Ready");
    Map<String, Long> ready = new TreeMap<>();
    names.forEach(name -> ready.put(name, tracker.readyAt(name, generations.get(name))));
    PhaseRecord record = phase.end(submitted, ready);
    System.out.printf(Locale.ROOT, "%s: all Ready after %.1f s%n", what, FunctionAnalysis.phase(record).seconds());
    return record;
  }

  /**
   * Changes nothing for at least one full resync period, and until every function has been reconciled once more (one
   * GetFunction each), within a bound.
   */
  private PhaseRecord quiet(String name) throws InterruptedException {
    Phase phase = phase(name);
    Duration resync = s.resync();
    Duration minimum = resync.plus(max(Duration.ofSeconds(5), resync.dividedBy(4)));
    Duration limit = resync.multipliedBy(3).plus(Duration.ofSeconds(30));
    System.out.printf(Locale.ROOT, "%s: no change for at least %s (resync period %s) ...%n", name, text(minimum),
        text(resync));
    // At least the minimum window; then until every function was read once by a resync, at most until the limit.
    await().pollDelay(minimum).pollInterval(Duration.ofMillis(500)).atMost(limit.plusSeconds(1))
        .until(() -> phase.window.callsSoFar().getOrDefault("GetFunction", 0L) >= s.n()
            || phase.window.elapsed().compareTo(limit) >= 0);
    return phase.endQuiet();
  }

  /** {@link BenchSupport#source}, its code identity remembered with a readable label. */
  private String source(String name, int revision) {
    String source = BenchSupport.source(name, revision);
    codeLabels.putIfAbsent(DeterministicZip.of(Map.of("index.py", source)).identity(),
        "zip(" + name + " rev" + revision + ")");
    return source;
  }

  private String label(String identity) {
    return identity == null ? "unset" : codeLabels.getOrDefault(identity, identity);
  }

  /** Replaces the code identities in a text with their labels. */
  private String relabel(String text) {
    String out = text;
    for (Map.Entry<String, String> e : codeLabels.entrySet()) {
      out = out.replace(e.getKey(), e.getValue());
    }
    return out;
  }
}
