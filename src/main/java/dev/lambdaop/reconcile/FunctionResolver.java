package dev.lambdaop.reconcile;

import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Optional;

/**
 * The one place that says which AWS function, in which region, a resource means: a LambdaFunction's own (its
 * spec.functionName or name, in spec.region or the operator's region), or the one a LambdaAlias, Concurrency or
 * hook names by {@code functionRef} (a LambdaFunction in the same namespace, once it created its function) or by
 * {@code functionName} (in the operator's region).
 */
public final class FunctionResolver {
  private final String defaultRegion;

  public FunctionResolver(String defaultRegion) {
    this.defaultRegion = defaultRegion;
  }

  /**
   * A function in AWS.
   *
   * @param functionName its name in AWS; null while the referenced LambdaFunction has not created it yet
   * @param resource the LambdaFunction that manages it, or null when it was named by functionName
   */
  public record Target(String region, String functionName, LambdaFunction resource) {
    /** Whether the function was created (always true for one named by functionName: AWS will tell). */
    public boolean created() {
      return functionName != null && (resource == null || resource.getStatus().functionArn != null);
    }
  }

  /** The region a LambdaFunction's function lives in. */
  public String region(LambdaFunctionSpec spec) {
    return spec != null && spec.region != null ? spec.region : defaultRegion;
  }

  /** The LambdaFunction's own function (whether or not it exists yet). */
  public Target own(LambdaFunction function) {
    return new Target(region(function.getSpec()), function.functionName(), function);
  }

  /**
   * The function {@code from} names: by {@code ref} (which must exist and have created its function) or by
   * {@code functionName}. Throws a {@link SpecProblem} that is looked at again (FunctionNotFound) while the
   * LambdaFunction is missing; see {@link Target#created()} for whether it created its function yet.
   */
  public Target resolve(HasMetadata from, FunctionRef ref, String functionName, Cluster<?> cluster) {
    if (ref == null) {
      return new Target(defaultRegion, functionName, null);
    }
    String namespace = from.getMetadata().getNamespace();
    LambdaFunction fn = referenced(from, ref, cluster).orElseThrow(() -> new SpecProblem("FunctionNotFound",
        "LambdaFunction " + namespace + "/" + ref.name + " does not exist", true));
    return new Target(region(fn.getSpec()), fn.getStatus() == null ? null : fn.getStatus().functionName, fn);
  }

  /**
   * Where a resource's function is, for deleting what the resource made there: the region of the referenced
   * LambdaFunction when it still exists, else the operator's region.
   */
  public String regionForCleanup(HasMetadata from, FunctionRef ref, Cluster<?> cluster) {
    return ref == null ? defaultRegion
        : referenced(from, ref, cluster).map(fn -> region(fn.getSpec())).orElse(defaultRegion);
  }

  private static Optional<LambdaFunction> referenced(HasMetadata from, FunctionRef ref, Cluster<?> cluster) {
    return cluster.get(LambdaFunction.class, from.getMetadata().getNamespace(), ref.name);
  }
}
