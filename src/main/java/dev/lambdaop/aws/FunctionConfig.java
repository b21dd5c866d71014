package dev.lambdaop.aws;

import java.util.List;
import java.util.SortedMap;

/**
 * The configuration of a function as the operator wants it in AWS, resolved from the spec (defaults applied,
 * Secret and ConfigMap references read). Settings AWS defaults (tracing, /tmp size) hold the default explicitly, so
 * that a function as AWS reports it compares equal to the spec that created it; settings that AWS leaves out when
 * unset (KMS key, VPC, dead-letter target, logging, image overrides) are null.
 */
public record FunctionConfig(
    String functionName,
    String role,
    String runtime,
    String handler,
    String description,
    int memorySize,
    int timeout,
    String architecture,
    Integer ephemeralStorageSize,
    SortedMap<String, String> environment,
    String kmsKeyArn,
    String tracingMode,
    Vpc vpc,
    List<String> layers,
    String deadLetterTargetArn,
    Logging logging,
    SortedMap<String, String> tags,
    ImageOverrides imageConfig) {

  public static final String DEFAULT_TRACING_MODE = "PassThrough";
  public static final int DEFAULT_EPHEMERAL_STORAGE_MB = 512;
  public static final String DEFAULT_ARCHITECTURE = "x86_64";

  /** VPC attachment. */
  public record Vpc(List<String> subnetIds, List<String> securityGroupIds, Boolean ipv6AllowedForDualStack) {}

  /** CloudWatch Logs settings. */
  public record Logging(String logGroup, String logFormat, String applicationLogLevel, String systemLogLevel) {}

  /** Container image overrides; an empty list or text is no override, as AWS reports it. */
  public record ImageOverrides(List<String> command, List<String> entryPoint, String workingDirectory) {
    /** Normal form: no override is null, never an empty list or text; null when nothing is overridden. */
    public static ImageOverrides of(List<String> command, List<String> entryPoint, String workingDirectory) {
      List<String> c = command == null || command.isEmpty() ? null : List.copyOf(command);
      List<String> e = entryPoint == null || entryPoint.isEmpty() ? null : List.copyOf(entryPoint);
      String w = workingDirectory == null || workingDirectory.isEmpty() ? null : workingDirectory;
      return c == null && e == null && w == null ? null : new ImageOverrides(c, e, w);
    }
  }

  public FunctionConfig withTags(SortedMap<String, String> newTags) {
    return new FunctionConfig(functionName, role, runtime, handler, description, memorySize, timeout, architecture,
        ephemeralStorageSize, environment, kmsKeyArn, tracingMode, vpc, layers, deadLetterTargetArn, logging, newTags,
        imageConfig);
  }

  public FunctionConfig withLogging(Logging newLogging) {
    return new FunctionConfig(functionName, role, runtime, handler, description, memorySize, timeout, architecture,
        ephemeralStorageSize, environment, kmsKeyArn, tracingMode, vpc, layers, deadLetterTargetArn, newLogging, tags,
        imageConfig);
  }

  /** The string form of the environment is secret-bearing: never log it. */
  @Override
  public String toString() {
    return "FunctionConfig[" + functionName + ", environment keys " + (environment == null ? "[]" : environment.keySet()) + "]";
  }
}
