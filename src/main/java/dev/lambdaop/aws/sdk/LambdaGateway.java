package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.AliasSnapshot;
import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionConfig;
import dev.lambdaop.aws.FunctionSnapshot;
import dev.lambdaop.aws.ObservedFunction;
import dev.lambdaop.aws.VersionSnapshot;
import dev.lambdaop.reconcile.AwsFailure;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.AliasConfiguration;
import software.amazon.awssdk.services.lambda.model.AliasRoutingConfiguration;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * The one place that calls AWS Lambda. Every call goes through {@link AwsCalls}: counted, writes paced by the
 * write budget, failures mapped to an {@link AwsFailure} that says whether retrying can help.
 */
public final class LambdaGateway {
  private static final Duration SETTLE_POLL = Duration.ofMillis(250);

  private final AwsClients clients;
  private final AwsCalls calls;

  public LambdaGateway(AwsClients clients, AwsCalls calls) {
    this.clients = clients;
    this.calls = calls;
  }

  /** The function's $LATEST with its configuration, code location and tags, or empty when it does not exist. */
  public Optional<ObservedFunction> getFunction(String region, String name) {
    LambdaClient lambda = clients.lambda(region);
    return absentIfNotFound(() -> calls.read("GetFunction", name, () -> {
      GetFunctionResponse response = lambda.getFunction(r -> r.functionName(name));
      FunctionConfiguration c = response.configuration();
      String imageUri = response.code() == null ? null : response.code().imageUri();
      return new ObservedFunction(snapshot(c), FunctionConfigs.fromAws(c, response.tags()), imageUri);
    }));
  }

  /** Only the state of $LATEST: a cheaper read, for waiting on an update. */
  public Optional<FunctionSnapshot> getState(String region, String name) {
    LambdaClient lambda = clients.lambda(region);
    return absentIfNotFound(() -> calls.read("GetFunctionConfiguration", name, () -> {
      var c = lambda.getFunctionConfiguration(r -> r.functionName(name));
      return new FunctionSnapshot(c.functionName(), c.functionArn(), c.stateAsString(), c.stateReason(),
          c.lastUpdateStatusAsString(), c.lastUpdateStatusReason(), c.codeSha256(), c.revisionId());
    }));
  }

  /**
   * Creates the function, unpublished: versions are published separately, each for a known spec digest. Follow
   * with {@link #awaitSettled} before the next write.
   */
  public void createFunction(String region, FunctionConfig config, CodeSource code) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "CreateFunction", config.functionName(),
        () -> lambda.createFunction(FunctionConfigs.createRequest(config, code)));
  }

  /**
   * Replaces the code (and with it the architecture) of $LATEST; revisionId, when known, makes AWS refuse if someone
   * else changed the function meanwhile.
   */
  public void updateCode(String region, String name, CodeSource code, String architecture, String revisionId) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "UpdateFunctionCode", name,
        () -> lambda.updateFunctionCode(FunctionConfigs.updateCodeRequest(name, code, architecture, revisionId)));
  }

  /** Replaces the configuration of $LATEST: everything but code and tags. */
  public void updateConfiguration(String region, FunctionConfig config, boolean image, String revisionId) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "UpdateFunctionConfiguration", config.functionName(), () -> lambda.updateFunctionConfiguration(
        FunctionConfigs.updateConfigurationRequest(config, image, revisionId)));
  }

  /** Adds or changes tags. */
  public void tag(String region, String name, String functionArn, Map<String, String> tags) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "TagResource", name, () -> lambda.tagResource(r -> r.resource(functionArn).tags(tags)));
  }

  /** Removes tags. */
  public void untag(String region, String name, String functionArn, Collection<String> keys) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "UntagResource", name,
        () -> lambda.untagResource(r -> r.resource(functionArn).tagKeys(keys)));
  }

  /**
   * Waits, at most {@code limit}, until no create or update is in progress, since AWS refuses the next write until
   * then. Returns the last snapshot read: settled, or still in progress when the limit passed (the caller looks
   * again later rather than holding a reconcile thread).
   */
  public FunctionSnapshot awaitSettled(String region, String name, Duration limit) {
    Instant deadline = Instant.now().plus(limit);
    while (true) {
      FunctionSnapshot now = getState(region, name).orElseThrow(() -> new AwsFailure("GetFunctionConfiguration",
          AwsFailure.Retry.SOON, "NotFound", "function " + name + " disappeared while waiting for it to settle", null));
      if (now.settled() || Instant.now().isAfter(deadline)) {
        return now;
      }
      try {
        Thread.sleep(SETTLE_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return now;
      }
    }
  }

  /**
   * Publishes $LATEST as a version. CodeSha256 (and RevisionId where the endpoint reports one) make AWS refuse to
   * publish code other than what was planned; when AWS answers with an existing version, that version is the result.
   */
  public VersionSnapshot publishVersion(String region, String name, String codeSha256, String revisionId,
      String description) {
    LambdaClient lambda = clients.lambda(region);
    return calls.write(region, "PublishVersion", name, () -> {
      var response = lambda.publishVersion(r -> r.functionName(name)
          .codeSha256(codeSha256)
          .revisionId(revisionId)
          .description(description));
      return new VersionSnapshot(response.version(), response.codeSha256(), response.description(),
          response.lastModified());
    });
  }

  /** All published versions (not $LATEST), oldest first. */
  public List<VersionSnapshot> listVersions(String region, String name) {
    LambdaClient lambda = clients.lambda(region);
    return calls.read("ListVersionsByFunction", name, () -> {
      List<VersionSnapshot> versions = new ArrayList<>();
      for (FunctionConfiguration c : lambda.listVersionsByFunctionPaginator(r -> r.functionName(name)).versions()) {
        if (!"$LATEST".equals(c.version())) {
          versions.add(new VersionSnapshot(c.version(), c.codeSha256(), c.description(), c.lastModified()));
        }
      }
      versions.sort((a, b) -> Long.compare(Long.parseLong(a.version()), Long.parseLong(b.version())));
      return versions;
    });
  }

  /** The versions the function's aliases route to: each alias's version and its additional (weighted) version. */
  public Set<String> versionsUsedByAliases(String region, String name) {
    LambdaClient lambda = clients.lambda(region);
    return calls.read("ListAliases", name, () -> {
      Set<String> used = new TreeSet<>();
      for (AliasConfiguration alias : lambda.listAliasesPaginator(r -> r.functionName(name)).aliases()) {
        used.add(alias.functionVersion());
        if (alias.routingConfig() != null && alias.routingConfig().additionalVersionWeights() != null) {
          used.addAll(alias.routingConfig().additionalVersionWeights().keySet());
        }
      }
      return used;
    });
  }

  /** Deletes one published version; false when it was already gone. AWS refuses while an alias uses it. */
  public boolean deleteVersion(String region, String name, String version) {
    LambdaClient lambda = clients.lambda(region);
    return absentIfNotFound(() -> calls.write(region, "DeleteFunction", name,
        () -> lambda.deleteFunction(r -> r.functionName(name).qualifier(version)))).isPresent();
  }

  /**
   * Invokes a function synchronously (RequestResponse) and waits at most {@code timeout}. A function error, an
   * error payload or a timeout come back as a failed result, not an exception.
   */
  public InvokeResult invoke(String region, String function, String payload, Duration timeout) {
    LambdaClient lambda = clients.lambda(region);
    try {
      return calls.read("Invoke", function, () -> {
        var response = lambda.invoke(r -> r.functionName(function)
            .invocationType(InvocationType.REQUEST_RESPONSE)
            .payload(SdkBytes.fromUtf8String(payload))
            .overrideConfiguration(o -> o.apiCallTimeout(timeout).apiCallAttemptTimeout(timeout)));
        String body = response.payload() == null ? "" : response.payload().asUtf8String();
        return new InvokeResult(response.functionError() == null && !looksLikeError(body), response.functionError(),
            body);
      });
    } catch (AwsFailure f) {
      if (f.getCause() instanceof ApiCallTimeoutException || f.getCause() instanceof ApiCallAttemptTimeoutException) {
        return new InvokeResult(false, "Timeout", "no answer within " + timeout);
      }
      throw f;
    }
  }

  /** Whether the operator may invoke the function, without running it (InvocationType DryRun). */
  public void checkInvokable(String region, String function) {
    LambdaClient lambda = clients.lambda(region);
    calls.read("Invoke", function, () -> lambda.invoke(r -> r.functionName(function)
        .invocationType(InvocationType.DRY_RUN)));
  }

  /** The outcome of a synchronous invocation. */
  public record InvokeResult(boolean succeeded, String functionError, String payload) {}

  /** Lambda's error payload, or a hook's own verdict. */
  static boolean looksLikeError(String payload) {
    String p = payload.replace(" ", "");
    return p.contains("\"errorMessage\":") || p.contains("\"status\":\"Failed\"");
  }

  /** The function's reserved concurrency; empty when none is reserved. Throws NotFound when the function is absent. */
  public Optional<Integer> reservedConcurrency(String region, String name) {
    LambdaClient lambda = clients.lambda(region);
    return calls.read("GetFunctionConcurrency", name,
        () -> Optional.ofNullable(lambda.getFunctionConcurrency(r -> r.functionName(name)).reservedConcurrentExecutions()));
  }

  public void putReservedConcurrency(String region, String name, int reserved) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "PutFunctionConcurrency", name,
        () -> lambda.putFunctionConcurrency(r -> r.functionName(name).reservedConcurrentExecutions(reserved)));
  }

  /** Removes the reservation; false when the function is gone. */
  public boolean deleteReservedConcurrency(String region, String name) {
    LambdaClient lambda = clients.lambda(region);
    return absentIfNotFound(() -> calls.write(region, "DeleteFunctionConcurrency", name,
        () -> lambda.deleteFunctionConcurrency(r -> r.functionName(name)))).isPresent();
  }

  /** The account's concurrency limit and unreserved concurrency, or empty where the endpoint does not offer them. */
  public Optional<AccountConcurrency> accountConcurrency(String region) {
    LambdaClient lambda = clients.lambda(region);
    try {
      return calls.read("GetAccountSettings", null, () -> {
        var limit = lambda.getAccountSettings().accountLimit();
        return limit == null ? Optional.<AccountConcurrency>empty()
            : Optional.of(new AccountConcurrency(limit.concurrentExecutions(), limit.unreservedConcurrentExecutions()));
      });
    } catch (AwsFailure f) {
      if (f.getCause() instanceof software.amazon.awssdk.awscore.exception.AwsServiceException e
          && (e.statusCode() == 404 || e.statusCode() == 501)) {
        return Optional.empty();
      }
      throw f;
    }
  }

  /** Reserved concurrency of every function in the region, by function name (for endpoints without account settings). */
  public java.util.Map<String, Integer> reservations(String region) {
    LambdaClient lambda = clients.lambda(region);
    java.util.Map<String, Integer> reserved = new java.util.TreeMap<>();
    List<String> names = calls.read("ListFunctions", null, () -> lambda.listFunctionsPaginator().functions().stream()
        .map(FunctionConfiguration::functionName).toList());
    for (String name : names) {
      absentIfNotFound(() -> reservedConcurrency(region, name)).flatMap(o -> o).ifPresent(n -> reserved.put(name, n));
    }
    return reserved;
  }

  /** The account's concurrency figures as GetAccountSettings reports them. */
  public record AccountConcurrency(Integer limit, Integer unreserved) {}

  /** The alias, or empty when it does not exist. */
  public Optional<AliasSnapshot> getAlias(String region, String name, String alias) {
    LambdaClient lambda = clients.lambda(region);
    return absentIfNotFound(() -> calls.read("GetAlias", name, () -> {
      var a = lambda.getAlias(r -> r.functionName(name).name(alias));
      return alias(a.name(), a.aliasArn(), a.functionVersion(), a.description(), a.routingConfig(), a.revisionId());
    }));
  }

  /**
   * Creates the alias or points it anew: {@code version} gets the traffic that {@code additionalVersion} (if any)
   * does not. revisionId, when known, makes AWS refuse if someone else changed the alias meanwhile.
   */
  public AliasSnapshot putAlias(String region, String name, String alias, String version, String description,
      String additionalVersion, double additionalWeight, boolean exists, String revisionId) {
    LambdaClient lambda = clients.lambda(region);
    AliasRoutingConfiguration routing = AliasRoutingConfiguration.builder()
        .additionalVersionWeights(additionalVersion == null ? Map.of() : Map.of(additionalVersion, additionalWeight))
        .build();
    if (!exists) {
      return calls.write(region, "CreateAlias", name, () -> {
        var a = lambda.createAlias(r -> r.functionName(name).name(alias).functionVersion(version)
            .description(description).routingConfig(routing));
        return alias(a.name(), a.aliasArn(), a.functionVersion(), a.description(), a.routingConfig(), a.revisionId());
      });
    }
    return calls.write(region, "UpdateAlias", name, () -> {
      var a = lambda.updateAlias(r -> r.functionName(name).name(alias).functionVersion(version)
          .description(description).routingConfig(routing).revisionId(revisionId));
      return alias(a.name(), a.aliasArn(), a.functionVersion(), a.description(), a.routingConfig(), a.revisionId());
    });
  }

  /** Deletes the alias; false when it was already gone. */
  public boolean deleteAlias(String region, String name, String alias) {
    LambdaClient lambda = clients.lambda(region);
    return absentIfNotFound(() -> calls.write(region, "DeleteAlias", name,
        () -> lambda.deleteAlias(r -> r.functionName(name).name(alias)))).isPresent();
  }

  /** The execution role and dead-letter target of one published version, or empty when it does not exist. */
  public Optional<VersionTraits> versionTraits(String region, String name, String version) {
    LambdaClient lambda = clients.lambda(region);
    return absentIfNotFound(() -> calls.read("GetFunctionConfiguration", name, () -> {
      var c = lambda.getFunctionConfiguration(r -> r.functionName(name).qualifier(version));
      return new VersionTraits(c.role(), c.deadLetterConfig() == null ? null : c.deadLetterConfig().targetArn());
    }));
  }

  /** What AWS requires two versions behind one alias to share. */
  public record VersionTraits(String role, String deadLetterTargetArn) {}

  private static AliasSnapshot alias(String name, String arn, String version, String description,
      AliasRoutingConfiguration routing, String revisionId) {
    String additional = null;
    double weight = 0;
    if (routing != null && routing.hasAdditionalVersionWeights() && !routing.additionalVersionWeights().isEmpty()) {
      var entry = routing.additionalVersionWeights().entrySet().iterator().next();
      additional = entry.getKey();
      weight = entry.getValue();
    }
    return new AliasSnapshot(name, arn, version, description, additional, weight, revisionId);
  }

  /** Deletes the function with all its versions; false when it was already gone. */
  public boolean deleteFunction(String region, String name) {
    LambdaClient lambda = clients.lambda(region);
    return absentIfNotFound(
        () -> calls.write(region, "DeleteFunction", name, () -> lambda.deleteFunction(r -> r.functionName(name))))
        .isPresent();
  }

  private static <T> Optional<T> absentIfNotFound(Supplier<T> read) {
    try {
      return Optional.of(read.get());
    } catch (AwsFailure f) {
      if (f.getCause() instanceof ResourceNotFoundException) {
        return Optional.empty();
      }
      throw f;
    }
  }

  private static FunctionSnapshot snapshot(FunctionConfiguration c) {
    return new FunctionSnapshot(c.functionName(), c.functionArn(), c.stateAsString(), c.stateReason(),
        c.lastUpdateStatusAsString(), c.lastUpdateStatusReason(), c.codeSha256(), c.revisionId());
  }
}
