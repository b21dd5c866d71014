package dev.lambdaop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/** What a LambdaFunction declares. Every rule a schema can hold is here, so kubectl refuses bad input. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(oldSelf.functionName) == has(self.functionName) && (!has(self.functionName) || self.functionName == oldSelf.functionName)",
    message = "functionName is immutable: create a new LambdaFunction to use another function name",
    fieldPath = ".functionName")
@ValidationRule(
    value = "has(self.code.imageUri) || (has(self.runtime) && has(self.handler))",
    message = "runtime and handler are required for Zip packages (code.s3 or code.inline)",
    fieldPath = ".runtime")
@ValidationRule(
    value = "!has(self.code.imageUri) || (!has(self.runtime) && !has(self.handler))",
    message = "runtime and handler must not be set for a container image (code.imageUri); use imageConfig instead",
    fieldPath = ".runtime")
@ValidationRule(
    value = "!has(self.imageConfig) || has(self.code.imageUri)",
    message = "imageConfig applies only to container images (code.imageUri)",
    fieldPath = ".imageConfig")
@ValidationRule(
    value = "!has(self.layers) || !has(self.code.imageUri)",
    message = "layers cannot be used with a container image (code.imageUri)",
    fieldPath = ".layers")
@ValidationRule(
    value = "has(oldSelf.region) == has(self.region) && (!has(self.region) || self.region == oldSelf.region)",
    message = "region is immutable: create a new LambdaFunction to use another region",
    fieldPath = ".region")
public class LambdaFunctionSpec {

  @Pattern("^[a-zA-Z0-9_-]+$")
  @Size(min = 1, max = 64)
  @JsonPropertyDescription("Name of the function in AWS, 1-64 letters, digits, '-' or '_'. Defaults to metadata.name. Immutable.")
  public String functionName;

  @Pattern("^[a-z]{2}(-[a-z]+)+-[0-9]$")
  @JsonPropertyDescription("AWS region of the function, for example eu-west-1. Defaults to the namespace's region (annotation lambdaop.dev/aws-region of the Namespace), else the operator's (AWS_REGION); a changed default never moves an existing function (RegionChanged). Immutable.")
  public String region;

  @Required
  @Pattern("^arn:aws[a-zA-Z-]*:iam::[0-9]{12}:role/[a-zA-Z0-9+=,.@_/-]+$")
  @JsonPropertyDescription("ARN of the execution role the function assumes, arn:aws:iam::<account>:role/<name>.")
  public String role;

  @Pattern("^[a-z0-9.]+$")
  @Size(max = 64)
  @JsonPropertyDescription("Runtime identifier, for example python3.12, nodejs22.x, java21, provided.al2023. Zip packages only; required for them.")
  public String runtime;

  @Pattern("^[^\\s]+$")
  @Size(max = 128)
  @JsonPropertyDescription("Entry point of the function, for example index.handler. Zip packages only; required for them.")
  public String handler;

  @Size(max = 256)
  @JsonPropertyDescription("Description of the function, at most 256 characters.")
  public String description;

  @Min(128)
  @Max(10240)
  @Default("128")
  @JsonPropertyDescription("Memory in MB, 128 to 10240. Default 128.")
  public Integer memorySize;

  @Min(1)
  @Max(900)
  @Default("3")
  @JsonPropertyDescription("Maximum run time of one invocation in seconds, 1 to 900. Default 3.")
  public Integer timeout;

  @Size(max = 1)
  @JsonPropertyDescription("Instruction set architecture: at most one of x86_64 or arm64. Default x86_64.")
  public List<Architecture> architectures;

  @JsonPropertyDescription("Size of the function's /tmp directory.")
  public EphemeralStorage ephemeralStorage;

  @Required
  @JsonPropertyDescription("Where the code comes from: exactly one of s3, imageUri or inline.")
  public Code code;

  @JsonPropertyDescription("Overrides of the container image's command, entry point and working directory. Container images only.")
  public ImageConfig imageConfig;

  @Size(max = 256)
  @ValidationRule(
      value = "self.all(e, self.filter(f, f.name == e.name).size() == 1)",
      message = "environment variable names must be unique")
  @JsonPropertyDescription("Environment variables, as in a Pod: a literal value or a valueFrom reference to a Secret or ConfigMap key in the same namespace. Names and values together must stay under 4 KB (an AWS limit checked after references are resolved).")
  public List<EnvVar> environment;

  @Pattern("^arn:aws[a-zA-Z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/.+$")
  @JsonPropertyDescription("ARN of a customer managed KMS key that encrypts the environment variables. Default: the Lambda service key.")
  public String kmsKeyArn;

  @JsonPropertyDescription("AWS X-Ray tracing.")
  public TracingConfig tracing;

  @JsonPropertyDescription("Attach the function to a VPC: its subnets and security groups.")
  public VpcConfig vpcConfig;

  @Size(max = 5)
  @ValidationRule(
      value = "self.all(l, l.matches('^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:[0-9]{12}:layer:[a-zA-Z0-9_-]+:[0-9]+$'))",
      message = "each layer must be a layer version ARN: arn:aws:lambda:<region>:<account>:layer:<name>:<version>")
  @JsonPropertyDescription("Layer version ARNs, at most 5, applied in order. Zip packages only.")
  public List<@Size(max = 140) String> layers;

  @JsonPropertyDescription("Where failed asynchronous invocations go: an SQS queue or SNS topic.")
  public DeadLetterConfig deadLetterConfig;

  @JsonPropertyDescription("CloudWatch Logs settings: log group and format.")
  public LoggingConfig logging;

  @Size(max = 49)
  @ValidationRule(
      value = "self.all(k, !k.startsWith('aws:') && !k.startsWith('lambdaop.dev/'))",
      message = "tag keys starting with aws: are reserved by AWS, and lambdaop.dev/ by the operator")
  @JsonPropertyDescription("Tags on the function, at most 49 (the operator adds lambdaop.dev/owner). Tags added, changed and removed here are reconciled.")
  public Map<String, String> tags;

  @JsonPropertyDescription("Publishing of immutable versions.")
  public VersionPolicy versions;

  @Default("Delete")
  @JsonPropertyDescription("What happens to the AWS function when this resource is deleted: Delete (default) removes it, Retain leaves it in place.")
  public DeletionPolicy deletionPolicy;

  public enum Architecture {
    @JsonProperty("x86_64") X86_64,
    @JsonProperty("arm64") ARM64
  }

  public enum DeletionPolicy {
    Delete,
    Retain
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class EphemeralStorage {
    @Required
    @Min(512)
    @Max(10240)
    @JsonPropertyDescription("Size of /tmp in MB, 512 to 10240.")
    public Integer size;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "(has(self.s3) ? 1 : 0) + (has(self.imageUri) ? 1 : 0) + (has(self.inline) ? 1 : 0) == 1",
      message = "set exactly one of code.s3, code.imageUri or code.inline")
  public static class Code {
    @JsonPropertyDescription("A zip file in S3. Without objectVersion, the operator redeploys when the object at bucket/key changes.")
    public S3Code s3;

    @Pattern("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/.+$")
    @JsonPropertyDescription("URI of a container image in Amazon ECR, for example 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:1.4.2 or ...@sha256:<digest>.")
    public String imageUri;

    @JsonPropertyDescription("Small sources written here, zipped by the operator deterministically (the same files always give the same CodeSha256).")
    public InlineCode inline;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class S3Code {
    @Required
    @Pattern("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    @JsonPropertyDescription("S3 bucket, in the function's region.")
    public String bucket;

    @Required
    @Size(min = 1, max = 1024)
    @JsonPropertyDescription("Key of the zip file in the bucket.")
    public String key;

    @Size(min = 1, max = 1024)
    @JsonPropertyDescription("Version of the object, for versioned buckets. A new value deploys the new object.")
    public String objectVersion;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class InlineCode {
    @Required
    @Size(min = 1, max = 100)
    @ValidationRule(value = "self.all(k, !k.startsWith('/') && !k.contains('..'))", message = "file paths must be relative and must not contain '..'")
    @JsonPropertyDescription("File path in the zip to file content, for example {\"index.py\": \"def handler(event, ctx): ...\"}.")
    public Map<String, String> files;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ImageConfig {
    @Size(max = 1500)
    @JsonPropertyDescription("Overrides the image's CMD.")
    public List<String> command;

    @Size(max = 1500)
    @JsonPropertyDescription("Overrides the image's ENTRYPOINT.")
    public List<String> entryPoint;

    @Size(max = 1000)
    @JsonPropertyDescription("Overrides the image's WORKDIR.")
    public String workingDirectory;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "!(has(self.value) && has(self.valueFrom))", message = "set either value or valueFrom, not both")
  public static class EnvVar {
    @Required
    @Pattern("^[a-zA-Z][a-zA-Z0-9_]+$")
    @Size(max = 256)
    @ValidationRule(
        value = "!(self in ['_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR'])",
        message = "is reserved by the Lambda runtime and cannot be set")
    @JsonPropertyDescription("Variable name: a letter, then letters, digits or '_'. Names the Lambda runtime reserves (AWS_REGION, _HANDLER, ...) are refused.")
    public String name;

    @Size(max = 4096)
    @JsonPropertyDescription("Literal value.")
    public String value;

    @JsonPropertyDescription("Takes the value from a key of a Secret or ConfigMap in the same namespace; a change to it redeploys.")
    public EnvVarSource valueFrom;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "has(self.secretKeyRef) != has(self.configMapKeyRef)",
      message = "set exactly one of secretKeyRef or configMapKeyRef")
  public static class EnvVarSource {
    @JsonPropertyDescription("A key of a Secret in the same namespace. Its value is never logged or written to status or events.")
    public KeyRef secretKeyRef;

    @JsonPropertyDescription("A key of a ConfigMap in the same namespace.")
    public KeyRef configMapKeyRef;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class KeyRef {
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    @JsonPropertyDescription("Name of the Secret or ConfigMap.")
    public String name;

    @Required
    @Pattern("^[-._a-zA-Z0-9]+$")
    @Size(max = 253)
    @JsonPropertyDescription("Key within it.")
    public String key;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class TracingConfig {
    @Required
    @JsonPropertyDescription("Active samples and traces requests; PassThrough traces only requests that arrive with a tracing header.")
    public TracingMode mode;
  }

  public enum TracingMode {
    Active,
    PassThrough
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class VpcConfig {
    @Required
    @Size(min = 1, max = 16)
    @ValidationRule(value = "self.all(s, s.matches('^subnet-[0-9a-f]+$'))", message = "subnet IDs look like subnet-0123abcd")
    @JsonPropertyDescription("Subnet IDs (subnet-...), at most 16.")
    public List<@Size(max = 64) String> subnetIds;

    @Required
    @Size(min = 1, max = 5)
    @ValidationRule(value = "self.all(s, s.matches('^sg-[0-9a-f]+$'))", message = "security group IDs look like sg-0123abcd")
    @JsonPropertyDescription("Security group IDs (sg-...), at most 5.")
    public List<@Size(max = 64) String> securityGroupIds;

    @JsonPropertyDescription("Allow outbound IPv6 traffic in dual-stack subnets.")
    public Boolean ipv6AllowedForDualStack;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class DeadLetterConfig {
    @Required
    @Pattern("^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:[0-9]{12}:.+$")
    @JsonPropertyDescription("ARN of an SQS queue or SNS topic.")
    public String targetArn;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "(!has(self.applicationLogLevel) && !has(self.systemLogLevel)) || (has(self.logFormat) && self.logFormat == 'JSON')",
      message = "applicationLogLevel and systemLogLevel need logFormat: JSON")
  public static class LoggingConfig {
    @Size(min = 1, max = 512)
    @Pattern("^[\\.\\-_/#A-Za-z0-9]+$")
    @JsonPropertyDescription("CloudWatch log group. Default /aws/lambda/<functionName>.")
    public String logGroup;

    @JsonPropertyDescription("Text (default) or JSON.")
    public LogFormat logFormat;

    @JsonPropertyDescription("Level of the function's own logs kept: TRACE, DEBUG, INFO, WARN, ERROR or FATAL. JSON format only.")
    public LogLevel applicationLogLevel;

    @JsonPropertyDescription("Level of the runtime's logs kept: DEBUG, INFO or WARN. JSON format only.")
    public LogLevel systemLogLevel;
  }

  public enum LogFormat {
    Text,
    JSON
  }

  public enum LogLevel {
    TRACE,
    DEBUG,
    INFO,
    WARN,
    ERROR,
    FATAL
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class VersionPolicy {
    @Default("true")
    @JsonPropertyDescription("Publish an immutable version whenever code or configuration changes. Default true.")
    public Boolean publish;

    @Min(1)
    @Max(1000)
    @JsonPropertyDescription("Keep the newest N published versions and delete older ones; versions an alias uses are never deleted. Unset keeps all.")
    public Integer retain;
  }
}
