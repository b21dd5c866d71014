package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.EventSourceMappings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.CreateEventSourceMappingRequest;
import software.amazon.awssdk.services.lambda.model.DestinationConfig;
import software.amazon.awssdk.services.lambda.model.EventSourceMappingConfiguration;
import software.amazon.awssdk.services.lambda.model.Filter;
import software.amazon.awssdk.services.lambda.model.FilterCriteria;
import software.amazon.awssdk.services.lambda.model.OnFailure;
import software.amazon.awssdk.services.lambda.model.ScalingConfig;
import software.amazon.awssdk.services.lambda.model.SourceAccessConfiguration;
import software.amazon.awssdk.services.lambda.model.UpdateEventSourceMappingRequest;

/** {@link EventSourceMappings} with the AWS SDK: every call through {@link AwsCalls}. */
final class SdkEventSourceMappings implements EventSourceMappings {
  private final AwsClients clients;
  private final AwsCalls calls;

  SdkEventSourceMappings(AwsClients clients, AwsCalls calls) {
    this.clients = clients;
    this.calls = calls;
  }

  @Override
  public Optional<Mapping> get(String region, String uuid) {
    LambdaClient lambda = clients.lambda(region);
    return Sdk.absentIfNotFound(() -> calls.read(region, "GetEventSourceMapping", uuid, () -> {
      return mapping(configuration(lambda.getEventSourceMapping(r -> r.uuid(uuid))));
    }));
  }

  @Override
  public List<Mapping> list(String region, String function, String eventSourceArn) {
    LambdaClient lambda = clients.lambda(region);
    return calls.read(region, "ListEventSourceMappings", function, () -> {
      List<Mapping> found = new ArrayList<>();
      for (EventSourceMappingConfiguration m : lambda.listEventSourceMappingsPaginator(r -> r.functionName(function)
          .eventSourceArn(eventSourceArn)).eventSourceMappings()) {
        found.add(mapping(m));
      }
      return found;
    });
  }

  @Override
  public Mapping create(String region, String function, Settings s, Map<String, String> tags) {
    LambdaClient lambda = clients.lambda(region);
    CreateEventSourceMappingRequest.Builder request = CreateEventSourceMappingRequest.builder()
        .functionName(function).eventSourceArn(s.eventSourceArn()).enabled(s.enabled()).batchSize(s.batchSize())
        .maximumBatchingWindowInSeconds(s.maximumBatchingWindowSeconds())
        .startingPosition(s.startingPosition()).startingPositionTimestamp(s.startingPositionTimestamp())
        .maximumRetryAttempts(s.maximumRetryAttempts()).maximumRecordAgeInSeconds(s.maximumRecordAgeSeconds())
        .bisectBatchOnFunctionError(s.bisectBatchOnFunctionError()).parallelizationFactor(s.parallelizationFactor())
        .tumblingWindowInSeconds(s.tumblingWindowSeconds()).tags(tags);
    if (s.filterPatterns() != null) {
      request.filterCriteria(filters(s.filterPatterns()));
    }
    if (s.functionResponseTypes() != null) {
      request.functionResponseTypesWithStrings(s.functionResponseTypes());
    }
    if (s.maximumConcurrency() != null) {
      request.scalingConfig(ScalingConfig.builder().maximumConcurrency(s.maximumConcurrency()).build());
    }
    if (s.onFailureDestination() != null) {
      request.destinationConfig(destination(s.onFailureDestination()));
    }
    if (s.topics() != null) {
      request.topics(s.topics());
    }
    if (s.queues() != null) {
      request.queues(s.queues());
    }
    if (s.sourceAccess() != null) {
      request.sourceAccessConfigurations(access(s.sourceAccess()));
    }
    return calls.write(region, "CreateEventSourceMapping", function,
        () -> mapping(configuration(lambda.createEventSourceMapping(request.build()))));
  }

  @Override
  public Mapping update(String region, String uuid, String function, Settings s) {
    LambdaClient lambda = clients.lambda(region);
    UpdateEventSourceMappingRequest.Builder request = UpdateEventSourceMappingRequest.builder().uuid(uuid)
        .functionName(function).enabled(s.enabled()).batchSize(s.batchSize())
        .maximumBatchingWindowInSeconds(s.maximumBatchingWindowSeconds())
        .maximumRetryAttempts(s.maximumRetryAttempts()).maximumRecordAgeInSeconds(s.maximumRecordAgeSeconds())
        .bisectBatchOnFunctionError(s.bisectBatchOnFunctionError()).parallelizationFactor(s.parallelizationFactor())
        .tumblingWindowInSeconds(s.tumblingWindowSeconds());
    if (s.filterPatterns() != null) {
      request.filterCriteria(filters(s.filterPatterns()));
    }
    if (s.functionResponseTypes() != null) {
      request.functionResponseTypesWithStrings(s.functionResponseTypes());
    }
    if (s.maximumConcurrency() != null) {
      request.scalingConfig(ScalingConfig.builder().maximumConcurrency(s.maximumConcurrency()).build());
    }
    if (s.onFailureDestination() != null) {
      request.destinationConfig(destination(s.onFailureDestination()));
    }
    if (s.sourceAccess() != null) {
      request.sourceAccessConfigurations(access(s.sourceAccess()));
    }
    return calls.write(region, "UpdateEventSourceMapping", uuid,
        () -> mapping(configuration(lambda.updateEventSourceMapping(request.build()))));
  }

  @Override
  public boolean delete(String region, String uuid) {
    LambdaClient lambda = clients.lambda(region);
    return Sdk.absentIfNotFound(() -> calls.write(region, "DeleteEventSourceMapping", uuid,
        () -> lambda.deleteEventSourceMapping(r -> r.uuid(uuid)))).isPresent();
  }

  @Override
  public Map<String, String> tags(String region, String mappingArn) {
    LambdaClient lambda = clients.lambda(region);
    return calls.read(region, "ListTags", mappingArn, () -> lambda.listTags(r -> r.resource(mappingArn)).tags());
  }

  private static FilterCriteria filters(List<String> patterns) {
    return FilterCriteria.builder().filters(patterns.stream().map(p -> Filter.builder().pattern(p).build()).toList())
        .build();
  }

  private static DestinationConfig destination(String arn) {
    return DestinationConfig.builder().onFailure(OnFailure.builder().destination(arn).build()).build();
  }

  private static List<SourceAccessConfiguration> access(List<SourceAccess> access) {
    return access.stream().map(a -> SourceAccessConfiguration.builder().type(a.type()).uri(a.uri()).build()).toList();
  }

  /**
   * The Get, Create and Update answers as the configuration ListEventSourceMappings lists: the SDK gives each its own
   * class with the same members, copied here by name.
   */
  private static EventSourceMappingConfiguration configuration(SdkPojo answer) {
    EventSourceMappingConfiguration.Builder builder = EventSourceMappingConfiguration.builder();
    Map<String, SdkField<?>> members = new HashMap<>();
    ((SdkPojo) builder).sdkFields().forEach(f -> members.put(f.memberName(), f));
    for (SdkField<?> field : answer.sdkFields()) {
      SdkField<?> member = members.get(field.memberName());
      if (member != null) {
        member.set(builder, field.getValueOrDefault(answer));
      }
    }
    return builder.build();
  }

  static Mapping mapping(EventSourceMappingConfiguration m) {
    return mapping(m.uuid(), m.eventSourceMappingArn(), m.functionArn(), m.state(), m.stateTransitionReason(),
        m.lastProcessingResult(), m);
  }

  private static Mapping mapping(String uuid, String arn, String functionArn, String state, String reason,
      String lastResult, EventSourceMappingConfiguration m) {
    Boolean enabled = switch (String.valueOf(state)) {
      case "Enabled", "Enabling" -> true;
      case "Disabled", "Disabling" -> false;
      default -> null;
    };
    List<String> patterns = m.filterCriteria() == null || !m.filterCriteria().hasFilters() ? null
        : m.filterCriteria().filters().stream().map(Filter::pattern).toList();
    Settings settings = new Settings(m.eventSourceArn(), m.batchSize(), m.maximumBatchingWindowInSeconds(),
        m.startingPositionAsString(), m.startingPositionTimestamp(), enabled, patterns,
        m.hasFunctionResponseTypes() ? m.functionResponseTypesAsStrings() : null,
        m.scalingConfig() == null ? null : m.scalingConfig().maximumConcurrency(), m.maximumRetryAttempts(),
        m.maximumRecordAgeInSeconds(), m.bisectBatchOnFunctionError(), m.parallelizationFactor(),
        m.tumblingWindowInSeconds(),
        m.destinationConfig() == null || m.destinationConfig().onFailure() == null ? null
            : m.destinationConfig().onFailure().destination(),
        m.hasTopics() ? m.topics() : null, m.hasQueues() ? m.queues() : null,
        m.hasSourceAccessConfigurations() ? m.sourceAccessConfigurations().stream()
            .map(a -> new SourceAccess(a.typeAsString(), a.uri())).toList() : null);
    return new Mapping(uuid, arn, functionArn, state, reason, lastResult, settings);
  }
}
