package dev.lambdaop.reconcile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A {@link Cluster} in memory: the API server as a reconcile sees it, for unit tests of the reconcilers.
 *
 * <ul>
 *   <li>{@link #put} creates or replaces an object of any kind (a Concurrency, the LambdaFunction it references...) as
 *       {@code kubectl apply} would: a new object gets a uid, a creationTimestamp (one second after the previous
 *       one, unless set), generation 1; a changed spec bumps the generation. Every call returns what is stored.
 *   <li>{@link #read} is the object as the API server has it now, status writes included: reconcile, read back,
 *       reconcile again, as the real loop does.
 *   <li>{@link #applyStatus} sets the status fields the operator applies and removes those it applied before and
 *       now leaves out (server-side apply, one owner per top-level status field); {@link #mergeStatus} merges JSON
 *       into the status, and the fields it sets belong to the user, so a later apply that leaves them out keeps them.
 *   <li>{@link #statusPatches} and {@link #statusMerges} are what the reconciler wrote, in order.
 *   <li>{@link #markForDeletion} and {@link #remove} stand for kubectl delete before and after the finalizer.
 * </ul>
 * Objects handed out and taken in are copies: a reconciler's changes to its resource reach the "API server" only
 * through a status write. Thread-safe (one lock).
 *
 * @param <R> the kind being reconciled (what {@link #cached()} lists)
 */
public final class InMemoryCluster<R extends HasMetadata> implements Cluster<R> {
  private static final Instant FIRST_CREATION = Instant.parse("2025-01-01T00:00:00Z");
  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private final Class<R> kind;
  private final Map<String, HasMetadata> objects = new LinkedHashMap<>();
  /** Top-level status fields the operator's last apply set, by object. */
  private final Map<String, Set<String>> appliedFields = new HashMap<>();
  private final List<R> statusPatches = new ArrayList<>();
  private final Map<String, List<String>> statusMerges = new HashMap<>();
  private long created;
  private long resourceVersion;

  public InMemoryCluster(Class<R> kind) {
    this.kind = kind;
  }

  /** Creates or replaces the object (its status too); returns it as stored. */
  public synchronized <T extends HasMetadata> T put(T object) {
    T copy = copy(object);
    var meta = copy.getMetadata();
    HasMetadata before = objects.get(key(copy));
    if (before == null) {
      created++;
      meta.setUid(meta.getUid() != null ? meta.getUid() : "uid-" + created);
      meta.setCreationTimestamp(meta.getCreationTimestamp() != null ? meta.getCreationTimestamp()
          : FIRST_CREATION.plusSeconds(created).toString());
      meta.setGeneration(1L);
    } else {
      meta.setUid(before.getMetadata().getUid());
      meta.setCreationTimestamp(before.getMetadata().getCreationTimestamp());
      long generation = before.getMetadata().getGeneration();
      meta.setGeneration(Objects.equals(tree(before).get("spec"), tree(copy).get("spec")) ? generation
          : generation + 1);
    }
    store(copy);
    return copy(copy);
  }

  /** The object as stored now. */
  public synchronized <T extends HasMetadata> T read(T object) {
    @SuppressWarnings("unchecked")
    Class<T> type = (Class<T>) object.getClass();
    return get(type, object.getMetadata().getNamespace(), object.getMetadata().getName())
        .orElseThrow(() -> new IllegalStateException("no " + key(object)));
  }

  /** Sets metadata.deletionTimestamp (the object stays while it has a finalizer: call remove after cleanup). */
  public synchronized <T extends HasMetadata> T markForDeletion(T object) {
    T stored = read(object);
    stored.getMetadata().setDeletionTimestamp(FIRST_CREATION.plusSeconds(created + 1).toString());
    store(stored);
    return copy(stored);
  }

  public synchronized void remove(HasMetadata object) {
    objects.remove(key(object));
    appliedFields.remove(key(object));
  }

  /** Every status the reconciler applied, in order (each a fresh object with name, namespace and status). */
  public synchronized List<R> statusPatches() {
    return statusPatches.stream().map(InMemoryCluster::copy).toList();
  }

  /** The status patches applied to one resource. */
  public synchronized List<R> statusPatches(HasMetadata object) {
    return statusPatches.stream().filter(p -> key(p).equals(key(object))).map(InMemoryCluster::copy).toList();
  }

  /** The JSON merged into one resource's status with {@link #mergeStatus}, in order. */
  public synchronized List<String> statusMerges(HasMetadata object) {
    return List.copyOf(statusMerges.getOrDefault(key(object), List.of()));
  }

  @Override
  public synchronized void applyStatus(R resource, R patch) {
    statusPatches.add(copy(patch));
    String key = key(resource);
    HasMetadata stored = objects.get(key);
    if (stored == null) {
      throw new IllegalStateException("no " + key + " to write the status of (put it first)");
    }
    ObjectNode object = tree(stored);
    ObjectNode status = object.has("status") && object.get("status").isObject() ? (ObjectNode) object.get("status")
        : object.putObject("status");
    JsonNode applied = tree(patch).path("status");
    Set<String> previous = appliedFields.getOrDefault(key, Set.of());
    previous.forEach(field -> {
      if (!applied.has(field)) {
        status.remove(field);
      }
    });
    Set<String> now = new HashSet<>();
    applied.fieldNames().forEachRemaining(field -> {
      status.set(field, applied.get(field));
      now.add(field);
    });
    appliedFields.put(key, now);
    store(fromTree(object, stored.getClass()));
  }

  @Override
  public synchronized void mergeStatus(R resource, String statusJson) {
    String key = key(resource);
    statusMerges.computeIfAbsent(key, k -> new ArrayList<>()).add(statusJson);
    HasMetadata stored = objects.get(key);
    if (stored == null) {
      throw new IllegalStateException("no " + key + " to merge the status of (put it first)");
    }
    JsonNode patch;
    try {
      patch = JSON.readTree(statusJson);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + statusJson, e);
    }
    ObjectNode object = tree(stored);
    object.set("status", merge(object.get("status"), patch));
    // The user's fields now: an apply of the operator that leaves them out keeps them.
    patch.fieldNames().forEachRemaining(appliedFields.getOrDefault(key, new HashSet<>())::remove);
    store(fromTree(object, stored.getClass()));
  }

  @Override
  public synchronized <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
    return Optional.ofNullable(objects.get(key(type, namespace, name))).map(type::cast).map(InMemoryCluster::copy);
  }

  @Override
  public synchronized <T extends HasMetadata> List<T> list(Class<T> type, String namespace) {
    return objects.values().stream()
        .filter(type::isInstance)
        .filter(o -> Objects.equals(namespace, o.getMetadata().getNamespace()))
        .map(type::cast).map(InMemoryCluster::copy).toList();
  }

  @Override
  public synchronized Stream<R> cached() {
    return objects.values().stream().filter(kind::isInstance).map(kind::cast).map(InMemoryCluster::copy).toList()
        .stream();
  }

  private void store(HasMetadata object) {
    object.getMetadata().setResourceVersion(String.valueOf(++resourceVersion));
    objects.put(key(object), object);
  }

  /** RFC 7386: objects merge field by field, null deletes, anything else replaces. */
  private static JsonNode merge(JsonNode target, JsonNode patch) {
    if (!patch.isObject()) {
      return patch;
    }
    ObjectNode result = target != null && target.isObject() ? (ObjectNode) target : JSON.createObjectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getValue().isNull()) {
        result.remove(field.getKey());
      } else {
        result.set(field.getKey(), merge(result.get(field.getKey()), field.getValue()));
      }
    }
    return result;
  }

  private static String key(HasMetadata object) {
    return key(object.getClass(), object.getMetadata().getNamespace(), object.getMetadata().getName());
  }

  private static String key(Class<?> type, String namespace, String name) {
    return type.getName() + "/" + namespace + "/" + name;
  }

  private static ObjectNode tree(HasMetadata object) {
    return JSON.valueToTree(object);
  }

  private static <T> T fromTree(ObjectNode tree, Class<T> type) {
    try {
      return JSON.treeToValue(tree, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot read back a " + type.getSimpleName(), e);
    }
  }

  private static <T> T copy(T object) {
    return Serialization.clone(object);
  }

  private volatile boolean definitionDeleted;

  /** Makes the kind's CustomResourceDefinition look deleted (an uninstall), or not. */
  public void definitionDeleted(boolean deleted) {
    this.definitionDeleted = deleted;
  }

  @Override
  public boolean definitionDeleted(R resource) {
    return definitionDeleted;
  }
}
