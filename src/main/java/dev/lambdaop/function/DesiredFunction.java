package dev.lambdaop.function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.api.LambdaFunctionSpec.EnvVar;
import dev.lambdaop.aws.CodeObjects;
import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionConfig;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.Owner;
import dev.lambdaop.reconcile.SpecProblem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A LambdaFunction's spec resolved into what AWS should hold: configuration, code source, region, and a digest of
 * both that identifies one publishable (code, configuration) pair. Pure apart from the {@link ReferenceResolver}.
 *
 * @param region the AWS region
 * @param config the function configuration, references resolved
 * @param code where the code comes from
 * @param specDigest digest of what a published version captures (code identity and configuration; not tags)
 */
public record DesiredFunction(String region, FunctionConfig config, CodeSource code, String specDigest) {
  /** Tag the operator puts on every function it creates, naming the resource that owns it ({@link Owner}). */
  public static final String OWNER_TAG = Owner.FUNCTION_TAG;

  /** Lambda's limit on the aggregate size of environment variable names and values. */
  public static final int ENVIRONMENT_LIMIT_BYTES = 4096;

  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  /** Looks up the current state of an S3 object (a read; the reconciler passes the AWS adapter). */
  @FunctionalInterface
  public interface S3Objects {
    Optional<CodeObjects.ObjectState> head(String region, String bucket, String key, String versionId);
  }

  /** Resolves the spec: the function and region {@code functions} says, the code source, references read. */
  public static DesiredFunction resolve(LambdaFunction resource, FunctionResolver functions,
      ReferenceResolver references, S3Objects s3) {
    LambdaFunctionSpec spec = resource.getSpec();
    if (spec == null || spec.code == null) {
      throw new SpecProblem("InvalidSpec", "spec.code is required");
    }
    FunctionResolver.Target target = functions.own(resource);
    CodeSource code = code(spec.code, target.region(), s3);
    FunctionConfig config = FunctionConfig.fromSpec(spec)
        .with(FunctionConfig.FUNCTION_NAME, target.functionName())
        .with(FunctionConfig.ENVIRONMENT, environment(spec.environment, references))
        .with(FunctionConfig.TAGS, tags(spec.tags, functions.owner(resource).value()));
    return new DesiredFunction(target.region(), config, code, digest(config, code));
  }

  private static SortedMap<String, String> tags(Map<String, String> specTags, String owner) {
    SortedMap<String, String> tags = specTags == null ? new TreeMap<>() : new TreeMap<>(specTags);
    tags.put(OWNER_TAG, owner);
    return tags;
  }

  /** Whether versions should be published (default true). */
  public static boolean publishes(LambdaFunctionSpec spec) {
    return spec.versions == null || spec.versions.publish == null || spec.versions.publish;
  }

  static CodeSource code(LambdaFunctionSpec.Code code, String region, S3Objects s3) {
    if (code.inline != null) {
      return DeterministicZip.of(code.inline.files);
    }
    if (code.s3 != null) {
      CodeObjects.ObjectState object = s3.head(region, code.s3.bucket, code.s3.key, code.s3.objectVersion)
          .orElseThrow(() -> new AwsFailure("HeadObject", AwsFailure.Retry.BACKOFF, "CodeNotFound",
              "s3://" + code.s3.bucket + "/" + code.s3.key
                  + (code.s3.objectVersion == null ? "" : " version " + code.s3.objectVersion)
                  + " does not exist in " + region + "; retrying with backoff until it does", null));
      String version = code.s3.objectVersion != null ? code.s3.objectVersion : object.versionId();
      return new CodeSource.S3(code.s3.bucket, code.s3.key, version, object.eTag());
    }
    if (code.imageUri != null) {
      return new CodeSource.Image(code.imageUri);
    }
    throw new SpecProblem("InvalidSpec", "spec.code needs one of s3, imageUri or inline");
  }

  static SortedMap<String, String> environment(List<EnvVar> variables, ReferenceResolver references) {
    SortedMap<String, String> resolved = new TreeMap<>();
    if (variables == null) {
      return resolved;
    }
    int size = 0;
    for (EnvVar variable : variables) {
      String value;
      if (variable.valueFrom == null) {
        value = variable.value == null ? "" : variable.value;
      } else if (variable.valueFrom.secretKeyRef != null) {
        value = references.secretValue(variable.valueFrom.secretKeyRef.name, variable.valueFrom.secretKeyRef.key);
      } else {
        value = references.configMapValue(variable.valueFrom.configMapKeyRef.name, variable.valueFrom.configMapKeyRef.key);
      }
      resolved.put(variable.name, value);
      size += variable.name.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length;
    }
    if (size > ENVIRONMENT_LIMIT_BYTES) {
      throw new SpecProblem("EnvironmentTooLarge", "environment variables take " + size + " bytes (names and values,"
          + " after resolving references); Lambda allows " + ENVIRONMENT_LIMIT_BYTES
          + ". Move large values to S3, SSM Parameter Store or Secrets Manager and pass their names instead.");
    }
    return resolved;
  }

  /** A digest of code identity and versioned configuration (tags are not versioned). Secret values enter only hashed. */
  static String digest(FunctionConfig config, CodeSource code) {
    Map<String, Object> versioned = new LinkedHashMap<>();
    versioned.put("code", code.identity());
    versioned.put("config", config.versioned());
    try {
      byte[] json = CANONICAL.writeValueAsBytes(versioned);
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json)).substring(0, 16);
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot digest the function spec", e);
    }
  }
}
