package dev.lambdaop.aws;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lambda event source mappings, by their UUID. A mapping's target is a function name, a partial ARN or a qualified ARN
 * (as AWS's FunctionName takes it).
 */
public interface EventSourceMappings {
  /** The mapping, or empty when it does not exist. */
  Optional<Mapping> get(String region, String uuid);

  /** The mappings of {@code function} (as created: name, ARN or qualified ARN) reading {@code eventSourceArn}. */
  List<Mapping> list(String region, String function, String eventSourceArn);

  /** Creates a mapping of {@code settings} to {@code function}, tagged with {@code tags}. */
  Mapping create(String region, String function, Settings settings, Map<String, String> tags);

  /**
   * Changes the mapping: {@code function} when not null (another target), and the settings {@code changes} sets (its
   * null fields stay as they are; its eventSourceArn, startingPosition, topics and queues are not sent).
   */
  Mapping update(String region, String uuid, String function, Settings changes);

  /** Deletes the mapping; false when it was already gone. */
  boolean delete(String region, String uuid);

  /** The tags of a mapping, by its ARN. */
  Map<String, String> tags(String region, String mappingArn);

  /**
   * A mapping's settings, as desired or as AWS reports them; null where not set (desired) or not reported. Durations
   * are whole seconds.
   */
  record Settings(String eventSourceArn, Integer batchSize, Integer maximumBatchingWindowSeconds,
      String startingPosition, Instant startingPositionTimestamp, Boolean enabled, List<String> filterPatterns,
      List<String> functionResponseTypes, Integer maximumConcurrency, Integer maximumRetryAttempts,
      Integer maximumRecordAgeSeconds, Boolean bisectBatchOnFunctionError, Integer parallelizationFactor,
      Integer tumblingWindowSeconds, String onFailureDestination, List<String> topics, List<String> queues,
      List<SourceAccess> sourceAccess) {
    /** Only the source, to build from. */
    public static Settings of(String eventSourceArn) {
      return new Settings(eventSourceArn, null, null, null, null, null, null, null, null, null, null, null, null,
          null, null, null, null, null);
    }
  }

  /** A SourceAccessConfiguration: its type (BASIC_AUTH, ...) and URI (a secret's ARN, ...). */
  record SourceAccess(String type, String uri) {}

  /**
   * A mapping as AWS reports it.
   *
   * @param functionArn the function, version or alias it invokes (qualified when it was created on a qualifier)
   * @param state Creating, Enabling, Enabled, Disabling, Disabled, Updating or Deleting
   * @param settings its settings; enabled is read from the state
   */
  record Mapping(String uuid, String mappingArn, String functionArn, String state, String stateTransitionReason,
      String lastProcessingResult, Settings settings) {
    /** Whether AWS is still changing the mapping (a write now would be refused). */
    public boolean inTransition() {
      return switch (String.valueOf(state)) {
        case "Enabled", "Disabled" -> false;
        default -> true;
      };
    }
  }
}
