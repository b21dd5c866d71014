package dev.lambdaop.aws;

import dev.lambdaop.aws.EventSourceMappings.Mapping;
import dev.lambdaop.aws.EventSourceMappings.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.function.Supplier;

/**
 * Lambda's event source mappings in memory, for {@link InMemoryAws}: a new mapping is Creating and an update leaves it
 * Updating until the next read (then Enabled or Disabled, as asked); a second mapping of one source and function is
 * refused (ResourceConflictException), as is a write while AWS changes a mapping (ResourceInUseException); a mapping
 * of a function that does not exist is ResourceNotFoundException. Reported as AWS does: with the defaults it fills in
 * (BatchSize 10 for SQS and Amazon MQ, 100 otherwise; for streams MaximumRetryAttempts and MaximumRecordAgeInSeconds
 * -1, BisectBatchOnFunctionError false, ParallelizationFactor 1), FunctionArn the (qualified) ARN asked for.
 */
public final class InMemoryEventSourceMappings implements EventSourceMappings {
  /** How {@link InMemoryAws} counts a call and injects its faults. */
  @FunctionalInterface
  interface Calls {
    <T> T call(String operation, String target, boolean write, Supplier<T> body);
  }

  private final Calls calls;
  private final BiPredicate<String, String> functionExists;
  private final Map<String, Stored> mappings = new LinkedHashMap<>();
  /** Mappings a test holds in a state, by UUID: reads do not settle them. */
  private final Map<String, String> held = new LinkedHashMap<>();
  private long sequence;

  private static final class Stored {
    final String region;
    String functionArn;
    String state;
    Settings settings;
    Map<String, String> tags;
    String uuid;

    Stored(String region, String uuid) {
      this.region = region;
      this.uuid = uuid;
    }

    Mapping snapshot() {
      return new Mapping(uuid, "arn:aws:lambda:" + region + ":" + InMemoryAws.ACCOUNT + ":event-source-mapping:"
          + uuid, functionArn, state, "USER_INITIATED", "No records processed", settings);
    }

    /** A read after a write: AWS is done. */
    void settle() {
      if (state.endsWith("ing") && !state.equals("Deleting")) {
        state = Boolean.FALSE.equals(settings.enabled()) ? "Disabled" : "Enabled";
        settings = with(settings, state.equals("Enabled"));
      }
    }
  }

  InMemoryEventSourceMappings(Calls calls, BiPredicate<String, String> functionExists) {
    this.calls = calls;
    this.functionExists = functionExists;
  }

  // --- what tests use ---

  /** The mapping as AWS holds it now, read without counting or settling. */
  public synchronized Optional<Mapping> mapping(String uuid) {
    return Optional.ofNullable(mappings.get(uuid)).map(Stored::snapshot);
  }

  /** Every mapping, by UUID. */
  public synchronized Map<String, Mapping> all() {
    Map<String, Mapping> all = new TreeMap<>();
    mappings.forEach((uuid, m) -> all.put(uuid, m.snapshot()));
    return all;
  }

  /** A mapping made outside the operator (or by it, before its status was lost), Enabled, with {@code tags}. */
  public synchronized Mapping createBehindOperator(String region, String function, Settings settings,
      Map<String, String> tags) {
    Stored m = store(region, function, settings, tags);
    m.settle();
    return m.snapshot();
  }

  public synchronized void deleteBehindOperator(String uuid) {
    mappings.remove(uuid);
  }

  /** Changes settings outside the operator: {@code change} gets the stored settings. */
  public synchronized void changeBehindOperator(String uuid,
      java.util.function.UnaryOperator<Settings> change) {
    Stored m = mappings.get(uuid);
    m.settings = change.apply(m.settings);
  }

  /** Leaves the mapping in {@code state} (Creating, Updating...) until {@link #settle}: reads do not end it. */
  public synchronized void hold(String uuid, String state) {
    mappings.get(uuid).state = state;
    held.put(uuid, state);
  }

  /** Ends a {@link #hold}. */
  public synchronized void settle(String uuid) {
    held.remove(uuid);
    mappings.get(uuid).settle();
  }

  // --- the port ---

  @Override
  public Optional<Mapping> get(String region, String uuid) {
    return calls.call("GetEventSourceMapping", uuid, false, () -> {
      synchronized (this) {
        Stored m = mappings.get(uuid);
        if (m == null) {
          return Optional.empty();
        }
        if (!held.containsKey(uuid)) {
          m.settle();
        }
        return Optional.of(m.snapshot());
      }
    });
  }

  @Override
  public List<Mapping> list(String region, String function, String eventSourceArn) {
    return calls.call("ListEventSourceMappings", function, false, () -> {
      synchronized (this) {
        List<Mapping> found = new ArrayList<>();
        for (Stored m : mappings.values()) {
          if (m.region.equals(region == null ? InMemoryAws.DEFAULT_REGION : region)
              && m.functionArn.equals(arn(region, function))
              && m.settings.eventSourceArn().equals(eventSourceArn)) {
            found.add(m.snapshot());
          }
        }
        return found;
      }
    });
  }

  @Override
  public Mapping create(String region, String function, Settings settings, Map<String, String> tags) {
    return calls.call("CreateEventSourceMapping", function, true, () -> {
      synchronized (this) {
        if (!functionExists.test(region, plainName(function))) {
          throw AwsFailures.notFound("CreateEventSourceMapping", "Function does not exist: " + function);
        }
        for (Stored m : mappings.values()) {
          if (m.functionArn.equals(arn(region, function))
              && m.settings.eventSourceArn().equals(settings.eventSourceArn())) {
            throw AwsFailures.conflict("CreateEventSourceMapping", "An event source mapping with "
                + settings.eventSourceArn() + " and function " + function + " already exists. Please update or"
                + " delete the existing mapping with UUID " + m.uuid);
          }
        }
        return store(region, function, settings, tags).snapshot();
      }
    });
  }

  @Override
  public Mapping update(String region, String uuid, String function, Settings changes) {
    return calls.call("UpdateEventSourceMapping", uuid, true, () -> {
      synchronized (this) {
        Stored m = existing("UpdateEventSourceMapping", uuid);
        inUse("UpdateEventSourceMapping", m);
        if (function != null) {
          if (!functionExists.test(region, plainName(function))) {
            throw AwsFailures.notFound("UpdateEventSourceMapping", "Function does not exist: " + function);
          }
          m.functionArn = arn(region, function);
        }
        Settings s = m.settings;
        m.settings = new Settings(s.eventSourceArn(), or(changes.batchSize(), s.batchSize()),
            or(changes.maximumBatchingWindowSeconds(), s.maximumBatchingWindowSeconds()), s.startingPosition(),
            s.startingPositionTimestamp(), or(changes.enabled(), s.enabled()),
            changes.filterPatterns() == null ? s.filterPatterns()
                : changes.filterPatterns().isEmpty() ? null : changes.filterPatterns(),
            changes.functionResponseTypes() == null ? s.functionResponseTypes()
                : changes.functionResponseTypes().isEmpty() ? null : changes.functionResponseTypes(),
            or(changes.maximumConcurrency(), s.maximumConcurrency()),
            or(changes.maximumRetryAttempts(), s.maximumRetryAttempts()),
            or(changes.maximumRecordAgeSeconds(), s.maximumRecordAgeSeconds()),
            or(changes.bisectBatchOnFunctionError(), s.bisectBatchOnFunctionError()),
            or(changes.parallelizationFactor(), s.parallelizationFactor()),
            or(changes.tumblingWindowSeconds(), s.tumblingWindowSeconds()),
            or(changes.onFailureDestination(), s.onFailureDestination()), s.topics(), s.queues(),
            or(changes.sourceAccess(), s.sourceAccess()));
        m.state = "Updating";
        return m.snapshot();
      }
    });
  }

  @Override
  public boolean delete(String region, String uuid) {
    return calls.call("DeleteEventSourceMapping", uuid, true, () -> {
      synchronized (this) {
        Stored m = mappings.get(uuid);
        if (m == null) {
          return false;
        }
        inUse("DeleteEventSourceMapping", m);
        mappings.remove(uuid);
        return true;
      }
    });
  }

  @Override
  public Map<String, String> tags(String region, String mappingArn) {
    return calls.call("ListTags", mappingArn, false, () -> {
      synchronized (this) {
        String uuid = mappingArn.substring(mappingArn.lastIndexOf(':') + 1);
        return Map.copyOf(existing("ListTags", uuid).tags);
      }
    });
  }

  // --- the model ---

  private Stored store(String region, String function, Settings settings, Map<String, String> tags) {
    String r = region == null ? InMemoryAws.DEFAULT_REGION : region;
    Stored m = new Stored(r, String.format("00000000-0000-4000-a000-%012d", ++sequence));
    m.functionArn = arn(region, function);
    boolean stream = !settings.eventSourceArn().contains(":sqs:") && !settings.eventSourceArn().contains(":mq:");
    Settings s = settings;
    m.settings = new Settings(s.eventSourceArn(), or(s.batchSize(), stream ? 100 : 10),
        or(s.maximumBatchingWindowSeconds(), 0), s.startingPosition(), s.startingPositionTimestamp(),
        or(s.enabled(), true), s.filterPatterns() == null || s.filterPatterns().isEmpty() ? null : s.filterPatterns(),
        s.functionResponseTypes() == null || s.functionResponseTypes().isEmpty() ? null : s.functionResponseTypes(),
        s.maximumConcurrency(), or(s.maximumRetryAttempts(), stream ? -1 : null),
        or(s.maximumRecordAgeSeconds(), stream ? -1 : null), or(s.bisectBatchOnFunctionError(), stream ? false : null),
        or(s.parallelizationFactor(), stream ? 1 : null), s.tumblingWindowSeconds(), s.onFailureDestination(),
        s.topics(), s.queues(), s.sourceAccess());
    m.state = "Creating";
    m.tags = tags == null ? Map.of() : Map.copyOf(tags);
    mappings.put(m.uuid, m);
    return m;
  }

  private Stored existing(String operation, String uuid) {
    Stored m = mappings.get(uuid);
    if (m == null) {
      throw AwsFailures.notFound(operation, "The resource you requested does not exist. (Service: Lambda, UUID "
          + uuid + ")");
    }
    return m;
  }

  private static void inUse(String operation, Stored m) {
    if (!m.state.equals("Enabled") && !m.state.equals("Disabled")) {
      throw AwsFailures.answer(operation, "ResourceInUseException", 400, "Cannot update the event source mapping "
          + m.uuid + " because it is in use (state " + m.state + ")");
    }
  }

  /** The qualified ARN of a function named by name, partial ARN (name:qualifier) or ARN, as AWS reports it. */
  static String arn(String region, String function) {
    if (function.startsWith("arn:")) {
      return function;
    }
    return "arn:aws:lambda:" + (region == null ? InMemoryAws.DEFAULT_REGION : region) + ":" + InMemoryAws.ACCOUNT
        + ":function:" + function;
  }

  /** The function's name in a name, partial ARN or (qualified) ARN. */
  private static String plainName(String function) {
    String[] parts = function.split(":");
    return function.startsWith("arn:") ? parts[6] : parts[0];
  }

  private static Settings with(Settings s, boolean enabled) {
    return new Settings(s.eventSourceArn(), s.batchSize(), s.maximumBatchingWindowSeconds(), s.startingPosition(),
        s.startingPositionTimestamp(), enabled, s.filterPatterns(), s.functionResponseTypes(), s.maximumConcurrency(),
        s.maximumRetryAttempts(), s.maximumRecordAgeSeconds(), s.bisectBatchOnFunctionError(),
        s.parallelizationFactor(), s.tumblingWindowSeconds(), s.onFailureDestination(), s.topics(), s.queues(),
        s.sourceAccess());
  }

  private static <T> T or(T value, T otherwise) {
    return value != null ? value : otherwise;
  }
}
