package dev.lambdaop.function;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec.EnvVar;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Watches the Secrets and ConfigMaps that LambdaFunctions' environment variables refer to, so that a changed value
 * is deployed at once (no polling): a change to such an object reconciles every LambdaFunction in its namespace that
 * names it. Which functions name which objects is an index on the operator's own cache of LambdaFunctions.
 *
 * <p>The informers see every Secret and ConfigMap of the watched namespaces, but their caches keep the metadata only
 * ({@link MetadataOnlyStore}): no value is held in the operator's memory, which grows with the number of objects, not
 * with their data. The values are read with a GET when a reconcile needs them ({@link KubernetesReferences}).
 */
final class ReferencedObjects {
  private static final String SECRETS = "lambdaop.dev/secret-references";
  private static final String CONFIG_MAPS = "lambdaop.dev/configmap-references";

  private ReferencedObjects() {}

  static List<EventSource<?, LambdaFunction>> eventSources(EventSourceContext<LambdaFunction> context) {
    context.getPrimaryCache().addIndexers(Map.of(
        SECRETS, fn -> keys(fn, v -> v.valueFrom.secretKeyRef == null ? null : v.valueFrom.secretKeyRef.name),
        CONFIG_MAPS, fn -> keys(fn, v -> v.valueFrom.configMapKeyRef == null ? null : v.valueFrom.configMapKeyRef.name)));
    InformerEventSource<Secret, LambdaFunction> secrets = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(Secret.class, LambdaFunction.class)
            .withName("referenced-secrets")
            .withItemStore(new MetadataOnlyStore<>(ReferencedObjects::secretMetadata))
            .withSecondaryToPrimaryMapper(secret -> referencing(context, SECRETS, secret))
            .build(), context);
    InformerEventSource<ConfigMap, LambdaFunction> configMaps = new InformerEventSource<>(
        InformerEventSourceConfiguration.from(ConfigMap.class, LambdaFunction.class)
            .withName("referenced-configmaps")
            .withItemStore(new MetadataOnlyStore<>(ReferencedObjects::configMapMetadata))
            .withSecondaryToPrimaryMapper(map -> referencing(context, CONFIG_MAPS, map))
            .build(), context);
    return List.of(secrets, configMaps);
  }

  /**
   * An informer cache that keeps what the mapping to LambdaFunctions and the informer itself need (name, namespace,
   * uid, resourceVersion) and nothing else: no data, and no annotations or managed fields, which may repeat the data
   * (kubectl's last-applied-configuration holds a Secret's values).
   */
  static final class MetadataOnlyStore<T extends HasMetadata> extends BasicItemStore<T> {
    private final UnaryOperator<T> strip;

    MetadataOnlyStore(UnaryOperator<T> strip) {
      super(Cache::metaNamespaceKeyFunc);
      this.strip = strip;
    }

    @Override
    public T put(String key, T obj) {
      return super.put(key, strip.apply(obj));
    }
  }

  static Secret secretMetadata(Secret secret) {
    return new SecretBuilder().withMetadata(identity(secret.getMetadata())).build();
  }

  static ConfigMap configMapMetadata(ConfigMap map) {
    return new ConfigMapBuilder().withMetadata(identity(map.getMetadata())).build();
  }

  private static ObjectMeta identity(ObjectMeta meta) {
    return new ObjectMetaBuilder().withName(meta.getName()).withNamespace(meta.getNamespace()).withUid(meta.getUid())
        .withResourceVersion(meta.getResourceVersion()).build();
  }

  /** Index keys "namespace/name" of the objects a function's environment refers to. */
  static List<String> keys(LambdaFunction fn, Function<EnvVar, String> referencedName) {
    if (fn.getSpec() == null || fn.getSpec().environment == null) {
      return List.of();
    }
    return fn.getSpec().environment.stream()
        .filter(v -> v.valueFrom != null)
        .map(referencedName)
        .filter(Objects::nonNull)
        .distinct()
        .map(name -> fn.getMetadata().getNamespace() + "/" + name)
        .toList();
  }

  private static Set<ResourceID> referencing(EventSourceContext<LambdaFunction> context, String index,
      HasMetadata referenced) {
    String key = referenced.getMetadata().getNamespace() + "/" + referenced.getMetadata().getName();
    return context.getPrimaryCache().byIndex(index, key).stream()
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }
}
