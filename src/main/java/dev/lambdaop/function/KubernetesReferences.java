package dev.lambdaop.function;

import dev.lambdaop.reconcile.Cluster;
import dev.lambdaop.reconcile.SpecProblem;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Reads Secret and ConfigMap keys from the API server, in one namespace. Values are returned, never logged. */
public final class KubernetesReferences implements ReferenceResolver {
  private final Cluster<?> cluster;
  private final String namespace;

  public KubernetesReferences(Cluster<?> cluster, String namespace) {
    this.cluster = cluster;
    this.namespace = namespace;
  }

  @Override
  public String secretValue(String name, String key) {
    Secret secret = cluster.get(Secret.class, namespace, name).orElseThrow(() -> new SpecProblem("SecretNotFound",
        "Secret " + namespace + "/" + name + " (referenced by environment) does not exist", true));
    if (secret.getData() != null && secret.getData().containsKey(key)) {
      return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    }
    if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
      return secret.getStringData().get(key);
    }
    throw new SpecProblem("SecretKeyNotFound", "Secret " + namespace + "/" + name + " has no key '" + key + "'", true);
  }

  @Override
  public String configMapValue(String name, String key) {
    ConfigMap map = cluster.get(ConfigMap.class, namespace, name).orElseThrow(() -> new SpecProblem(
        "ConfigMapNotFound", "ConfigMap " + namespace + "/" + name + " (referenced by environment) does not exist",
        true));
    if (map.getData() != null && map.getData().containsKey(key)) {
      return map.getData().get(key);
    }
    throw new SpecProblem("ConfigMapKeyNotFound", "ConfigMap " + namespace + "/" + name + " has no key '" + key + "'", true);
  }
}
