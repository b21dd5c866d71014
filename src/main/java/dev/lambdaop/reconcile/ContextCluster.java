package dev.lambdaop.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Cluster} through the Java Operator SDK's {@link Context}: the one place that writes a status. One instance
 * serves one pass: it reads the resource's Namespace once, for both its account mapping and its policy.
 */
public final class ContextCluster<R extends HasMetadata> implements Cluster<R> {
  private static final Logger LOG = LoggerFactory.getLogger(ContextCluster.class);

  private final Context<R> context;
  private String namespaceName;
  private Optional<Namespace> namespace;

  public ContextCluster(Context<R> context) {
    this.context = context;
  }

  @Override
  public void applyStatus(R resource, R patch) {
    // JOSDK does not cache what UpdateControl.patchStatus wrote: a reconcile that starts before the watch delivers
    // the write would see the previous status (old code recorded, deleted versions listed again).
    PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(resource, patch, context);
  }

  @Override
  public void mergeStatus(R resource, String statusJson) {
    // On the resource object itself: a patch by name would GET it first, which the operator's RBAC does not allow.
    context.getClient().resource(resource).subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":" + statusJson + "}");
  }

  @Override
  public <T extends HasMetadata> Optional<T> get(Class<T> kind, String namespace, String name) {
    if (namespace == null) { // a cluster-scoped kind (a Namespace)
      return Optional.ofNullable(context.getClient().resources(kind).withName(name).get());
    }
    return Optional.ofNullable(context.getClient().resources(kind).inNamespace(namespace).withName(name).get());
  }

  @Override
  public Optional<Namespace> namespace(String name) {
    if (namespace == null || !name.equals(namespaceName)) {
      namespace = get(Namespace.class, null, name);
      namespaceName = name;
    }
    return namespace;
  }

  @Override
  public <T extends HasMetadata> List<T> list(Class<T> kind, String namespace) {
    return context.getClient().resources(kind).inNamespace(namespace).list().getItems();
  }

  @Override
  public Stream<R> cached() {
    return context.getPrimaryCache().list();
  }

  @Override
  public boolean definitionDeleted(R resource) {
    String name = HasMetadata.getFullResourceName(resource.getClass());
    try {
      CustomResourceDefinition crd = context.getClient().apiextensions().v1().customResourceDefinitions()
          .withName(name).get();
      return crd == null || crd.getMetadata().getDeletionTimestamp() != null;
    } catch (KubernetesClientException e) {
      // Without the permission (an older RBAC) the deletion is taken as a user's: the behaviour before this check.
      LOG.warn("cannot read CustomResourceDefinition {} ({}); deleting as the resource's deletionPolicy says", name,
          e.getMessage());
      return false;
    }
  }
}
