package dev.lambdaop.aws;

import static dev.lambdaop.aws.FunctionConfig.ARCHITECTURE;
import static dev.lambdaop.aws.FunctionConfig.DEAD_LETTER_TARGET_ARN;
import static dev.lambdaop.aws.FunctionConfig.DESCRIPTION;
import static dev.lambdaop.aws.FunctionConfig.ENVIRONMENT;
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
import static dev.lambdaop.aws.FunctionConfig.VPC;

import dev.lambdaop.reconcile.AwsFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * One function of {@link InMemoryAws}: $LATEST, its published versions, its aliases and its reserved concurrency,
 * with the rules AWS applies to writes (revision checks, no write while an update runs, versions in use). Refusals
 * are the {@link AwsFailure}s the SDK adapter raises for AWS's answer. Not thread-safe: InMemoryAws locks.
 */
final class InMemoryFunction {
  /** How the next create or update of $LATEST ends. */
  enum Outcome { SUCCEEDS, STAYS_IN_PROGRESS, FAILS }

  /** A published version: an immutable copy of $LATEST when it was published. */
  record Version(String number, FunctionConfig config, String codeSha256, String description, String lastModified) {
    VersionSnapshot snapshot() {
      return new VersionSnapshot(number, codeSha256, description, lastModified);
    }
  }

  /** An alias: {@code version} gets what {@code additionalVersion} (if any) does not. */
  record Alias(String name, String version, String additionalVersion, double additionalWeight, String description,
      String revisionId) {}

  final String region;
  final String name;
  final String arn;
  private final boolean image;
  private final Supplier<String> revisions;
  private FunctionConfig config;
  private String codeSha256;
  private String imageUri;
  private String state;
  private String stateReason;
  private String lastUpdateStatus;
  private String lastUpdateStatusReason;
  private String revisionId;
  private final TreeMap<Integer, Version> versions = new TreeMap<>();
  private int lastVersionNumber;
  private final Map<String, Alias> aliases = new TreeMap<>();
  private Integer reserved;

  /** A new function, as CreateFunction leaves it ({@code config} as AWS reports it, tags included). */
  InMemoryFunction(String region, FunctionConfig config, CodeSource code, String codeSha256, Supplier<String> revisions,
      Outcome outcome, String failureReason) {
    this.region = region;
    this.name = config.functionName();
    this.arn = "arn:aws:lambda:" + region + ":" + InMemoryAws.ACCOUNT + ":function:" + name;
    this.image = code instanceof CodeSource.Image;
    this.revisions = revisions;
    this.config = config;
    setCode(code, codeSha256);
    this.revisionId = revisions.get();
    switch (outcome) {
      case SUCCEEDS -> settle();
      case STAYS_IN_PROGRESS -> setState("Pending", "The function is being created.", "InProgress", null);
      case FAILS -> setState("Failed", failureReason, "Failed", failureReason);
    }
  }

  boolean image() {
    return image;
  }

  FunctionConfig config() {
    return config;
  }

  String codeSha256() {
    return codeSha256;
  }

  FunctionSnapshot snapshot() {
    return new FunctionSnapshot(name, arn, state, stateReason, lastUpdateStatus, lastUpdateStatusReason, codeSha256,
        revisionId);
  }

  ObservedFunction observed() {
    return new ObservedFunction(snapshot(), config, image ? imageUri : null);
  }

  /** The create or update in progress ends well. */
  void settle() {
    setState("Active", null, "Successful", null);
  }

  // --- $LATEST ---

  /** A write to $LATEST: refused while an update runs, or when {@code expectedRevision} is not the current one. */
  void checkWritable(String operation, String expectedRevision) {
    if (!snapshot().settled()) {
      throw AwsFailures.conflict(operation, "The operation cannot be performed at this time. An update is in progress"
          + " for resource: " + arn);
    }
    if (expectedRevision != null && !expectedRevision.equals(revisionId)) {
      throw AwsFailures.revisionMismatch(operation);
    }
  }

  void updateCode(CodeSource code, String newCodeSha256, String architecture, Outcome outcome, String failureReason) {
    setCode(code, newCodeSha256);
    if (architecture != null) {
      config = config.with(ARCHITECTURE, architecture);
    }
    written(outcome, failureReason);
  }

  /** How AWS reports $LATEST after an UpdateFunctionConfiguration of {@code sent}: architecture and logging kept. */
  FunctionConfig reportedAfterUpdate(FunctionConfig sent, SortedMap<String, String> tags) {
    return asReported(sent, image, config.get(LOGGING), tags).with(ARCHITECTURE, config.get(ARCHITECTURE));
  }

  /** Replaces the configuration of $LATEST with {@code reported}, as AWS reports it. */
  void updateConfiguration(FunctionConfig reported, Outcome outcome, String failureReason) {
    config = reported;
    written(outcome, failureReason);
  }

  /** Tags are not versioned: no new revision. */
  void tag(Map<String, String> tags) {
    SortedMap<String, String> merged = new TreeMap<>(config.tags());
    merged.putAll(tags);
    config = config.withTags(merged);
  }

  void untag(Iterable<String> keys) {
    SortedMap<String, String> left = new TreeMap<>(config.tags());
    keys.forEach(left::remove);
    config = config.withTags(left);
  }

  private void written(Outcome outcome, String failureReason) {
    revisionId = revisions.get();
    switch (outcome) {
      case SUCCEEDS -> settle();
      case STAYS_IN_PROGRESS -> setState("Active", null, "InProgress", null);
      case FAILS -> setState("Active", null, "Failed", failureReason);
    }
  }

  private void setCode(CodeSource code, String sha) {
    codeSha256 = sha;
    imageUri = code instanceof CodeSource.Image i ? i.uri() : null;
  }

  private void setState(String state, String stateReason, String lastUpdateStatus, String lastUpdateStatusReason) {
    this.state = state;
    this.stateReason = stateReason;
    this.lastUpdateStatus = lastUpdateStatus;
    this.lastUpdateStatusReason = lastUpdateStatusReason;
  }

  // --- versions ---

  /**
   * PublishVersion: refuses other code than planned; when $LATEST did not change since the newest version, AWS
   * publishes nothing and answers with that version.
   */
  Version publish(String expectedCodeSha256, String expectedRevision, String description, String now) {
    checkWritable("PublishVersion", expectedRevision);
    if (expectedCodeSha256 != null && !expectedCodeSha256.equals(codeSha256)) {
      throw AwsFailures.invalidParameter("PublishVersion", "CodeSHA256 (" + expectedCodeSha256 + ") is different"
          + " from current CodeSHA256 in $LATEST (" + codeSha256 + "). Please try again with the current CodeSHA256.");
    }
    if (!versions.isEmpty()) {
      Version newest = versions.lastEntry().getValue();
      if (newest.codeSha256().equals(codeSha256) && newest.config().equals(config.withTags(null))) {
        return newest;
      }
    }
    lastVersionNumber++;
    Version v = new Version(String.valueOf(lastVersionNumber), config.withTags(null), codeSha256,
        description == null ? "" : description, now);
    versions.put(lastVersionNumber, v);
    return v;
  }

  List<Version> versions() {
    return new ArrayList<>(versions.values());
  }

  /** A published version, or $LATEST (as a version that is not stored). */
  Optional<Version> version(String qualifier) {
    if ("$LATEST".equals(qualifier)) {
      return Optional.of(new Version("$LATEST", config.withTags(null), codeSha256, config.get(DESCRIPTION), null));
    }
    try {
      return Optional.ofNullable(versions.get(Integer.parseInt(qualifier)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Deletes a version; false when there is none. AWS refuses while an alias routes to it. */
  boolean deleteVersion(String number) {
    if ("$LATEST".equals(number)) {
      throw AwsFailures.invalidParameter("DeleteFunction", "$LATEST version cannot be deleted without deleting all"
          + " versions and aliases");
    }
    if (version(number).isEmpty()) {
      return false;
    }
    List<String> users = aliases.values().stream()
        .filter(a -> number.equals(a.version()) || number.equals(a.additionalVersion()))
        .map(Alias::name).toList();
    if (!users.isEmpty()) {
      throw AwsFailures.conflict("DeleteFunction", "Unable to delete version because the following aliases reference"
          + " it: " + users);
    }
    versions.remove(Integer.parseInt(number));
    return true;
  }

  // --- aliases ---

  Optional<AliasSnapshot> alias(String alias) {
    return Optional.ofNullable(aliases.get(alias)).map(this::aliasSnapshot);
  }

  /** CreateAlias (no current alias) or UpdateAlias; {@code expectedRevision} is checked when not null. */
  AliasSnapshot route(String operation, AliasRouting routing, String expectedRevision) {
    Alias current = aliases.get(routing.alias());
    if ("CreateAlias".equals(operation) && current != null) {
      throw AwsFailures.conflict(operation, "Alias already exists: " + arn + ":" + routing.alias());
    }
    if ("UpdateAlias".equals(operation) && current == null) {
      throw AwsFailures.notFound(operation, "Alias not found: " + arn + ":" + routing.alias());
    }
    if (current != null && expectedRevision != null && !expectedRevision.equals(current.revisionId())) {
      throw AwsFailures.revisionMismatch(operation);
    }
    checkRouting(operation, routing);
    Alias written = new Alias(routing.alias(), routing.version(), routing.additionalVersion(),
        routing.additionalVersion() == null ? 0 : routing.additionalWeight(),
        routing.description() == null ? "" : routing.description(), revisions.get());
    aliases.put(written.name(), written);
    return aliasSnapshot(written);
  }

  /** AWS routes one alias to at most two published versions that share execution role and dead-letter target. */
  private void checkRouting(String operation, AliasRouting routing) {
    Version primary = version(routing.version()).orElseThrow(() -> AwsFailures.notFound(operation,
        "Function not found: " + arn + ":" + routing.version()));
    String additional = routing.additionalVersion();
    if (additional == null) {
      return;
    }
    Version second = version(additional).orElseThrow(() -> AwsFailures.notFound(operation,
        "Function not found: " + arn + ":" + additional));
    if ("$LATEST".equals(routing.version()) || "$LATEST".equals(additional)) {
      throw AwsFailures.invalidParameter(operation, "$LATEST is not supported for an alias pointing to more than 1"
          + " version");
    }
    if (additional.equals(routing.version())) {
      throw AwsFailures.invalidParameter(operation, "Invalid function version " + additional + ". Function version "
          + additional + " is already included in primary version");
    }
    if (routing.additionalWeight() < 0 || routing.additionalWeight() > 1) {
      throw AwsFailures.invalidParameter(operation, "1 validation error detected: Value at"
          + " 'routingConfig.additionalVersionWeights' failed to satisfy constraint: weights must be between 0.0"
          + " and 1.0");
    }
    if (!Objects.equals(primary.config().get(ROLE), second.config().get(ROLE))
        || !Objects.equals(primary.config().get(DEAD_LETTER_TARGET_ARN),
            second.config().get(DEAD_LETTER_TARGET_ARN))) {
      throw AwsFailures.invalidParameter(operation, "Alias with weights can not be used with function versions"
          + " that have a different execution role or dead letter queue config");
    }
  }

  boolean deleteAlias(String alias) {
    return aliases.remove(alias) != null;
  }

  /** The versions aliases route to, as ListAliases shows them. */
  Set<String> versionsInUse() {
    Set<String> used = new TreeSet<>();
    for (Alias a : aliases.values()) {
      used.add(a.version());
      if (a.additionalVersion() != null) {
        used.add(a.additionalVersion());
      }
    }
    return used;
  }

  private AliasSnapshot aliasSnapshot(Alias a) {
    return new AliasSnapshot(a.name(), arn + ":" + a.name(), a.version(), a.description(), a.additionalVersion(),
        a.additionalWeight(), a.revisionId());
  }

  // --- reserved concurrency ---

  Optional<Integer> reserved() {
    return Optional.ofNullable(reserved);
  }

  void reserve(Integer value) {
    reserved = value;
  }

  // --- configurations as AWS takes and reports them ---

  /** The checks AWS makes of every configuration it is sent. */
  static void validate(String operation, FunctionConfig config, boolean image) {
    String role = config.get(ROLE);
    if (role == null || role.isBlank()) {
      throw AwsFailures.invalidParameter(operation, "1 validation error detected: Value null at 'role' failed to"
          + " satisfy constraint: Member must not be null");
    }
    if (!image && (config.get(RUNTIME) == null || config.get(HANDLER) == null)) {
      throw AwsFailures.invalidParameter(operation, "Runtime and Handler are mandatory parameters for functions"
          + " created with deployment packages.");
    }
    int memory = config.get(MEMORY_SIZE);
    if (memory < 128 || memory > 10240) {
      throw AwsFailures.invalidParameter(operation, "'MemorySize' value failed to satisfy constraint: Member must"
          + " have value between 128 and 10240");
    }
    int timeout = config.get(TIMEOUT);
    if (timeout < 1 || timeout > 900) {
      throw AwsFailures.invalidParameter(operation, "'Timeout' value failed to satisfy constraint: Member must have"
          + " value between 1 and 900");
    }
  }

  /**
   * The configuration as GetFunction reports it after a write of {@code c}: AWS's defaults filled in (a field's
   * {@link FunctionConfig.Field#unset()}) and empty values as the adapter reads them, only the settings of the package
   * type, logging kept when not sent. Fields not named here are reported as sent.
   */
  static FunctionConfig asReported(FunctionConfig c, boolean image, FunctionConfig.Logging previousLogging,
      SortedMap<String, String> tags) {
    FunctionConfig.Vpc sentVpc = c.get(VPC);
    FunctionConfig.Vpc vpc = sentVpc == null || sentVpc.subnetIds() == null || sentVpc.subnetIds().isEmpty() ? null
        : new FunctionConfig.Vpc(List.copyOf(sentVpc.subnetIds()), List.copyOf(sentVpc.securityGroupIds()),
            Boolean.TRUE.equals(sentVpc.ipv6AllowedForDualStack()) ? Boolean.TRUE : null);
    FunctionConfig.ImageOverrides overrides = c.get(IMAGE_CONFIG);
    return c
        .with(RUNTIME, image ? null : c.get(RUNTIME))
        .with(HANDLER, image ? null : c.get(HANDLER))
        .with(ENVIRONMENT, new TreeMap<>(c.get(ENVIRONMENT)))
        .with(KMS_KEY_ARN, blankToNull(c.get(KMS_KEY_ARN)))
        .with(VPC, vpc)
        .with(LAYERS, image ? List.of() : List.copyOf(c.get(LAYERS)))
        .with(DEAD_LETTER_TARGET_ARN, blankToNull(c.get(DEAD_LETTER_TARGET_ARN)))
        .with(LOGGING, logging(c.functionName(), c.get(LOGGING), previousLogging))
        .with(TAGS, tags)
        .with(IMAGE_CONFIG, image && overrides != null ? FunctionConfig.ImageOverrides.of(overrides.command(),
            overrides.entryPoint(), overrides.workingDirectory()) : null);
  }

  /** AWS always reports a logging configuration: its log group and Text format unless told otherwise. */
  private static FunctionConfig.Logging logging(String name, FunctionConfig.Logging wanted,
      FunctionConfig.Logging previous) {
    if (wanted == null) {
      return previous != null ? previous : new FunctionConfig.Logging("/aws/lambda/" + name, "Text", null, null);
    }
    String format = wanted.logFormat() == null ? "Text" : wanted.logFormat();
    String defaultLevel = "JSON".equals(format) ? "INFO" : null;
    return new FunctionConfig.Logging(wanted.logGroup() == null ? "/aws/lambda/" + name : wanted.logGroup(), format,
        wanted.applicationLogLevel() == null ? defaultLevel : wanted.applicationLogLevel(),
        wanted.systemLogLevel() == null ? defaultLevel : wanted.systemLogLevel());
  }

  private static String blankToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
