package dev.lambdaop.testbed;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;

/** LambdaFunction resources for tests and benchmarks: the smallest valid one, which each caller then adjusts. */
public final class SampleFunctions {
  private SampleFunctions() {}

  /** A Python function whose index.py is {@code source}, zipped by the operator. */
  public static LambdaFunction inline(String namespace, String name, String role, String source) {
    LambdaFunction fn = new LambdaFunction();
    fn.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
    LambdaFunctionSpec spec = new LambdaFunctionSpec();
    spec.role = role;
    spec.runtime = "python3.12";
    spec.handler = "index.handler";
    spec.code = new LambdaFunctionSpec.Code();
    spec.code.inline = new LambdaFunctionSpec.InlineCode();
    spec.code.inline.files = Map.of("index.py", source);
    fn.setSpec(spec);
    return fn;
  }
}
