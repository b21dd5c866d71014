package dev.lambdaop.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records every change of the benchmark's LambdaFunctions as an informer sees it: when each generation became Ready,
 * when each version was first published, the Ready reasons, and status rewrites without a new generation. Both
 * benchmarks use it.
 */
final class FunctionTracker implements ResourceEventHandler<LambdaFunction> {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** name -> generation -> System.nanoTime() when it was first seen Ready. */
  private final Map<String, Map<Long, Long>> readyAt = new ConcurrentHashMap<>();
  /** name -> version -> System.currentTimeMillis() when status.latestVersion first named it. */
  private final Map<String, Map<String, Long>> publishedAt = new ConcurrentHashMap<>();
  private final Map<String, String> lastState = new ConcurrentHashMap<>();
  final Map<String, String> throttled = new ConcurrentHashMap<>();
  final Map<String, Long> notReady = new ConcurrentHashMap<>();
  final AtomicLong updates = new AtomicLong();
  /** Status changes of a LambdaFunction already Ready for its generation, without a new generation. */
  final AtomicLong rewrites = new AtomicLong();
  final List<String> rewriteExamples = Collections.synchronizedList(new ArrayList<>());

  Long readyAt(String name, Long generation) {
    Map<Long, Long> byGeneration = readyAt.get(name);
    return byGeneration == null || generation == null ? null : byGeneration.get(generation);
  }

  Long publishedAt(String name, String version) {
    return publishedAt.getOrDefault(name, Map.of()).get(version);
  }

  String lastState(String name) {
    return lastState.getOrDefault(name, "no status yet");
  }

  @Override
  public void onAdd(LambdaFunction fn) {
    observe(fn);
  }

  @Override
  public void onUpdate(LambdaFunction old, LambdaFunction fn) {
    updates.incrementAndGet();
    if (converged(old) && Objects.equals(old.getMetadata().getGeneration(), fn.getMetadata().getGeneration())) {
      String diff = diff(old.getStatus(), fn.getStatus());
      if (!diff.isEmpty()) {
        rewrites.incrementAndGet();
        if (rewriteExamples.size() < 3) {
          rewriteExamples.add(fn.getMetadata().getName() + " (generation " + fn.getMetadata().getGeneration()
              + "): " + diff);
        }
      }
    }
    observe(fn);
  }

  @Override
  public void onDelete(LambdaFunction fn, boolean deletedFinalStateUnknown) {}

  private void observe(LambdaFunction fn) {
    long nanos = System.nanoTime();
    long ms = System.currentTimeMillis();
    String name = fn.getMetadata().getName();
    Long generation = fn.getMetadata().getGeneration();
    if (fn.getStatus() == null) {
      lastState.put(name, "no status yet (generation " + generation + ")");
      return;
    }
    String version = fn.getStatus().latestVersion;
    if (version != null) {
      publishedAt.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).putIfAbsent(version, ms);
    }
    Optional<Condition> ready = ready(fn);
    if (ready.isEmpty()) {
      lastState.put(name, "latestVersion " + version + ", no Ready condition yet (generation " + generation + ")");
      return;
    }
    Condition c = ready.get();
    lastState.put(name, "latestVersion " + version + ", Ready=" + c.getStatus() + " " + c.getReason()
        + " (generation " + generation + ", observed " + c.getObservedGeneration() + "): " + c.getMessage());
    if ("Throttled".equals(c.getReason())) {
      throttled.putIfAbsent(name, c.getMessage());
    }
    if (!"True".equals(c.getStatus())) {
      notReady.merge(c.getReason(), 1L, Long::sum);
    }
    if (converged(fn)) {
      readyAt.computeIfAbsent(name, k -> new ConcurrentHashMap<>()).putIfAbsent(generation, nanos);
    }
  }

  private static Optional<Condition> ready(LambdaFunction fn) {
    return fn.getStatus() == null || fn.getStatus().conditions == null
        ? Optional.empty()
        : Conditions.find(fn.getStatus().conditions, Conditions.READY);
  }

  /** Ready=True, for the current generation (in the condition and in status.observedGeneration). */
  static boolean converged(LambdaFunction fn) {
    return fn != null && fn.getStatus() != null && BenchSupport.readyFor(fn.getMetadata().getGeneration(),
        fn.getStatus().observedGeneration, fn.getStatus().conditions);
  }

  /** Converged, with this version published. */
  static boolean readyOn(LambdaFunction fn, String version) {
    return converged(fn) && version.equals(fn.getStatus().latestVersion);
  }

  /** The status fields that differ, old -> new, abbreviated. */
  @SuppressWarnings("unchecked")
  private static String diff(Object before, Object after) {
    Map<String, Object> a = before == null ? Map.of() : JSON.convertValue(before, Map.class);
    Map<String, Object> b = after == null ? Map.of() : JSON.convertValue(after, Map.class);
    Set<String> keys = new TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    StringBuilder out = new StringBuilder();
    for (String key : keys) {
      if (!Objects.equals(a.get(key), b.get(key))) {
        out.append(out.length() == 0 ? "" : "; ").append(key).append(": ").append(abbreviate(a.get(key)))
            .append(" -> ").append(abbreviate(b.get(key)));
      }
    }
    return out.toString();
  }

  private static String abbreviate(Object value) {
    String text = String.valueOf(value);
    return text.length() <= 160 ? text : text.substring(0, 157) + "...";
  }
}
