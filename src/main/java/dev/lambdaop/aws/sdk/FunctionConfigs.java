package dev.lambdaop.aws.sdk;

import static dev.lambdaop.aws.FunctionConfig.ARCHITECTURE;
import static dev.lambdaop.aws.FunctionConfig.DEAD_LETTER_TARGET_ARN;
import static dev.lambdaop.aws.FunctionConfig.DESCRIPTION;
import static dev.lambdaop.aws.FunctionConfig.ENVIRONMENT;
import static dev.lambdaop.aws.FunctionConfig.EPHEMERAL_STORAGE_SIZE;
import static dev.lambdaop.aws.FunctionConfig.FUNCTION_NAME;
import static dev.lambdaop.aws.FunctionConfig.HANDLER;
import static dev.lambdaop.aws.FunctionConfig.IMAGE_CONFIG;
import static dev.lambdaop.aws.FunctionConfig.KMS_KEY_ARN;
import static dev.lambdaop.aws.FunctionConfig.LAYERS;
import static dev.lambdaop.aws.FunctionConfig.LOGGING;
import static dev.lambdaop.aws.FunctionConfig.MEMORY_SIZE;
import static dev.lambdaop.aws.FunctionConfig.ROLE;
import static dev.lambdaop.aws.FunctionConfig.RUNTIME;
import static dev.lambdaop.aws.FunctionConfig.TAGS;
import static dev.lambdaop.aws.FunctionConfig.TIMEOUT;
import static dev.lambdaop.aws.FunctionConfig.TRACING_MODE;
import static dev.lambdaop.aws.FunctionConfig.VPC;

import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionConfig;
import dev.lambdaop.aws.FunctionConfig.Field;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.FunctionCode;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.ImageConfig;
import software.amazon.awssdk.services.lambda.model.Layer;
import software.amazon.awssdk.services.lambda.model.LoggingConfig;
import software.amazon.awssdk.services.lambda.model.PackageType;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionCodeRequest;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionConfigurationRequest;
import software.amazon.awssdk.services.lambda.model.VpcConfig;

/**
 * How each {@link FunctionConfig} field travels to and from the Lambda API: one entry per field, keyed by the field
 * declared in FunctionConfig (the SDK may be used only in this package, so this half of a field's declaration lives
 * here). The class refuses to load while a field has no entry. UpdateFunctionConfiguration sends every field it
 * takes, cleared ones included, so that a setting removed from the spec is removed in AWS too; what AWS leaves out
 * reads back as null, which is the field's default.
 */
public final class FunctionConfigs {
  private FunctionConfigs() {}

  /** Which packages a field applies to. */
  private enum Packages {
    ANY, ZIP, IMAGE;

    boolean include(boolean image) {
      return this == ANY || (this == IMAGE) == image;
    }
  }

  /** How a field is read from what AWS reports: the configuration, and the tags apart. */
  @FunctionalInterface
  private interface Read<T> {
    T from(FunctionConfiguration configuration, Map<String, String> tags);
  }

  /**
   * One field on the wire.
   *
   * @param create how it is set on CreateFunction (null: not there)
   * @param update how it is set on UpdateFunctionConfiguration (null: not there)
   */
  private record Wire<T>(Field<T> field, Packages packages, BiConsumer<CreateFunctionRequest.Builder, T> create,
      BiConsumer<UpdateFunctionConfigurationRequest.Builder, T> update, Read<T> read) {

    void create(CreateFunctionRequest.Builder request, FunctionConfig config, boolean image) {
      if (create != null && packages.include(image)) {
        create.accept(request, config.get(field));
      }
    }

    void update(UpdateFunctionConfigurationRequest.Builder request, FunctionConfig config, boolean image) {
      if (update != null && packages.include(image)) {
        update.accept(request, config.get(field));
      }
    }

    void read(FunctionConfiguration configuration, Map<String, String> tags, FunctionConfig.Builder config) {
      config.set(field, read.from(configuration, tags));
    }
  }

  private static <T> Wire<T> wire(Field<T> field, Packages packages, BiConsumer<CreateFunctionRequest.Builder, T> create,
      BiConsumer<UpdateFunctionConfigurationRequest.Builder, T> update, Function<FunctionConfiguration, T> read) {
    return new Wire<>(field, packages, create, update, (configuration, tags) -> read.apply(configuration));
  }

  private static final List<Wire<?>> WIRES = List.of(
      wire(FUNCTION_NAME, Packages.ANY, (r, v) -> r.functionName(v), (r, v) -> r.functionName(v),
          FunctionConfiguration::functionName),
      wire(ROLE, Packages.ANY, (r, v) -> r.role(v), (r, v) -> r.role(v), FunctionConfiguration::role),
      wire(RUNTIME, Packages.ZIP, (r, v) -> r.runtime(v), (r, v) -> r.runtime(v), FunctionConfiguration::runtimeAsString),
      wire(HANDLER, Packages.ZIP, (r, v) -> r.handler(v), (r, v) -> r.handler(v), FunctionConfiguration::handler),
      wire(DESCRIPTION, Packages.ANY, (r, v) -> r.description(v), (r, v) -> r.description(v),
          FunctionConfiguration::description),
      wire(MEMORY_SIZE, Packages.ANY, (r, v) -> r.memorySize(v), (r, v) -> r.memorySize(v),
          FunctionConfiguration::memorySize),
      wire(TIMEOUT, Packages.ANY, (r, v) -> r.timeout(v), (r, v) -> r.timeout(v), FunctionConfiguration::timeout),
      // UpdateFunctionConfiguration does not take it: UpdateFunctionCode does (updateCodeRequest).
      wire(ARCHITECTURE, Packages.ANY, (r, v) -> r.architecturesWithStrings(v), null,
          c -> c.hasArchitectures() && !c.architectures().isEmpty() ? c.architecturesAsStrings().get(0) : null),
      wire(EPHEMERAL_STORAGE_SIZE, Packages.ANY, (r, v) -> r.ephemeralStorage(e -> e.size(v)),
          (r, v) -> r.ephemeralStorage(e -> e.size(v)),
          c -> c.ephemeralStorage() == null ? null : c.ephemeralStorage().size()),
      wire(ENVIRONMENT, Packages.ANY, (r, v) -> {
        if (!v.isEmpty()) {
          r.environment(e -> e.variables(v));
        }
      }, (r, v) -> r.environment(e -> e.variables(v)),
          c -> c.environment() == null || c.environment().variables() == null ? null
              : new TreeMap<>(c.environment().variables())),
      wire(KMS_KEY_ARN, Packages.ANY, (r, v) -> {
        if (v != null) {
          r.kmsKeyArn(v);
        }
      }, (r, v) -> r.kmsKeyArn(v == null ? "" : v), c -> blankToNull(c.kmsKeyArn())),
      wire(TRACING_MODE, Packages.ANY, (r, v) -> r.tracingConfig(t -> t.mode(v)),
          (r, v) -> r.tracingConfig(t -> t.mode(v)),
          c -> c.tracingConfig() == null || c.tracingConfig().mode() == null ? null : c.tracingConfig().modeAsString()),
      wire(VPC, Packages.ANY, (r, v) -> {
        if (v != null) {
          r.vpcConfig(vpc(v));
        }
      }, (r, v) -> r.vpcConfig(v == null ? VpcConfig.builder().subnetIds(List.of()).securityGroupIds(List.of()).build()
          : vpc(v)), FunctionConfigs::vpc),
      wire(LAYERS, Packages.ZIP, (r, v) -> {
        if (!v.isEmpty()) {
          r.layers(v);
        }
      }, (r, v) -> r.layers(v), c -> c.hasLayers() ? c.layers().stream().map(Layer::arn).toList() : null),
      wire(DEAD_LETTER_TARGET_ARN, Packages.ANY, (r, v) -> {
        if (v != null) {
          r.deadLetterConfig(d -> d.targetArn(v));
        }
      }, (r, v) -> r.deadLetterConfig(d -> d.targetArn(v == null ? "" : v)),
          c -> c.deadLetterConfig() == null ? null : blankToNull(c.deadLetterConfig().targetArn())),
      // Only when the spec sets it: AWS keeps its own log group and format otherwise.
      wire(LOGGING, Packages.ANY, (r, v) -> {
        if (v != null) {
          r.loggingConfig(logging(v));
        }
      }, (r, v) -> {
        if (v != null) {
          r.loggingConfig(logging(v));
        }
      }, FunctionConfigs::logging),
      // Tags are changed with TagResource and UntagResource, and GetFunction reports them apart.
      new Wire<>(TAGS, Packages.ANY, (r, v) -> {
        if (!v.isEmpty()) {
          r.tags(v);
        }
      }, null, (c, tags) -> tags == null ? null : new TreeMap<>(tags)),
      // An image without overrides is updated with empty ones, which clears those set before.
      wire(IMAGE_CONFIG, Packages.IMAGE, (r, v) -> {
        if (v != null) {
          r.imageConfig(imageConfig(v));
        }
      }, (r, v) -> r.imageConfig(v == null ? ImageConfig.builder().build() : imageConfig(v)), FunctionConfigs::image));

  static {
    List<String> missing = FunctionConfig.FIELDS.stream()
        .filter(field -> WIRES.stream().noneMatch(w -> w.field() == field)).map(Field::name).toList();
    if (!missing.isEmpty() || WIRES.size() != FunctionConfig.FIELDS.size()) {
      throw new IllegalStateException("FunctionConfigs needs exactly one entry per FunctionConfig field; missing: "
          + missing);
    }
  }

  static CreateFunctionRequest createRequest(FunctionConfig config, CodeSource code) {
    boolean image = code instanceof CodeSource.Image;
    CreateFunctionRequest.Builder request = CreateFunctionRequest.builder()
        .packageType(image ? PackageType.IMAGE : PackageType.ZIP)
        .code(functionCode(code))
        .publish(false);
    WIRES.forEach(w -> w.create(request, config, image));
    return request.build();
  }

  static UpdateFunctionConfigurationRequest updateConfigurationRequest(FunctionConfig config, boolean image,
      String revisionId) {
    UpdateFunctionConfigurationRequest.Builder request = UpdateFunctionConfigurationRequest.builder()
        .revisionId(revisionId);
    WIRES.forEach(w -> w.update(request, config, image));
    return request.build();
  }

  static UpdateFunctionCodeRequest updateCodeRequest(String name, CodeSource code, String architecture,
      String revisionId) {
    UpdateFunctionCodeRequest.Builder request = UpdateFunctionCodeRequest.builder()
        .functionName(name)
        .architecturesWithStrings(architecture)
        .revisionId(revisionId)
        .publish(false);
    if (code instanceof CodeSource.Zip zip) {
      request.zipFile(SdkBytes.fromByteArray(zip.bytes()));
    } else if (code instanceof CodeSource.S3 s3) {
      request.s3Bucket(s3.bucket()).s3Key(s3.key()).s3ObjectVersion(s3.objectVersion());
    } else {
      request.imageUri(((CodeSource.Image) code).uri());
    }
    return request.build();
  }

  /** The observed configuration, in the same normal form as the desired one. */
  public static FunctionConfig fromAws(FunctionConfiguration c, Map<String, String> tags) {
    FunctionConfig.Builder config = FunctionConfig.builder();
    WIRES.forEach(w -> w.read(c, tags, config));
    return config.build();
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  private static VpcConfig vpc(FunctionConfig.Vpc vpc) {
    return VpcConfig.builder()
        .subnetIds(vpc.subnetIds())
        .securityGroupIds(vpc.securityGroupIds())
        .ipv6AllowedForDualStack(vpc.ipv6AllowedForDualStack())
        .build();
  }

  /** No subnets is no VPC, as AWS reports a function outside any. */
  private static FunctionConfig.Vpc vpc(FunctionConfiguration c) {
    if (c.vpcConfig() == null || !c.vpcConfig().hasSubnetIds() || c.vpcConfig().subnetIds().isEmpty()) {
      return null;
    }
    return new FunctionConfig.Vpc(List.copyOf(c.vpcConfig().subnetIds()), List.copyOf(c.vpcConfig().securityGroupIds()),
        Boolean.TRUE.equals(c.vpcConfig().ipv6AllowedForDualStack()) ? Boolean.TRUE : null);
  }

  private static ImageConfig imageConfig(FunctionConfig.ImageOverrides image) {
    return ImageConfig.builder()
        .command(image.command())
        .entryPoint(image.entryPoint())
        .workingDirectory(image.workingDirectory())
        .build();
  }

  private static FunctionConfig.ImageOverrides image(FunctionConfiguration c) {
    if (c.imageConfigResponse() == null || c.imageConfigResponse().imageConfig() == null) {
      return null;
    }
    ImageConfig ic = c.imageConfigResponse().imageConfig();
    return FunctionConfig.ImageOverrides.of(ic.hasCommand() ? ic.command() : null,
        ic.hasEntryPoint() ? ic.entryPoint() : null, ic.workingDirectory());
  }

  private static LoggingConfig logging(FunctionConfig.Logging logging) {
    return LoggingConfig.builder()
        .logGroup(logging.logGroup())
        .logFormat(logging.logFormat())
        .applicationLogLevel(logging.applicationLogLevel())
        .systemLogLevel(logging.systemLogLevel())
        .build();
  }

  private static FunctionConfig.Logging logging(FunctionConfiguration c) {
    LoggingConfig l = c.loggingConfig();
    return l == null ? null : new FunctionConfig.Logging(l.logGroup(), l.logFormatAsString(),
        l.applicationLogLevelAsString(), l.systemLogLevelAsString());
  }

  private static FunctionCode functionCode(CodeSource code) {
    if (code instanceof CodeSource.Zip zip) {
      return FunctionCode.builder().zipFile(SdkBytes.fromByteArray(zip.bytes())).build();
    }
    if (code instanceof CodeSource.S3 s3) {
      return FunctionCode.builder().s3Bucket(s3.bucket()).s3Key(s3.key()).s3ObjectVersion(s3.objectVersion()).build();
    }
    return FunctionCode.builder().imageUri(((CodeSource.Image) code).uri()).build();
  }
}
