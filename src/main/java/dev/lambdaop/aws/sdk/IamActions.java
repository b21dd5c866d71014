package dev.lambdaop.aws.sdk;

import java.util.List;

/**
 * The IAM actions each AWS API operation the operator calls needs. iam/lambda-operator-policy.json grants them (the
 * end-to-end suite fails when an operation it saw is not granted there), and an AccessDenied error names them.
 */
public final class IamActions {
  /**
   * The STS operations the operator makes with its own credentials, outside {@link AwsCalls} (on no budget):
   * AssumeRole of the namespaces' roles ({@link AccountSessions}), GetCallerIdentity of its own account
   * ({@link AwsClients#accountId}, which needs no permission: STS answers it for every identity).
   */
  public static final List<String> STS_OPERATIONS = List.of("AssumeRole", "GetCallerIdentity");

  private IamActions() {}

  /** The actions {@code operation} (an SDK operation name, as {@link AwsCallCounter} counts it) needs. */
  public static List<String> of(String operation) {
    return switch (operation) {
      // HeadObject is authorised as GetObject; with a versionId, as GetObjectVersion
      case "HeadObject" -> List.of("s3:GetObject", "s3:GetObjectVersion");
      case "Invoke" -> List.of("lambda:InvokeFunction");
      case "AssumeRole" -> List.of("sts:AssumeRole");
      // answered for every identity, whatever its policies say
      case "GetCallerIdentity" -> List.of();
      case "DescribeAlarms", "GetMetricData" -> List.of("cloudwatch:" + operation);
      // the execution role is passed to Lambda when a function is created or its role changes
      case "CreateFunction", "UpdateFunctionConfiguration" -> List.of("lambda:" + operation, "iam:PassRole");
      // a mapping is created with its owner tag
      case "CreateEventSourceMapping" -> List.of("lambda:" + operation, "lambda:TagResource");
      default -> List.of("lambda:" + operation);
    };
  }
}
