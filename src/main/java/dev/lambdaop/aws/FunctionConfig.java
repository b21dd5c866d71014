package dev.lambdaop.aws;

import dev.lambdaop.api.LambdaFunctionSpec;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * The configuration of a function, as the operator wants it in AWS or as AWS reports it: one value per {@link Field}.
 *
 * <p>Every configuration field is declared once, below: its name (in events, conditions and the spec digest), its
 * value when neither the spec nor AWS sets it, how it is read from the spec, and how a desired and an observed value
 * compare. How it travels to and from AWS is its entry in {@code aws.sdk.FunctionConfigs}, keyed by the same
 * constant: only that package may use the AWS SDK, and it refuses to load while a field has no entry there. Adding a
 * field is one constant here, its line in {@link #FIELDS}, its AWS entry, and a test.
 *
 * <p>Unset values are the field's default on both sides (AWS reports tracing PassThrough and 512 MB of /tmp for a
 * function created without them), so a function as AWS reports it compares equal to the spec that created it. Where
 * AWS leaves out a value that the spec may set explicitly (VPC {@code ipv6AllowedForDualStack: false}), the field
 * compares both sides in that normal form: otherwise the update that sets it is "not applied" for ever.
 */
public final class FunctionConfig {
  /** Name of the function in AWS: the resource's, resolved by {@code DesiredFunction}. */
  public static final Field<String> FUNCTION_NAME = Field.resolvedApart("functionName", null);
  public static final Field<String> ROLE = Field.of("role", null, s -> s.role);
  public static final Field<String> RUNTIME = Field.of("runtime", null, s -> s.runtime);
  public static final Field<String> HANDLER = Field.of("handler", null, s -> s.handler);
  public static final Field<String> DESCRIPTION = Field.of("description", "", s -> s.description);
  public static final Field<Integer> MEMORY_SIZE = Field.of("memorySize", 128, s -> s.memorySize);
  public static final Field<Integer> TIMEOUT = Field.of("timeout", 3, s -> s.timeout);
  /** Applied with the code: UpdateFunctionCode takes it, UpdateFunctionConfiguration does not. */
  public static final Field<String> ARCHITECTURE = Field.of("architecture", "x86_64",
      s -> s.architectures == null || s.architectures.isEmpty() ? null
          : s.architectures.get(0) == LambdaFunctionSpec.Architecture.ARM64 ? "arm64" : "x86_64").appliedByUpdateCode();
  public static final Field<Integer> EPHEMERAL_STORAGE_SIZE = Field.of("ephemeralStorageSize", 512,
      s -> s.ephemeralStorage == null ? null : s.ephemeralStorage.size);
  /** Values resolved from Secrets and ConfigMaps by {@code DesiredFunction}; shown by their names only. */
  public static final Field<SortedMap<String, String>> ENVIRONMENT =
      Field.<SortedMap<String, String>>resolvedApart("environment", Collections.emptySortedMap())
          .shown(env -> "keys " + env.keySet());
  public static final Field<String> KMS_KEY_ARN = Field.of("kmsKeyArn", null, s -> s.kmsKeyArn);
  public static final Field<String> TRACING_MODE = Field.of("tracingMode", "PassThrough",
      s -> s.tracing == null ? null : s.tracing.mode.name());
  /**
   * Compared in normal form: AWS reports {@code ipv6AllowedForDualStack: false} as unset. The desired value is kept
   * as the spec writes it, since the spec digest of published versions holds it.
   */
  public static final Field<Vpc> VPC = Field.of("vpc", null, s -> s.vpcConfig == null ? null
      : new Vpc(List.copyOf(s.vpcConfig.subnetIds), List.copyOf(s.vpcConfig.securityGroupIds),
          s.vpcConfig.ipv6AllowedForDualStack))
      .comparedBy((want, have) -> Objects.equals(Vpc.normal(want), Vpc.normal(have)));
  public static final Field<List<String>> LAYERS = Field.of("layers", List.of(),
      s -> s.layers == null ? null : List.copyOf(s.layers));
  public static final Field<String> DEAD_LETTER_TARGET_ARN = Field.of("deadLetterTargetArn", null,
      s -> s.deadLetterConfig == null ? null : s.deadLetterConfig.targetArn);
  /** Settings the spec leaves out mean "as AWS defaults them": only those the spec sets are compared. */
  public static final Field<Logging> LOGGING = Field.of("logging", null, s -> Logging.of(s.logging))
      .comparedBy((want, have) -> want == null || have == null || want.equals(have.asFarAsSetIn(want)));
  /** The spec's tags and the owner tag, added by {@code DesiredFunction}; not captured in a published version. */
  public static final Field<SortedMap<String, String>> TAGS =
      Field.<SortedMap<String, String>>resolvedApart("tags", Collections.emptySortedMap()).notVersioned();
  public static final Field<ImageOverrides> IMAGE_CONFIG = Field.of("imageConfig", null, s -> s.imageConfig == null
      ? null : ImageOverrides.of(s.imageConfig.command, s.imageConfig.entryPoint, s.imageConfig.workingDirectory));

  /** Every field, in the order changes are named in events and conditions. */
  public static final List<Field<?>> FIELDS = List.of(FUNCTION_NAME, ROLE, RUNTIME, HANDLER, DESCRIPTION, MEMORY_SIZE,
      TIMEOUT, ARCHITECTURE, EPHEMERAL_STORAGE_SIZE, ENVIRONMENT, KMS_KEY_ARN, TRACING_MODE, VPC, LAYERS,
      DEAD_LETTER_TARGET_ARN, LOGGING, TAGS, IMAGE_CONFIG);

  private final Map<Field<?>, Object> values;

  private FunctionConfig(Map<Field<?>, Object> values) {
    this.values = values;
  }

  /** A configuration with every field as the spec sets it; the fields resolved apart hold their defaults. */
  public static FunctionConfig fromSpec(LambdaFunctionSpec spec) {
    Builder config = builder();
    FIELDS.forEach(field -> field.readSpec(spec, config));
    return config.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds a configuration; a field left out or set to null holds its default. */
  public static final class Builder {
    private final Map<Field<?>, Object> values = new HashMap<>();

    public <T> Builder set(Field<T> field, T value) {
      values.put(field, value);
      return this;
    }

    public FunctionConfig build() {
      Map<Field<?>, Object> all = new HashMap<>();
      FIELDS.forEach(field -> all.put(field, values.get(field) != null ? values.get(field) : field.unset()));
      return new FunctionConfig(all);
    }
  }

  @SuppressWarnings("unchecked")
  public <T> T get(Field<T> field) {
    return (T) values.get(field);
  }

  /** This configuration with one field changed (null: its default). */
  public <T> FunctionConfig with(Field<T> field, T value) {
    Builder copy = new Builder();
    copy.values.putAll(values);
    return copy.set(field, value).build();
  }

  public String functionName() {
    return get(FUNCTION_NAME);
  }

  public String architecture() {
    return get(ARCHITECTURE);
  }

  public SortedMap<String, String> environment() {
    return get(ENVIRONMENT);
  }

  public SortedMap<String, String> tags() {
    return get(TAGS);
  }

  public FunctionConfig withTags(SortedMap<String, String> newTags) {
    return with(TAGS, newTags);
  }

  /**
   * What a published version captures, by field name, for the spec digest: fields that are not versioned (tags)
   * are null. The same names and values a record of these fields serialised to, so digests stay as they were.
   */
  public SortedMap<String, Object> versioned() {
    SortedMap<String, Object> byName = new TreeMap<>();
    FIELDS.forEach(field -> byName.put(field.name(), field.versioned() ? values.get(field) : null));
    return byName;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FunctionConfig other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** Never an environment value: they may come from Secrets. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("FunctionConfig[");
    for (Field<?> field : FIELDS) {
      out.append(field == FUNCTION_NAME ? "" : ", ").append(field.name()).append('=').append(field.show(this));
    }
    return out.append(']').toString();
  }

  /**
   * One configuration field.
   *
   * @param <T> its value
   */
  public static final class Field<T> {
    private final String name;
    private final T unset;
    private final Function<LambdaFunctionSpec, T> fromSpec;
    private final BiPredicate<T, T> same;
    private final boolean versioned;
    private final boolean appliedWithCode;
    private final Function<T, String> shown;

    private Field(String name, T unset, Function<LambdaFunctionSpec, T> fromSpec, BiPredicate<T, T> same,
        boolean versioned, boolean appliedWithCode, Function<T, String> shown) {
      this.name = name;
      this.unset = unset;
      this.fromSpec = fromSpec;
      this.same = same;
      this.versioned = versioned;
      this.appliedWithCode = appliedWithCode;
      this.shown = shown;
    }

    static <T> Field<T> of(String name, T unset, Function<LambdaFunctionSpec, T> fromSpec) {
      return new Field<>(name, unset, fromSpec, Objects::equals, true, false, String::valueOf);
    }

    /** A field whose value is not in the spec as such: DesiredFunction resolves it. */
    static <T> Field<T> resolvedApart(String name, T unset) {
      return of(name, unset, spec -> null);
    }

    private Field<T> comparedBy(BiPredicate<T, T> comparison) {
      return new Field<>(name, unset, fromSpec, comparison, versioned, appliedWithCode, shown);
    }

    private Field<T> notVersioned() {
      return new Field<>(name, unset, fromSpec, same, false, appliedWithCode, shown);
    }

    private Field<T> appliedByUpdateCode() {
      return new Field<>(name, unset, fromSpec, same, versioned, true, shown);
    }

    private Field<T> shown(Function<T, String> show) {
      return new Field<>(name, unset, fromSpec, same, versioned, appliedWithCode, show);
    }

    /** The name users see in events and conditions, and the key in the spec digest. */
    public String name() {
      return name;
    }

    /** The value when neither the spec nor AWS sets one: AWS's own default, or null. */
    public T unset() {
      return unset;
    }

    /** Whether a published version captures it (and so the spec digest). */
    public boolean versioned() {
      return versioned;
    }

    /** Whether UpdateFunctionCode, not UpdateFunctionConfiguration, changes it. */
    public boolean appliedWithCode() {
      return appliedWithCode;
    }

    /** Whether the observed configuration holds what the desired one asks for. */
    public boolean matches(FunctionConfig desired, FunctionConfig observed) {
      return same.test(desired.get(this), observed.get(this));
    }

    private void readSpec(LambdaFunctionSpec spec, Builder config) {
      config.set(this, fromSpec.apply(spec));
    }

    private String show(FunctionConfig config) {
      T value = config.get(this);
      return value == null ? "null" : shown.apply(value);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** VPC attachment. */
  public record Vpc(List<String> subnetIds, List<String> securityGroupIds, Boolean ipv6AllowedForDualStack) {
    /** The attachment as AWS reports it: IPv6 false is unset (null), the value AWS leaves out. */
    static Vpc normal(Vpc vpc) {
      return vpc == null || !Boolean.FALSE.equals(vpc.ipv6AllowedForDualStack) ? vpc
          : new Vpc(vpc.subnetIds, vpc.securityGroupIds, null);
    }
  }

  /** CloudWatch Logs settings. */
  public record Logging(String logGroup, String logFormat, String applicationLogLevel, String systemLogLevel) {
    static Logging of(LambdaFunctionSpec.LoggingConfig spec) {
      return spec == null ? null : new Logging(spec.logGroup, name(spec.logFormat), name(spec.applicationLogLevel),
          name(spec.systemLogLevel));
    }

    /** These settings, leaving out the ones {@code want} does not set. */
    Logging asFarAsSetIn(Logging want) {
      return new Logging(want.logGroup == null ? null : logGroup, want.logFormat == null ? null : logFormat,
          want.applicationLogLevel == null ? null : applicationLogLevel,
          want.systemLogLevel == null ? null : systemLogLevel);
    }

    private static String name(Enum<?> value) {
      return value == null ? null : value.name();
    }
  }

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
}
