package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionConfig;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.DeadLetterConfig;
import software.amazon.awssdk.services.lambda.model.EphemeralStorage;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.FunctionCode;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.ImageConfig;
import software.amazon.awssdk.services.lambda.model.Layer;
import software.amazon.awssdk.services.lambda.model.LoggingConfig;
import software.amazon.awssdk.services.lambda.model.PackageType;
import software.amazon.awssdk.services.lambda.model.TracingConfig;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionCodeRequest;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionConfigurationRequest;
import software.amazon.awssdk.services.lambda.model.VpcConfig;

/**
 * Translates between {@link FunctionConfig} and the Lambda API's request and response shapes. AWS defaults are made
 * explicit on both sides (tracing PassThrough, 512 MB of /tmp, no KMS key, no VPC) so that the desired and the
 * observed configuration compare equal exactly when nothing needs to change.
 */
public final class FunctionConfigs {
  private FunctionConfigs() {}

  static CreateFunctionRequest createRequest(FunctionConfig config, CodeSource code) {
    CreateFunctionRequest.Builder request = CreateFunctionRequest.builder()
        .functionName(config.functionName())
        .role(config.role())
        .description(config.description())
        .memorySize(config.memorySize())
        .timeout(config.timeout())
        .architecturesWithStrings(config.architecture())
        .ephemeralStorage(EphemeralStorage.builder().size(config.ephemeralStorageSize()).build())
        .tracingConfig(TracingConfig.builder().mode(config.tracingMode()).build())
        .publish(false)
        .code(functionCode(code));
    if (code instanceof CodeSource.Image) {
      request.packageType(PackageType.IMAGE);
      if (config.imageConfig() != null) {
        request.imageConfig(imageConfig(config.imageConfig()));
      }
    } else {
      request.packageType(PackageType.ZIP).runtime(config.runtime()).handler(config.handler());
    }
    if (!config.environment().isEmpty()) {
      request.environment(Environment.builder().variables(config.environment()).build());
    }
    if (config.kmsKeyArn() != null) {
      request.kmsKeyArn(config.kmsKeyArn());
    }
    if (config.vpc() != null) {
      request.vpcConfig(vpc(config.vpc()));
    }
    if (!config.layers().isEmpty()) {
      request.layers(config.layers());
    }
    if (config.deadLetterTargetArn() != null) {
      request.deadLetterConfig(DeadLetterConfig.builder().targetArn(config.deadLetterTargetArn()).build());
    }
    if (config.logging() != null) {
      request.loggingConfig(logging(config.logging()));
    }
    if (config.tags() != null && !config.tags().isEmpty()) {
      request.tags(config.tags());
    }
    return request.build();
  }

  /** Every configurable field is sent, so that a setting removed from the spec is removed in AWS too. */
  static UpdateFunctionConfigurationRequest updateConfigurationRequest(FunctionConfig config, boolean image,
      String revisionId) {
    UpdateFunctionConfigurationRequest.Builder request = UpdateFunctionConfigurationRequest.builder()
        .functionName(config.functionName())
        .revisionId(revisionId)
        .role(config.role())
        .description(config.description())
        .memorySize(config.memorySize())
        .timeout(config.timeout())
        .ephemeralStorage(EphemeralStorage.builder().size(config.ephemeralStorageSize()).build())
        .environment(Environment.builder().variables(config.environment()).build())
        .kmsKeyArn(config.kmsKeyArn() == null ? "" : config.kmsKeyArn())
        .tracingConfig(TracingConfig.builder().mode(config.tracingMode()).build())
        .vpcConfig(config.vpc() == null
            ? VpcConfig.builder().subnetIds(List.of()).securityGroupIds(List.of()).build()
            : vpc(config.vpc()))
        .deadLetterConfig(DeadLetterConfig.builder()
            .targetArn(config.deadLetterTargetArn() == null ? "" : config.deadLetterTargetArn()).build());
    if (image) {
      request.imageConfig(config.imageConfig() == null ? ImageConfig.builder().build() : imageConfig(config.imageConfig()));
    } else {
      request.runtime(config.runtime()).handler(config.handler()).layers(config.layers());
    }
    if (config.logging() != null) {
      request.loggingConfig(logging(config.logging()));
    }
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
    SortedMap<String, String> environment = new TreeMap<>();
    if (c.environment() != null && c.environment().variables() != null) {
      environment.putAll(c.environment().variables());
    }
    FunctionConfig.Vpc vpc = null;
    if (c.vpcConfig() != null && c.vpcConfig().hasSubnetIds() && !c.vpcConfig().subnetIds().isEmpty()) {
      vpc = new FunctionConfig.Vpc(List.copyOf(c.vpcConfig().subnetIds()), List.copyOf(c.vpcConfig().securityGroupIds()),
          Boolean.TRUE.equals(c.vpcConfig().ipv6AllowedForDualStack()) ? Boolean.TRUE : null);
    }
    FunctionConfig.Logging logging = null;
    if (c.loggingConfig() != null) {
      logging = new FunctionConfig.Logging(c.loggingConfig().logGroup(), c.loggingConfig().logFormatAsString(),
          c.loggingConfig().applicationLogLevelAsString(), c.loggingConfig().systemLogLevelAsString());
    }
    FunctionConfig.ImageOverrides image = null;
    if (c.imageConfigResponse() != null && c.imageConfigResponse().imageConfig() != null) {
      var ic = c.imageConfigResponse().imageConfig();
      image = FunctionConfig.ImageOverrides.of(ic.hasCommand() ? ic.command() : null,
          ic.hasEntryPoint() ? ic.entryPoint() : null, ic.workingDirectory());
    }
    return new FunctionConfig(
        c.functionName(),
        c.role(),
        c.runtimeAsString(),
        c.handler(),
        c.description() == null ? "" : c.description(),
        c.memorySize() == null ? 128 : c.memorySize(),
        c.timeout() == null ? 3 : c.timeout(),
        c.hasArchitectures() && !c.architectures().isEmpty() ? c.architecturesAsStrings().get(0)
            : FunctionConfig.DEFAULT_ARCHITECTURE,
        c.ephemeralStorage() == null ? FunctionConfig.DEFAULT_EPHEMERAL_STORAGE_MB : c.ephemeralStorage().size(),
        environment,
        blankToNull(c.kmsKeyArn()),
        c.tracingConfig() == null || c.tracingConfig().mode() == null ? FunctionConfig.DEFAULT_TRACING_MODE
            : c.tracingConfig().modeAsString(),
        vpc,
        c.hasLayers() ? c.layers().stream().map(Layer::arn).toList() : List.of(),
        c.deadLetterConfig() == null ? null : blankToNull(c.deadLetterConfig().targetArn()),
        logging,
        tags == null ? new TreeMap<>() : new TreeMap<>(tags),
        image);
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

  private static ImageConfig imageConfig(FunctionConfig.ImageOverrides image) {
    return ImageConfig.builder()
        .command(image.command())
        .entryPoint(image.entryPoint())
        .workingDirectory(image.workingDirectory())
        .build();
  }

  private static LoggingConfig logging(FunctionConfig.Logging logging) {
    return LoggingConfig.builder()
        .logGroup(logging.logGroup())
        .logFormat(logging.logFormat())
        .applicationLogLevel(logging.applicationLogLevel())
        .systemLogLevel(logging.systemLogLevel())
        .build();
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
