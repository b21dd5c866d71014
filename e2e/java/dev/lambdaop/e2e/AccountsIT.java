package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdaop.LambdaOperator;
import dev.lambdaop.api.Deployments;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.testbed.FaultProxy;
import dev.lambdaop.testbed.FaultProxy.Fault;
import dev.lambdaop.testbed.FaultProxy.Route;
import dev.lambdaop.testbed.SampleFunctions;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * Many AWS accounts from one operator (issue 15), against the API server and moto: namespaces mapped to accounts by
 * the annotation {@code lambdaop.dev/aws-role-arn} of their Namespace, one unmapped. moto's STS returns credentials
 * that act in the assumed role's account, so each account is checked with its own credentials. An unassumable role
 * is simulated at the proxy (moto checks no trust policy): AssumeRole of that role answers AccessDenied.
 *
 * <p>This class starts its own operator (resources labelled {@link E2e#PROCESS_LABEL}=accounts) that talks to moto
 * through a {@link FaultProxy}.
 */
class AccountsIT {
  private static final String LABEL = "accounts";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String API = "lambdaop.dev/v1alpha1";
  static final String ROLE_ANNOTATION = "lambdaop.dev/aws-role-arn";
  private static final String ACCOUNT_A = "222222222222";
  private static final String ACCOUNT_B = "333333333333";
  private static final String DENIED = "444444444444";
  private static final String OWN = "123456789012";

  private static FaultProxy proxy;
  private static LambdaOperator operator;
  private static KubernetesClient kube;
  private static Testbed bed;
  private static final Map<String, LambdaClient> LAMBDA = new HashMap<>();

  @BeforeAll
  static void start() {
    E2e.installCrds();
    kube = E2e.kube();
    bed = E2e.testbed();
    E2e.roleArn();
    proxy = new FaultProxy(bed.awsEndpoint());
    for (String account : List.of(ACCOUNT_A, ACCOUNT_B, DENIED)) {
      try (IamClient iam = bed.configureAws(IamClient.builder()).credentialsProvider(assumed(account)).build()) {
        iam.createRole(r -> r.roleName("lambda-exec").assumeRolePolicyDocument("{}"));
      }
      LAMBDA.put(account, bed.configureAws(LambdaClient.builder()).credentialsProvider(assumed(account)).build());
    }
    LAMBDA.put(OWN, E2e.lambda());
    operator = new LambdaOperator(kube, new AwsSettings(bed.awsRegion(), proxy.uri(), bed.awsCredentials()),
        OperatorSettings.defaults().withLabelSelector(E2e.PROCESS_LABEL + "=" + LABEL).withResyncPeriod(E2e.RESYNC));
    operator.start();
    E2e.track(operator);
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    LAMBDA.values().forEach(LambdaClient::close);
  }

  // ---- the tests -----------------------------------------------------------------------------------------------

  @Test
  void theSameFunctionNameLandsInTheAccountOfEachNamespace() {
    String a = namespace("acct-a", ACCOUNT_A);
    String b = namespace("acct-b", ACCOUNT_B);
    String own = namespace("acct-own", null);
    String name = "acct-orders";
    for (var ns : Map.of(a, ACCOUNT_A, b, ACCOUNT_B, own, OWN).entrySet()) {
      kube.resource(function(ns.getKey(), name, ns.getValue())).create();
    }
    for (var ns : Map.of(a, ACCOUNT_A, b, ACCOUNT_B, own, OWN).entrySet()) {
      JsonNode fn = awaitReady(ns.getKey(), "LambdaFunction", name);
      assertEquals(ns.getValue(), fn.path("status").path("accountId").asText(), "status.accountId of " + ns.getKey());
      var got = LAMBDA.get(ns.getValue()).getFunction(r -> r.functionName(name));
      assertTrue(got.configuration().functionArn().contains(":" + ns.getValue() + ":function:" + name),
          got.configuration().functionArn());
      assertTrue(got.tags().getOrDefault("lambdaop.dev/owner", "").endsWith("/" + ns.getKey() + "/" + name),
          "each account's function is its own namespace's: " + got.tags());
    }
  }

  @Test
  void anUnassumableRoleIsReportedWhileOtherNamespacesWorkAndRecoversOnceAssumable() {
    String denied = namespace("acct-denied", DENIED);
    String own = namespace("acct-own2", null);
    Fault refuse = proxy.inject(Fault.on(Route.of("POST", "^/$")).whereBodyContains(DENIED)
        .error(403, "AccessDenied", "User is not authorized to perform: sts:AssumeRole on resource: "
            + "arn:aws:iam::" + DENIED + ":role/lambda-operator"));
    try {
      kube.resource(function(denied, "acct-denied-fn", DENIED)).create();
      kube.resource(function(own, "acct-own2-fn", OWN)).create();
      awaitReady(own, "LambdaFunction", "acct-own2-fn");
      awaitAws("AccountRoleNotAssumable naming the role", () -> {
        JsonNode ready = condition(resource(denied, "LambdaFunction", "acct-denied-fn"), "Ready");
        return ready.path("status").asText().equals("False")
            && ready.path("reason").asText().equals("AccountRoleNotAssumable")
            && ready.path("message").asText().contains("arn:aws:iam::" + DENIED + ":role/lambda-operator")
            && ready.path("message").asText().contains("AccessDenied");
      });
      assertTrue(refuse.injected() >= 1);
    } finally {
      proxy.clear(refuse);
    }
    // Retried with backoff: once the role can be assumed, the function is created in its account.
    try {
      await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .until(() -> condition(resource(denied, "LambdaFunction", "acct-denied-fn"), "Ready").path("status")
              .asText().equals("True"));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("never recovered: " + resource(denied, "LambdaFunction", "acct-denied-fn"), e);
    }
    try (LambdaClient inDenied = bed.configureAws(LambdaClient.builder()).credentialsProvider(assumed(DENIED))
        .build()) {
      inDenied.getFunction(r -> r.functionName("acct-denied-fn"));
    }
  }

  @Test
  void aMappingChangedAfterCreationIsRefusedAndNoTwinIsCreated() {
    String ns = namespace("acct-moved", ACCOUNT_A);
    String name = "acct-moved-fn";
    kube.resource(function(ns, name, ACCOUNT_A)).create();
    awaitReady(ns, "LambdaFunction", name);

    annotate(ns, ACCOUNT_B);
    awaitAws("AccountChanged", () -> {
      JsonNode ready = condition(resource(ns, "LambdaFunction", name), "Ready");
      return ready.path("reason").asText().equals("AccountChanged")
          && ready.path("message").asText().contains(ACCOUNT_A) && ready.path("message").asText().contains(ACCOUNT_B);
    });
    assertGone(ACCOUNT_B, name);
    assertEquals(ACCOUNT_A, resource(ns, "LambdaFunction", name).path("status").path("accountId").asText());

    // Deleting it never acts in the new account, and leaves the old account's function as it was.
    kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).delete();
    await().atMost(E2e.TIMEOUT).until(() -> kube.resources(LambdaFunction.class).inNamespace(ns).withName(name)
        .get() == null);
    assertGone(ACCOUNT_B, name);
    LAMBDA.get(ACCOUNT_A).getFunction(r -> r.functionName(name));
  }

  @Test
  void hooksAndAlarmsAreReadInTheNamespacesAccount() {
    String ns = namespace("acct-shift", ACCOUNT_A);
    String fn = "acct-shift-fn";
    String hook = "acct-shift-hook";
    String alarm = "acct-shift-errors";
    // The hook function and the alarm exist only in account A: read anywhere else, the shift could not go on.
    LAMBDA.get(ACCOUNT_A).createFunction(r -> r.functionName(hook).role(execRole(ACCOUNT_A)).runtime("python3.12")
        .handler("index.handler").code(c -> c.zipFile(SdkBytes.fromByteArray(HOOK_ZIP))));
    try (CloudWatchClient cw = bed.configureAws(CloudWatchClient.builder()).credentialsProvider(assumed(ACCOUNT_A))
        .build()) {
      cw.putMetricAlarm(r -> r.alarmName(alarm).metricName("Errors").namespace("AWS/Lambda").statistic("Sum")
          .period(60).evaluationPeriods(1).threshold(1.0).comparisonOperator("GreaterThanThreshold"));
      cw.setAlarmState(r -> r.alarmName(alarm).stateValue(StateValue.OK).stateReason("quiet"));

      kube.resource(function(ns, fn, ACCOUNT_A)).create();
      awaitReady(ns, "LambdaFunction", fn);
      LambdaAlias alias = new LambdaAlias();
      alias.setMetadata(new ObjectMetaBuilder().withName(fn + "-live").withNamespace(ns)
          .withLabels(Map.of(E2e.PROCESS_LABEL, LABEL)).build());
      alias.setSpec(new LambdaAliasSpec());
      alias.getSpec().functionRef = new FunctionRef(fn);
      alias.getSpec().aliasName = "live";
      LambdaAliasSpec.Deployment d = Deployments.rollbackOnAlarms(Deployments.canary(50, "30m"), alarm);
      d.preTrafficHook = Deployments.hook(hook, "30s");
      alias.getSpec().deployment = d;
      kube.resource(alias).create();
      awaitReady(ns, "LambdaAlias", fn + "-live");

      LambdaFunction f = kube.resources(LambdaFunction.class).inNamespace(ns).withName(fn).get();
      f.getSpec().code.inline.files = Map.of("index.py", "v = 2\n");
      E2e.update(f);
      awaitAws("the hook passed in account A and the canary has 50%", () -> {
        var routing = LAMBDA.get(ACCOUNT_A).getAlias(r -> r.functionName(fn).name("live")).routingConfig();
        return routing != null && routing.additionalVersionWeights().getOrDefault("2", 0.0) == 0.5;
      });
      cw.setAlarmState(r -> r.alarmName(alarm).stateValue(StateValue.ALARM).stateReason("errors"));
      awaitAws("rolled back on account A's alarm", () -> {
        var a = LAMBDA.get(ACCOUNT_A).getAlias(r -> r.functionName(fn).name("live"));
        return a.functionVersion().equals("1") && (a.routingConfig() == null
            || a.routingConfig().additionalVersionWeights().isEmpty());
      });
      awaitAws("the rollback in history, naming account A's alarm", () -> resource(ns, "LambdaAlias", fn + "-live")
          .path("status").path("history").path(0).path("reason").asText().contains(alarm));
    }
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  /** A zip with index.py, for functions the test creates in AWS itself. */
  private static final byte[] HOOK_ZIP = dev.lambdaop.function.DeterministicZip.of(Map.of("index.py", "h = 1\n"))
      .bytes();

  private static String execRole(String account) {
    return account.equals(OWN) ? E2e.roleArn() : "arn:aws:iam::" + account + ":role/lambda-exec";
  }

  private static LambdaFunction function(String ns, String name, String account) {
    LambdaFunction fn = SampleFunctions.inline(ns, name, execRole(account), "v = 1\n");
    fn.getMetadata().setLabels(Map.of(E2e.PROCESS_LABEL, LABEL));
    return fn;
  }

  /** A namespace served in {@code account} (its role's annotation), or with the operator's own identity (null). */
  private static String namespace(String prefix, String account) {
    String ns = E2e.namespace(prefix);
    if (account != null) {
      annotate(ns, account);
    }
    return ns;
  }

  private static void annotate(String ns, String account) {
    kube.namespaces().withName(ns).edit(n -> {
      Map<String, String> annotations = new HashMap<>(n.getMetadata().getAnnotations() == null ? Map.of()
          : n.getMetadata().getAnnotations());
      annotations.put(ROLE_ANNOTATION, "arn:aws:iam::" + account + ":role/lambda-operator");
      n.getMetadata().setAnnotations(annotations);
      return n;
    });
  }

  /** Credentials of the role lambda-operator in {@code account}, as moto's STS gives them. */
  static AwsCredentialsProvider assumed(String account) {
    try (StsClient sts = bed.configureAws(StsClient.builder()).build()) {
      Credentials c = sts.assumeRole(r -> r.roleArn("arn:aws:iam::" + account + ":role/lambda-operator")
          .roleSessionName("accounts-it")).credentials();
      return StaticCredentialsProvider.create(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(),
          c.sessionToken()));
    }
  }

  private static void assertGone(String account, String name) {
    try {
      LAMBDA.get(account).getFunction(r -> r.functionName(name));
      throw new AssertionError(name + " exists in account " + account + ": a twin was created");
    } catch (ResourceNotFoundException expected) {
      // nothing in that account
    }
  }

  private static JsonNode resource(String ns, String kind, String name) {
    return JSON.valueToTree(kube.genericKubernetesResources(API, kind).inNamespace(ns).withName(name).get());
  }

  private static JsonNode condition(JsonNode resource, String type) {
    for (JsonNode c : resource.path("status").path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c;
      }
    }
    return JSON.missingNode();
  }

  private static JsonNode awaitReady(String ns, String kind, String name) {
    awaitAws(kind + " " + ns + "/" + name + " Ready", () -> {
      JsonNode r = resource(ns, kind, name);
      JsonNode ready = condition(r, "Ready");
      return ready.path("status").asText().equals("True")
          && ready.path("observedGeneration").asLong() == r.path("metadata").path("generation").asLong();
    });
    return resource(ns, kind, name);
  }

  private static void awaitAws(String what, Callable<Boolean> done) {
    try {
      await().atMost(E2e.TIMEOUT).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(done);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("never: " + what, e);
    }
  }
}
