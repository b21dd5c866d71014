package dev.lambdaop.api;

/** Builders of LambdaFunction environment variables for tests (unit and end to end). */
public final class EnvVars {
  private EnvVars() {}

  public static LambdaFunctionSpec.EnvVar literal(String name, String value) {
    LambdaFunctionSpec.EnvVar v = new LambdaFunctionSpec.EnvVar();
    v.name = name;
    v.value = value;
    return v;
  }

  public static LambdaFunctionSpec.EnvVar fromSecret(String name, String secret, String key) {
    LambdaFunctionSpec.EnvVar v = new LambdaFunctionSpec.EnvVar();
    v.name = name;
    v.valueFrom = new LambdaFunctionSpec.EnvVarSource();
    v.valueFrom.secretKeyRef = keyRef(secret, key);
    return v;
  }

  public static LambdaFunctionSpec.EnvVar fromConfigMap(String name, String configMap, String key) {
    LambdaFunctionSpec.EnvVar v = new LambdaFunctionSpec.EnvVar();
    v.name = name;
    v.valueFrom = new LambdaFunctionSpec.EnvVarSource();
    v.valueFrom.configMapKeyRef = keyRef(configMap, key);
    return v;
  }

  private static LambdaFunctionSpec.KeyRef keyRef(String name, String key) {
    LambdaFunctionSpec.KeyRef ref = new LambdaFunctionSpec.KeyRef();
    ref.name = name;
    ref.key = key;
    return ref;
  }
}
