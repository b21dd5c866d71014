package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.fixed;
import static dev.lambdaop.bench.BenchSupport.sum;
import static dev.lambdaop.bench.BenchSupport.text;

import dev.lambdaop.aws.sdk.AwsCallCounter;
import dev.lambdaop.bench.FunctionAnalysis.Figures;
import dev.lambdaop.bench.FunctionAnalysis.PhaseFigures;
import dev.lambdaop.bench.FunctionRecorder.Heap;
import dev.lambdaop.bench.FunctionRecorder.Recording;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Prints the function benchmark's figures; its RESULT line carries the one verdict. */
final class FunctionReport {
  private final FunctionSettings s;
  private final Recording r;
  private final Figures f;

  FunctionReport(FunctionSettings settings, Recording recording, Figures figures) {
    this.s = settings;
    this.r = recording;
    this.f = figures;
  }

  static void printHeader(FunctionSettings s) {
    System.out.printf(Locale.ROOT, "lambda-operator benchmark: N=%d LambdaFunctions, resync %s, limit %s per"
        + " convergence, %d client threads%n", s.n(), text(s.resync()), text(s.timeout()), s.threads());
  }

  /** Prints the tables; returns the RESULT line (printed last, once everything has stopped). */
  String print(Verdict verdict) {
    printPhases();
    printCalls();
    printFindings();
    System.out.println();
    int n = s.n();
    PhaseFigures create = f.phase("create");
    PhaseFigures update = f.phase("update code");
    return String.format(Locale.ROOT, "RESULT N=%d | create p50/p95/max %.1f/%.1f/%.1f s, all Ready %.1f s |"
        + " update p50/p95/max %.1f/%.1f/%.1f s, all Ready %.1f s | AWS calls/fn create %.2f update %.2f |"
        + " no-op resync writes %d %s | throttled %d | wrong status %d | heap %d MB", n,
        create.latencies().p(0.5), create.latencies().p(0.95), create.latencies().max(), create.seconds(),
        update.latencies().p(0.5), update.latencies().p(0.95), update.latencies().max(), update.seconds(),
        sum(create.calls()) / (double) n, sum(update.calls()) / (double) n, f.quietWrites(), verdict.word(),
        r.throttled().size(), r.wrongStatus().size(), r.heap().usedMb());
  }

  private void printPhases() {
    System.out.println();
    System.out.printf(Locale.ROOT, "%-12s %8s %8s %8s %9s %11s %12s %18s%n", "phase", "p50 s", "p95 s", "max s",
        "total s", "reconciles", "k8s updates", "budget waits");
    for (PhaseFigures p : f.phases()) {
      Stats l = p.latencies();
      System.out.printf(Locale.ROOT, "%-12s %8s %8s %8s %9.1f %11d %12d %18s%n", p.name(),
          l == null ? "-" : fixed(l.p(0.50)), l == null ? "-" : fixed(l.p(0.95)), l == null ? "-" : fixed(l.max()),
          p.seconds(), p.reconciles(), p.k8sUpdates(),
          String.format(Locale.ROOT, "%d / %.1f s", p.budgetWaits(), p.budgetWaited().toMillis() / 1000.0));
    }
    System.out.println("  p50/p95/max: from each create (or patch) request to Ready=True for its generation;"
        + " total: from the phase's start to the last Ready (or its end)");
    System.out.println("  reconciles: GetFunction calls (each reconcile reads the function once);"
        + " k8s updates: changes to the LambdaFunctions seen by an informer");
    System.out.println("  budget waits: writes that waited for the AWS write budget / the sum of their waits");
  }

  private void printCalls() {
    List<PhaseFigures> phases = f.phases();
    System.out.println();
    System.out.println("AWS calls per function, by operation (calls / N)");
    Set<String> operations = new TreeSet<>();
    phases.forEach(p -> operations.addAll(p.calls().keySet()));
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-28s", "operation"));
    phases.forEach(p -> header.append(String.format(Locale.ROOT, " %12s", p.name())));
    System.out.println(header);
    for (String op : operations) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s", op));
      phases.forEach(p -> line.append(String.format(Locale.ROOT, " %12s", p.perFunction(op, s.n()))));
      System.out.println(line + (AwsCallCounter.isWrite(op) ? "   write" : ""));
    }
    for (String total : List.of("writes", "all calls")) {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s", total));
      phases.forEach(p -> line.append(String.format(Locale.ROOT, " %12.2f",
          sum(total.equals("writes") ? p.writes() : p.calls()) / (double) s.n())));
      System.out.println(line);
    }
  }

  private void printFindings() {
    int n = s.n();
    System.out.println();
    System.out.println("throttling: " + (r.throttled().isEmpty()
        ? "no Ready condition had reason Throttled"
        : r.throttled().size() + " LambdaFunctions had Ready reason Throttled, for example "
            + r.throttled().keySet().iterator().next() + ": " + r.throttled().values().iterator().next()));
    System.out.println("Ready=False seen, by reason: " + (r.notReady().isEmpty() ? "none" : r.notReady()));
    StringBuilder rewrites = new StringBuilder("status changed after Ready without a new generation:");
    f.phases().forEach(p -> rewrites.append(" ").append(p.name()).append(" ").append(p.rewrites()).append(","));
    rewrites.setLength(rewrites.length() - 1);
    System.out.println(rewrites);
    r.rewriteExamples().forEach(e -> System.out.println("  e.g. " + e));
    System.out.println("status after the last quiet period: " + (r.wrongStatus().isEmpty()
        ? "every status.codeIdentity names the spec's code"
        : "WARN " + r.wrongStatus().size() + " of " + n + " statuses name other code than the spec's"));
    r.wrongStatus().stream().limit(3).forEach(w -> System.out.println("  e.g. " + w));
    for (PhaseFigures p : f.quiet()) {
      String problem = p.quietProblem(n);
      System.out.printf(Locale.ROOT, "no-op resync (%s, %.1f s, resync period %s): %s%n", p.name(),
          p.duration().toMillis() / 1000.0, text(s.resync()), problem != null ? problem
              : "0 AWS writes in " + p.reconciles() + " reconciles of " + n + " functions");
    }
    Heap heap = r.heap();
    System.out.printf(Locale.ROOT, "heap after convergence: %d MB used after GC (committed %d MB, max %d MB);"
        + " JVM total: %d MB committed (heap + non-heap), %s resident%n", heap.usedMb(), heap.committedMb(),
        heap.maxMb(), heap.totalCommittedMb(), heap.rssMb() < 0 ? "n/a" : heap.rssMb() + " MB");
    System.out.println("  (this JVM runs the operator and the benchmark, whose informer was closed before measuring;"
        + " etcd, kube-apiserver and moto are other processes)");
  }
}
