package dev.lambdaop.function;

import dev.lambdaop.reconcile.SpecProblem;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.testbed.SampleFunctions;
import java.util.Map;

/** Builds LambdaFunction resources for unit tests. */
final class TestFunctions {
  static final String ROLE = "arn:aws:iam::123456789012:role/lambda-exec";
  /** The digest key of these tests' installation. */
  static final DigestKey KEY = DigestKey.of("unit-test-installation-key".getBytes(java.nio.charset.StandardCharsets.UTF_8));

  private TestFunctions() {}

  static LambdaFunction inline(String name, String source) {
    LambdaFunction fn = SampleFunctions.inline("shop", name, ROLE, source);
    fn.getMetadata().setGeneration(1L);
    return fn;
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
        new dev.lambdaop.aws.CodeObjects.ObjectState("\"etag-1\"", version));
  }

  /** Resolves with no references and the S3 above. */
  static DesiredFunction resolve(dev.lambdaop.api.LambdaFunction fn, String region, ReferenceResolver references) {
    return DesiredFunction.resolve(fn, new FunctionResolver(region, "cluster-a", null), references, s3(), KEY);
  }

  static ReferenceResolver noReferences() {
    return references(Map.of(), Map.of());
  }
}
