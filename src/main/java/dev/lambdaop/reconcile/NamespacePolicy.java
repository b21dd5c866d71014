package dev.lambdaop.reconcile;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a cluster administrator allows a namespace, read from annotations of its Namespace (which tenants usually
 * cannot edit): the execution roles its LambdaFunctions may pass to AWS, and the prefix of every function name it
 * creates or names. A refusal is a {@link SpecProblem} that is looked at again (RECHECK): the Namespace is read at
 * every reconcile, so an administrator's change is picked up at the next resync, without a restart.
 *
 * <p>An annotation that is absent sets no limit, unless the operator requires a policy
 * ({@code LAMBDAOP_REQUIRE_NAMESPACE_POLICY}): then each rule refuses everything until its annotation is set
 * (NamespacePolicyMissing).
 */
public final class NamespacePolicy {
  /** Comma-separated ARN patterns of the execution roles allowed; {@code *} matches any characters. */
  public static final String ALLOWED_ROLE_ARNS = "lambdaop.dev/allowed-role-arns";
  /** The prefix of every function name the namespace creates or names. */
  public static final String FUNCTION_NAME_PREFIX = "lambdaop.dev/function-name-prefix";

  private final String namespace;
  private final String roleAnnotation;
  private final List<Pattern> rolePatterns;
  private final String prefix;
  private final boolean required;

  private NamespacePolicy(String namespace, String roleAnnotation, String prefix, boolean required) {
    this.namespace = namespace;
    this.roleAnnotation = roleAnnotation;
    this.rolePatterns = roleAnnotation == null ? List.of()
        : Arrays.stream(roleAnnotation.split(",")).map(String::trim).filter(p -> !p.isEmpty())
            .map(NamespacePolicy::wildcard).toList();
    this.prefix = prefix;
    this.required = required;
  }

  /**
   * @param annotations the Namespace's annotations (null or empty when it has none, or does not exist)
   * @param required whether a namespace without an annotation may do nothing the annotation governs
   */
  public static NamespacePolicy of(String namespace, Map<String, String> annotations, boolean required) {
    Map<String, String> a = annotations == null ? Map.of() : annotations;
    return new NamespacePolicy(namespace, a.get(ALLOWED_ROLE_ARNS), a.get(FUNCTION_NAME_PREFIX), required);
  }

  /** Refuses (RoleNotAllowed, NamespacePolicyMissing) an execution role the namespace may not pass. */
  public void requireRole(String roleArn) {
    if (roleAnnotation == null) {
      if (required) {
        throw missing(ALLOWED_ROLE_ARNS, "execution role " + roleArn);
      }
      return;
    }
    if (roleArn == null || rolePatterns.stream().noneMatch(p -> p.matcher(roleArn).matches())) {
      throw new SpecProblem("RoleNotAllowed", "namespace " + namespace + " does not allow execution role " + roleArn
          + ": annotation " + ALLOWED_ROLE_ARNS + " of the Namespace allows " + describe(roleAnnotation)
          + ". Nothing was passed to AWS.", true);
    }
  }

  /**
   * Refuses (FunctionNameNotAllowed, NamespacePolicyMissing) a function name, or ARN, that does not start with the
   * namespace's prefix. Of an ARN (full or partial, with or without a qualifier) the function's name is compared.
   */
  public void requireName(String functionName) {
    if (prefix == null) {
      if (required) {
        throw missing(FUNCTION_NAME_PREFIX, "function " + functionName);
      }
      return;
    }
    if (functionName == null || !nameOf(functionName).startsWith(prefix)) {
      throw new SpecProblem("FunctionNameNotAllowed", "namespace " + namespace + " does not allow function "
          + functionName + ": annotation " + FUNCTION_NAME_PREFIX + " of the Namespace requires names starting with \""
          + prefix + "\". Nothing was changed in AWS.", true);
    }
  }

  private SpecProblem missing(String annotation, String what) {
    return new SpecProblem("NamespacePolicyMissing", "namespace " + namespace + " has no annotation " + annotation
        + " and the operator requires a namespace policy (LAMBDAOP_REQUIRE_NAMESPACE_POLICY): " + what
        + " is not allowed. Nothing was passed to AWS.", true);
  }

  /** The function's name in a name or ARN: arn:...:function:NAME[:qualifier], ACCOUNT:function:NAME, NAME[:qualifier]. */
  static String nameOf(String functionName) {
    String[] parts = functionName.split(":", -1);
    if (functionName.startsWith("arn:") && parts.length >= 7) {
      return parts[6];
    }
    if (parts.length >= 3 && parts[1].equals("function")) {
      return parts[2];
    }
    return parts[0];
  }

  private static Pattern wildcard(String pattern) {
    StringBuilder regex = new StringBuilder();
    for (String literal : pattern.split("\\*", -1)) {
      if (!regex.isEmpty()) {
        regex.append(".*");
      }
      regex.append(Pattern.quote(literal));
    }
    return Pattern.compile(regex.toString());
  }

  private static String describe(String annotation) {
    return annotation.isBlank() ? "no role" : "only " + annotation.trim();
  }
}
