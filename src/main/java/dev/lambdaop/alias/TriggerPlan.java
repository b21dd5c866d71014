package dev.lambdaop.alias;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdaop.api.Durations;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.aws.AliasTriggers.AsyncConfig;
import dev.lambdaop.aws.AliasTriggers.Cors;
import dev.lambdaop.aws.AliasTriggers.Permission;
import dev.lambdaop.aws.AliasTriggers.Provisioned;
import dev.lambdaop.aws.AliasTriggers.UrlConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * What makes an alias a trigger target, decided from the spec, what AWS holds and what the status says the operator
 * added: policy statements (ids derived, compared by meaning), the function URL, the asynchronous invocation
 * configuration and provisioned concurrency. Pure; {@link TriggerTargets} reads and writes.
 */
public final class TriggerPlan {
  /** The statement a function URL with authType NONE needs, added by the operator unless the spec lists one. */
  public static final String PUBLIC_URL_STATEMENT = LambdaAliasSpec.OPERATOR_STATEMENT_PREFIX + "function-url-public";
  /** AWS's defaults of an asynchronous invocation configuration. */
  static final int DEFAULT_RETRIES = 2;
  static final int DEFAULT_EVENT_AGE_SECONDS = 21600;
  private static final ObjectMapper JSON = new ObjectMapper();

  private TriggerPlan() {}

  // ---- the spec ------------------------------------------------------------------------------------------------

  /** What the schema cannot see (or a value stored before it could), each naming the field to change. */
  static List<String> problems(LambdaAliasSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec.permissions != null) {
      Map<String, Integer> seen = new HashMap<>();
      for (int i = 0; i < spec.permissions.size(); i++) {
        LambdaAliasSpec.Permission p = spec.permissions.get(i);
        if (p == null || p.principal == null) {
          problems.add("spec.permissions[" + i + "].principal: required");
          continue;
        }
        if (p.functionUrlAuthType != null && !LambdaAliasSpec.Permission.INVOKE_FUNCTION_URL.equals(p.actionOrDefault())) {
          problems.add("spec.permissions[" + i + "].functionUrlAuthType: only allowed with action "
              + LambdaAliasSpec.Permission.INVOKE_FUNCTION_URL);
        }
        String id = statementId(p);
        Integer earlier = seen.putIfAbsent(id, i);
        if (earlier != null) {
          problems.add("spec.permissions[" + i + "]: the same statement id (" + id + ") as spec.permissions["
              + earlier + "]; remove one or give them different statementIds");
        }
      }
    }
    if (spec.asyncInvoke != null && spec.asyncInvoke.maximumEventAge != null) {
      try {
        Duration age = Durations.parse(spec.asyncInvoke.maximumEventAge);
        if (age.toMillis() % 1000 != 0 || age.getSeconds() < 60 || age.getSeconds() > DEFAULT_EVENT_AGE_SECONDS) {
          problems.add("spec.asyncInvoke.maximumEventAge: must be whole seconds from 60s to 6h, not "
              + spec.asyncInvoke.maximumEventAge);
        }
      } catch (IllegalArgumentException e) {
        // durationProblems reports it
      }
    }
    if (spec.provisionedConcurrency != null && spec.provisionedConcurrency < 0) {
      problems.add("spec.provisionedConcurrency: must be 0 (none) or more");
    }
    return problems;
  }

  /** The statement id of an entry: its statementId, or lambdaop- and a hash of what it grants. */
  public static String statementId(LambdaAliasSpec.Permission p) {
    if (p.statementId != null) {
      return p.statementId;
    }
    String content = String.join("\n", p.principal, String.valueOf(p.sourceArn), String.valueOf(p.sourceAccount),
        String.valueOf(p.principalOrgId), p.actionOrDefault(), String.valueOf(p.functionUrlAuthType));
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(LambdaAliasSpec.OPERATOR_STATEMENT_PREFIX);
      for (int i = 0; i < 8; i++) {
        hex.append(String.format("%02x", hash[i]));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The statements the alias must have, in spec order; with the public statement of a URL with authType NONE. */
  static List<Permission> desiredPermissions(LambdaAliasSpec spec) {
    List<Permission> wanted = new ArrayList<>();
    if (spec.permissions != null) {
      for (LambdaAliasSpec.Permission p : spec.permissions) {
        wanted.add(new Permission(statementId(p), p.principal, p.actionOrDefault(), p.sourceArn, p.sourceAccount,
            p.principalOrgId, p.functionUrlAuthType == null ? null : p.functionUrlAuthType.name()));
      }
    }
    if (spec.functionUrl != null && spec.functionUrl.authType == LambdaAliasSpec.UrlAuthType.NONE
        && wanted.stream().noneMatch(TriggerPlan::grantsPublicUrl)) {
      wanted.add(publicUrlStatement());
    }
    return wanted;
  }

  static Permission publicUrlStatement() {
    return new Permission(PUBLIC_URL_STATEMENT, "*", LambdaAliasSpec.Permission.INVOKE_FUNCTION_URL, null, null,
        null, "NONE");
  }

  /** Whether a statement lets anyone call a function URL with authType NONE (and nothing narrows it). */
  static boolean grantsPublicUrl(Permission p) {
    return "*".equals(p.principal()) && LambdaAliasSpec.Permission.INVOKE_FUNCTION_URL.equals(p.action())
        && "NONE".equals(p.functionUrlAuthType()) && p.sourceArn() == null && p.sourceAccount() == null
        && p.principalOrgId() == null;
  }

  // ---- policy statements ---------------------------------------------------------------------------------------

  /**
   * A statement of a policy document, as far as the operator compares it.
   *
   * @param principal the principal's value ("*", a service, an ARN)
   * @param actions lower case
   * @param conditions condition key (lower case) to its value, whatever the operator (ArnLike, StringEquals...)
   */
  record Statement(String sid, String principal, Set<String> actions, String resource,
      Map<String, String> conditions) {}

  /** The statements of a policy document (GetPolicy) on {@code aliasArn}, by Sid; an unreadable document has none. */
  static Map<String, Statement> statements(String policy, String aliasArn) {
    Map<String, Statement> found = new LinkedHashMap<>();
    if (policy == null || policy.isBlank()) {
      return found;
    }
    JsonNode document;
    try {
      document = JSON.readTree(policy);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("the alias's policy is not JSON: " + e.getMessage(), e);
    }
    JsonNode list = document.path("Statement");
    List<JsonNode> statements = new ArrayList<>();
    if (list.isArray()) {
      list.forEach(statements::add);
    } else if (list.isObject()) {
      statements.add(list);
    }
    for (JsonNode s : statements) {
      String sid = s.path("Sid").asText(null);
      String resource = first(s.path("Resource"));
      if (sid == null || (aliasArn != null && resource != null && !aliasArn.equals(resource))) {
        continue;
      }
      Set<String> actions = new TreeSet<>();
      values(s.path("Action")).forEach(a -> actions.add(a.toLowerCase(Locale.ROOT)));
      Map<String, String> conditions = new HashMap<>();
      s.path("Condition").fields().forEachRemaining(op -> op.getValue().fields().forEachRemaining(
          c -> conditions.put(c.getKey().toLowerCase(Locale.ROOT), first(c.getValue()))));
      found.put(sid, new Statement(sid, principal(s.path("Principal")), actions, resource, conditions));
    }
    return found;
  }

  private static String principal(JsonNode principal) {
    if (principal.isTextual()) {
      return principal.asText();
    }
    for (String key : List.of("Service", "AWS", "Federated", "CanonicalUser")) {
      if (principal.has(key)) {
        return first(principal.get(key));
      }
    }
    return null;
  }

  private static List<String> values(JsonNode node) {
    List<String> values = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(v -> values.add(v.asText()));
    } else if (!node.isMissingNode() && !node.isNull()) {
      values.add(node.asText());
    }
    return values;
  }

  private static String first(JsonNode node) {
    List<String> values = values(node);
    return values.isEmpty() ? null : values.get(0);
  }

  /** The conditions AddPermission writes for a statement, keyed as {@link Statement#conditions}. */
  static Map<String, String> conditions(Permission p) {
    Map<String, String> conditions = new HashMap<>();
    if (p.sourceArn() != null) {
      conditions.put("aws:sourcearn", p.sourceArn());
    }
    if (p.sourceAccount() != null) {
      conditions.put("aws:sourceaccount", p.sourceAccount());
    }
    if (p.principalOrgId() != null) {
      conditions.put("aws:principalorgid", p.principalOrgId());
    }
    if (p.functionUrlAuthType() != null) {
      conditions.put("lambda:functionurlauthtype", p.functionUrlAuthType());
    }
    return conditions;
  }

  /** Whether AWS's statement grants what {@code wanted} asks: same principal, action and conditions. */
  static boolean matches(Permission wanted, Statement observed) {
    return samePrincipal(wanted.principal(), observed.principal())
        && observed.actions().equals(Set.of(wanted.action().toLowerCase(Locale.ROOT)))
        && observed.conditions().equals(conditions(wanted));
  }

  /** AWS writes an account id as its root ARN, and a service as it was given (its case aside). */
  private static boolean samePrincipal(String wanted, String observed) {
    if (observed == null) {
      return false;
    }
    if (wanted.equals(observed) || wanted.equalsIgnoreCase(observed) && wanted.endsWith(".amazonaws.com")) {
      return true;
    }
    return wanted.matches("[0-9]{12}") && observed.equals("arn:aws:iam::" + wanted + ":root");
  }

  /**
   * The statement writes that make AWS match, removals first (a changed statement keeps its id).
   *
   * @param adopted statements AWS holds as the spec asks, under their id, that the status does not record: the
   *     operator's own whose record was lost (the id is derived from the content, or the user's), taken as its own
   * @param conflicts an id the spec asks for that AWS holds with another content and the operator did not add
   */
  record PermissionChanges(List<String> remove, List<Permission> add, List<String> adopted, List<String> conflicts) {
    boolean none() {
      return remove.isEmpty() && add.isEmpty() && adopted.isEmpty();
    }
  }

  static PermissionChanges permissions(List<Permission> wanted, Map<String, Statement> observed,
      List<String> recorded) {
    Set<String> ours = new LinkedHashSet<>(recorded == null ? List.of() : recorded);
    List<String> remove = new ArrayList<>();
    List<Permission> add = new ArrayList<>();
    List<String> adopted = new ArrayList<>();
    List<String> conflicts = new ArrayList<>();
    Set<String> wantedIds = new LinkedHashSet<>();
    for (Permission p : wanted) {
      wantedIds.add(p.statementId());
      Statement there = observed.get(p.statementId());
      if (there == null) {
        add.add(p);
      } else if (matches(p, there)) {
        if (!ours.contains(p.statementId())) {
          adopted.add(p.statementId());
        }
      } else if (ours.contains(p.statementId())) {
        remove.add(p.statementId());
        add.add(p);
      } else {
        conflicts.add(p.statementId());
      }
    }
    for (String id : ours) {
      if (!wantedIds.contains(id) && observed.containsKey(id)) {
        remove.add(id);
      }
    }
    return new PermissionChanges(remove, add, adopted, conflicts);
  }

  // ---- function URL --------------------------------------------------------------------------------------------

  static UrlConfig desiredUrl(LambdaAliasSpec.FunctionUrl url) {
    LambdaAliasSpec.Cors c = url.cors;
    Cors cors = c == null ? null : new Cors(list(c.allowOrigins), list(c.allowMethods), list(c.allowHeaders),
        list(c.exposeHeaders), c.maxAge, c.allowCredentials);
    return new UrlConfig(null, url.authType.name(),
        (url.invokeMode == null ? LambdaAliasSpec.InvokeMode.BUFFERED : url.invokeMode).name(), cors);
  }

  /** Whether AWS's URL is configured as wanted: invoke mode in any case (moto says Buffered), CORS by meaning. */
  static boolean urlMatches(UrlConfig wanted, UrlConfig observed) {
    String mode = observed.invokeMode() == null ? LambdaAliasSpec.InvokeMode.BUFFERED.name() : observed.invokeMode();
    return wanted.authType().equalsIgnoreCase(String.valueOf(observed.authType()))
        && wanted.invokeMode().equalsIgnoreCase(mode)
        && normalized(wanted.cors()).equals(normalized(observed.cors()));
  }

  /** CORS as AWS applies it: order and duplicates do not count, methods and headers in any case, unset = empty. */
  static Cors normalized(Cors c) {
    if (c == null) {
      return new Cors(List.of(), List.of(), List.of(), List.of(), 0, false);
    }
    return new Cors(sorted(c.allowOrigins(), Function.identity()), sorted(c.allowMethods(), TriggerPlan::upper),
        sorted(c.allowHeaders(), TriggerPlan::lower), sorted(c.exposeHeaders(), TriggerPlan::lower),
        c.maxAge() == null ? 0 : c.maxAge(), Boolean.TRUE.equals(c.allowCredentials()));
  }

  private static String upper(String s) {
    return s.toUpperCase(Locale.ROOT);
  }

  private static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  private static List<String> sorted(List<String> values, Function<String, String> form) {
    return values == null ? List.of() : new ArrayList<>(new TreeSet<>(values.stream().map(form).toList()));
  }

  private static List<String> list(List<String> values) {
    return values == null ? List.of() : List.copyOf(values);
  }

  // ---- asynchronous invocation ---------------------------------------------------------------------------------

  static AsyncConfig desiredAsync(LambdaAliasSpec.AsyncInvoke a) {
    Integer age = a.maximumEventAge == null ? null : (int) Durations.parse(a.maximumEventAge).getSeconds();
    return new AsyncConfig(a.maximumRetryAttempts, age, a.onSuccess == null ? null : a.onSuccess.destination,
        a.onFailure == null ? null : a.onFailure.destination);
  }

  /** Whether AWS's configuration is the wanted one, an unset field meaning AWS's default. */
  static boolean asyncMatches(AsyncConfig wanted, AsyncConfig observed) {
    return orDefault(wanted.maximumRetryAttempts(), DEFAULT_RETRIES)
            == orDefault(observed.maximumRetryAttempts(), DEFAULT_RETRIES)
        && orDefault(wanted.maximumEventAgeSeconds(), DEFAULT_EVENT_AGE_SECONDS)
            == orDefault(observed.maximumEventAgeSeconds(), DEFAULT_EVENT_AGE_SECONDS)
        && Objects.equals(wanted.onSuccess(), observed.onSuccess())
        && Objects.equals(wanted.onFailure(), observed.onFailure());
  }

  private static int orDefault(Integer value, int otherwise) {
    return value == null ? otherwise : value;
  }

  // ---- provisioned concurrency ---------------------------------------------------------------------------------

  /** The provisioned concurrency the spec asks for, or 0 for none. */
  static int wantedProvisioned(LambdaAliasSpec spec) {
    return spec.provisionedConcurrency == null ? 0 : Math.max(0, spec.provisionedConcurrency);
  }

  static LambdaAliasStatus.ProvisionedConcurrency status(Provisioned p) {
    LambdaAliasStatus.ProvisionedConcurrency s = new LambdaAliasStatus.ProvisionedConcurrency();
    s.requested = p.requested();
    s.available = p.available();
    s.allocated = p.allocated();
    s.status = p.status();
    s.statusReason = p.statusReason() == null || p.statusReason().isBlank() ? null : p.statusReason();
    return s;
  }

  /** Why the alias is not Ready for its provisioned concurrency (AWS reports FAILED), or null. */
  static String failure(LambdaAliasStatus.ProvisionedConcurrency s, String alias) {
    if (s == null || !LambdaAliasStatus.ProvisionedConcurrency.FAILED.equals(s.status)) {
      return null;
    }
    return "AWS could not allocate the provisioned concurrency of alias " + alias + " (" + s.requested + "): "
        + (s.statusReason == null ? "no reason given" : s.statusReason)
        + ". Change spec.provisionedConcurrency (or raise the account's concurrency) to try again";
  }

  /**
   * For {@link AliasPlan.Checks#provisionedWarming}: how far AWS got allocating the alias's provisioned concurrency
   * while it is IN_PROGRESS ("3 of 10 allocated"); null when it was not read, there is none, or it is READY or
   * FAILED (FAILED is not waited for: Ready says it).
   */
  static String warming(Optional<Provisioned> read) {
    if (read == null || read.isEmpty()
        || !LambdaAliasStatus.ProvisionedConcurrency.IN_PROGRESS.equals(read.get().status())) {
      return null;
    }
    Provisioned p = read.get();
    return (p.allocated() == null ? 0 : p.allocated()) + " of " + p.requested() + " allocated";
  }

  /** What a shift's status message adds while AWS still allocates provisioned concurrency, or null. */
  static String warming(LambdaAliasStatus.ProvisionedConcurrency s, boolean shifting) {
    if (s == null || !shifting || !LambdaAliasStatus.ProvisionedConcurrency.IN_PROGRESS.equals(s.status)) {
      return null;
    }
    return "; provisioned concurrency is still being allocated (" + (s.allocated == null ? 0 : s.allocated) + " of "
        + s.requested + "): the versions of the shift may serve cold starts until it is READY";
  }
}
