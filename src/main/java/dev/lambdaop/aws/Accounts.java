package dev.lambdaop.aws;

/**
 * Which AWS account an identity acts in: for an assumed role, the role's account; for the operator's own identity,
 * the account of its credentials (the AWS adapter asks STS GetCallerIdentity once and keeps the answer). The
 * reconcilers record it in each resource's {@code status.accountId} and refuse a resource whose namespace moved to
 * another account (AccountChanged).
 */
public interface Accounts {
  /** The 12-digit account id {@code identity} acts in, or null when it cannot be told (yet). */
  String accountId(AwsIdentity identity);
}
