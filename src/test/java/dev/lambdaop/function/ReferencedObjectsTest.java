package dev.lambdaop.function;

import dev.lambdaop.api.EnvVars;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lambdaop.api.LambdaFunction;
import java.util.List;
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
}
