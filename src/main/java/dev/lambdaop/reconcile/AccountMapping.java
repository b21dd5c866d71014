package dev.lambdaop.reconcile;

import dev.lambdaop.aws.AwsIdentity;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Which AWS account a namespace is served in, from annotations of its Namespace (set by a cluster administrator;
 * nothing in a namespaced resource names a role the operator assumes): {@value #ROLE_ARN}, the IAM role the operator
 * assumes for every AWS call of the namespace's resources, and {@value #REGION}, the region of its resources that
 * name none. Without the role annotation the namespace is served as the operator's own identity, unless the operator
 * requires a mapping ({@code LAMBDAOP_REQUIRE_ACCOUNT_MAPPING}): then AccountMappingMissing. An annotation that is
 * not what it should be is AccountMappingInvalid. Both are looked at again (RECHECK): the Namespace is read at every
 * reconcile, so an administrator's fix counts at the next look, without a restart.
 */
public final class AccountMapping {
  /** The IAM role (ARN) the operator assumes for the namespace's resources. */
  public static final String ROLE_ARN = "lambdaop.dev/aws-role-arn";
  /** The default region of the namespace's resources. */
  public static final String REGION = "lambdaop.dev/aws-region";

  /** An AWS region name: us-east-1, eu-central-2, us-gov-west-1, ap-southeast-4... */
  private static final Pattern REGION_NAME = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]{1,2}");

  private AccountMapping() {}

  /**
   * The identity the namespace's resources act as in AWS.
   *
   * @param annotations the Namespace's annotations (null when it has none, or could not be found)
   * @param required whether a namespace without {@value #ROLE_ARN} is refused (AccountMappingMissing)
   * @throws SpecProblem AccountMappingInvalid, AccountMappingMissing (RECHECK)
   */
  public static AwsIdentity identity(String namespace, Map<String, String> annotations, boolean required) {
    Map<String, String> a = annotations == null ? Map.of() : annotations;
    String role = a.get(ROLE_ARN);
    String region = a.get(REGION);
    if (role != null && !AwsIdentity.isRoleArn(role.trim())) {
      throw invalid(namespace, ROLE_ARN, role, "the ARN of an IAM role such as"
          + " arn:aws:iam::222222222222:role/lambda-operator");
    }
    if (region != null && !REGION_NAME.matcher(region.trim()).matches()) {
      throw invalid(namespace, REGION, region, "an AWS region such as us-east-1");
    }
    if (role == null && required) {
      throw new SpecProblem("AccountMappingMissing", "namespace " + namespace + " has no annotation " + ROLE_ARN
          + " and the operator requires every namespace to be mapped to an AWS account"
          + " (LAMBDAOP_REQUIRE_ACCOUNT_MAPPING): a cluster administrator must annotate the Namespace with the role"
          + " the operator assumes for it. Nothing was done in AWS.", true);
    }
    return new AwsIdentity(role == null ? null : role.trim(), region == null ? null : region.trim());
  }

  private static SpecProblem invalid(String namespace, String annotation, String value, String expected) {
    return new SpecProblem("AccountMappingInvalid", "annotation " + annotation + " of Namespace " + namespace
        + " is \"" + value + "\", not " + expected + ": a cluster administrator must correct it. Nothing was done"
        + " in AWS.", true);
  }
}
