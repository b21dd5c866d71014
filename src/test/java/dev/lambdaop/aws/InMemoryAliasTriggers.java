package dev.lambdaop.aws;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The alias-scoped trigger targets of {@link InMemoryAws}, as AWS keeps them per alias: policy statements (GetPolicy
 * answers a JSON document as AWS writes it: Principal as {"Service": ...}, {"AWS": root ARN} or "*", conditions
 * ArnLike AWS:SourceArn, StringEquals AWS:SourceAccount, aws:PrincipalOrgID, lambda:FunctionUrlAuthType), the
 * function URL, the asynchronous invocation configuration (a put replaces it) and provisioned concurrency, which
 * stays IN_PROGRESS after a put, and goes back to IN_PROGRESS when UpdateAlias changes the alias's routing (AWS
 * spreads it over the versions by weight), until the test calls {@link InMemoryAws#finishProvisioning} or
 * {@link InMemoryAws#failProvisioning}.
 * Deleting the alias (or its function) drops them all, as AWS does. Calls are counted and faults injected by
 * {@link InMemoryAws}; every method runs under its lock.
 */
final class InMemoryAliasTriggers implements AliasTriggers {
  private final InMemoryAws aws;
  private final Map<String, Map<String, Permission>> statements = new HashMap<>();
  private final Map<String, UrlConfig> urls = new HashMap<>();
  private final Map<String, AsyncConfig> async = new HashMap<>();
  private final Map<String, Provisioned> provisioned = new HashMap<>();
  private long urls_made;

  InMemoryAliasTriggers(InMemoryAws aws) {
    this.aws = aws;
  }

  // ---- the port ----

  @Override
  public Optional<String> policy(String region, String function, String alias) {
    return aws.call("GetPolicy", function, false, () -> {
      String key = existingAlias("GetPolicy", region, function, alias);
      Map<String, Permission> held = statements.getOrDefault(key, Map.of());
      return held.isEmpty() ? Optional.<String>empty() : Optional.of(document(aws.aliasArn(region, function, alias),
          held));
    });
  }

  @Override
  public void addPermission(String region, String function, String alias, Permission p) {
    aws.call("AddPermission", function, true, () -> {
      String key = existingAlias("AddPermission", region, function, alias);
      Map<String, Permission> held = statements.computeIfAbsent(key, k -> new LinkedHashMap<>());
      if (held.containsKey(p.statementId())) {
        throw AwsFailures.conflict("AddPermission", "The statement id (" + p.statementId() + ") provided already"
            + " exists. Please provide a new statement id, or remove the existing statement.");
      }
      if (p.functionUrlAuthType() != null && !"lambda:InvokeFunctionUrl".equals(p.action())) {
        throw AwsFailures.invalidParameter("AddPermission", "FunctionUrlAuthType is only supported for"
            + " lambda:InvokeFunctionUrl");
      }
      held.put(p.statementId(), p);
      return null;
    });
  }

  @Override
  public boolean removePermission(String region, String function, String alias, String statementId) {
    return aws.call("RemovePermission", function, true, () -> {
      String key = existingAlias("RemovePermission", region, function, alias);
      Map<String, Permission> held = statements.getOrDefault(key, new HashMap<>());
      if (held.remove(statementId) == null) {
        throw AwsFailures.notFound("RemovePermission", "No policy is associated with the given resource.");
      }
      return true;
    });
  }

  @Override
  public Optional<UrlConfig> url(String region, String function, String alias) {
    return aws.call("GetFunctionUrlConfig", function, false, () -> {
      String key = existingAlias("GetFunctionUrlConfig", region, function, alias);
      return Optional.ofNullable(urls.get(key));
    });
  }

  @Override
  public UrlConfig createUrl(String region, String function, String alias, UrlConfig config) {
    return aws.call("CreateFunctionUrlConfig", function, true, () -> {
      String key = existingAlias("CreateFunctionUrlConfig", region, function, alias);
      if (urls.containsKey(key)) {
        throw AwsFailures.conflict("CreateFunctionUrlConfig", "Failed to create function url config for"
            + " [functionArn = " + aws.aliasArn(region, function, alias) + "]. Error message: FunctionUrlConfig"
            + " exists for this Lambda function");
      }
      String url = "https://u" + (++urls_made) + alias.toLowerCase(java.util.Locale.ROOT) + ".lambda-url."
          + (region == null ? InMemoryAws.DEFAULT_REGION : region) + ".on.aws/";
      UrlConfig made = new UrlConfig(url, config.authType(), config.invokeMode(), config.cors());
      urls.put(key, made);
      return made;
    });
  }

  @Override
  public UrlConfig updateUrl(String region, String function, String alias, UrlConfig config) {
    return aws.call("UpdateFunctionUrlConfig", function, true, () -> {
      String key = existingAlias("UpdateFunctionUrlConfig", region, function, alias);
      UrlConfig there = urls.get(key);
      if (there == null) {
        throw AwsFailures.notFound("UpdateFunctionUrlConfig", "The resource you requested does not exist.");
      }
      UrlConfig updated = new UrlConfig(there.url(), config.authType(), config.invokeMode(), config.cors());
      urls.put(key, updated);
      return updated;
    });
  }

  @Override
  public boolean deleteUrl(String region, String function, String alias) {
    return aws.call("DeleteFunctionUrlConfig", function, true, () -> {
      String key = existingAlias("DeleteFunctionUrlConfig", region, function, alias);
      if (urls.remove(key) == null) {
        throw AwsFailures.notFound("DeleteFunctionUrlConfig", "The resource you requested does not exist.");
      }
      return true;
    });
  }

  @Override
  public Optional<AsyncConfig> asyncInvoke(String region, String function, String alias) {
    return aws.call("GetFunctionEventInvokeConfig", function, false,
        () -> Optional.ofNullable(async.get(existingAlias("GetFunctionEventInvokeConfig", region, function, alias))));
  }

  @Override
  public void putAsyncInvoke(String region, String function, String alias, AsyncConfig config) {
    aws.call("PutFunctionEventInvokeConfig", function, true, () -> {
      String key = existingAlias("PutFunctionEventInvokeConfig", region, function, alias);
      // AWS keeps what the request sets; an unset field reads back as its default.
      async.put(key, new AsyncConfig(config.maximumRetryAttempts() == null ? 2 : config.maximumRetryAttempts(),
          config.maximumEventAgeSeconds() == null ? 21600 : config.maximumEventAgeSeconds(), config.onSuccess(),
          config.onFailure()));
      return null;
    });
  }

  @Override
  public boolean deleteAsyncInvoke(String region, String function, String alias) {
    return aws.call("DeleteFunctionEventInvokeConfig", function, true, () -> {
      String key = existingAlias("DeleteFunctionEventInvokeConfig", region, function, alias);
      if (async.remove(key) == null) {
        throw AwsFailures.notFound("DeleteFunctionEventInvokeConfig", "The function has no configuration.");
      }
      return true;
    });
  }

  @Override
  public Optional<Provisioned> provisionedConcurrency(String region, String function, String alias) {
    return aws.call("GetProvisionedConcurrencyConfig", function, false, () -> Optional.ofNullable(
        provisioned.get(existingAlias("GetProvisionedConcurrencyConfig", region, function, alias))));
  }

  @Override
  public Provisioned putProvisionedConcurrency(String region, String function, String alias, int requested) {
    return aws.call("PutProvisionedConcurrencyConfig", function, true, () -> {
      String key = existingAlias("PutProvisionedConcurrencyConfig", region, function, alias);
      if (requested < 1) {
        throw AwsFailures.invalidParameter("PutProvisionedConcurrencyConfig", "1 validation error detected: Value '"
            + requested + "' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have"
            + " value greater than or equal to 1");
      }
      Provisioned now = new Provisioned(requested, 0, 0, "IN_PROGRESS", null);
      provisioned.put(key, now);
      return now;
    });
  }

  @Override
  public boolean deleteProvisionedConcurrency(String region, String function, String alias) {
    return aws.call("DeleteProvisionedConcurrencyConfig", function, true, () -> {
      String key = existingAlias("DeleteProvisionedConcurrencyConfig", region, function, alias);
      if (provisioned.remove(key) == null) {
        throw AwsFailures.notFound("DeleteProvisionedConcurrencyConfig", "No Provisioned Concurrency Config found"
            + " for this function");
      }
      return true;
    });
  }

  // ---- what the tests use (InMemoryAws delegates) ----

  Map<String, Permission> statements(String region, String function, String alias) {
    return Map.copyOf(statements.getOrDefault(key(region, function, alias), Map.of()));
  }

  Optional<UrlConfig> storedUrl(String region, String function, String alias) {
    return Optional.ofNullable(urls.get(key(region, function, alias)));
  }

  Optional<AsyncConfig> storedAsync(String region, String function, String alias) {
    return Optional.ofNullable(async.get(key(region, function, alias)));
  }

  Optional<Provisioned> storedProvisioned(String region, String function, String alias) {
    return Optional.ofNullable(provisioned.get(key(region, function, alias)));
  }

  void addStatement(String region, String function, String alias, Permission p) {
    statements.computeIfAbsent(key(region, function, alias), k -> new LinkedHashMap<>()).put(p.statementId(), p);
  }

  void removeStatement(String region, String function, String alias, String statementId) {
    statements.getOrDefault(key(region, function, alias), new HashMap<>()).remove(statementId);
  }

  void setUrl(String region, String function, String alias, UrlConfig config) {
    if (config == null) {
      urls.remove(key(region, function, alias));
    } else {
      urls.put(key(region, function, alias), config);
    }
  }

  void setAsync(String region, String function, String alias, AsyncConfig config) {
    if (config == null) {
      async.remove(key(region, function, alias));
    } else {
      async.put(key(region, function, alias), config);
    }
  }

  void settleProvisioning(String region, String function, String alias, String status, String reason) {
    String key = key(region, function, alias);
    Provisioned p = provisioned.get(key);
    if (p == null) {
      throw new IllegalStateException("no provisioned concurrency on " + key);
    }
    boolean ready = "READY".equals(status);
    provisioned.put(key, new Provisioned(p.requested(), ready ? p.requested() : 0, ready ? p.requested() : 0,
        status, reason));
  }

  /**
   * The alias routes anew: AWS spreads its provisioned concurrency over the versions by their new weights, IN_PROGRESS
   * (with what is allocated so far) until the test calls {@link InMemoryAws#finishProvisioning}.
   */
  void rerouted(String region, String function, String alias) {
    String key = key(region, function, alias);
    Provisioned p = provisioned.get(key);
    if (p != null && !"FAILED".equals(p.status())) {
      provisioned.put(key, new Provisioned(p.requested(), p.available(), p.allocated(), "IN_PROGRESS", null));
    }
  }

  /** The alias (or its function) was deleted: AWS drops what was configured on it. */
  void aliasDeleted(String region, String function, String alias) {
    String key = key(region, function, alias);
    statements.remove(key);
    urls.remove(key);
    async.remove(key);
    provisioned.remove(key);
  }

  void functionDeleted(String region, String function) {
    String prefix = key(region, function, "");
    statements.keySet().removeIf(k -> k.startsWith(prefix));
    urls.keySet().removeIf(k -> k.startsWith(prefix));
    async.keySet().removeIf(k -> k.startsWith(prefix));
    provisioned.keySet().removeIf(k -> k.startsWith(prefix));
  }

  private String existingAlias(String operation, String region, String function, String alias) {
    if (aws.alias(region, function, alias).isEmpty()) {
      throw AwsFailures.notFound(operation, "Function not found: " + aws.aliasArn(region, function, alias));
    }
    return key(region, function, alias);
  }

  private static String key(String region, String function, String alias) {
    String name = function.startsWith("arn:") ? function.split(":")[6] : function;
    return (region == null ? InMemoryAws.DEFAULT_REGION : region) + "/" + name + ":" + alias;
  }

  /** The policy document as AWS's GetPolicy writes it. */
  private static String document(String resource, Map<String, Permission> held) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode doc = f.objectNode().put("Version", "2012-10-17").put("Id", "default");
    ArrayNode list = doc.putArray("Statement");
    for (Permission p : held.values()) {
      ObjectNode s = list.addObject().put("Sid", p.statementId()).put("Effect", "Allow");
      if ("*".equals(p.principal())) {
        s.put("Principal", "*");
      } else if (p.principal().endsWith(".amazonaws.com")) {
        s.putObject("Principal").put("Service", p.principal());
      } else if (p.principal().matches("[0-9]{12}")) {
        s.putObject("Principal").put("AWS", "arn:aws:iam::" + p.principal() + ":root");
      } else {
        s.putObject("Principal").put("AWS", p.principal());
      }
      s.put("Action", p.action()).put("Resource", resource);
      ObjectNode condition = f.objectNode();
      if (p.sourceArn() != null) {
        condition.putObject("ArnLike").put("AWS:SourceArn", p.sourceArn());
      }
      if (p.sourceAccount() != null || p.principalOrgId() != null || p.functionUrlAuthType() != null) {
        ObjectNode equals = condition.putObject("StringEquals");
        if (p.sourceAccount() != null) {
          equals.put("AWS:SourceAccount", p.sourceAccount());
        }
        if (p.principalOrgId() != null) {
          equals.put("aws:PrincipalOrgID", p.principalOrgId());
        }
        if (p.functionUrlAuthType() != null) {
          equals.put("lambda:FunctionUrlAuthType", p.functionUrlAuthType());
        }
      }
      if (!condition.isEmpty()) {
        s.set("Condition", condition);
      }
    }
    return doc.toString();
  }
}
