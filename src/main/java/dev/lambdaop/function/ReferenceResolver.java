package dev.lambdaop.function;

import dev.lambdaop.reconcile.SpecProblem;

/** Reads the Secret and ConfigMap keys that environment variables refer to, in the resource's namespace. */
public interface ReferenceResolver {
  /** The decoded value of a Secret key; throws {@link SpecProblem} when the Secret or key is missing. */
  String secretValue(String name, String key);

  /** The value of a ConfigMap key; throws {@link SpecProblem} when the ConfigMap or key is missing. */
  String configMapValue(String name, String key);
}
