package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.LambdaOperator;
import dev.lambdaop.api.Deployments;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.HookResult;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.FaultProxy;
import dev.lambdaop.testbed.FaultProxy.Fault;
import dev.lambdaop.testbed.FaultProxy.Route;
import dev.lambdaop.testbed.SampleFunctions;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetAliasResponse;

/**
 * Traffic hooks end to end. moto answers an invocation at once, so a hook that runs long is an invocation that a
 * {@link FaultProxy} in front of moto holds before forwarding it; the proxy also counts the invocations that arrive.
 * An operator of its own (label {@code lambdaop.dev/test-operator=hooks}) talks to moto through the proxy, with 4
 * reconcile threads only (the SDK's default is 50): were a hook to hold a reconcile thread, a few long hooks would
 * stop every other resource. Its resync period is long (10 minutes), so what happens within seconds is event-driven.
 * The AWS side is checked on moto directly.
 */
class HooksIT {
  private static final Logger LOG = LoggerFactory.getLogger(HooksIT.class);
  private static final String OPERATOR = "hooks";
  private static final int RECONCILE_THREADS = 4;
  private static final Route INVOKE = Route.INVOKE;
  private static final String INVOCATION_TYPE = "X-Amz-Invocation-Type";

  private static FaultProxy proxy;
  private static LambdaOperator operator;
  private static KubernetesClient kube;
  private static LambdaClient lambda;
  private static String ns;
  private final List<Fault> held = new ArrayList<>();

  @BeforeAll
  static void start() {
    E2e.installCrds();
    E2e.roleArn();
    Testbed bed = E2e.testbed();
    kube = E2e.kube();
    lambda = E2e.lambda();
    ns = E2e.namespace("hooks");
    proxy = new FaultProxy(bed.awsEndpoint(), 32);
    operator = E2e.track(new LambdaOperator(kube, new AwsSettings(bed.awsRegion(), proxy.uri(), bed.awsCredentials()),
        OperatorSettings.defaults().withLabelSelector(E2e.PROCESS_LABEL + "=" + OPERATOR).withHookConcurrency(8),
        RECONCILE_THREADS));
    operator.start();
  }

  @AfterEach
  void releaseHooks() {
    held.forEach(Fault::release);
    proxy.clearAll();
  }

  @AfterAll
  static void stop() {
    try {
      if (operator != null && kube != null && ns != null) {
        // the operator deletes what it created, then stops
        kube.resources(LambdaAlias.class).inNamespace(ns).delete();
        kube.resources(LambdaFunction.class).inNamespace(ns).delete();
        await().atMost(E2e.TIMEOUT).until(() -> kube.resources(LambdaAlias.class).inNamespace(ns).list().getItems()
            .isEmpty() && kube.resources(LambdaFunction.class).inNamespace(ns).list().getItems().isEmpty());
      }
    } catch (ConditionTimeoutException e) {
      LOG.warn("resources of {} still there: {}", ns, e.getMessage());
    } finally {
      if (operator != null) {
        operator.close();
      }
      if (proxy != null) {
        proxy.close();
      }
      if (lambda != null) {
        lambda.close();
      }
    }
  }

  // ---- the world ----------------------------------------------------------------------------------------------

  /** A function for hooks, created in AWS directly (no operator owns it). */
  private static void hookFunction(String name) {
    lambda.createFunction(r -> r.functionName(name).role(E2e.roleArn()).runtime("python3.12").handler("index.handler")
        .code(c -> c.zipFile(SdkBytes.fromByteArray(DeterministicZip.of(Map.of("index.py", "h = 1\n")).bytes()))));
  }

  /** Holds the function's RequestResponse invocations (not its DryRun checks) for {@code duration}. */
  private Fault holdInvocations(String function, Duration duration) {
    Fault fault = proxy.inject(Fault.on(INVOKE.forFunction(function)).whereHeader(INVOCATION_TYPE, "RequestResponse")
        .delay(duration));
    held.add(fault);
    return fault;
  }

  private static long invocations(String function) {
    return proxy.arrived(INVOKE.forFunction(function), INVOCATION_TYPE, "RequestResponse");
  }

  private static LambdaFunction function(String name) {
    LambdaFunction fn = SampleFunctions.inline(ns, name, E2e.roleArn(), "v = 1\n");
    fn.getMetadata().setLabels(Map.of(E2e.PROCESS_LABEL, OPERATOR));
    kube.resource(fn).create();
    return E2e.awaitCondition(LambdaFunction.class, ns, name, Conditions.READY, "True",
        r -> r.getStatus() == null ? null : r.getStatus().conditions);
  }

  /** A code change: the LambdaFunction publishes its next version. */
  private static void publishNext(String name, int code) {
    LambdaFunction fn = kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).get();
    fn.getSpec().code.inline.files = Map.of("index.py", "v = " + code + "\n");
    E2e.update(fn);
  }

  private static LambdaAlias alias(String name, String function, String aliasName,
      LambdaAliasSpec.Deployment deployment) {
    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns)
        .withLabels(Map.of(E2e.PROCESS_LABEL, OPERATOR)).build());
    alias.setSpec(new LambdaAliasSpec());
    alias.getSpec().functionRef = new FunctionRef(function);
    alias.getSpec().aliasName = aliasName;
    alias.getSpec().deployment = deployment;
    return kube.resource(alias).create();
  }

  private static LambdaAliasStatus status(String name) {
    LambdaAlias a = kube.resources(LambdaAlias.class).inNamespace(ns).withName(name).get();
    return a == null ? null : a.getStatus();
  }

  private static GetAliasResponse awsAlias(String function, String aliasName) {
    return lambda.getAlias(r -> r.functionName(function).name(aliasName));
  }

  private static double weightOf(GetAliasResponse a, String version) {
    return a.routingConfig() == null || a.routingConfig().additionalVersionWeights() == null ? 0
        : a.routingConfig().additionalVersionWeights().getOrDefault(version, 0.0);
  }

  private static void awaitAws(String function, String aliasName, String primary, String additional, double weight,
      Duration atMost, String statusOf) {
    try {
      await().atMost(atMost).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
        GetAliasResponse a = awsAlias(function, aliasName);
        return a.functionVersion().equals(primary) && Math.abs(weightOf(a, additional) - weight) < 1e-9;
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("alias " + aliasName + " of " + function + " never reached " + primary + " + "
          + weight + " on " + additional + "; status: " + Serialization.asJson(status(statusOf)), e);
    }
  }

  private static LambdaAliasSpec.Deployment preTrafficHook(String function, String timeout) {
    LambdaAliasSpec.Deployment d = Deployments.steps(50, "10m");
    d.preTrafficHook = Deployments.hook(function, timeout);
    return d;
  }

  /** The longest alias reconcile the operator measured lately (Micrometer's decaying maximum), in seconds. */
  private static double slowestAliasReconcileSeconds() {
    Matcher m = Pattern.compile("lambdaop_reconcile_duration_seconds_max\\{[^}]*controller=\"lambdaalias\""
        + "[^}]*operation=\"reconcile\"[^}]*} ([0-9.E-]+)").matcher(operator.metrics().scrape());
    double max = 0;
    while (m.find()) {
      max = Math.max(max, Double.parseDouble(m.group(1)));
    }
    return max;
  }

  // ---- the tests ----------------------------------------------------------------------------------------------

  /**
   * A hook that answers after 35 seconds, longer than the AWS SDK's default read timeout (30 s), with timeout 1m: it
   * is invoked exactly once (the SDK's retry after a read timeout would invoke it again) and the shift goes on.
   */
  @Test
  void aHookThatTakesLongerThanTheSdksReadTimeoutIsInvokedOnceAndTheShiftGoesOn() {
    hookFunction("hooks-slow");
    function("slowed");
    alias("slowed-live", "slowed", "live", preTrafficHook("hooks-slow", "1m"));
    awaitAws("slowed", "live", "1", "2", 0, E2e.TIMEOUT, "slowed-live");
    holdInvocations("hooks-slow", Duration.ofSeconds(35));

    Instant published = Instant.now();
    publishNext("slowed", 2);
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> status("slowed-live").hooks.preTraffic.running());
    LambdaAliasStatus running = status("slowed-live");
    assertEquals("2", running.hooks.preTraffic.version);
    assertNotNull(running.hooks.preTraffic.startedAt);
    assertEquals(LambdaAliasStatus.Phase.Progressing, running.phase);
    assertEquals("1", awsAlias("slowed", "live").functionVersion());
    assertEquals(0, weightOf(awsAlias("slowed", "live"), "2"), "no traffic before the hook passed");

    awaitAws("slowed", "live", "1", "2", 0.5, Duration.ofSeconds(90), "slowed-live");
    Duration took = Duration.between(published, Instant.now());
    // the status is written right after the routing
    await().atMost(E2e.TIMEOUT).ignoreExceptions()
        .until(() -> HookResult.SUCCEEDED.equals(status("slowed-live").hooks.preTraffic.result));
    assertEquals(1, invocations("hooks-slow"), "the hook is invoked once");
    long invokeCalls = operator.awsCalls().snapshot("hooks-slow").getOrDefault("Invoke", 0L);
    assertEquals(2, invokeCalls, "the DryRun check, and the hook's one invocation");
    assertTrue(took.compareTo(Duration.ofSeconds(35)) >= 0, "it waited for the hook: " + took);
    LOG.info("a 35 s hook (timeout 1m): {} invocation(s) arrived, {} Invoke calls (with the DryRun check); traffic"
        + " moved {} s after the publish", invocations("hooks-slow"), invokeCalls, took.toSeconds());
  }

  /**
   * Six aliases whose hooks run for minutes, more than the operator's 4 reconcile threads: a new LambdaFunction and a
   * new LambdaAlias are reconciled within seconds meanwhile, and once the hooks answer, their aliases move at once
   * (the hook's end triggers the reconcile; the resync is 10 minutes away).
   */
  @Test
  void whileHooksRunLongOtherResourcesReconcileAtOnce() {
    hookFunction("hooks-held");
    function("many");
    int aliases = 6;
    for (int i = 0; i < aliases; i++) {
      alias("many-" + i, "many", "live-" + i, preTrafficHook("hooks-held", "10m"));
    }
    for (int i = 0; i < aliases; i++) {
      awaitAws("many", "live-" + i, "1", "2", 0, E2e.TIMEOUT, "many-" + i);
    }
    Fault hold = holdInvocations("hooks-held", Duration.ofMinutes(10));

    publishNext("many", 2);
    await().atMost(E2e.TIMEOUT).until(() -> invocations("hooks-held") == aliases);
    for (int i = 0; i < aliases; i++) {
      String name = "many-" + i;
      await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> status(name).hooks.preTraffic.running());
      assertEquals("1", awsAlias("many", "live-" + i).functionVersion());
      assertEquals(0, weightOf(awsAlias("many", "live-" + i), "2"));
    }
    assertEquals(aliases, operator.hooks().running(), "every hook on a hook thread");

    // a new LambdaFunction and a new LambdaAlias, while six hooks run and hold no reconcile thread
    Instant created = Instant.now();
    function("bystander");
    Duration functionTook = Duration.between(created, Instant.now());
    assertNotNull(lambda.getFunction(r -> r.functionName("bystander")).configuration().functionArn());
    created = Instant.now();
    alias("many-plain", "many", "plain", null);
    awaitAws("many", "plain", "2", "2", 0, Duration.ofSeconds(30), "many-plain");
    Duration aliasTook = Duration.between(created, Instant.now());
    double slowest = slowestAliasReconcileSeconds();
    LOG.info("while {} hooks ran: a new LambdaFunction was Ready in {} ms, a new LambdaAlias in AWS in {} ms; the"
        + " slowest alias reconcile took {} s", aliases, functionTook.toMillis(), aliasTook.toMillis(), slowest);
    assertTrue(functionTook.compareTo(Duration.ofSeconds(30)) < 0, "LambdaFunction took " + functionTook);
    assertTrue(slowest < 10, "no alias reconcile waited for a hook: the slowest took " + slowest + " s");
    assertEquals(aliases, invocations("hooks-held"), "no hook invoked twice");

    Instant releasedAt = Instant.now();
    hold.release();
    for (int i = 0; i < aliases; i++) {
      String name = "many-" + i;
      awaitAws("many", "live-" + i, "1", "2", 0.5, Duration.ofSeconds(30), name);
      // the status is written right after the routing
      await().atMost(E2e.TIMEOUT).ignoreExceptions()
          .until(() -> HookResult.SUCCEEDED.equals(status(name).hooks.preTraffic.result));
    }
    Duration pickedUp = Duration.between(releasedAt, Instant.now());
    LOG.info("the {} hooks answered: every alias moved within {} ms (resync: 10m)", aliases, pickedUp.toMillis());
    assertEquals(aliases, invocations("hooks-held"));
  }
}
