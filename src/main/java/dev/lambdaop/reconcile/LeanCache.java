package dev.lambdaop.reconcile;

import dev.lambdaop.api.LambdaFunction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the operator's informers keep of the resources they watch.
 *
 * <ul>
 *   <li>The controllers' own resources (LambdaFunction, LambdaAlias, Concurrency), {@link #pruned}: everything the
 *       reconcilers read (spec, status, labels, annotations, finalizers, owner references, generation,
 *       resourceVersion), but not {@code metadata.managedFields} nor kubectl's last-applied-configuration annotation.
 *       Neither is an input of any reconcile (status is written with a fresh object, by server-side apply), and on an
 *       object kubectl applied they repeat its spec two more times.</li>
 *   <li>The LambdaFunctions that LambdaAliases and Concurrency name ({@code FunctionReferences}), {@link
 *       #identityOnly}: those informers only map a function's change to the resources that name it (by namespace and
 *       name); the reconcilers read the function itself from the API server. Their caches keep name, namespace, uid,
 *       resourceVersion and generation: no spec (with its inline code), no status.</li>
 * </ul>
 *
 * <p>JOSDK gives an informer configuration's one item store to the informer of every watched namespace. A store shared
 * by several informers is wrong (each informer's relist removes the other namespaces' objects from it, as deletions),
 * so with more than one watched namespace the informers keep their own default stores, whole objects.
 */
public final class LeanCache {
  /** The annotation {@code kubectl apply} writes: the whole applied object, as JSON. */
  public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private LeanCache() {}

  /**
   * The store for a controller's own informers: {@link #prune}d resources; none when several namespaces are watched
   * (the namespaces of the controller's configuration: JOSDK's all-namespaces marker counts as one).
   */
  public static <R extends HasMetadata> Optional<ItemStore<R>> pruned(Set<String> namespaces) {
    return namespaces.size() > 1 ? Optional.empty() : Optional.of(new TransformingItemStore<>(LeanCache::prune));
  }

  /** The store for informers of referenced LambdaFunctions: identity only; none for several namespaces. */
  public static Optional<ItemStore<LambdaFunction>> identityOnly(Set<String> namespaces) {
    return namespaces.size() > 1 ? Optional.empty() : Optional.of(new TransformingItemStore<>(LeanCache::identity));
  }

  /** Drops managedFields and the last-applied annotation, in place (the informer's own fresh copy). */
  public static <R extends HasMetadata> R prune(R resource) {
    ObjectMeta meta = resource.getMetadata();
    if (meta != null) {
      meta.setManagedFields(null);
      Map<String, String> annotations = meta.getAnnotations();
      if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
        Map<String, String> kept = new LinkedHashMap<>(annotations);
        kept.remove(LAST_APPLIED);
        meta.setAnnotations(kept);
      }
    }
    return resource;
  }

  /** A LambdaFunction with its name, namespace, uid, resourceVersion and generation, nothing else. */
  public static LambdaFunction identity(LambdaFunction fn) {
    ObjectMeta meta = fn.getMetadata();
    ObjectMeta identity = new ObjectMeta(); // no empty collections either: the builder's cost a few hundred bytes
    identity.setName(meta.getName());
    identity.setNamespace(meta.getNamespace());
    identity.setUid(meta.getUid());
    identity.setResourceVersion(meta.getResourceVersion());
    identity.setGeneration(meta.getGeneration());
    identity.setAnnotations(null);
    identity.setLabels(null);
    identity.setFinalizers(null);
    identity.setOwnerReferences(null);
    identity.setManagedFields(null);
    LambdaFunction kept = new LambdaFunction();
    kept.setMetadata(identity);
    kept.setSpec(null);
    kept.setStatus(null);
    return kept;
  }
}
