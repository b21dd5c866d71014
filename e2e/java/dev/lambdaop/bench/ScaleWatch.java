package dev.lambdaop.bench;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.ReconciledStatus;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches every status of one kind (an informer's events): when each resource was first seen Ready=True for its
 * generation (epoch ms), and every reason it ever showed with Ready=False.
 */
final class ScaleWatch<T extends HasMetadata> implements ResourceEventHandler<T> {
  private final Map<String, Long> readyAtMs = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> notReadyReasons = new ConcurrentHashMap<>();
  private final Map<String, String> lastState = new ConcurrentHashMap<>();

  static ScaleWatch<LambdaFunction> functions() {
    return new ScaleWatch<>();
  }

  static ScaleWatch<LambdaAlias> aliases() {
    return new ScaleWatch<>();
  }

  @Override
  public void onAdd(T resource) {
    observe(resource);
  }

  @Override
  public void onUpdate(T old, T resource) {
    observe(resource);
  }

  @Override
  public void onDelete(T resource, boolean deletedFinalStateUnknown) {}

  private void observe(T resource) {
    long now = System.currentTimeMillis();
    String name = resource.getMetadata().getName();
    Long generation = resource.getMetadata().getGeneration();
    ReconciledStatus status = status(resource);
    if (status == null) {
      return;
    }
    List<Condition> conditions = status.conditions();
    Condition ready = conditions == null ? null : Conditions.find(conditions, Conditions.READY).orElse(null);
    if (ready == null) {
      return;
    }
    lastState.put(name, "Ready=" + ready.getStatus() + " " + ready.getReason() + ": " + ready.getMessage());
    if ("False".equals(ready.getStatus()) && ready.getReason() != null) {
      notReadyReasons.computeIfAbsent(name, k -> ConcurrentHashMap.newKeySet()).add(ready.getReason());
    }
    if ("True".equals(ready.getStatus()) && generation != null && generation.equals(ready.getObservedGeneration())) {
      readyAtMs.putIfAbsent(name, now);
    }
  }

  private static ReconciledStatus status(HasMetadata resource) {
    if (resource instanceof LambdaFunction f) {
      return f.getStatus();
    }
    if (resource instanceof LambdaAlias a) {
      return a.getStatus();
    }
    return null;
  }

  boolean ready(String name) {
    return readyAtMs.containsKey(name);
  }

  Map<String, Long> readyAtMs() {
    return new TreeMap<>(readyAtMs);
  }

  Map<String, Set<String>> notReadyReasons() {
    Map<String, Set<String>> copy = new TreeMap<>();
    notReadyReasons.forEach((k, v) -> copy.put(k, Set.copyOf(v)));
    return copy;
  }

  String lastState(String name) {
    return lastState.getOrDefault(name, "no Ready condition yet");
  }
}
