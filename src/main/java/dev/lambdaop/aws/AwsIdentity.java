package dev.lambdaop.aws;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who the operator acts as in AWS for a piece of work: its own identity ({@link #OPERATOR}), or an IAM role it assumes
 * for a namespace (annotation {@code lambdaop.dev/aws-role-arn} of the Namespace), with that namespace's default
 * region (annotation {@code lambdaop.dev/aws-region}) when set. The AWS adapter picks credentials, request budgets and
 * caches by it; the reconcilers never see credentials.
 *
 * @param roleArn the role to assume, or null for the operator's own identity
 * @param defaultRegion the region of the namespace's resources that name none, or null for the operator's
 */
public record AwsIdentity(String roleArn, String defaultRegion) {
  /** The operator's own identity, in its own region. */
  public static final AwsIdentity OPERATOR = new AwsIdentity(null, null);

  private static final Pattern ROLE_ARN = Pattern.compile("^arn:aws[a-z-]*:iam::([0-9]{12}):role/[\\w+=,.@/-]+$");

  /** Whether {@code arn} is the ARN of an IAM role (arn:aws:iam::123456789012:role/name, paths allowed). */
  public static boolean isRoleArn(String arn) {
    return arn != null && ROLE_ARN.matcher(arn).matches();
  }

  /** The account of the assumed role, from its ARN; null for the operator's own identity (ask STS). */
  public String roleAccount() {
    if (roleArn == null) {
      return null;
    }
    Matcher m = ROLE_ARN.matcher(roleArn);
    return m.matches() ? m.group(1) : null;
  }

  /** A short key for caches and budgets: the role ARN, or "operator". */
  public String key() {
    return roleArn == null ? "operator" : roleArn;
  }
}
