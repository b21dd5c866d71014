package dev.lambdaop.aws;

import dev.lambdaop.aws.InMemoryFunction.Outcome;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.reconcile.AwsFailure;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * AWS Lambda (with the CloudWatch and S3 reads the operator makes) in memory, behind the same ports as the SDK
 * adapter, for fast unit tests of the reconcilers. {@link #aws()} is what a reconciler is given.
 *
 * <p>What it keeps, per region: functions ($LATEST configuration as AWS reports it, code SHA-256, state, a revision
 * id that changes on every write, tags), published versions (1, 2, 3... never reused), aliases with weighted
 * routing, reserved concurrency; alarms, per-version metrics and hook answers; and S3 objects (by bucket, in any
 * region). Refusals are the {@link AwsFailure}s the adapter raises for AWS's answer ({@link AwsFailures}): a stale
 * revision id, a write while an update runs, a version an alias uses, code that is not $LATEST's, a reservation
 * below the account's unreserved minimum. Reads that the adapter turns into "absent" return empty here too.
 *
 * <p>What tests use besides the ports:
 * <ul>
 *   <li>calls: {@link #calls()}, {@link #writes()}, {@link #callLog()}, {@link #resetCalls()}, counted by the AWS
 *       operation names the adapter counts (GetFunction, PublishVersion, UpdateAlias, PutFunctionConcurrency...);
 *   <li>faults: {@link #failNext} (see {@link AwsFailures}), {@link #holdNextUpdate}, {@link #failNextUpdate},
 *       {@link #finishUpdate};
 *   <li>what AWS holds, read without counting: {@link #function}, {@link #versions}, {@link #alias},
 *       {@link #reservedConcurrency}, {@link #invocations}...;
 *   <li>changes made outside the operator: the {@code ...BehindOperator} methods;
 *   <li>the world around: {@link #accountConcurrency}, {@link #codeStorage}, {@link #raiseAlarm},
 *       {@link #recordInvocations}, {@link #answerInvoke}, {@link #holdInvocations} (a hook that runs long),
 *       {@link #putObject}.
 * </ul>
 * Creates and updates end at once (Active, Successful) unless a test holds or fails them.
 * A function may be named by its ARN; a null region is {@link #DEFAULT_REGION}, as the adapter resolves it.
 * Thread-safe (one lock).
 */
public final class InMemoryAws {
  public static final String ACCOUNT = "123456789012";
  public static final String DEFAULT_REGION = "us-east-1";
  public static final String ROLE = "arn:aws:iam::" + ACCOUNT + ":role/lambda-exec";
  /** The concurrency limit of a region whose limit a test did not set (not reported, as by moto). */
  public static final int DEFAULT_ACCOUNT_LIMIT = 1000;
  /** What AWS keeps unreserved in every account. */
  public static final int UNRESERVED_MINIMUM = 100;

  /** One AWS call as the adapter counts it; {@code write} when the adapter sends it as a write. */
  public record Call(String operation, String target, boolean write) {}

  private record PendingOutcome(Outcome outcome, String reason) {}

  private record Datapoint(String key, Instant at, long invocations, long errors) {}

  private final Clock clock;
  private final Map<String, InMemoryFunction> functions = new TreeMap<>();
  private final Map<String, PendingOutcome> nextOutcomes = new HashMap<>();
  private final Map<String, Deque<dev.lambdaop.reconcile.Failure>> faults = new HashMap<>();
  private final List<Call> calls = new ArrayList<>();
  private final Map<String, Integer> accountLimits = new HashMap<>();
  private final Map<String, Integer> codeStorageLimits = new HashMap<>();
  private final Set<String> alarmsFiring = new HashSet<>();
  private final List<Datapoint> datapoints = new ArrayList<>();
  private final Map<String, Deque<Invoker.Result>> invokeAnswers = new HashMap<>();
  private final Map<String, List<String>> invokePayloads = new HashMap<>();
  private final Map<String, java.util.concurrent.CountDownLatch> heldInvocations = new HashMap<>();
  private final Map<String, Integer> invocationsWaiting = new HashMap<>();
  private final Map<String, List<CodeObjects.ObjectState>> objects = new HashMap<>();
  private final Set<String> versionedBuckets = new HashSet<>();
  private long sequence;
  private final InMemoryAliasTriggers triggers = new InMemoryAliasTriggers(this);
  private final InMemoryEventSourceMappings eventSources =
      new InMemoryEventSourceMappings(this::call, (region, name) -> find(region, name).isPresent());
  private final Aws aws = new Aws(new LambdaFunctions(), new LambdaVersions(), new LambdaAliases(),
      new LambdaConcurrency(), new LambdaInvoker(), new CloudWatch(), new S3(), triggers, eventSources,
      this::accountId);
  /** The Work of each call in {@link #calls}, in the same order: whom the adapter would have acted as. */
  private final List<dev.lambdaop.reconcile.Work> works = new ArrayList<>();
  private String operatorAccount = ACCOUNT;
  private long accountLookups;

  public InMemoryAws() {
    this(Clock.systemUTC());
  }

  /** {@code clock} dates published versions. */
  public InMemoryAws(Clock clock) {
    this.clock = clock;
  }

  /** The ports, for a reconciler. */
  public Aws aws() {
    return aws;
  }

  /** Event source mappings as AWS holds them, and changes to them behind the operator. */
  public InMemoryEventSourceMappings eventSources() {
    return eventSources;
  }

  // --- calls and faults ---

  /** The next call of {@code operation} (after being counted) throws {@code failure}; calls queue up. */
  public synchronized void failNext(String operation, dev.lambdaop.reconcile.Failure failure) {
    faults.computeIfAbsent(operation, k -> new ArrayDeque<>()).add(failure);
  }

  /** Calls so far by operation name. */
  public synchronized Map<String, Long> calls() {
    return count(calls);
  }

  /** Calls so far for one target (a function name, or a bucket), by operation name. */
  public synchronized Map<String, Long> calls(String target) {
    return count(calls.stream().filter(c -> target.equals(c.target())).toList());
  }

  /** Writes so far by operation name: empty when a reconcile changed nothing in AWS. */
  public synchronized Map<String, Long> writes() {
    return count(calls.stream().filter(Call::write).toList());
  }

  /** Every call so far, in order. */
  public synchronized List<Call> callLog() {
    return List.copyOf(calls);
  }

  public synchronized void resetCalls() {
    calls.clear();
    works.clear();
  }

  /**
   * The {@code Work.current()} of every call so far, in the order of {@link #callLog()}: its identity is the one the
   * AWS adapter would have taken credentials, budgets and caches from (hook invocations included, on their thread).
   */
  public synchronized List<dev.lambdaop.reconcile.Work> callWork() {
    return List.copyOf(works);
  }

  /** The identities of the calls so far, in order. */
  public synchronized List<AwsIdentity> callIdentities() {
    return works.stream().map(dev.lambdaop.reconcile.Work::identity).toList();
  }

  // --- accounts ---

  /** The account of the operator's own identity ({@link #ACCOUNT} unless set). */
  public synchronized void operatorAccount(String account) {
    operatorAccount = account;
  }

  /** How many times the reconcilers asked which account an identity acts in (GetCallerIdentity, not in calls). */
  public synchronized long accountLookups() {
    return accountLookups;
  }

  private synchronized String accountId(AwsIdentity identity) {
    accountLookups++;
    return identity.roleArn() == null ? operatorAccount : identity.roleAccount();
  }

  private static Map<String, Long> count(List<Call> list) {
    Map<String, Long> counts = new TreeMap<>();
    list.forEach(c -> counts.merge(c.operation(), 1L, Long::sum));
    return counts;
  }

  /** The next create or update of the function leaves it in progress (Pending, InProgress) until finishUpdate. */
  public synchronized void holdNextUpdate(String region, String function) {
    nextOutcomes.put(key(region, function), new PendingOutcome(Outcome.STAYS_IN_PROGRESS, null));
  }

  /** The next create (State Failed) or update (LastUpdateStatus Failed) of the function fails for {@code reason}. */
  public synchronized void failNextUpdate(String region, String function, String reason) {
    nextOutcomes.put(key(region, function), new PendingOutcome(Outcome.FAILS, reason));
  }

  /** The update in progress (or failed) ends well: Active, Successful. */
  public synchronized void finishUpdate(String region, String function) {
    stored(region, function).settle();
  }

  // --- what AWS holds, read without counting ---

  public synchronized Optional<ObservedFunction> function(String region, String name) {
    return find(region, name).map(InMemoryFunction::observed);
  }

  /** Published versions, oldest first; empty when the function does not exist. */
  public synchronized List<VersionSnapshot> versions(String region, String function) {
    return find(region, function).map(f -> f.versions().stream().map(InMemoryFunction.Version::snapshot).toList())
        .orElse(List.of());
  }

  /** The configuration a version was published with (tags are not versioned: null). */
  public synchronized Optional<FunctionConfig> versionConfig(String region, String function, String version) {
    return find(region, function).flatMap(f -> f.version(version)).map(InMemoryFunction.Version::config);
  }

  public synchronized Optional<AliasSnapshot> alias(String region, String function, String alias) {
    return find(region, function).flatMap(f -> f.alias(alias));
  }

  public synchronized Optional<Integer> reservedConcurrency(String region, String function) {
    return find(region, function).flatMap(InMemoryFunction::reserved);
  }

  /** The payloads the function was invoked with, in order. */
  public synchronized List<String> invocations(String region, String function) {
    return List.copyOf(invokePayloads.getOrDefault(key(region, function), List.of()));
  }

  // --- changes made outside the operator (not counted, never refused for a revision) ---

  /**
   * Invocations of the function (a hook's) start, are counted and answered as usual, but their answer comes only
   * once the test calls {@link #releaseInvocations}: a hook that runs long. One not released within its timeout
   * times out, as the adapter reports it. The wait is outside the fake's lock: everything else goes on meanwhile.
   */
  public synchronized void holdInvocations(String region, String function) {
    heldInvocations.putIfAbsent(key(region, function), new java.util.concurrent.CountDownLatch(1));
  }

  /** The held invocations of the function answer now, and later ones at once. */
  public void releaseInvocations(String region, String function) {
    java.util.concurrent.CountDownLatch gate;
    synchronized (this) {
      gate = heldInvocations.remove(key(region, function));
    }
    if (gate != null) {
      gate.countDown();
    }
  }

  /** How many invocations of the function wait for {@link #releaseInvocations} now. */
  public synchronized int invocationsWaiting(String region, String function) {
    return invocationsWaiting.getOrDefault(key(region, function), 0);
  }

  /** A function someone else created (or one the operator did not manage, such as a hook). */
  public synchronized void createFunctionBehindOperator(String region, FunctionConfig config, CodeSource code) {
    createFunction("CreateFunction", region, config, code);
  }

  /** A minimal Python function named {@code name} ({@link #minimalConfig}). */
  public synchronized void createFunctionBehindOperator(String region, String name) {
    FunctionConfig config = minimalConfig(name);
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    createFunction("CreateFunction", region, config, new CodeSource.Zip(bytes, DeterministicZip.sha256Base64(bytes)));
  }

  /** A Python function named {@code name} with role {@link #ROLE}: every other field unset (AWS's default), no tags. */
  static FunctionConfig minimalConfig(String name) {
    return FunctionConfig.builder().set(FunctionConfig.FUNCTION_NAME, name).set(FunctionConfig.ROLE, ROLE)
        .set(FunctionConfig.RUNTIME, "python3.12").set(FunctionConfig.HANDLER, "index.handler").build();
  }

  public synchronized void deleteFunctionBehindOperator(String region, String name) {
    functions.remove(key(region, name));
    triggers.functionDeleted(region, name);
  }

  /** Changes $LATEST's configuration (tags included) as UpdateFunctionConfiguration and TagResource would. */
  public synchronized void changeConfigBehindOperator(String region, String name,
      UnaryOperator<FunctionConfig> change) {
    InMemoryFunction f = stored(region, name);
    FunctionConfig changed = change.apply(f.config());
    f.updateConfiguration(f.reportedAfterUpdate(changed, changed.tags()), Outcome.SUCCEEDS, null);
  }

  public synchronized void changeCodeBehindOperator(String region, String name, CodeSource code) {
    stored(region, name).updateCode(code, codeSha256("UpdateFunctionCode", code), null, Outcome.SUCCEEDS, null);
  }

  /** Publishes $LATEST; returns the version number (the newest one when $LATEST did not change). */
  public synchronized String publishBehindOperator(String region, String function, String description) {
    return stored(region, function).publish(null, null, description, now()).number();
  }

  /** Deletes a published version as DeleteFunction with a qualifier does: refused while an alias routes to it. */
  public synchronized void deleteVersionBehindOperator(String region, String function, String version) {
    stored(region, function).deleteVersion(version);
  }

  /** Creates or re-points an alias, with AWS's routing rules but no revision check. */
  public synchronized void setAliasBehindOperator(String region, String function, AliasRouting routing) {
    InMemoryFunction f = stored(region, function);
    f.route(f.alias(routing.alias()).isPresent() ? "UpdateAlias" : "CreateAlias", routing, null);
  }

  public synchronized void deleteAliasBehindOperator(String region, String function, String alias) {
    stored(region, function).deleteAlias(alias);
    triggers.aliasDeleted(region, function, alias);
  }

  // --- an alias's trigger targets (InMemoryAliasTriggers), read and changed without counting ---

  /** The ARN of an alias: arn:aws:lambda:region:account:function:name:alias. */
  public String aliasArn(String region, String function, String alias) {
    return "arn:aws:lambda:" + region(region) + ":" + ACCOUNT + ":function:" + nameOf(function) + ":" + alias;
  }

  /** The alias's policy statements, by statement id. */
  public synchronized Map<String, AliasTriggers.Permission> statements(String region, String function,
      String alias) {
    return triggers.statements(region, function, alias);
  }

  public synchronized Optional<AliasTriggers.UrlConfig> functionUrl(String region, String function, String alias) {
    return triggers.storedUrl(region, function, alias);
  }

  public synchronized Optional<AliasTriggers.AsyncConfig> asyncInvoke(String region, String function,
      String alias) {
    return triggers.storedAsync(region, function, alias);
  }

  public synchronized Optional<AliasTriggers.Provisioned> provisionedConcurrency(String region, String function,
      String alias) {
    return triggers.storedProvisioned(region, function, alias);
  }

  public synchronized void addStatementBehindOperator(String region, String function, String alias,
      AliasTriggers.Permission statement) {
    triggers.addStatement(region, function, alias, statement);
  }

  public synchronized void removeStatementBehindOperator(String region, String function, String alias,
      String statementId) {
    triggers.removeStatement(region, function, alias, statementId);
  }

  /** Sets (or with null deletes) the alias's function URL. */
  public synchronized void setFunctionUrlBehindOperator(String region, String function, String alias,
      AliasTriggers.UrlConfig url) {
    triggers.setUrl(region, function, alias, url);
  }

  /** Sets (or with null deletes) the alias's asynchronous invocation configuration. */
  public synchronized void setAsyncInvokeBehindOperator(String region, String function, String alias,
      AliasTriggers.AsyncConfig config) {
    triggers.setAsync(region, function, alias, config);
  }

  /** AWS finished allocating the alias's provisioned concurrency: READY, all of it available. */
  public synchronized void finishProvisioning(String region, String function, String alias) {
    triggers.settleProvisioning(region, function, alias, "READY", null);
  }

  /** AWS could not allocate the alias's provisioned concurrency: FAILED for {@code reason}. */
  public synchronized void failProvisioning(String region, String function, String alias, String reason) {
    triggers.settleProvisioning(region, function, alias, "FAILED", reason);
  }

  /** Sets (or with null removes) the reservation, without checking the account's pool. */
  public synchronized void setReservedConcurrencyBehindOperator(String region, String function, Integer reserved) {
    stored(region, function).reserve(reserved);
  }

  // --- the world around ---

  /**
   * The region's code storage holds at most {@code versions} published versions (of all its functions) from now on:
   * a publish beyond answers CodeStorageExceededException, as AWS does when the account's storage is full. By
   * default storage never fills.
   */
  public synchronized void codeStorage(String region, int versions) {
    codeStorageLimits.put(region(region), versions);
  }

  /** The region's concurrency limit, reported by GetAccountSettings from now on (by default it is not reported). */
  public synchronized void accountConcurrency(String region, int limit) {
    accountLimits.put(region(region), limit);
  }

  public synchronized void raiseAlarm(String region, String alarm) {
    alarmsFiring.add(key(region, alarm));
  }

  public synchronized void clearAlarm(String region, String alarm) {
    alarmsFiring.remove(key(region, alarm));
  }

  /** Metrics of one version behind one alias that count whatever time a test asks about. */
  public synchronized void recordInvocations(String region, String function, String alias, String version,
      long invocations, long errors) {
    recordInvocations(region, function, alias, version, null, invocations, errors);
  }

  /** Metrics of one version behind one alias at {@code at}: counted from the minute of {@code since} on. */
  public synchronized void recordInvocations(String region, String function, String alias, String version, Instant at,
      long invocations, long errors) {
    datapoints.add(new Datapoint(metricKey(region, function, alias, version), at, invocations, errors));
  }

  /**
   * What the next invocation of {@code function} returns; answers queue up. Without one, an invocation succeeds and
   * echoes its payload. A hook that times out is {@code new Invoker.Result(false, "Timeout", ...)}.
   */
  public synchronized void answerInvoke(String region, String function, Invoker.Result result) {
    invokeAnswers.computeIfAbsent(key(region, function), k -> new ArrayDeque<>()).add(result);
  }

  /** Puts (or replaces) an object: a new ETag, and a new version id in a versioned bucket. */
  public synchronized CodeObjects.ObjectState putObject(String bucket, String key) {
    long n = ++sequence;
    CodeObjects.ObjectState state = new CodeObjects.ObjectState("\"etag-" + n + "\"",
        versionedBuckets.contains(bucket) ? "v" + n : null);
    List<CodeObjects.ObjectState> history = objects.computeIfAbsent(bucket + "/" + key, k -> new ArrayList<>());
    if (state.versionId() == null) {
      history.clear();
    }
    history.add(state);
    return state;
  }

  /** Objects put from now on get version ids. */
  public synchronized void versionBucket(String bucket) {
    versionedBuckets.add(bucket);
  }

  public synchronized void deleteObject(String bucket, String key) {
    objects.remove(bucket + "/" + key);
  }

  // --- the model ---

  synchronized <T> T call(String operation, String target, boolean write, Supplier<T> body) {
    calls.add(new Call(operation, target, write));
    works.add(dev.lambdaop.reconcile.Work.current());
    dev.lambdaop.reconcile.Failure injected = Optional.ofNullable(faults.get(operation)).map(Deque::poll).orElse(null);
    if (injected != null) {
      throw injected;
    }
    return body.get();
  }

  private <T> T read(String operation, String target, Supplier<T> body) {
    return call(operation, target, false, body);
  }

  private void write(String operation, String target, Runnable body) {
    call(operation, target, true, () -> {
      body.run();
      return null;
    });
  }

  private <T> T write(String operation, String target, Supplier<T> body) {
    return call(operation, target, true, body);
  }

  private static String region(String region) {
    return region == null ? DEFAULT_REGION : region;
  }

  private static String key(String region, String name) {
    return region(region) + "/" + nameOf(name);
  }

  private static String metricKey(String region, String function, String alias, String version) {
    return key(region, function) + ":" + alias + ":" + version;
  }

  /** A function is named by its name or its ARN (arn:aws:lambda:region:account:function:name[:qualifier]). */
  private static String nameOf(String nameOrArn) {
    return nameOrArn.startsWith("arn:") ? nameOrArn.split(":")[6] : nameOrArn;
  }

  private Optional<InMemoryFunction> find(String region, String name) {
    return Optional.ofNullable(functions.get(key(region, name)));
  }

  /** The function, or AWS's ResourceNotFoundException for {@code operation}. */
  private InMemoryFunction existing(String operation, String region, String name) {
    return find(region, name).orElseThrow(() -> AwsFailures.notFound(operation, "Function not found: arn:aws:lambda:"
        + region(region) + ":" + ACCOUNT + ":function:" + nameOf(name)));
  }

  /** For the test's own changes: a missing function is a mistake in the test. */
  private InMemoryFunction stored(String region, String name) {
    return find(region, name).orElseThrow(() -> new IllegalStateException("no function " + key(region, name)));
  }

  /** How this write ends: as a test asked with holdNextUpdate or failNextUpdate, else well. */
  private PendingOutcome takeOutcome(String region, String name) {
    PendingOutcome next = nextOutcomes.remove(key(region, name));
    return next != null ? next : new PendingOutcome(Outcome.SUCCEEDS, null);
  }

  private String nextRevision() {
    return String.format("00000000-0000-4000-8000-%012d", ++sequence);
  }

  private String now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private void createFunction(String operation, String region, FunctionConfig config, CodeSource code) {
    String name = config.functionName();
    if (find(region, name).isPresent()) {
      throw AwsFailures.conflict(operation, "Function already exist: " + name);
    }
    boolean image = code instanceof CodeSource.Image;
    InMemoryFunction.validate(operation, config, image);
    String sha = codeSha256(operation, code);
    PendingOutcome outcome = takeOutcome(region, name);
    FunctionConfig reported = InMemoryFunction.asReported(config, image, null,
        new TreeMap<>(config.tags()));
    functions.put(key(region, name), new InMemoryFunction(region(region), reported, code, sha, this::nextRevision,
        outcome.outcome(), outcome.reason()));
  }

  /**
   * The SHA-256 AWS reports for the code: the zip's own; for S3 and images a stable stand-in derived from what
   * identifies the bytes (for S3, the object as it is now: refused like AWS when it does not exist).
   */
  private String codeSha256(String operation, CodeSource code) {
    if (code instanceof CodeSource.Zip zip) {
      return zip.sha256();
    }
    if (code instanceof CodeSource.S3 s3) {
      CodeObjects.ObjectState object = head(s3.bucket(), s3.key(), s3.objectVersion())
          .orElseThrow(() -> AwsFailures.codeNotFound(operation, s3.bucket(), s3.key()));
      return fakeSha256("s3:" + s3.bucket() + "/" + s3.key() + "#" + object.eTag());
    }
    return fakeSha256(code.identity());
  }

  /** A base64 SHA-256 standing for code the fake never sees the bytes of. */
  public static String fakeSha256(String identity) {
    return DeterministicZip.sha256Base64(identity.getBytes(StandardCharsets.UTF_8));
  }

  private Optional<CodeObjects.ObjectState> head(String bucket, String key, String versionId) {
    List<CodeObjects.ObjectState> history = objects.getOrDefault(bucket + "/" + key, List.of());
    if (versionId == null) {
      return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
    }
    return history.stream().filter(o -> versionId.equals(o.versionId())).findFirst();
  }

  private int reservedInRegion(String region, String except) {
    return functions.values().stream()
        .filter(f -> f.region.equals(region(region)) && !f.name.equals(except))
        .mapToInt(f -> f.reserved().orElse(0)).sum();
  }

  // --- the ports ---

  private final class LambdaFunctions implements Functions {
    @Override
    public Optional<ObservedFunction> get(String region, String name) {
      return read("GetFunction", name, () -> find(region, name).map(InMemoryFunction::observed));
    }

    /** GetFunction, as the adapter reads it (a request quota of its own). */
    @Override
    public Optional<FunctionSnapshot> state(String region, String name) {
      return read("GetFunction", name, () -> find(region, name).map(InMemoryFunction::snapshot));
    }

    @Override
    public void create(String region, FunctionConfig config, CodeSource code) {
      write("CreateFunction", config.functionName(), () -> createFunction("CreateFunction", region, config, code));
    }

    @Override
    public void updateCode(String region, String name, CodeSource code, String architecture, String revisionId) {
      write("UpdateFunctionCode", name, () -> {
        InMemoryFunction f = existing("UpdateFunctionCode", region, name);
        f.checkWritable("UpdateFunctionCode", revisionId);
        if (f.image() != code instanceof CodeSource.Image) {
          throw AwsFailures.invalidParameter("UpdateFunctionCode", f.image()
              ? "Please provide ImageUri when updating a function with packageType Image."
              : "Please don't provide ImageUri when updating a function with packageType Zip.");
        }
        String sha = codeSha256("UpdateFunctionCode", code);
        PendingOutcome outcome = takeOutcome(region, name);
        f.updateCode(code, sha, architecture, outcome.outcome(), outcome.reason());
      });
    }

    @Override
    public void updateConfiguration(String region, FunctionConfig config, boolean image, String revisionId) {
      String name = config.functionName();
      write("UpdateFunctionConfiguration", name, () -> {
        InMemoryFunction f = existing("UpdateFunctionConfiguration", region, name);
        f.checkWritable("UpdateFunctionConfiguration", revisionId);
        if (image != f.image()) {
          throw AwsFailures.invalidParameter("UpdateFunctionConfiguration", "Runtime, Handler and Layers are not"
              + " supported for a function with packageType " + (f.image() ? "Image" : "Zip") + " as sent");
        }
        InMemoryFunction.validate("UpdateFunctionConfiguration", config, image);
        FunctionConfig reported = f.reportedAfterUpdate(config, f.config().tags());
        PendingOutcome outcome = takeOutcome(region, name);
        f.updateConfiguration(reported, outcome.outcome(), outcome.reason());
      });
    }

    @Override
    public void tag(String region, String name, String functionArn, Map<String, String> tags) {
      write("TagResource", name, () -> existing("TagResource", region, functionArn == null ? name : functionArn)
          .tag(tags));
    }

    @Override
    public void untag(String region, String name, String functionArn, Collection<String> keys) {
      write("UntagResource", name, () -> existing("UntagResource", region, functionArn == null ? name : functionArn)
          .untag(keys));
    }

    @Override
    public boolean delete(String region, String name) {
      return write("DeleteFunction", name, () -> {
        triggers.functionDeleted(region, name);
        return functions.remove(key(region, name)) != null;
      });
    }
  }

  private final class LambdaVersions implements Versions {
    @Override
    public VersionSnapshot publish(String region, String function, String codeSha256, String revisionId,
        String description) {
      return write("PublishVersion", function, () -> {
        InMemoryFunction f = existing("PublishVersion", region, function);
        Integer limit = codeStorageLimits.get(region(region));
        long stored = functions.values().stream().filter(other -> other.region.equals(region(region)))
            .mapToLong(other -> other.versions().size()).sum();
        if (limit != null && stored >= limit) {
          throw AwsFailures.codeStorageExceeded("PublishVersion");
        }
        return f.publish(codeSha256, revisionId, description, now()).snapshot();
      });
    }

    @Override
    public List<VersionSnapshot> list(String region, String function) {
      return read("ListVersionsByFunction", function, () -> existing("ListVersionsByFunction", region, function)
          .versions().stream().map(InMemoryFunction.Version::snapshot).toList());
    }

    @Override
    public boolean delete(String region, String function, String version) {
      return write("DeleteFunction", function, () -> find(region, function).map(f -> f.deleteVersion(version))
          .orElse(false));
    }

    /** Read every time (the adapter keeps what it read: its own tests count that). */
    @Override
    public Optional<Traits> traits(String region, String function, String version) {
      return read("GetFunction", function, () -> find(region, function).flatMap(f -> f.version(version))
          .map(v -> new Traits(v.config().get(FunctionConfig.ROLE),
              v.config().get(FunctionConfig.DEAD_LETTER_TARGET_ARN))));
    }

    @Override
    public Optional<VersionSnapshot> version(String region, String function, String version) {
      return read("GetFunction", function, () -> find(region, function).flatMap(f -> f.version(version))
          .map(InMemoryFunction.Version::snapshot));
    }
  }

  private final class LambdaAliases implements Aliases {
    @Override
    public Optional<AliasSnapshot> get(String region, String function, String alias) {
      return read("GetAlias", function, () -> find(region, function).flatMap(f -> f.alias(alias)));
    }

    @Override
    public AliasSnapshot create(String region, String function, AliasRouting routing) {
      return write("CreateAlias", function, () -> existing("CreateAlias", region, function)
          .route("CreateAlias", routing, null));
    }

    @Override
    public AliasSnapshot update(String region, String function, AliasRouting routing, String revisionId) {
      return write("UpdateAlias", function, () -> {
        InMemoryFunction f = existing("UpdateAlias", region, function);
        Optional<AliasSnapshot> before = f.alias(routing.alias());
        AliasSnapshot after = f.route("UpdateAlias", routing, revisionId);
        if (before.isPresent() && !(before.get().functionVersion().equals(after.functionVersion())
            && java.util.Objects.equals(before.get().additionalVersion(), after.additionalVersion())
            && before.get().additionalWeight() == after.additionalWeight())) {
          triggers.rerouted(region, function, routing.alias());
        }
        return after;
      });
    }

    @Override
    public boolean delete(String region, String function, String alias) {
      return write("DeleteAlias", function, () -> {
        triggers.aliasDeleted(region, function, alias);
        return find(region, function).map(f -> f.deleteAlias(alias)).orElse(false);
      });
    }

    @Override
    public Set<String> versionsInUse(String region, String function) {
      return read("ListAliases", function, () -> existing("ListAliases", region, function).versionsInUse());
    }
  }

  private final class LambdaConcurrency implements ReservedConcurrency {
    @Override
    public Optional<Integer> get(String region, String function) {
      return read("GetFunctionConcurrency", function, () -> existing("GetFunctionConcurrency", region, function)
          .reserved());
    }

    /** Refused like AWS when it would leave less than {@link #UNRESERVED_MINIMUM} unreserved in the region. */
    @Override
    public void put(String region, String function, int reserved) {
      write("PutFunctionConcurrency", function, () -> {
        InMemoryFunction f = existing("PutFunctionConcurrency", region, function);
        if (reserved < 0) {
          throw AwsFailures.invalidParameter("PutFunctionConcurrency", "1 validation error detected: Value '"
              + reserved + "' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value"
              + " greater than or equal to 0");
        }
        int limit = accountLimits.getOrDefault(region(region), DEFAULT_ACCOUNT_LIMIT);
        if (limit - reservedInRegion(region, f.name) - reserved < UNRESERVED_MINIMUM) {
          throw AwsFailures.invalidParameter("PutFunctionConcurrency", "Specified ReservedConcurrentExecutions for"
              + " function decreases account's UnreservedConcurrentExecution below its minimum value of ["
              + UNRESERVED_MINIMUM + "].");
        }
        f.reserve(reserved);
      });
    }

    @Override
    public boolean delete(String region, String function) {
      return write("DeleteFunctionConcurrency", function, () -> find(region, function).map(f -> {
        f.reserve(null);
        return true;
      }).orElse(false));
    }

    @Override
    public Optional<Account> account(String region) {
      return read("GetAccountSettings", null, () -> Optional.ofNullable(accountLimits.get(region(region)))
          .map(limit -> new Account(limit, limit - reservedInRegion(region, null))));
    }

    /** As the adapter does it: ListFunctions, then GetFunctionConcurrency for each function. */
    @Override
    public Map<String, Integer> reservations(String region) {
      List<String> names = read("ListFunctions", null, () -> functions.values().stream()
          .filter(f -> f.region.equals(region(region))).map(f -> f.name).toList());
      Map<String, Integer> reserved = new TreeMap<>();
      for (String name : names) {
        get(region, name).ifPresent(n -> reserved.put(name, n));
      }
      return reserved;
    }
  }

  private final class LambdaInvoker implements Invoker {
    @Override
    public Result invoke(String region, String function, String payload, Duration timeout) {
      String key = key(region, function);
      java.util.concurrent.CountDownLatch[] gate = new java.util.concurrent.CountDownLatch[1];
      Result answer = read("Invoke", function, () -> {
        existing("Invoke", region, function);
        invokePayloads.computeIfAbsent(key, k -> new ArrayList<>()).add(payload);
        Result queued = Optional.ofNullable(invokeAnswers.get(key)).map(Deque::poll).orElse(null);
        gate[0] = heldInvocations.get(key);
        if (gate[0] != null) {
          invocationsWaiting.merge(key, 1, Integer::sum);
        }
        return queued != null ? queued : new Result(true, null, payload);
      });
      if (gate[0] == null) {
        return answer;
      }
      try {
        if (!gate[0].await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
          return new Result(false, Invoker.TIMEOUT, "timed out after " + timeout + " without an answer");
        }
        return answer;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Result(false, "Interrupted", "interrupted");
      } finally {
        synchronized (InMemoryAws.this) {
          invocationsWaiting.merge(key, -1, Integer::sum);
        }
      }
    }

    @Override
    public void checkInvokable(String region, String function) {
      try {
        read("Invoke", function, () -> existing("Invoke", region, function));
      } catch (AwsFailure f) {
        // As the adapter: only AWS's answer proves the hook cannot be invoked, not a transport failure.
        if (!"AwsUnreachable".equals(f.reason())) {
          throw f;
        }
      }
    }
  }

  private final class CloudWatch implements HealthSignals {
    @Override
    public List<String> inAlarm(String region, Collection<String> alarmNames) {
      if (alarmNames.isEmpty()) {
        return List.of();
      }
      return read("DescribeAlarms", null, () -> alarmNames.stream()
          .filter(a -> alarmsFiring.contains(key(region, a))).sorted().toList());
    }

    /** One read, as the adapter's batch makes it for one version (GetMetricData: errors and invocations). */
    @Override
    public VersionHealth health(String region, String function, String alias, String version, Instant since) {
      String key = metricKey(region, function, alias, version);
      Instant start = since.truncatedTo(ChronoUnit.MINUTES);
      List<Datapoint> counted = read("GetMetricData", null, () -> datapoints.stream()
          .filter(d -> d.key().equals(key) && (d.at() == null || !d.at().isBefore(start))).toList());
      return new VersionHealth(counted.stream().mapToLong(Datapoint::errors).sum(),
          counted.stream().mapToLong(Datapoint::invocations).sum());
    }
  }

  private final class S3 implements CodeObjects {
    @Override
    public Optional<ObjectState> head(String region, String bucket, String key, String versionId) {
      return read("HeadObject", bucket, () -> InMemoryAws.this.head(bucket, key, versionId));
    }
  }
}
