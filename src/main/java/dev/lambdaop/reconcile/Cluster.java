package dev.lambdaop.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a reconcile asks of Kubernetes besides the resource it was given. {@link ContextCluster} implements it with
 * the SDK's context; unit tests implement it in memory.
 *
 * @param <R> the kind being reconciled
 */
public interface Cluster<R extends HasMetadata> {
  /**
   * Applies {@code patch} (a fresh object with only name, namespace and status) to the status of {@code resource}
   * and caches the result at once, so that the next reconcile never sees an older status than this one wrote.
   */
  void applyStatus(R resource, R patch);

  /**
   * Merges {@code statusJson} (for example {@code {"abort":true}}) into the status without taking ownership of the
   * fields: for the user's controls, which a later apply of the operator must not delete.
   */
  void mergeStatus(R resource, String statusJson);

  /** Another object, read from the API server; empty when it does not exist. */
  <T extends HasMetadata> Optional<T> get(Class<T> kind, String namespace, String name);

  /**
   * The Namespace {@code name} (its annotations map it to an AWS account and set its policy); empty when it cannot
   * be found. A pass reads it once ({@link ContextCluster} keeps it for the pass) for the account and the policy.
   */
  default Optional<Namespace> namespace(String name) {
    return get(Namespace.class, null, name);
  }

  /** Objects of a kind in a namespace. */
  <T extends HasMetadata> List<T> list(Class<T> kind, String namespace);

  /** The controller's cached resources of its own kind (every namespace it watches). */
  Stream<R> cached();

  /**
   * Whether the CustomResourceDefinition of {@code resource}'s kind is being deleted (or is gone): then every
   * resource of the kind is being deleted with it, which is an uninstall, not a request to delete AWS objects.
   */
  boolean definitionDeleted(R resource);
}
