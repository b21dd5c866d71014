package dev.lambdaop.function;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;

/** Builds LambdaFunction resources for unit tests. */
final class TestFunctions {
  static final String ROLE = "arn:aws:iam::123456789012:role/lambda-exec";

  private TestFunctions() {}

  static LambdaFunction inline(String name, String source) {
    LambdaFunction fn = new LambdaFunction();
    fn.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").withGeneration(1L).build());
    LambdaFunctionSpec spec = new LambdaFunctionSpec();
    spec.role = ROLE;
    spec.runtime = "python3.12";
    spec.handler = "index.handler";
    spec.code = new LambdaFunctionSpec.Code();
    spec.code.inline = new LambdaFunctionSpec.InlineCode();
    spec.code.inline.files = Map.of("index.py", source);
    fn.setSpec(spec);
    return fn;
  }

  static LambdaFunctionSpec.EnvVar literal(String name, String value) {
    LambdaFunctionSpec.EnvVar v = new LambdaFunctionSpec.EnvVar();
    v.name = name;
    v.value = value;
    return v;
  }

  static LambdaFunctionSpec.EnvVar fromSecret(String name, String secret, String key) {
    LambdaFunctionSpec.EnvVar v = new LambdaFunctionSpec.EnvVar();
    v.name = name;
    v.valueFrom = new LambdaFunctionSpec.EnvVarSource();
    v.valueFrom.secretKeyRef = new LambdaFunctionSpec.KeyRef();
    v.valueFrom.secretKeyRef.name = secret;
    v.valueFrom.secretKeyRef.key = key;
    return v;
  }

  /** References resolved from fixed maps: "secret/key" to value. */
  static ReferenceResolver references(Map<String, String> secrets, Map<String, String> configMaps) {
    return new ReferenceResolver() {
      @Override
      public String secretValue(String name, String key) {
        String v = secrets.get(name + "/" + key);
        if (v == null) {
          throw new SpecProblem("SecretNotFound", "Secret shop/" + name + " does not exist");
        }
        return v;
      }

      @Override
      public String configMapValue(String name, String key) {
        String v = configMaps.get(name + "/" + key);
        if (v == null) {
          throw new SpecProblem("ConfigMapNotFound", "ConfigMap shop/" + name + " does not exist");
        }
        return v;
      }
    };
  }

  /** S3 as it is in these tests: every object exists, with ETag "etag-1" in an unversioned bucket. */
  static DesiredFunction.S3Objects s3() {
    return (region, bucket, key, version) -> java.util.Optional.of(
        new dev.lambdaop.aws.S3Gateway.S3ObjectState("\"etag-1\"", version));
  }

  /** Resolves with no references and the S3 above. */
  static DesiredFunction resolve(dev.lambdaop.api.LambdaFunction fn, String region, ReferenceResolver references) {
    return DesiredFunction.resolve(fn, region, references, s3());
  }

  static ReferenceResolver noReferences() {
    return references(Map.of(), Map.of());
  }
}
