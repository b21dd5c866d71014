package dev.lambdaop.aws;

/**
 * AWS's request quotas that the operator's calls count against, per account and region. The AWS adapter knows
 * which operation counts against which ({@code aws.sdk.AwsCallCounter}) and keeps one request budget per quota; the
 * reconcilers name quotas only to say what a resync costs.
 */
public enum Quota {
  /** Lambda's control plane: 15 requests per second for all its APIs together (reads too), except the two below. */
  LAMBDA,
  /** Lambda's GetFunction: 100 requests per second of its own. */
  LAMBDA_GET_FUNCTION,
  /** Lambda's GetPolicy: 15 requests per second of its own. */
  LAMBDA_GET_POLICY,
  /** CloudWatch's DescribeAlarms and metric reads: low limits per account and region. */
  CLOUDWATCH
}
