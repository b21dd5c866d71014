package dev.lambdaop.bench;

import dev.lambdaop.aws.sdk.AwsCallCounter;
import dev.lambdaop.aws.sdk.RequestBudget;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the function benchmark records: per phase, the operator's AWS calls and budget waits ({@link CallWindow}) and
 * what the {@link FunctionTracker} saw meanwhile; at the end, the heap. A {@link Recording} is all of it, for
 * {@link FunctionAnalysis}.
 */
final class FunctionRecorder {
  private FunctionRecorder() {}

  /**
   * One phase as recorded. A convergence phase has, by function, when its create or patch was sent
   * ({@code submittedNanos}) and when its new generation was seen Ready ({@code readyNanos}); a quiet phase has
   * neither.
   */
  record PhaseRecord(String name, CallWindow.Counts counts, long k8sUpdates, long rewrites,
      Map<String, Long> submittedNanos, Map<String, Long> readyNanos) {
    boolean quiet() {
      return submittedNanos.isEmpty();
    }
  }

  /**
   * Everything the scenario recorded; {@code wrongStatus} and {@code rewriteExamples} name code by label, not by
   * identity.
   */
  record Recording(List<PhaseRecord> phases, List<String> wrongStatus, Map<String, String> throttled,
      Map<String, Long> notReady, List<String> rewriteExamples, Heap heap) {}

  /** A phase while it runs: a call window, and the tracker's counts at its start. */
  static final class Phase {
    final String name;
    final CallWindow window;
    private final FunctionTracker tracker;
    private final long updatesBefore;
    private final long rewritesBefore;

    Phase(String name, AwsCallCounter calls, RequestBudget budget, FunctionTracker tracker) {
      this.name = name;
      this.window = new CallWindow(calls, budget);
      this.tracker = tracker;
      this.updatesBefore = tracker.updates.get();
      this.rewritesBefore = tracker.rewrites.get();
    }

    PhaseRecord endQuiet() {
      return end(Map.of(), Map.of());
    }

    PhaseRecord end(Map<String, Long> submittedNanos, Map<String, Long> readyNanos) {
      return new PhaseRecord(name, window.end(), tracker.updates.get() - updatesBefore,
          tracker.rewrites.get() - rewritesBefore, Map.copyOf(submittedNanos), Map.copyOf(readyNanos));
    }
  }

  record Heap(long usedMb, long committedMb, long maxMb, long totalCommittedMb, long rssMb) {
    static Heap measure() throws InterruptedException {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      for (int i = 0; i < 3; i++) {
        System.gc();
        BenchSupport.waitUnlessStopping(Duration.ofMillis(300)); // finalization and reference processing
      }
      MemoryUsage heap = memory.getHeapMemoryUsage();
      MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
      return new Heap(mb(heap.getUsed()), mb(heap.getCommitted()), mb(heap.getMax()),
          mb(heap.getCommitted() + nonHeap.getCommitted()), residentMb());
    }

    private static long residentMb() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("VmRSS:")) {
            return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
          }
        }
      } catch (IOException | NumberFormatException e) {
        // not Linux: no resident size
      }
      return -1;
    }

    private static long mb(long bytes) {
      return bytes / (1024 * 1024);
    }
  }
}
