package dev.lambdaop.function;

import dev.lambdaop.api.EnvVars;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.lambdaop.api.LambdaFunction;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReferencedObjectsTest {
  @Test
  void indexesTheSecretsAndConfigMapsAFunctionNamesInItsNamespace() {
    LambdaFunction fn = TestFunctions.inline("orders", "x");
    var configMapRef = EnvVars.fromSecret("CURRENCY", "settings", "currency");
    configMapRef.valueFrom.configMapKeyRef = configMapRef.valueFrom.secretKeyRef;
    configMapRef.valueFrom.secretKeyRef = null;
    fn.getSpec().environment = List.of(EnvVars.literal("TABLE", "orders"),
        EnvVars.fromSecret("API_KEY", "api", "key"), EnvVars.fromSecret("TOKEN", "api", "token"),
        configMapRef);
    assertEquals(List.of("shop/api"), ReferencedObjects.keys(fn,
        v -> v.valueFrom.secretKeyRef == null ? null : v.valueFrom.secretKeyRef.name));
    assertEquals(List.of("shop/settings"), ReferencedObjects.keys(fn,
        v -> v.valueFrom.configMapKeyRef == null ? null : v.valueFrom.configMapKeyRef.name));
  }

  @Test
  void aFunctionWithoutReferencesHasNoKeys() {
    assertEquals(List.of(), ReferencedObjects.keys(TestFunctions.inline("orders", "x"), v -> "any"));
  }

  @Test
  void theInformerCacheKeepsNoSecretOrConfigMapData() {
    ReferencedObjects.MetadataOnlyStore<Secret> secrets = new ReferencedObjects.MetadataOnlyStore<>(
        ReferencedObjects::secretMetadata);
    Secret secret = new SecretBuilder().withNewMetadata().withName("api").withNamespace("shop").withUid("u1")
        .withResourceVersion("7").addToLabels("team", "shop")
        .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "{\"data\":{\"key\":\"czNjcjN0\"}}")
        .endMetadata().withData(Map.of("key", "czNjcjN0")).withStringData(Map.of("k2", "s3cr3t")).build();
    secrets.put(secrets.getKey(secret), secret);
    Secret cached = secrets.get("shop/api");
    assertEquals(List.of("api", "shop", "u1", "7"), List.of(cached.getMetadata().getName(),
        cached.getMetadata().getNamespace(), cached.getMetadata().getUid(), cached.getMetadata().getResourceVersion()));
    assertFalse(cached.toString().contains("czNjcjN0") || cached.toString().contains("s3cr3t"), cached.toString());

    ReferencedObjects.MetadataOnlyStore<ConfigMap> maps = new ReferencedObjects.MetadataOnlyStore<>(
        ReferencedObjects::configMapMetadata);
    ConfigMap map = new ConfigMapBuilder().withNewMetadata().withName("settings").withNamespace("shop").endMetadata()
        .withData(Map.of("mode", "fast")).build();
    maps.put(maps.getKey(map), map);
    assertEquals(Map.of(), maps.get("shop/settings").getData());
  }
}
