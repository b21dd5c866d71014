package dev.lambdaop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * What an EventSourceMapping declares: which source AWS polls, which function, version or alias it invokes, and how
 * it batches. The schema refuses combinations AWS refuses for the source's kind (read from eventSourceArn).
 *
 * <p>Changing eventSourceArn (or topics, queues) replaces the mapping: the operator creates the new one, then deletes
 * the old one. Changing the target (aliasRef, functionRef, functionName, qualifier) updates the mapping in place
 * (UpdateEventSourceMapping FunctionName): the mapping keeps its position in the source. Everything else is updated in
 * place; startingPosition applies when a mapping is created.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "(has(self.aliasRef) ? 1 : 0) + (has(self.functionRef) ? 1 : 0) + (has(self.functionName) ? 1 : 0) == 1",
    message = "set exactly one of aliasRef (a LambdaAlias in this namespace), functionRef (a LambdaFunction in this namespace) or functionName (a function the operator does not manage)")
@ValidationRule(
    value = "!has(self.qualifier) || !has(self.aliasRef)",
    message = "qualifier goes with functionRef or functionName only: with aliasRef the alias is the qualifier",
    fieldPath = ".qualifier")
@ValidationRule(
    value = "!has(self.qualifier) || !has(self.functionName) || !self.functionName.matches('^(arn:[^:]+:lambda:[^:]+:[^:]+:function:)?[^:]+:[^:]+$')",
    message = "functionName already names a version or alias (name:qualifier): remove qualifier, or the qualifier in functionName",
    fieldPath = ".qualifier")
@ValidationRule(
    value = "!(" + EventSourceMappingSpec.SQS + " || " + EventSourceMappingSpec.MQ + ") || !has(self.startingPosition)",
    message = "startingPosition is for Kinesis, DynamoDB streams and MSK only: remove it for SQS and Amazon MQ",
    fieldPath = ".startingPosition")
@ValidationRule(
    value = EventSourceMappingSpec.SQS + " || " + EventSourceMappingSpec.MQ + " || has(self.startingPosition)",
    message = "startingPosition (TRIM_HORIZON, LATEST or AT_TIMESTAMP) is required for Kinesis, DynamoDB streams and MSK")
@ValidationRule(
    value = "has(self.startingPositionTimestamp) == (has(self.startingPosition) && self.startingPosition == 'AT_TIMESTAMP')",
    message = "startingPositionTimestamp is required with startingPosition AT_TIMESTAMP and allowed only with it")
@ValidationRule(
    value = EventSourceMappingSpec.STREAM + " || !(has(self.maximumRetryAttempts) || has(self.maximumRecordAge) || has(self.bisectBatchOnFunctionError) || has(self.parallelizationFactor) || has(self.tumblingWindow))",
    message = "maximumRetryAttempts, maximumRecordAge, bisectBatchOnFunctionError, parallelizationFactor and tumblingWindow are for Kinesis and DynamoDB streams only")
@ValidationRule(
    value = EventSourceMappingSpec.STREAM + " || " + EventSourceMappingSpec.KAFKA + " || !has(self.destinationConfig)",
    message = "destinationConfig is for Kinesis, DynamoDB streams and MSK only",
    fieldPath = ".destinationConfig")
@ValidationRule(
    value = EventSourceMappingSpec.SQS + " || !has(self.scalingConfig)",
    message = "scalingConfig is for SQS only",
    fieldPath = ".scalingConfig")
@ValidationRule(
    value = EventSourceMappingSpec.SQS + " || " + EventSourceMappingSpec.STREAM + " || !has(self.functionResponseTypes)",
    message = "functionResponseTypes is for SQS, Kinesis and DynamoDB streams only",
    fieldPath = ".functionResponseTypes")
@ValidationRule(
    value = "!(" + EventSourceMappingSpec.SQS + " && self.eventSourceArn.endsWith('.fifo')) || !has(self.batchSize) || self.batchSize <= 10",
    message = "batchSize of a FIFO queue (an ARN ending in .fifo) is 1..10",
    fieldPath = ".batchSize")
@ValidationRule(
    value = "!" + EventSourceMappingSpec.SQS + " || !has(self.batchSize) || self.batchSize <= 10 || (has(self.maximumBatchingWindow) && self.maximumBatchingWindow.matches('" + Durations.BOUNDED_DIGITS + "') && duration(self.maximumBatchingWindow) >= duration('1s'))",
    message = "batchSize above 10 on an SQS queue needs maximumBatchingWindow of at least 1s",
    fieldPath = ".batchSize")
@ValidationRule(
    value = "has(self.topics) == " + EventSourceMappingSpec.KAFKA,
    message = "topics (one Kafka topic) is required for MSK and allowed only for it")
@ValidationRule(
    value = "has(self.queues) == " + EventSourceMappingSpec.MQ,
    message = "queues (one queue name) is required for Amazon MQ and allowed only for it")
@ValidationRule(
    value = "!has(self.sourceAccessConfigurations) || " + EventSourceMappingSpec.MQ + " || " + EventSourceMappingSpec.KAFKA,
    message = "sourceAccessConfigurations is for Amazon MQ and MSK only",
    fieldPath = ".sourceAccessConfigurations")
@ValidationRule(
    value = "oldSelf.eventSourceArn != self.eventSourceArn || (has(oldSelf.startingPosition) == has(self.startingPosition) && (!has(self.startingPosition) || oldSelf.startingPosition == self.startingPosition) && has(oldSelf.startingPositionTimestamp) == has(self.startingPositionTimestamp) && (!has(self.startingPositionTimestamp) || oldSelf.startingPositionTimestamp == self.startingPositionTimestamp))",
    message = "startingPosition and startingPositionTimestamp apply when a mapping is created: change them only together with eventSourceArn (which replaces the mapping)")
public class EventSourceMappingSpec {
  /** CEL: the source is an SQS queue. */
  static final String SQS = "self.eventSourceArn.matches('^arn:[^:]+:sqs:')";
  /** CEL: the source is an Amazon MQ broker. */
  static final String MQ = "self.eventSourceArn.matches('^arn:[^:]+:mq:')";
  /** CEL: the source is an MSK cluster. */
  static final String KAFKA = "self.eventSourceArn.matches('^arn:[^:]+:kafka:')";
  /** CEL: the source is a Kinesis or DynamoDB stream. */
  static final String STREAM = "self.eventSourceArn.matches('^arn:[^:]+:(kinesis|dynamodb):')";

  /** Whole seconds in the Go style form (AWS takes seconds): no ms. */
  private static final String SECONDS = "^([0-9]+(h|m|s))+$";
  private static final String BOUNDED = "self.matches('" + Durations.BOUNDED_DIGITS + "')";

  /** The maximumRecordAge that means "no limit" (AWS's -1). */
  public static final String UNLIMITED = "-1";

  @JsonPropertyDescription("The LambdaAlias in this namespace whose alias the mapping invokes (by the alias's ARN, once the alias exists). Exactly one of aliasRef, functionRef or functionName. Changing the target (aliasRef, functionRef, functionName, qualifier) updates the mapping in place: it keeps its position in the source.")
  public AliasRef aliasRef;

  @JsonPropertyDescription("The LambdaFunction in this namespace the mapping invokes (with qualifier: that version or alias). Exactly one of aliasRef, functionRef or functionName.")
  public FunctionRef functionRef;

  @Pattern("^[a-zA-Z0-9_:.-]+$")
  @Size(min = 1, max = 140)
  @JsonPropertyDescription("Name or ARN of a function that no operator owns, or that a LambdaFunction in this namespace owns; an ARN gives the region. Exactly one of aliasRef, functionRef or functionName.")
  public String functionName;

  @Pattern("^(\\$LATEST|[a-zA-Z0-9_-]+)$")
  @Size(min = 1, max = 128)
  @JsonPropertyDescription("Version or alias of the function named by functionRef or functionName. Without it the mapping invokes the unqualified function ($LATEST).")
  public String qualifier;

  @Required
  @Size(max = 1024)
  @Pattern("^arn:aws[a-zA-Z-]*:(sqs|kinesis|dynamodb|kafka|mq):[a-z0-9-]+:[0-9]{12}:.+$")
  @JsonPropertyDescription("ARN of the event source: an SQS queue, a Kinesis stream, a DynamoDB stream, an MSK cluster or an Amazon MQ broker. Changing it replaces the mapping (the new one is created, then the old one deleted).")
  public String eventSourceArn;

  @Min(1)
  @Max(10000)
  @JsonPropertyDescription("Most records per invocation: 1..10000 (an SQS FIFO queue 1..10; an SQS queue above 10 needs maximumBatchingWindow of at least 1s). AWS's default when absent (10 for SQS, 100 for streams).")
  public Integer batchSize;

  @Pattern(SECONDS)
  @Size(max = Durations.MAX_LENGTH)
  @ValidationRule(value = BOUNDED + " && duration(self) <= duration('300s')",
      message = "maximumBatchingWindow is 0s..300s (for example 5s)")
  @JsonPropertyDescription("How long AWS gathers records before invoking, in whole seconds: 0s..300s (for example 5s).")
  public String maximumBatchingWindow;

  @JsonPropertyDescription("Where to start reading a stream or topic when the mapping is created: TRIM_HORIZON, LATEST or AT_TIMESTAMP. Required for Kinesis, DynamoDB streams and MSK; not for SQS and Amazon MQ. Applies at creation only.")
  public StartingPosition startingPosition;

  @Pattern("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")
  @JsonPropertyDescription("With startingPosition AT_TIMESTAMP only: the time to start reading from (RFC 3339, for example 2025-03-01T10:00:00Z).")
  public String startingPositionTimestamp;

  @Default("true")
  @JsonPropertyDescription("Whether AWS polls the source (default true). false pauses the mapping.")
  public Boolean enabled;

  @JsonPropertyDescription("Which records invoke the function: AWS event filtering. An empty filters list removes the filters.")
  public FilterCriteria filterCriteria;

  @Size(max = 1)
  @JsonPropertyDescription("ReportBatchItemFailures: the function reports which records of a batch failed (SQS, Kinesis, DynamoDB streams).")
  public List<FunctionResponseType> functionResponseTypes;

  @JsonPropertyDescription("SQS only: how many concurrent invocations the mapping may use.")
  public ScalingConfig scalingConfig;

  @Min(-1)
  @Max(10000)
  @JsonPropertyDescription("Streams only: how many times a failed batch is retried, -1 (until the record expires, AWS's default) to 10000.")
  public Integer maximumRetryAttempts;

  @Pattern("^(-1|([0-9]+(h|m|s))+)$")
  @Size(max = Durations.MAX_LENGTH)
  @ValidationRule(value = "self == '-1' || (" + BOUNDED + " && duration(self) >= duration('60s') && duration(self) <= duration('168h'))",
      message = "maximumRecordAge is -1 (no limit) or 60s..168h (7 days), in whole seconds")
  @JsonPropertyDescription("Streams only: records older than this are discarded, in whole seconds: 60s..168h (7 days), or \"-1\" for no limit (AWS's default).")
  public String maximumRecordAge;

  @JsonPropertyDescription("Streams only: split a failed batch in two and retry each half.")
  public Boolean bisectBatchOnFunctionError;

  @Min(1)
  @Max(10)
  @JsonPropertyDescription("Streams only: batches processed at once per shard, 1..10 (AWS's default 1).")
  public Integer parallelizationFactor;

  @Pattern(SECONDS)
  @Size(max = Durations.MAX_LENGTH)
  @ValidationRule(value = BOUNDED + " && duration(self) <= duration('900s')",
      message = "tumblingWindow is 0s..900s (15 minutes)")
  @JsonPropertyDescription("Streams only: a tumbling window for aggregations, in whole seconds: 0s (none, AWS's default) to 900s.")
  public String tumblingWindow;

  @JsonPropertyDescription("Kinesis, DynamoDB streams and MSK: where AWS sends records of batches that failed for good.")
  public DestinationConfig destinationConfig;

  @Size(min = 1, max = 1)
  @JsonPropertyDescription("MSK only (required): the Kafka topic to read. Changing it replaces the mapping.")
  public List<String> topics;

  @Size(min = 1, max = 1)
  @JsonPropertyDescription("Amazon MQ only (required): the name of the queue to read. Changing it replaces the mapping.")
  public List<String> queues;

  @Size(max = 22)
  @JsonPropertyDescription("Amazon MQ and MSK: how AWS authenticates to the source (for Amazon MQ, BASIC_AUTH with a Secrets Manager secret).")
  public List<SourceAccessConfiguration> sourceAccessConfigurations;

  @Default("Delete")
  @JsonPropertyDescription("What happens to the AWS mapping when this resource is deleted: Delete (default) removes it, Retain leaves it in place.")
  public LambdaFunctionSpec.DeletionPolicy deletionPolicy;

  public enum StartingPosition {
    TRIM_HORIZON,
    LATEST,
    AT_TIMESTAMP
  }

  public enum FunctionResponseType {
    ReportBatchItemFailures
  }

  /** Points to a LambdaAlias in the same namespace. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class AliasRef {
    @Required
    @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
    @JsonPropertyDescription("Name of a LambdaAlias in the same namespace.")
    public String name;

    public AliasRef() {}

    public AliasRef(String name) {
      this.name = name;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class FilterCriteria {
    @Required
    @Size(max = 10)
    @JsonPropertyDescription("Filters: a record invokes the function when it matches any of them.")
    public List<Filter> filters;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Filter {
    @Required
    @Size(min = 1, max = 4096)
    @JsonPropertyDescription("An event filter pattern, as JSON (for example {\"body\": {\"type\": [\"order\"]}}).")
    public String pattern;

    public Filter() {}

    public Filter(String pattern) {
      this.pattern = pattern;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ScalingConfig {
    @Required
    @Min(2)
    @Max(1000)
    @JsonPropertyDescription("Most concurrent invocations for the queue, 2..1000.")
    public Integer maximumConcurrency;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class DestinationConfig {
    @Required
    @JsonPropertyDescription("Where records of a failed batch go.")
    public OnFailure onFailure;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class OnFailure {
    @Required
    @Pattern("^arn:aws[a-zA-Z-]*:(sqs|sns|s3|kafka):.+$")
    @JsonPropertyDescription("ARN of an SQS queue, SNS topic, S3 bucket (or Kafka topic for MSK).")
    public String destination;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SourceAccessConfiguration {
    @Required
    @Pattern("^[A-Z_0-9]+$")
    @JsonPropertyDescription("The kind of access: for example BASIC_AUTH, VIRTUAL_HOST, SASL_SCRAM_512_AUTH, CLIENT_CERTIFICATE_TLS_AUTH.")
    public String type;

    @Required
    @Size(min = 1, max = 200)
    @JsonPropertyDescription("Its value: for example the ARN of a Secrets Manager secret, or a virtual host name.")
    public String uri;
  }
}
