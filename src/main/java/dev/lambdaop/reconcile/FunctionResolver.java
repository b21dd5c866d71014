package dev.lambdaop.reconcile;

import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.aws.Accounts;
import dev.lambdaop.aws.AwsIdentity;
import dev.lambdaop.aws.Functions;
import dev.lambdaop.aws.ObservedFunction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one place that says which AWS function, in which region, a resource means: a LambdaFunction's own (its
 * spec.functionName or name, in spec.region or the operator's region), or the one a LambdaAlias, Concurrency or
 * hook names by {@code functionRef} (a LambdaFunction in the same namespace, once it created its function) or by
 * {@code functionName} (in the region of its ARN, else the operator's region). It also says who owns what: a
 * resource that names a function by {@code functionName} acts only on a function no operator owns, or that its own
 * namespace owns in this cluster ({@link #checkOwner}). And what the resource's namespace may name or create: its
 * {@link NamespacePolicy}, read from its Namespace at every reconcile, before any AWS call; and which AWS account
 * it is served in ({@link AccountMapping}, from the same Namespace): a namespace's default region
 * ({@code lambdaop.dev/aws-region}) replaces the operator's for the resources of a pass acting as it.
 */
public final class FunctionResolver {
  private final String defaultRegion;
  private final String clusterId;
  private final Functions functions;
  private final boolean requireNamespacePolicy;
  private final Accounts accounts;
  private final boolean requireAccountMapping;

  /** Without a required namespace policy (an annotation that is absent sets no limit). */
  public FunctionResolver(String defaultRegion, String clusterId, Functions functions) {
    this(defaultRegion, clusterId, functions, false);
  }

  /** Accounts told by role ARNs only (the operator's own account unknown), no mapping required. */
  public FunctionResolver(String defaultRegion, String clusterId, Functions functions,
      boolean requireNamespacePolicy) {
    this(defaultRegion, clusterId, functions, requireNamespacePolicy, AwsIdentity::roleAccount, false);
  }

  /**
   * @param clusterId this cluster's id in owner records
   * @param functions reads the owner tag of a function named by functionName
   * @param requireNamespacePolicy whether a namespace without policy annotations can create nothing
   * @param accounts which account an identity acts in (status.accountId)
   * @param requireAccountMapping whether a namespace without {@link AccountMapping#ROLE_ARN} is refused
   */
  public FunctionResolver(String defaultRegion, String clusterId, Functions functions,
      boolean requireNamespacePolicy, Accounts accounts, boolean requireAccountMapping) {
    this.defaultRegion = defaultRegion;
    this.clusterId = clusterId;
    this.functions = functions;
    this.requireNamespacePolicy = requireNamespacePolicy;
    this.accounts = accounts;
    this.requireAccountMapping = requireAccountMapping;
  }

  /** The policy of {@code from}'s namespace, read from its Namespace now (an administrator's change counts at once). */
  public NamespacePolicy policy(HasMetadata from, Cluster<?> cluster) {
    String namespace = from.getMetadata().getNamespace();
    return NamespacePolicy.of(namespace, annotations(namespace, cluster), requireNamespacePolicy);
  }

  /**
   * Whom {@code from}'s namespace acts as in AWS, read from its Namespace now (AccountMappingInvalid,
   * AccountMappingMissing).
   */
  public AwsIdentity identity(HasMetadata from, Cluster<?> cluster) {
    String namespace = from.getMetadata().getNamespace();
    return AccountMapping.identity(namespace, annotations(namespace, cluster), requireAccountMapping);
  }

  /** The account {@code identity} acts in, or null when it cannot be told. */
  public String accountId(AwsIdentity identity) {
    return accounts.accountId(identity);
  }

  private static Map<String, String> annotations(String namespace, Cluster<?> cluster) {
    return cluster.namespace(namespace).map(ns -> ns.getMetadata().getAnnotations()).orElse(null);
  }

  /** The region of resources that name none: the namespace's (of the pass's identity), else the operator's. */
  private String defaultRegion() {
    String namespaceRegion = Work.current().identity().defaultRegion();
    return namespaceRegion != null ? namespaceRegion : defaultRegion;
  }

  /**
   * Refuses a LambdaFunction whose execution role or function name its namespace does not allow (RoleNotAllowed,
   * FunctionNameNotAllowed, NamespacePolicyMissing), before anything is passed to AWS.
   */
  public void checkPolicy(LambdaFunction function, Cluster<?> cluster) {
    NamespacePolicy policy = policy(function, cluster);
    policy.requireRole(function.getSpec() == null ? null : function.getSpec().role);
    policy.requireName(function.functionName());
  }

  /** Refuses functions named by functionName (hooks) that {@code from}'s namespace may not name. */
  public void checkNames(HasMetadata from, Cluster<?> cluster, List<String> functionNames) {
    if (!functionNames.isEmpty()) {
      NamespacePolicy policy = policy(from, cluster);
      functionNames.forEach(policy::requireName);
    }
  }

  /** The owner records of aliases and reservations, on their functions. */
  public OwnerRecords records() {
    return new OwnerRecords(functions, clusterId);
  }

  /** This cluster's id in owner records. */
  public String clusterId() {
    return clusterId;
  }

  /** The owner record of a resource in this cluster. */
  public Owner owner(HasMetadata resource) {
    return Owner.of(clusterId, resource);
  }

  /** Whether a recorded owner (a tag value; a legacy namespace/name one included) is this very resource. */
  public boolean owns(HasMetadata resource, String recorded) {
    return owner(resource).equals(Owner.parse(recorded, clusterId));
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
    return spec != null && spec.region != null ? spec.region : defaultRegion();
  }

  /**
   * The region a referenced LambdaFunction's function is in: where it was made (its status.region), else where its
   * spec puts it. A changed default region (the namespace's annotation) does not move what refers to it.
   */
  private String regionOf(LambdaFunction fn) {
    return fn.getStatus() != null && fn.getStatus().region != null ? fn.getStatus().region : region(fn.getSpec());
  }

  /** The LambdaFunction's own function (whether or not it exists yet). */
  public Target own(LambdaFunction function) {
    return new Target(region(function.getSpec()), function.functionName(), function);
  }

  /**
   * The function {@code from} names: by {@code ref} (which must exist and have created its function) or by
   * {@code functionName} (which {@code from}'s namespace policy must allow: a LambdaFunction named by ref was checked
   * by its own reconcile). Throws a {@link SpecProblem} that is looked at again (FunctionNotFound) while the
   * LambdaFunction is missing; see {@link Target#created()} for whether it created its function yet.
   */
  public Target resolve(HasMetadata from, FunctionRef ref, String functionName, Cluster<?> cluster) {
    if (ref == null) {
      checkNames(from, cluster, List.of(functionName));
      String region = regionOf(functionName);
      checkOwner(from, region, functionName);
      return new Target(region, functionName, null);
    }
    String namespace = from.getMetadata().getNamespace();
    LambdaFunction fn = referenced(from, ref, cluster).orElseThrow(() -> new SpecProblem("FunctionNotFound",
        "LambdaFunction " + namespace + "/" + ref.name + " does not exist", true));
    return new Target(regionOf(fn), fn.getStatus() == null ? null : fn.getStatus().functionName, fn);
  }

  /** The region a function name means: the one in its ARN, else the operator's. */
  public String regionOf(String functionName) {
    if (functionName != null && functionName.startsWith("arn:")) {
      String[] parts = functionName.split(":");
      if (parts.length > 3 && !parts[3].isEmpty()) {
        return parts[3];
      }
    }
    return defaultRegion();
  }

  /**
   * Reads the function and refuses (OwnedElsewhere, AWS untouched) when an operator owns it and the owner is not
   * in {@code from}'s namespace of this cluster. The function as read, or empty when it does not exist.
   */
  public Optional<ObservedFunction> checkOwner(HasMetadata from, String region, String functionName) {
    Optional<ObservedFunction> observed = functions.get(region, functionName);
    observed.ifPresent(fn -> checkOwner(from, functionName, fn.config().tags()));
    return observed;
  }

  /** The same check on tags already read. */
  public void checkOwner(HasMetadata from, String functionName, Map<String, String> tags) {
    Owner owner = Owner.parse(tags.get(Owner.FUNCTION_TAG), clusterId);
    if (owner != null && !(owner.cluster().equals(clusterId)
        && owner.namespace().equals(from.getMetadata().getNamespace()))) {
      throw new SpecProblem("OwnedElsewhere", "function " + functionName + " is owned by "
          + owner.describe(clusterId) + " (tag " + Owner.FUNCTION_TAG + "); a " + from.getKind()
          + " acts only on a function that no operator owns or that its own namespace owns. Nothing was changed in"
          + " AWS.", true);
    }
  }

  /**
   * Where a resource's function is, for deleting what the resource made there: the region its status recorded,
   * else the region of the referenced LambdaFunction when it still exists, else the one its functionName means.
   */
  public String regionForCleanup(HasMetadata from, String recordedRegion, FunctionRef ref, String functionName,
      Cluster<?> cluster) {
    if (recordedRegion != null) {
      return recordedRegion;
    }
    return ref == null ? regionOf(functionName)
        : referenced(from, ref, cluster).map(this::regionOf).orElse(defaultRegion());
  }

  private static Optional<LambdaFunction> referenced(HasMetadata from, FunctionRef ref, Cluster<?> cluster) {
    return cluster.get(LambdaFunction.class, from.getMetadata().getNamespace(), ref.name);
  }
}
