package dev.lambdaop.eventsource;

import dev.lambdaop.api.Durations;
import dev.lambdaop.api.EventSourceMappingSpec;
import dev.lambdaop.aws.EventSourceMappings.Mapping;
import dev.lambdaop.aws.EventSourceMappings.Settings;
import dev.lambdaop.aws.EventSourceMappings.SourceAccess;
import dev.lambdaop.reconcile.SpecProblem;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What to do to make an event source mapping match its spec (pure): create it, replace it (another source), update it
 * in place (another target, other settings), wait for AWS, or nothing.
 *
 * <p>Only the settings the spec sets are compared, with the defaults AWS fills in for the others read as unset
 * (maximumBatchingWindow 0, maximumRetryAttempts and maximumRecordAge -1, bisect false, parallelization 1, tumbling
 * window 0, no filters, no response types): a setting the spec leaves out is AWS's to choose. startingPosition applies
 * at creation only (UpdateEventSourceMapping cannot change it).
 */
public final class MappingPlan {
  private MappingPlan() {}

  /** What one pass does. */
  public sealed interface Step {}

  /** No mapping (or it was deleted outside the operator): create one. */
  public record Create() implements Step {}

  /** The mapping reads another source (eventSourceArn, topics or queues changed): create a new one, delete this one. */
  public record Replace(String replacedUuid) implements Step {}

  /**
   * Update in place.
   *
   * @param function the target to set, or null when it is right
   * @param changes the settings that differ (the others null)
   * @param fields the spec's names of what changes, for events
   */
  public record Update(String function, Settings changes, List<String> fields) implements Step {}

  /** AWS is still changing the mapping (Creating, Updating, Enabling, Disabling, Deleting): look again soon. */
  public record Wait(String state) implements Step {}

  /** The mapping matches the spec. */
  public record InSync() implements Step {}

  /**
   * The function a mapping targets.
   *
   * @param request what FunctionName is sent as (a name, a partial ARN name:qualifier, an ARN or a qualified ARN)
   * @param function the function's name
   * @param qualifier its version or alias, or null for the unqualified function
   */
  public record Target(String region, String request, String function, String qualifier) {
    /** The target of {@code request} (a name or ARN, with or without a qualifier) in {@code region}. */
    public static Target of(String region, String request) {
      String[] parts = request.split(":");
      if (request.startsWith("arn:")) {
        return new Target(region, request, parts.length > 6 ? parts[6] : request,
            parts.length > 7 ? parts[7] : null);
      }
      return new Target(region, request, parts[0], parts.length > 1 ? parts[1] : null);
    }

    /** Whether a mapping's FunctionArn (as AWS reports it) is this target. */
    public boolean is(String functionArn) {
      if (functionArn == null) {
        return false;
      }
      Target reported = of(region, functionArn);
      return function.equals(reported.function) && Objects.equals(plain(qualifier), plain(reported.qualifier));
    }

    private static String plain(String qualifier) {
      return "$LATEST".equals(qualifier) ? null : qualifier;
    }
  }

  /** The settings the spec asks for; a value the schema lets through but AWS cannot take is InvalidSpec. */
  public static Settings desired(EventSourceMappingSpec spec) {
    return new Settings(spec.eventSourceArn, spec.batchSize,
        seconds("maximumBatchingWindow", spec.maximumBatchingWindow, Duration.ZERO, Duration.ofSeconds(300)),
        spec.startingPosition == null ? null : spec.startingPosition.name(),
        timestamp(spec.startingPositionTimestamp),
        spec.enabled == null || spec.enabled,
        spec.filterCriteria == null ? null
            : spec.filterCriteria.filters == null ? List.of()
                : spec.filterCriteria.filters.stream().map(f -> f.pattern).toList(),
        spec.functionResponseTypes == null ? null : spec.functionResponseTypes.stream().map(Enum::name).toList(),
        spec.scalingConfig == null ? null : spec.scalingConfig.maximumConcurrency,
        spec.maximumRetryAttempts,
        EventSourceMappingSpec.UNLIMITED.equals(spec.maximumRecordAge) ? Integer.valueOf(-1)
            : seconds("maximumRecordAge", spec.maximumRecordAge, Duration.ofSeconds(60), Duration.ofDays(7)),
        spec.bisectBatchOnFunctionError,
        spec.parallelizationFactor,
        seconds("tumblingWindow", spec.tumblingWindow, Duration.ZERO, Duration.ofSeconds(900)),
        spec.destinationConfig == null || spec.destinationConfig.onFailure == null ? null
            : spec.destinationConfig.onFailure.destination,
        spec.topics, spec.queues,
        spec.sourceAccessConfigurations == null ? null : spec.sourceAccessConfigurations.stream()
            .map(a -> new SourceAccess(a.type, a.uri)).toList());
  }

  /** The step from what the spec asks for to what AWS holds (empty: no mapping). */
  public static Step plan(Settings desired, Target target, Optional<Mapping> observed) {
    if (observed.isEmpty()) {
      return new Create();
    }
    Mapping mapping = observed.get();
    if (!sameSource(desired, mapping.settings())) {
      return new Replace(mapping.uuid());
    }
    if (mapping.inTransition()) {
      return new Wait(mapping.state());
    }
    List<String> fields = new ArrayList<>();
    Settings changes = changes(desired, mapping.settings(), fields);
    boolean retarget = !target.is(mapping.functionArn());
    if (retarget) {
      fields.add(0, "target");
    }
    return fields.isEmpty() ? new InSync() : new Update(retarget ? target.request() : null, changes, fields);
  }

  /** Whether the mapping reads the source the spec names: the same ARN, and the same topics and queues if set. */
  static boolean sameSource(Settings desired, Settings observed) {
    return desired.eventSourceArn().equals(observed.eventSourceArn())
        && (desired.topics() == null || desired.topics().equals(orEmpty(observed.topics())))
        && (desired.queues() == null || desired.queues().equals(orEmpty(observed.queues())));
  }

  /**
   * The settings of {@code desired} that {@code observed} differs in (the others null), their spec names added to
   * {@code fields}. Only what the spec sets counts; AWS's defaults stand for what AWS does not report.
   */
  static Settings changes(Settings desired, Settings observed, List<String> fields) {
    Integer batchSize = differs(desired, observed, Settings::batchSize, null, "batchSize", fields);
    Integer window = differs(desired, observed, Settings::maximumBatchingWindowSeconds, 0, "maximumBatchingWindow",
        fields);
    // AWS tells enabled by its state; a state in transition (never compared: the plan waits) says nothing.
    Boolean enabled = observed.enabled() == null ? null
        : differs(desired, observed, Settings::enabled, null, "enabled", fields);
    List<String> filters = differs(desired, observed, s -> sorted(s.filterPatterns()), List.of(), "filterCriteria",
        fields) == null ? null : desired.filterPatterns();
    List<String> responses = differs(desired, observed, s -> sorted(s.functionResponseTypes()), List.of(),
        "functionResponseTypes", fields) == null ? null : desired.functionResponseTypes();
    Integer concurrency = differs(desired, observed, Settings::maximumConcurrency, null, "scalingConfig", fields);
    Integer retries = differs(desired, observed, Settings::maximumRetryAttempts, -1, "maximumRetryAttempts", fields);
    Integer age = differs(desired, observed, Settings::maximumRecordAgeSeconds, -1, "maximumRecordAge", fields);
    Boolean bisect = differs(desired, observed, Settings::bisectBatchOnFunctionError, false,
        "bisectBatchOnFunctionError", fields);
    Integer parallel = differs(desired, observed, Settings::parallelizationFactor, 1, "parallelizationFactor", fields);
    Integer tumbling = differs(desired, observed, Settings::tumblingWindowSeconds, 0, "tumblingWindow", fields);
    String destination = differs(desired, observed, Settings::onFailureDestination, null, "destinationConfig",
        fields);
    List<SourceAccess> access = differs(desired, observed, s -> s.sourceAccess() == null ? null
        : s.sourceAccess().stream().sorted(Comparator.comparing(SourceAccess::type).thenComparing(SourceAccess::uri))
            .toList(), List.of(), "sourceAccessConfigurations", fields) == null ? null : desired.sourceAccess();
    return new Settings(null, batchSize, window, null, null, enabled, filters, responses, concurrency, retries, age,
        bisect, parallel, tumbling, destination, null, null, access);
  }

  /** The desired value when the spec sets it and AWS differs ({@code unset} standing for what AWS leaves out). */
  private static <T> T differs(Settings desired, Settings observed, Function<Settings, T> field, T unset,
      String name, List<String> fields) {
    T want = field.apply(desired);
    if (want == null) {
      return null;
    }
    T have = Optional.ofNullable(field.apply(observed)).orElse(unset);
    if (want.equals(have)) {
      return null;
    }
    fields.add(name);
    return want;
  }

  private static List<String> sorted(List<String> values) {
    return values == null ? null : values.stream().sorted().toList();
  }

  private static <T> List<T> orEmpty(List<T> values) {
    return values == null ? List.of() : values;
  }

  private static Integer seconds(String field, String text, Duration min, Duration max) {
    if (text == null) {
      return null;
    }
    Duration d;
    try {
      d = Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new SpecProblem("InvalidSpec", "spec." + field + ": " + e.getMessage());
    }
    if (d.toMillis() % 1000 != 0 || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new SpecProblem("InvalidSpec", "spec." + field + " is " + text + ": it must be whole seconds from "
          + Durations.format(min) + " to " + Durations.format(max));
    }
    return (int) d.toSeconds();
  }

  private static Instant timestamp(String text) {
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new SpecProblem("InvalidSpec", "spec.startingPositionTimestamp is " + text + ": not an RFC 3339 time"
          + " (for example 2025-03-01T10:00:00Z)");
    }
  }
}
