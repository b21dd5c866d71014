package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lambdaop.LambdaOperator;
import dev.lambdaop.api.Deployments;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.argocd.ArgoCdConfig;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.testbed.FaultProxy;
import dev.lambdaop.testbed.FaultProxy.Fault;
import dev.lambdaop.testbed.FaultProxy.Route;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetAliasResponse;

/**
 * Controls act at once (issue 12). An operator with the DEFAULT resync (10 minutes) and shifts whose steps last 30
 * minutes, so that nothing happens on its own while the test runs: each control a user sets reaches AWS within
 * {@link #AT_ONCE} of its patch, whether it is sent as {@code kubectl patch --subresource=status --type=merge} sends
 * it (a merge patch of the status subresource), by the kubectl plugin (the real wrapper {@code bin/kubectl-lambdaop},
 * run as a user runs it) or by an Argo CD action (the shipped Lua script, its result applied as Argo CD's server
 * applies it). Each latency is measured from the patch to the routing AWS reports (GetAlias against moto); a pause,
 * which holds the routing by design, from the patch to the operator's status of the new generation, with the routing
 * in AWS checked unchanged. The latencies are printed at the end of the class.
 *
 * <p>This class starts its own operator, which manages only resources labelled {@link E2e#PROCESS_LABEL}=controls
 * (the shared operator leaves those alone), without leader election, and talks to AWS through a {@link FaultProxy}
 * (which forwards everything unless a test holds a call).
 */
class ControlsIT {
  private static final String LABEL = "controls";
  /** The bound: a control reaches AWS within this of its patch. */
  static final Duration AT_ONCE = Duration.ofSeconds(2);
  /** Steps this long never end during the test: whatever changes, a control changed it. */
  private static final String LONG = "30m";
  private static final Duration PLUGIN_TIMEOUT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final List<String> LATENCIES = new CopyOnWriteArrayList<>();

  private static FaultProxy proxy;
  private static LambdaOperator operator;
  private static KubernetesClient kube;
  private static LambdaClient lambda;
  private static String ns;
  private static AliasScenario scenario;
  private static Path work;

  @BeforeAll
  static void start() throws IOException {
    E2e.installCrds();
    kube = E2e.kube();
    lambda = E2e.lambda();
    ns = E2e.namespace("controls");
    scenario = new AliasScenario(ns, kube, lambda, Map.of(E2e.PROCESS_LABEL, LABEL));
    work = Files.createDirectories(E2e.projectDir().resolve("target/controls-it"));
    Testbed bed = E2e.testbed();
    OperatorSettings settings = OperatorSettings.defaults().withLabelSelector(E2e.PROCESS_LABEL + "=" + LABEL);
    assertEquals(Duration.ofMinutes(10), settings.resyncPeriod(), "the operator runs with the default resync");
    assertFalse(settings.leaderElection(), "no lease shared with the other operators of the test run");
    proxy = new FaultProxy(bed.awsEndpoint());
    operator = new LambdaOperator(kube, new AwsSettings(bed.awsRegion(), proxy.uri(), bed.awsCredentials()),
        settings);
    operator.start();
    E2e.track(operator);
  }

  @AfterAll
  static void stop() throws IOException {
    if (operator != null) {
      operator.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (lambda != null) {
      lambda.close();
    }
    String report = "patch to AWS, at the default resync (" + OperatorSettings.defaults().resyncPeriod() + "):\n"
        + String.join("\n", LATENCIES) + "\n";
    System.out.print(report);
    if (work != null) {
      Files.writeString(work.resolve("latencies.txt"), report);
    }
  }

  // ---- the tests ----------------------------------------------------------------------------------------------

  @Test
  void eachControlPatchedAsKubectlPatchDoesReachesAwsAtOnce() {
    String fn = "controls-kubectl";
    scenario.functionWithAlias(fn, Deployments.canary(20, LONG));
    scenario.publishVersion(fn, 2);
    awaitAws(fn, Routing.of("1", "2", 0.2)); // the shift starts: the LambdaFunction published version 2
    awaitShifting(fn);

    measure("abort", aws(fn, Routing.of("1")), () -> statusPatch(fn, "{\"abort\":true}"));
    assertEquals("Aborted", awaitStatus(fn, s -> s.phase == Phase.Degraded).history.get(0).result);
    measure("retry", aws(fn, Routing.of("1", "2", 0.2)), () -> statusPatch(fn, "{\"abort\":false}"));
    measure("spec.paused=true", reported(fn, Phase.Paused), () -> specPatch(fn, "{\"paused\":true}"));
    assertHeld(fn, Routing.of("1", "2", 0.2));
    measure("spec.paused=false", reported(fn, Phase.Progressing), () -> specPatch(fn, "{\"paused\":false}"));
    assertHeld(fn, Routing.of("1", "2", 0.2));
    measure("promote (the canary's 30m step)", aws(fn, Routing.of("2")),
        () -> statusPatch(fn, "{\"promote\":true}"));
    awaitStatus(fn, s -> s.phase == Phase.Healthy && "2".equals(s.stableVersion) && !s.promoteRequested());

    // spec.paused before a version is published holds its shift at 0%: resuming starts it, which AWS shows
    measure("spec.paused=true (no shift runs)", reported(fn, Phase.Healthy), () -> specPatch(fn, "{\"paused\":true}"));
    scenario.publishVersion(fn, 3);
    awaitStatus(fn, s -> "3".equals(s.canaryVersion) && s.phase == Phase.Paused);
    assertHeld(fn, Routing.of("2"));
    measure("spec.paused=false (a shift held at 0%)", aws(fn, Routing.of("2", "3", 0.2)),
        () -> specPatch(fn, "{\"paused\":false}"));
    measure("promoteFull", aws(fn, Routing.of("3")), () -> statusPatch(fn, "{\"promoteFull\":true}"));
    awaitStatus(fn, s -> s.phase == Phase.Healthy && "3".equals(s.stableVersion) && !s.promoteFullRequested());
    assertQuiet(fn);
  }

  @Test
  void eachControlSentByTheKubectlPluginReachesAwsAtOnce() {
    String fn = "controls-plugin";
    String alias = fn + "-live";
    scenario.functionWithAlias(fn, Deployments.steps(20, LONG, 50, LONG));
    scenario.publishVersion(fn, 2);
    awaitAws(fn, Routing.of("1", "2", 0.2));
    awaitShifting(fn);

    viaPlugin("abort", aws(fn, Routing.of("1")), a -> a.getStatus().abortRequested(), "abort", alias);
    viaPlugin("retry", aws(fn, Routing.of("1", "2", 0.2)), a -> !a.getStatus().abortRequested(), "retry", alias);
    viaPlugin("pause", reported(fn, Phase.Paused), a -> Boolean.TRUE.equals(a.getSpec().paused), "pause", alias);
    assertHeld(fn, Routing.of("1", "2", 0.2));
    viaPlugin("resume", reported(fn, Phase.Progressing), a -> Boolean.FALSE.equals(a.getSpec().paused), "resume",
        alias);
    viaPlugin("promote (a 30m step)", aws(fn, Routing.of("1", "2", 0.5)), a -> a.getStatus().promoteRequested(),
        "promote", alias);
    awaitStatus(fn, s -> !s.promoteRequested());
    viaPlugin("promote --full", aws(fn, Routing.of("2")), a -> a.getStatus().promoteFullRequested(), "promote",
        alias, "--full");
    awaitStatus(fn, s -> s.phase == Phase.Healthy && "2".equals(s.stableVersion) && !s.promoteFullRequested());
    assertQuiet(fn);
  }

  @Test
  void eachArgoCdActionReachesAwsAtOnce() throws IOException {
    ArgoCdConfig.Scripts scripts = ArgoCdConfig.parseConfigMap(
        Files.readString(E2e.projectDir().resolve(ArgoCdConfig.CONFIG_MAP)));
    ArgoCdLua lua = new ArgoCdLua(Files.createDirectories(work.resolve("argocd")));
    String fn = "controls-argocd";
    scenario.functionWithAlias(fn, Deployments.linear(10, LONG));
    scenario.publishVersion(fn, 2);
    awaitAws(fn, Routing.of("1", "2", 0.1));
    awaitShifting(fn); // the actions read the status, which the operator writes right after the routing

    // each action's patch is computed from the live object first; the clock runs from its sending
    measure("abort (Argo CD)", aws(fn, Routing.of("1")),
        argoCd(lua, scripts, fn, "abort", "{\"status\":{\"abort\":true}}"));
    measure("retry (Argo CD)", aws(fn, Routing.of("1", "2", 0.1)),
        argoCd(lua, scripts, fn, "retry", "{\"status\":{\"abort\":false}}"));
    measure("pause (Argo CD)", reported(fn, Phase.Paused),
        argoCd(lua, scripts, fn, "pause", "{\"spec\":{\"paused\":true}}"));
    assertHeld(fn, Routing.of("1", "2", 0.1));
    measure("resume (Argo CD)", reported(fn, Phase.Progressing),
        argoCd(lua, scripts, fn, "resume", "{\"spec\":{\"paused\":false}}"));
    measure("promote (Argo CD; a 30m step)", aws(fn, Routing.of("1", "2", 0.2)),
        argoCd(lua, scripts, fn, "promote", "{\"status\":{\"promote\":true}}"));
    awaitStatus(fn, s -> !s.promoteRequested());
    measure("promote-full (Argo CD)", aws(fn, Routing.of("2")),
        argoCd(lua, scripts, fn, "promote-full", "{\"status\":{\"promoteFull\":true}}"));
    awaitStatus(fn, s -> s.phase == Phase.Healthy && "2".equals(s.stableVersion) && !s.promoteFullRequested());
    assertQuiet(fn);
  }

  /**
   * JOSDK runs one reconcile of a resource at a time, and keeps an event that arrives meanwhile for the pass after
   * it. The proxy holds the abort's UpdateAlias, so the abort's reconcile is running for sure when the retry is
   * patched; once released, the abort is applied (and recorded), and the retry right after it.
   */
  @Test
  void aControlPatchedWhileAReconcileOfTheAliasRunsIsNotLost() {
    String fn = "controls-queued";
    scenario.functionWithAlias(fn, Deployments.canary(20, LONG));
    scenario.publishVersion(fn, 2);
    awaitAws(fn, Routing.of("1", "2", 0.2));
    awaitShifting(fn);
    Route updateAlias = Route.UPDATE_ALIAS.forFunction(fn);
    long updatesBefore = proxy.requests(updateAlias);
    Fault held = proxy.inject(Fault.on(updateAlias).hold().times(1));
    try (Watched watched = new Watched(fn + "-live")) {
      statusPatch(fn, "{\"abort\":true}");
      await().atMost(E2e.TIMEOUT).pollInterval(Duration.ofMillis(10)).until(() -> held.injected() == 1);
      long retried = System.nanoTime();
      statusPatch(fn, "{\"abort\":false}");
      // the retry is in the API server, its event on the way to the operator's watch, while the abort's pass waits
      await().atMost(E2e.TIMEOUT).pollInterval(Duration.ofMillis(10))
          .until(() -> watched.first(a -> a.getStatus() != null && !a.getStatus().abortRequested(), retried)
              .isPresent());
      assertHeld(fn, Routing.of("1", "2", 0.2)); // the abort's routing waits in the proxy
      assertEquals(updatesBefore, proxy.requests(updateAlias), "nothing reached AWS yet");
      long released = System.nanoTime();
      held.release();
      long reached = awaitReached(() -> "AWS: " + inAws(fn) + "; status: " + Serialization.asJson(scenario.status(fn)),
          "the retry after the held abort", () -> proxy.requests(updateAlias)
          >= updatesBefore + 2 && inAws(fn).matches(Routing.of("1", "2", 0.2)));
      record("retry patched during the abort's reconcile (from the release of its held UpdateAlias)",
          Duration.ofNanos(reached - released));
      LambdaAliasStatus s = awaitStatus(fn, x -> x.phase == Phase.Progressing);
      assertEquals("Aborted", s.history.get(0).result, "the abort was applied first");
      assertFalse(s.abortRequested());
      assertTrue(Duration.ofNanos(reached - released).compareTo(AT_ONCE) < 0,
          "the retry reached AWS " + Duration.ofNanos(reached - released).toMillis() + " ms after the held pass");
    } finally {
      proxy.clear(held);
    }
    assertQuiet(fn);
  }

  // ---- sending controls ---------------------------------------------------------------------------------------

  /** {@code kubectl patch lal <alias> --subresource=status --type=merge -p '{"status":...}'}. */
  private static void statusPatch(String fn, String statusJson) {
    alias(fn).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":" + statusJson + "}");
  }

  /** {@code kubectl patch lal <alias> --type=merge -p '{"spec":...}'}. */
  private static void specPatch(String fn, String specJson) {
    alias(fn).patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":" + specJson + "}");
  }

  private static Resource<LambdaAlias> alias(String fn) {
    return kube.resources(LambdaAlias.class).inNamespace(ns).withName(fn + "-live");
  }

  /**
   * An Argo CD action on the live alias: the shipped script run as Argo CD runs it, its merge patch (checked: the
   * same fields kubectl and the plugin set) computed now; the returned patch sends it as Argo CD's server does (a
   * change of status to the status subresource, the rest as a merge patch of the resource).
   */
  private static Runnable argoCd(ArgoCdLua lua, ArgoCdConfig.Scripts scripts, String fn, String action,
      String expectedPatch) {
    Resource<GenericKubernetesResource> live = kube.genericKubernetesResources("lambdaop.dev/v1alpha1", "LambdaAlias")
        .inNamespace(ns).withName(fn + "-live");
    JsonNode object;
    try {
      object = JSON.readTree(Serialization.asJson(live.get()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ArgoCdLua.Outcome outcome = lua.action(object, action, scripts.actions().get(action));
    assertTrue(outcome.ok(), action + " refused: " + outcome.error());
    JsonNode patch = ArgoCdLua.patch(outcome);
    assertEquals(expectedPatch, patch.toString(), "the patch of Argo CD's " + action);
    return () -> {
      ObjectNode rest = (ObjectNode) patch.deepCopy();
      if (patch.has("status")) {
        live.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"status\":" + patch.get("status") + "}");
        rest.remove("status");
      }
      if (!rest.isEmpty()) {
        live.patch(PatchContext.of(PatchType.JSON_MERGE), rest.toString());
      }
    };
  }

  /**
   * The plugin, as a user runs it (bin/kubectl-lambdaop with the jar {@code mvn verify} packaged, the test bed's
   * kubeconfig, {@code -n}). Its patch's time is when this test's watch of the alias delivers it: the plugin's JVM
   * start is not the user's patch.
   */
  private static void viaPlugin(String what, Outcome outcome, Predicate<LambdaAlias> patched, String... args) {
    assertFalse(outcome.reached(), what + ": " + outcome + " before the patch");
    String alias = args[1];
    List<String> command = new ArrayList<>();
    command.add(E2e.projectDir().toAbsolutePath().resolve("bin/kubectl-lambdaop").toString());
    command.addAll(List.of(args));
    command.addAll(List.of("-n", ns));
    Path jar = E2e.projectDir().toAbsolutePath().resolve("target/lambda-operator.jar");
    assertTrue(Files.isRegularFile(jar), jar + " is missing: run the end-to-end tests with `mvn verify`");
    int run = RUNS.incrementAndGet();
    Path out = work.resolve("plugin-" + run + ".out");
    Path err = work.resolve("plugin-" + run + ".err");
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().remove("KUBERNETES_NAMESPACE");
    builder.environment().put("KUBECONFIG", E2e.testbed().kubeconfigPath());
    builder.environment().put("LAMBDAOP_JAR", jar.toString());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    try (Watched watched = new Watched(alias)) {
      long started = System.nanoTime();
      Process process = builder.start();
      try {
        long reached = awaitReached(outcome::toString, what + " (plugin)", outcome::reached);
        await().atMost(PLUGIN_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> !process.isAlive());
        String output = Files.readString(out) + Files.readString(err);
        assertEquals(0, process.exitValue(), what + ": " + output);
        OptionalLong seen = watched.first(patched, started);
        assertTrue(seen.isPresent(), what + ": the watch never saw the plugin's patch");
        long patchedAt = seen.getAsLong();
        Duration latency = Duration.ofNanos(reached - patchedAt);
        record(what + " (plugin; its run took " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms)",
            latency);
        assertTrue(latency.compareTo(AT_ONCE) < 0, what + " (plugin) took " + latency.toMillis() + " ms: " + outcome);
      } finally {
        if (process.isAlive()) {
          process.destroyForcibly();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- measuring ----------------------------------------------------------------------------------------------

  /** What a control leads to, looked at by polling. */
  private interface Outcome {
    boolean reached();
  }

  /** AWS routes the alias so. */
  private static Outcome aws(String fn, Routing routing) {
    return new Outcome() {
      @Override
      public boolean reached() {
        return inAws(fn).matches(routing);
      }

      @Override
      public String toString() {
        return "AWS routing " + routing + " (now " + inAws(fn) + ")";
      }
    };
  }

  /**
   * The operator reported, in this phase, on a generation newer than the alias has now: it reconciled the spec
   * change about to be sent.
   */
  private static Outcome reported(String fn, Phase phase) {
    long before = alias(fn).get().getMetadata().getGeneration();
    return new Outcome() {
      @Override
      public boolean reached() {
        LambdaAlias a = alias(fn).get();
        Long generation = a.getMetadata().getGeneration();
        return generation > before && a.getStatus() != null && generation.equals(a.getStatus().observedGeneration)
            && a.getStatus().phase == phase;
      }

      @Override
      public String toString() {
        return "status of generation " + (before + 1) + " or later in phase " + phase;
      }
    };
  }

  /** Sends the patch and measures until its outcome; the outcome must not hold before. */
  private static void measure(String what, Outcome outcome, Runnable patch) {
    assertFalse(outcome.reached(), what + ": " + outcome + " before the patch");
    long sent = System.nanoTime();
    patch.run();
    long reached = awaitReached(outcome::toString, what, outcome::reached);
    Duration latency = Duration.ofNanos(reached - sent);
    record(what, latency);
    assertTrue(latency.compareTo(AT_ONCE) < 0, what + " took " + latency.toMillis() + " ms to " + outcome);
  }

  /** Polls until the condition holds; returns when (System.nanoTime) the poll that saw it ended. */
  private static long awaitReached(Supplier<String> state, String what, Callable<Boolean> condition) {
    AtomicLong at = new AtomicLong();
    try {
      await().atMost(E2e.TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
          .until(() -> {
            boolean reached = condition.call();
            if (reached) {
              at.set(System.nanoTime());
            }
            return reached;
          });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(what + ": not within " + E2e.TIMEOUT + " (" + state.get() + ")", e);
    }
    return at.get();
  }

  private static void record(String what, Duration latency) {
    LATENCIES.add(String.format("  %5d ms  %s", latency.toMillis(), what));
  }

  private static void awaitAws(String fn, Routing routing) {
    awaitReached(() -> "AWS: " + inAws(fn), "routing " + routing, () -> inAws(fn).matches(routing));
  }

  private static LambdaAliasStatus awaitStatus(String fn, Predicate<LambdaAliasStatus> state) {
    try {
      return await().atMost(E2e.TIMEOUT).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
          .until(() -> scenario.status(fn), s -> s != null && state.test(s));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("status of " + fn + ": " + Serialization.asJson(scenario.status(fn)), e);
    }
  }

  /** The shift to version 2 is reported (the status is written right after the routing). */
  private static void awaitShifting(String fn) {
    awaitStatus(fn, s -> s.phase == Phase.Progressing && "2".equals(s.canaryVersion));
  }

  /** AWS still routes so (a pause holds the weight). */
  private static void assertHeld(String fn, Routing routing) {
    assertTrue(inAws(fn).matches(routing), "routing held at " + routing + ": " + inAws(fn));
  }

  /**
   * No reconcile loop: once the last control is done, the operator's own writes start nothing more, so it makes no
   * AWS call for the function (a pass reads the alias) for a few seconds. A bounded wait, not a sleep: it fails as
   * soon as a call is made.
   */
  private static void assertQuiet(String fn) {
    Map<String, Long> calls = operator.awsCalls().snapshot(fn);
    try {
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
          .until(() -> operator.awsCalls().snapshot(fn).equals(calls));
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("the operator kept calling AWS for " + fn + ": " + calls + " then "
          + operator.awsCalls().snapshot(fn), e);
    }
  }

  // ---- AWS ----------------------------------------------------------------------------------------------------

  /** An alias's routing: its version and the weights of additional versions. */
  private record Routing(String version, Map<String, Double> weights) {
    static Routing of(String version) {
      return new Routing(version, Map.of());
    }

    static Routing of(String version, String additional, double weight) {
      return new Routing(version, Map.of(additional, weight));
    }

    boolean matches(Routing expected) {
      return version.equals(expected.version) && weights.keySet().equals(expected.weights.keySet())
          && weights.entrySet().stream()
              .allMatch(e -> Math.abs(e.getValue() - expected.weights.get(e.getKey())) < 1e-9);
    }
  }

  private static Routing inAws(String fn) {
    GetAliasResponse a = scenario.awsAlias(fn);
    Map<String, Double> weights = a.routingConfig() == null || a.routingConfig().additionalVersionWeights() == null
        ? Map.of() : Map.copyOf(a.routingConfig().additionalVersionWeights());
    return new Routing(a.functionVersion(), weights);
  }

  // ---- watching -----------------------------------------------------------------------------------------------

  /** Every state of one alias as a watch of this test delivers it, with when (System.nanoTime) it arrived. */
  private static final class Watched implements AutoCloseable {
    private record Seen(long at, LambdaAlias alias) {}

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Watch watch;

    Watched(String aliasName) {
      watch = kube.resources(LambdaAlias.class).inNamespace(ns).withName(aliasName).watch(new Watcher<>() {
        @Override
        public void eventReceived(Action action, LambdaAlias resource) {
          seen.add(new Seen(System.nanoTime(), resource));
        }

        @Override
        public void onClose(WatcherException cause) {
          // closed by close(); a broken watch leaves first() without the state, which fails the test
        }
      });
    }

    /** When the watch first delivered a state that matches, at or after {@code since}, if it has. */
    OptionalLong first(Predicate<LambdaAlias> state, long since) {
      return seen.stream().filter(s -> s.at() - since >= 0 && state.test(s.alias())).mapToLong(Seen::at)
          .findFirst();
    }

    @Override
    public void close() {
      watch.close();
    }
  }
}
