package dev.lambdaop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What a LambdaAlias declares: which version it serves and how traffic moves to a new one. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.functionRef) != has(self.functionName)",
    message = "set exactly one of functionRef (a LambdaFunction in this namespace) or functionName (a function the operator does not manage)")
@ValidationRule(
    value = "has(oldSelf.aliasName) == has(self.aliasName) && (!has(self.aliasName) || self.aliasName == oldSelf.aliasName)",
    message = "aliasName is immutable: create a new LambdaAlias to use another alias name",
    fieldPath = ".aliasName")
@ValidationRule(
    value = "!(has(self.routing) && has(self.deployment))",
    message = "routing (manual weights) can only be used without deployment; remove one of them",
    fieldPath = ".routing")
@ValidationRule(
    value = "has(oldSelf.functionRef) == has(self.functionRef) && has(oldSelf.functionName) == has(self.functionName) && (!has(self.functionRef) || self.functionRef.name == oldSelf.functionRef.name) && (!has(self.functionName) || self.functionName == oldSelf.functionName)",
    message = "functionRef and functionName are immutable: create a new LambdaAlias for another function (deleting this one releases what it holds)")
public class LambdaAliasSpec {
  /** The version that means "the newest one the function published" (the default). */
  public static final String LATEST = "latest";

  @JsonPropertyDescription("The LambdaFunction in this namespace whose versions the alias serves. Exactly one of functionRef or functionName. Immutable.")
  public FunctionRef functionRef;

  @Pattern("^[a-zA-Z0-9_:.-]+$")
  @Size(min = 1, max = 140)
  @JsonPropertyDescription("Name or ARN of a function that no operator owns, or that a LambdaFunction in this namespace owns; an ARN gives the region. Exactly one of functionRef or functionName. Immutable.")
  public String functionName;

  @Pattern("^[a-zA-Z0-9_-]+$")
  @Size(min = 1, max = 128)
  @ValidationRule(value = "!self.matches('^[0-9]+$')", message = "must not be all digits: that would read as a version number")
  @ValidationRule(value = "self != '$LATEST'", message = "must not be $LATEST")
  @JsonPropertyDescription("Name of the alias in AWS: letters, digits, '-' or '_', not all digits, not $LATEST. Defaults to metadata.name. Immutable.")
  public String aliasName;

  @Pattern("^(latest|[1-9][0-9]*)$")
  @Default(LATEST)
  @JsonPropertyDescription("The version the alias serves: 'latest' (the newest version the LambdaFunction published) or a version number such as \"7\". Never $LATEST or another alias.")
  public String version;

  @Size(max = 256)
  @JsonPropertyDescription("Description of the alias.")
  public String description;

  @JsonPropertyDescription("How traffic moves to a new version. Without it, the alias switches at once (AllAtOnce).")
  public Deployment deployment;

  @Default("false")
  @JsonPropertyDescription("true holds a running shift at its current weight; false resumes it with the remaining time of the step.")
  public Boolean paused;

  @JsonPropertyDescription("Manual weighted routing to one additional version. Only without deployment.")
  public Routing routing;

  @JsonPropertyDescription("true takes over an alias of this name that already exists in AWS and that no LambdaAlias created; without it such an alias is left alone (AlreadyExists). An adopted alias is deleted with the LambdaAlias.")
  public Boolean adopt;

  @Size(max = 50)
  @ValidationRule(
      value = "self.all(p, !has(p.statementId) || self.exists_one(q, has(q.statementId) && q.statementId == p.statementId))",
      message = "permissions: each statementId may appear once")
  @JsonPropertyDescription("Resource-based policy statements on the alias (AddPermission with Qualifier = the alias): who may invoke it. The operator owns only the statements it added (status.permissions) and puts them back when they are removed or changed in AWS; statements it did not add are never touched. An edited entry is removed and added again (AWS has no update).")
  public List<Permission> permissions;

  @JsonPropertyDescription("A function URL for the alias (CreateFunctionUrlConfig with Qualifier = the alias); status.functionUrl is its URL. With authType NONE the operator also adds the public statement the URL needs (principal \"*\", lambda:InvokeFunctionUrl, functionUrlAuthType NONE, statement id lambdaop-function-url-public) unless permissions already lists one.")
  public FunctionUrl functionUrl;

  @JsonPropertyDescription("Asynchronous invocation of the alias: retries, event age, destinations (PutFunctionEventInvokeConfig with Qualifier = the alias, which replaces the whole configuration). Removing it deletes the configuration the operator put.")
  public AsyncInvoke asyncInvoke;

  @Min(0)
  @Max(100000)
  @JsonPropertyDescription("Provisioned concurrency on the alias (PutProvisionedConcurrencyConfig); 0 or absent: none. During a traffic shift AWS spreads it over the alias's two versions by weight, IN_PROGRESS after each step: the shift's next step waits until it is READY (the status message says so; a promote does not wait). status.provisionedConcurrency says how much is allocated. FAILED makes Ready False with AWS's reason.")
  public Integer provisionedConcurrency;

  /** Whether the user allows taking over an existing AWS alias (spec.adopt). */
  public boolean adopts() {
    return Boolean.TRUE.equals(adopt);
  }

  /** The functions the deployment's hooks name (none without a deployment or hooks). */
  public java.util.List<String> hookFunctionNames() {
    if (deployment == null) {
      return java.util.List.of();
    }
    return java.util.stream.Stream.of(deployment.preTrafficHook, deployment.postTrafficHook)
        .filter(java.util.Objects::nonNull).map(h -> h.functionName).toList();
  }

  /**
   * The durations of the spec that the operator cannot use, each as "spec.field: why" (not a duration, or longer
   * than {@link Durations#MAX}); empty when every one can. The schema bounds them all far below; this finds a value
   * stored before a bound existed, or sent past the schema.
   */
  public List<String> durationProblems() {
    java.util.Map<String, String> durations = new java.util.LinkedHashMap<>();
    if (deployment != null) {
      if (deployment.canary != null) {
        durations.put("spec.deployment.canary.interval", deployment.canary.interval);
      }
      if (deployment.linear != null) {
        durations.put("spec.deployment.linear.interval", deployment.linear.interval);
      }
      if (deployment.steps != null) {
        for (int i = 0; i < deployment.steps.size(); i++) {
          Step step = deployment.steps.get(i);
          if (step != null && step.pause != null) {
            durations.put("spec.deployment.steps[" + i + "].pause.duration", step.pause.duration);
          }
        }
      }
      if (deployment.preTrafficHook != null) {
        durations.put("spec.deployment.preTrafficHook.timeout", deployment.preTrafficHook.timeout);
      }
      if (deployment.postTrafficHook != null) {
        durations.put("spec.deployment.postTrafficHook.timeout", deployment.postTrafficHook.timeout);
      }
    }
    if (asyncInvoke != null) {
      durations.put("spec.asyncInvoke.maximumEventAge", asyncInvoke.maximumEventAge);
    }
    List<String> problems = new java.util.ArrayList<>();
    durations.forEach((field, value) -> {
      if (value != null) {
        try {
          Durations.parse(value);
        } catch (IllegalArgumentException e) {
          problems.add(field + ": " + e.getMessage());
        }
      }
    });
    return problems;
  }

  /** Whether the alias follows the newest version its function publishes (version 'latest', the default). */
  public boolean followsLatest() {
    return version == null || LATEST.equals(version);
  }

  /**
   * The version the alias is to serve: spec.version, or for 'latest' {@code newestPublished} (the LambdaFunction's
   * status.latestVersion, or the newest version AWS lists), null while there is none.
   */
  public String targetVersion(String newestPublished) {
    return followsLatest() ? newestPublished : version;
  }

  public enum Strategy {
    AllAtOnce,
    Canary,
    Linear,
    Steps
  }

  public enum Preset {
    AllAtOnce,
    Canary10Percent5Minutes,
    Canary10Percent10Minutes,
    Canary10Percent15Minutes,
    Canary10Percent30Minutes,
    Linear10PercentEvery1Minute,
    Linear10PercentEvery2Minutes,
    Linear10PercentEvery3Minutes,
    Linear10PercentEvery10Minutes
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "!has(self.preset) || (!has(self.canary) && !has(self.linear) && !has(self.steps))",
      message = "a preset replaces canary, linear and steps: set the preset or those fields, not both")
  @ValidationRule(
      value = "!has(self.preset) || !has(self.strategy) || self.preset.startsWith(self.strategy)",
      message = "preset and strategy disagree: a Canary... preset needs strategy Canary, a Linear... preset strategy Linear (or leave strategy out)")
  @ValidationRule(
      value = "has(self.preset) || !has(self.strategy) || self.strategy != 'Canary' || has(self.canary)",
      message = "strategy Canary needs deployment.canary (weight and interval) or a Canary preset")
  @ValidationRule(
      value = "has(self.preset) || !has(self.strategy) || self.strategy != 'Linear' || has(self.linear)",
      message = "strategy Linear needs deployment.linear (stepWeight and interval) or a Linear preset")
  @ValidationRule(
      value = "!has(self.strategy) || self.strategy != 'Steps' || has(self.steps)",
      message = "strategy Steps needs deployment.steps")
  @ValidationRule(
      value = "!has(self.canary) || (has(self.strategy) && self.strategy == 'Canary')",
      message = "deployment.canary needs strategy: Canary")
  @ValidationRule(
      value = "!has(self.linear) || (has(self.strategy) && self.strategy == 'Linear')",
      message = "deployment.linear needs strategy: Linear")
  @ValidationRule(
      value = "!has(self.steps) || (has(self.strategy) && self.strategy == 'Steps')",
      message = "deployment.steps needs strategy: Steps")
  public static class Deployment {
    @JsonPropertyDescription("AllAtOnce (default), Canary, Linear or Steps.")
    public Strategy strategy;

    @JsonPropertyDescription("A CodeDeploy configuration name instead of canary/linear/steps: AllAtOnce, Canary10Percent{5,10,15,30}Minutes, Linear10PercentEvery{1Minute,2Minutes,3Minutes,10Minutes}.")
    public Preset preset;

    @JsonPropertyDescription("Canary: weight% of traffic for interval, then 100%.")
    public Canary canary;

    @JsonPropertyDescription("Linear: +stepWeight% every interval until 100%.")
    public Linear linear;

    @Size(min = 1, max = 50)
    @JsonPropertyDescription("Steps: any sequence of setWeight and pause.")
    public List<Step> steps;

    @JsonPropertyDescription("Function invoked (RequestResponse) before any traffic moves; a failure leaves traffic untouched.")
    public Hook preTrafficHook;

    @JsonPropertyDescription("Function invoked after 100% of traffic moved; a failure rolls back.")
    public Hook postTrafficHook;

    @JsonPropertyDescription("When to send all traffic back to the stable version during a shift.")
    public Rollback rollback;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Canary {
    @Required
    @Min(1)
    @Max(99)
    @JsonPropertyDescription("Percent of traffic on the new version during the interval, 1 to 99.")
    public Integer weight;

    @Required
    @Pattern(Durations.PATTERN)
    @Size(max = Durations.MAX_LENGTH)
    @ValidationRule(value = Durations.AT_MOST_24H, message = "must be a duration of at most 24h")
    @JsonPropertyDescription("How long the canary weight holds, for example 30s, 5m, 1h30m; at most 24h.")
    public String interval;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Linear {
    @Required
    @Min(1)
    @Max(99)
    @JsonPropertyDescription("Percent added at each step, 1 to 99.")
    public Integer stepWeight;

    @Required
    @Pattern(Durations.PATTERN)
    @Size(max = Durations.MAX_LENGTH)
    @ValidationRule(value = Durations.AT_MOST_24H, message = "must be a duration of at most 24h")
    @JsonPropertyDescription("Time between steps, for example 30s, 3m; at most 24h.")
    public String interval;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "has(self.setWeight) != has(self.pause)", message = "each step is either setWeight or pause")
  public static class Step {
    @Min(0)
    @Max(100)
    @JsonPropertyDescription("Set the new version's share of traffic to this percent.")
    public Integer setWeight;

    @JsonPropertyDescription("Hold the weight: for duration, or until promoted when duration is not set.")
    public Pause pause;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Pause {
    @Pattern(Durations.PATTERN)
    @Size(max = Durations.MAX_LENGTH)
    @ValidationRule(value = Durations.AT_MOST_168H, message = "must be a duration of at most 168h (7 days)")
    @JsonPropertyDescription("How long to hold, for example 10m; at most 168h (7 days). Without it the shift waits for a promote.")
    public String duration;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Hook {
    public static final String DEFAULT_TIMEOUT = "1m";

    @Required
    @Pattern("^[a-zA-Z0-9_:.-]+$")
    @Size(min = 1, max = 170)
    @JsonPropertyDescription("Name or ARN of the function to invoke; it receives the version under test in its payload.")
    public String functionName;

    @Pattern(Durations.PATTERN)
    @Size(max = Durations.MAX_LENGTH)
    @ValidationRule(value = Durations.AT_MOST_15M, message = "must be at most 15m (the longest a Lambda invocation runs)")
    @ValidationRule(value = "!self.matches('" + Durations.BOUNDED_DIGITS + "') || duration(self) >= duration('1s')",
        message = "must be at least 1s")
    @Default(DEFAULT_TIMEOUT)
    @JsonPropertyDescription("How long the hook may take before it counts as failed. Default 1m; 1s to 15m.")
    public String timeout;

    /** How long the hook may take: timeout, or its default. */
    public Duration timeLimit() {
      return Durations.parse(timeout == null ? DEFAULT_TIMEOUT : timeout);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Rollback {
    /** How often alarms and the error rate are read while a shift runs. */
    public static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);

    @Size(max = 10)
    @JsonPropertyDescription("CloudWatch alarm names; any of them in ALARM during the shift rolls back.")
    public List<@Size(min = 1, max = 255) String> alarms;

    @JsonPropertyDescription("Roll back when the new version's Errors/Invocations exceeds max.")
    public ErrorRate errorRate;

    /** Whether anything is watched while a shift runs: alarms or the error rate. */
    public boolean watchesHealth() {
      return (alarms != null && !alarms.isEmpty()) || errorRate != null;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ErrorRate {
    public static final int DEFAULT_MIN_INVOCATIONS = 20;

    @Required
    @Pattern("^(0(\\.[0-9]+)?|1(\\.0+)?)$")
    @JsonPropertyDescription("Largest acceptable error rate, a decimal between 0 and 1 written as a string, for example \"0.05\".")
    public String max;

    @Min(1)
    @Default("" + DEFAULT_MIN_INVOCATIONS)
    @JsonPropertyDescription("Invocations of the new version needed before the rate is judged. Default 20.")
    public Integer minInvocations;

    /** Invocations of the new version needed before its rate is judged: minInvocations, or its default. */
    public int invocationsNeeded() {
      return minInvocations == null ? DEFAULT_MIN_INVOCATIONS : minInvocations;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Routing {
    @Required
    @Size(max = 1)
    @ValidationRule(
        value = "self.all(k, k.matches('^[1-9][0-9]*$') && self[k] >= 0.0 && self[k] <= 1.0)",
        message = "maps one version number (digits) to a weight between 0.0 and 1.0")
    @JsonPropertyDescription("One additional version and the share of traffic it gets, 0.0 to 1.0, for example {\"6\": 0.1}. AWS allows one.")
    public Map<String, Double> additionalVersionWeights;
  }

  /** Prefix of the statement ids the operator chooses; users cannot choose it. */
  public static final String OPERATOR_STATEMENT_PREFIX = "lambdaop-";

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(
      value = "!has(self.functionUrlAuthType) || (has(self.action) && self.action == 'lambda:InvokeFunctionUrl')",
      message = "permissions[].functionUrlAuthType is only allowed with action lambda:InvokeFunctionUrl")
  public static class Permission {
    public static final String INVOKE_FUNCTION = "lambda:InvokeFunction";
    public static final String INVOKE_FUNCTION_URL = "lambda:InvokeFunctionUrl";

    @Pattern("^[a-zA-Z0-9_-]+$")
    @Size(min = 1, max = 100)
    @ValidationRule(value = "!self.startsWith('lambdaop-')", message = "permissions[].statementId must not start with lambdaop- (the operator's own ids)")
    @JsonPropertyDescription("Id of the statement in the alias's policy, unique in the list: letters, digits, '-' or '_', at most 100. Default: lambdaop- and a hash of the entry (an edited entry then gets a new id).")
    public String statementId;

    @Required
    @Pattern("^[^\\s]+$")
    @Size(min = 1, max = 256)
    @JsonPropertyDescription("Who may invoke: a service (apigateway.amazonaws.com, s3.amazonaws.com, events.amazonaws.com...), an account id, an IAM ARN, or \"*\".")
    public String principal;

    @Pattern("^arn:[^\\s]+$")
    @Size(max = 1024)
    @JsonPropertyDescription("Only for requests from this resource (condition AWS:SourceArn), for example an API Gateway route or an S3 bucket.")
    public String sourceArn;

    @Pattern("^[0-9]{12}$")
    @JsonPropertyDescription("Only for requests from resources of this account (condition AWS:SourceAccount).")
    public String sourceAccount;

    @Pattern("^o-[a-z0-9]{10,32}$")
    @JsonPropertyDescription("Only for principals of this AWS Organization (condition aws:PrincipalOrgID).")
    public String principalOrgId;

    @Pattern("^lambda:[A-Za-z]+$")
    @Size(max = 64)
    @Default(INVOKE_FUNCTION)
    @JsonPropertyDescription("The action allowed. Default lambda:InvokeFunction; lambda:InvokeFunctionUrl for a function URL.")
    public String action;

    @JsonPropertyDescription("Only with action lambda:InvokeFunctionUrl: the auth type of the URL the statement is for (AWS_IAM or NONE).")
    public UrlAuthType functionUrlAuthType;

    /** The action, defaulted. */
    public String actionOrDefault() {
      return action == null ? INVOKE_FUNCTION : action;
    }
  }

  public enum UrlAuthType {
    AWS_IAM,
    NONE
  }

  public enum InvokeMode {
    BUFFERED,
    RESPONSE_STREAM
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class FunctionUrl {
    @Required
    @JsonPropertyDescription("AWS_IAM (callers sign with IAM) or NONE (public; the operator adds the public statement lambdaop-function-url-public unless permissions lists one).")
    public UrlAuthType authType;

    @Default("BUFFERED")
    @JsonPropertyDescription("BUFFERED (default) or RESPONSE_STREAM.")
    public InvokeMode invokeMode;

    @JsonPropertyDescription("Cross-origin resource sharing of the URL.")
    public Cors cors;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Cors {
    @Size(max = 100)
    @JsonPropertyDescription("Origins allowed, for example https://shop.example, or *.")
    public List<@Size(min = 1, max = 253) String> allowOrigins;

    @Size(max = 6)
    @JsonPropertyDescription("HTTP methods allowed (GET, POST, ...), or *.")
    public List<@Pattern("^[A-Za-z*]+$") @Size(min = 1, max = 6) String> allowMethods;

    @Size(max = 100)
    @JsonPropertyDescription("Request headers allowed.")
    public List<@Size(min = 1, max = 1024) String> allowHeaders;

    @Size(max = 100)
    @JsonPropertyDescription("Response headers exposed to the browser.")
    public List<@Size(min = 1, max = 1024) String> exposeHeaders;

    @Min(0)
    @Max(86400)
    @JsonPropertyDescription("Seconds a browser caches the preflight answer, 0 to 86400.")
    public Integer maxAge;

    @JsonPropertyDescription("Whether cookies and other credentials are allowed.")
    public Boolean allowCredentials;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class AsyncInvoke {
    @Min(0)
    @Max(2)
    @JsonPropertyDescription("How many times Lambda retries a failed asynchronous invocation, 0 to 2 (AWS's default 2).")
    public Integer maximumRetryAttempts;

    @Pattern(Durations.PATTERN)
    @Size(max = Durations.MAX_LENGTH)
    @ValidationRule(value = "self.matches('" + Durations.BOUNDED_DIGITS + "') && duration(self) >= duration('60s') && duration(self) <= duration('6h')",
        message = "asyncInvoke.maximumEventAge must be a duration from 60s to 6h")
    @JsonPropertyDescription("How long Lambda keeps an event for retries, in whole seconds, 60s to 6h (AWS's default 6h), for example 1h.")
    public String maximumEventAge;

    @JsonPropertyDescription("Where the records of successful asynchronous invocations go.")
    public Destination onSuccess;

    @JsonPropertyDescription("Where the records of failed asynchronous invocations go.")
    public Destination onFailure;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Destination {
    @Required
    @Pattern("^arn:aws[a-zA-Z-]*:(sqs|sns|lambda|events):[a-z0-9-]+:[0-9]{12}:.+$")
    @Size(max = 350)
    @JsonPropertyDescription("ARN of an SQS queue, SNS topic, Lambda function or EventBridge event bus.")
    public String destination;
  }
}
