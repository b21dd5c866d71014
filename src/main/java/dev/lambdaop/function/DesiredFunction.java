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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A LambdaFunction's spec resolved into what AWS should hold: configuration, code source, region, and a digest of
 * both that identifies one publishable (code, configuration) pair. Pure apart from the {@link ReferenceResolver}.
 *
 * @param region the AWS region
 * @param config the function configuration, references resolved
 * @param code where the code comes from
 * @param specDigest digest of what a published version captures (code identity and configuration; not tags): it
 *     names versions, so it never changes for a spec that did not change what a version holds
 * @param attemptDigest digest of everything the spec asks of the operator ({@link #attemptDigest(LambdaFunctionSpec,
 *     String, FunctionConfig, CodeSource, DigestKey)}): a spec AWS refused is remembered by it, so that any change
 *     of the spec (or of a referenced value) is tried again
 * @param secretVariables names of the environment variables whose value comes from a Secret
 */
public record DesiredFunction(String region, FunctionConfig config, CodeSource code, String specDigest,
    String attemptDigest, Set<String> secretVariables) {
  /** Tag the operator puts on every function it creates, naming the resource that owns it ({@link Owner}). */
  public static final String OWNER_TAG = Owner.FUNCTION_TAG;

  /**
   * Lambda's limit on the environment, measured as AWS measures it: the UTF-8 bytes of the JSON of the Variables map
   * ({@code {"NAME":"value",...}}, JSON-escaped), as its own error quotes ("String measured: {...}").
   */
  public static final int ENVIRONMENT_LIMIT_BYTES = 4096;

  /** Plain JSON, as AWS serialises the Variables map: the size depends only on escaping, not on key order. */
  private static final ObjectMapper JSON = JsonMapper.builder().build();

  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();

  /** Looks up the current state of an S3 object (a read; the reconciler passes the AWS adapter). */
  @FunctionalInterface
  public interface S3Objects {
    Optional<CodeObjects.ObjectState> head(String region, String bucket, String key, String versionId);
  }

  /**
   * Resolves the spec: the function and region {@code functions} says, the code source, references read; the digest
   * is keyed with {@code key} when a value comes from a Secret (see {@link #digest}).
   */
  public static DesiredFunction resolve(LambdaFunction resource, FunctionResolver functions,
      ReferenceResolver references, S3Objects s3, DigestKey key) {
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
    Set<String> fromSecrets = secretVariables(spec.environment);
    DigestKey keyed = fromSecrets.isEmpty() ? null : key;
    return new DesiredFunction(target.region(), config, code, digest(config, code, keyed),
        attemptDigest(spec, target.region(), config, code, keyed), fromSecrets);
  }

  /** What must not leave the reconcile: this function's environment values (see {@link EnvironmentRedaction}). */
  EnvironmentRedaction redaction() {
    return EnvironmentRedaction.of(config.environment(), secretVariables);
  }

  private static Set<String> secretVariables(List<EnvVar> variables) {
    return variables == null ? Set.of() : variables.stream()
        .filter(v -> v.valueFrom != null && v.valueFrom.secretKeyRef != null)
        .map(v -> v.name)
        .collect(Collectors.toUnmodifiableSet());
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
    }
    int size = environmentSize(resolved);
    if (size > ENVIRONMENT_LIMIT_BYTES) {
      throw new SpecProblem("EnvironmentTooLarge", "environment variables take " + size + " bytes (as JSON, names and"
          + " values, after resolving references); Lambda allows " + ENVIRONMENT_LIMIT_BYTES
          + ". Move large values to S3, SSM Parameter Store or Secrets Manager and pass their names instead.");
    }
    return resolved;
  }

  /** The environment's size as AWS measures it: the bytes of {@code {"NAME":"value",...}} in UTF-8. */
  static int environmentSize(Map<String, String> variables) {
    try {
      return JSON.writeValueAsBytes(variables).length;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise the environment", e);
    }
  }

  /**
   * A digest of code identity and versioned configuration (tags are not versioned): 64 bits, hex. It is published
   * (status, version description), so a spec with a Secret value is digested with HMAC-SHA256 under the
   * installation's {@code key}: without the key, nobody can try candidate values against it. A spec without Secret
   * values ({@code key} null) keeps the plain SHA-256 of earlier releases, so that upgrading publishes no new version
   * of it; only functions with Secret values publish one once.
   */
  static String digest(FunctionConfig config, CodeSource code, DigestKey key) {
    Map<String, Object> versioned = new LinkedHashMap<>();
    versioned.put("code", code.identity());
    versioned.put("config", config.versioned());
    return hash(versioned, key);
  }

  /**
   * A digest of everything the spec asks of the operator, by rule rather than by list: the whole spec as written
   * (every field, present and future: tags, versions, deletionPolicy, ...), and what it resolves to (region, every
   * configuration field with its references' values and the owner tag, the code's identity, such as the S3 object's
   * ETag). Any change to any of them is a new attempt. Keyed like {@link #digest} when a value comes from a Secret:
   * the status shows it. Not a version's name: a change here that leaves {@link #specDigest()} alone publishes
   * nothing.
   */
  static String attemptDigest(LambdaFunctionSpec spec, String region, FunctionConfig config, CodeSource code,
      DigestKey key) {
    Map<String, Object> attempt = new LinkedHashMap<>();
    attempt.put("spec", spec);
    attempt.put("region", region);
    attempt.put("code", code.identity());
    SortedMap<String, Object> resolved = new TreeMap<>();
    FunctionConfig.FIELDS.forEach(field -> resolved.put(field.name(), config.get(field)));
    attempt.put("config", resolved);
    return hash(attempt, key);
  }

  private static String hash(Object value, DigestKey key) {
    try {
      byte[] json = CANONICAL.writeValueAsBytes(value);
      String hex = key == null ? HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json))
          : key.hex(json);
      return hex.substring(0, 16);
    } catch (JsonProcessingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot digest the function spec", e);
    }
  }
}
