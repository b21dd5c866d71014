package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaFunction;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetAliasResponse;

/**
 * The kubectl plugin end to end: the real wrapper script {@code bin/kubectl-lambdaop} runs as a subprocess against
 * the test bed's API server, with a kubeconfig of the test bed's administrator (whose context namespace is this
 * class's namespace) and the jar that {@code package} built ({@code target/lambda-operator.jar}; run with
 * {@code mvn verify}). What the plugin asks for is checked in Kubernetes and on the AWS side.
 */
class KubectlPluginIT {
  private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(90);
  private static final AtomicInteger RUNS = new AtomicInteger();
  private static String ns;
  private static KubernetesClient kube;
  private static LambdaClient lambda;
  private static AliasScenario scenario;
  private static Path plugin;
  private static Path jar;
  private static Path work;
  private static Path kubeconfig;

  @BeforeAll
  static void start() throws IOException {
    E2e.operator();
    kube = E2e.kube();
    lambda = E2e.lambda();
    ns = E2e.namespace("plugin");
    scenario = new AliasScenario(ns, kube, lambda);
    Path project = E2e.projectDir().toAbsolutePath().normalize();
    plugin = project.resolve("bin/kubectl-lambdaop");
    jar = project.resolve("target/lambda-operator.jar");
    assertTrue(Files.isExecutable(plugin), plugin + " is missing or not executable");
    assertTrue(Files.isRegularFile(jar), jar + " is missing: run the end-to-end tests with `mvn verify` (the "
        + "package phase builds the jar before integration-test)");
    work = Files.createDirectories(project.resolve("target/plugin-it"));
    kubeconfig = writeKubeconfig(work.resolve("kubeconfig"));
  }

  @AfterAll
  static void close() {
    lambda.close();
  }

  /**
   * The test bed's administrator kubeconfig (client certificate on the local test bed), every context's namespace
   * set to this class's namespace: the plugin then needs no -n, as with a user's context.
   */
  private static Path writeKubeconfig(Path file) throws IOException {
    io.fabric8.kubernetes.api.model.Config config = Serialization.unmarshal(
        Files.readString(Path.of(E2e.testbed().kubeconfigPath())), io.fabric8.kubernetes.api.model.Config.class);
    for (NamedContext context : config.getContexts()) {
      context.getContext().setNamespace(ns);
    }
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, Serialization.asYaml(config));
    return file;
  }

  // ---- running the plugin -------------------------------------------------------------------

  record Run(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** The wrapper as a user runs it, with KUBECONFIG and LAMBDAOP_JAR; output into files under target/plugin-it. */
  static final class PluginProcess {
    final Process process;
    final Path out;
    final Path err;

    PluginProcess(String... args) {
      int n = RUNS.incrementAndGet();
      String label = n + "-" + String.join("-", args).replaceAll("[^a-zA-Z0-9-]", "");
      out = work.resolve(label + ".out");
      err = work.resolve(label + ".err");
      List<String> command = new ArrayList<>();
      command.add(plugin.toString());
      command.addAll(List.of(args));
      ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      environment(builder.environment());
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot run " + plugin, e);
      }
    }

    Run finish() {
      try {
        await().atMost(PROCESS_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> !process.isAlive());
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        process.destroyForcibly();
        throw new AssertionError("the plugin did not end within " + PROCESS_TIMEOUT + ": " + output(-1), e);
      }
      return output(process.exitValue());
    }

    Run output(int exit) {
      try {
        return new Run(exit, Files.readString(out), Files.readString(err));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void environment(Map<String, String> env) {
    env.remove("KUBERNETES_NAMESPACE");
    env.remove("LAMBDAOP_LOG_LEVEL");
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("LAMBDAOP_JAR", jar.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
  }

  private static Run plugin(String... args) {
    return new PluginProcess(args).finish();
  }

  private static void assertRun(int exit, Run run) {
    assertEquals(exit, run.exit(), run::toString);
  }

  // ---- resources and AWS, as in LambdaAliasIT ----------------------------------------------

  // ---- the tests ----------------------------------------------------------------------------

  @Test
  void statusWatchFollowsAShiftFrameByFrameAndExitsZeroWhenPromoted() {
    scenario.functionWithAlias("watched", AliasScenario.steps(25, "4s", 50, "5s", 75, "3s"));
    Run before = plugin("status", "watched-live");
    assertRun(0, before);
    assertTrue(before.out().contains("Phase        Healthy"), before::toString);
    assertTrue(before.out().contains("Traffic      all on version 1 [" + "█".repeat(30) + "] 100%"), before::toString);

    scenario.publishVersion2("watched");
    // started right after the code change: waits for version 2 to be published and shifted to
    Run watch = plugin("status", "watched-live", "--watch");

    assertRun(0, watch);
    String out = watch.out();
    assertTrue(out.contains("Traffic      stable 1 [" + "█".repeat(15) + "░".repeat(15) + "] 50% → 2"), out);
    assertTrue(out.contains("Step         4 of 6: wait 5s at 50% · next: setWeight 75 in "), out);
    assertTrue(out.contains("Plan         25% → wait 4s → 50% → [wait 5s] → 75% → wait 3s → 100%"), out);
    assertTrue(out.lines().filter(l -> l.startsWith("--- ")).count() >= 3, "frames appended, not redrawn: " + out);
    assertTrue(!out.contains("\u001b["), "no terminal codes when stdout is not a terminal");
    assertTrue(out.endsWith("✔ watched-live: version 2 promoted (from version 1); all traffic on version 2\n"), out);
    assertEquals("", watch.err());
    GetAliasResponse aws = scenario.awsAlias("watched");
    assertEquals("2", aws.functionVersion());
    assertTrue(aws.routingConfig() == null || aws.routingConfig().additionalVersionWeights().isEmpty());
  }

  /** A shift whose pre-traffic hook fails when version 2 is published. */
  private static void shiftWithAFailingPreTrafficHook(String name, String hookFunction) throws Exception {
    scenario.hookFunction(hookFunction);
    LambdaAliasSpec.Deployment d = AliasScenario.steps(50, "2s");
    d.preTrafficHook = AliasScenario.hook(hookFunction);
    scenario.functionWithAlias(name, d);
    // the first answer goes to the DryRun check before the shift, the second to the hook itself
    AliasScenario.nextInvokesAnswer("{}", "{\"errorMessage\":\"smoke test failed\",\"errorType\":\"AssertionError\"}");
    scenario.publishVersion2(name);
  }

  @Test
  void aRolledBackShiftMakesStatusWatchExitOne() throws Exception {
    shiftWithAFailingPreTrafficHook("rolled", "plugin-smoke");

    Run watch = plugin("status", "rolled-live", "--watch");

    assertRun(1, watch);
    String out = watch.out();
    assertTrue(out.endsWith("✘ rolled-live: shift from version 1 to 2 rolled back: pre-traffic hook plugin-smoke "
        + "failed: {\"errorMessage\":\"smoke test failed\",\"errorType\":\"AssertionError\"}; all traffic on version "
        + "1\n"), out);
    assertTrue(out.contains("Phase        Degraded"), out);
    assertTrue(out.contains("Traffic      stable 1 [" + "░".repeat(30) + "] 0% → 2 (rolled back)"), out);
    assertTrue(out.contains("Pre-traffic  plugin-smoke: failed at "), out);
    assertTrue(out.contains("RolledBack"), out);
    assertEquals("", watch.err());
  }

  /**
   * A rollback holds (status.abort stays set over two resync periods), and {@code retry} starts the shift again.
   * (The operator once dropped status.abort at its next status write after a rollback; this test found it.)
   */
  @Test
  void retryRestartsARolledBackShift() throws Exception {
    shiftWithAFailingPreTrafficHook("retried", "plugin-smoke-2");
    scenario.awaitPhase("retried", LambdaAliasStatus.Phase.Degraded);
    await().during(E2e.RESYNC.multipliedBy(2)).atMost(E2e.RESYNC.multipliedBy(3)).until(() ->
        Boolean.TRUE.equals(scenario.status("retried").abort) && scenario.status("retried").phase == LambdaAliasStatus.Phase.Degraded);
    assertRun(1, plugin("status", "retried-live"));
    Run promote = plugin("promote", "retried-live");
    assertRun(1, promote);
    assertTrue(promote.err().contains("refused: the shift of retried-live to version 2 was rolled back"),
        promote::toString);

    Run retry = plugin("retry", "retried-live");
    assertRun(0, retry);
    assertEquals("retried-live: retry requested: the shift to version 2 restarts from its first step\n", retry.out());
    // moto answers the hook with its own payload this time: it passes
    Run again = plugin("status", "retried-live", "--watch");
    assertRun(0, again);
    assertTrue(again.out().contains("version 2 promoted"), again::toString);
    scenario.awaitAws("retried", "2", 0);
    Run nothing = plugin("retry", "retried-live");
    assertRun(1, nothing);
    assertTrue(nothing.err().contains("refused: nothing to retry: retried-live is Healthy"), nothing::toString);
  }

  @Test
  void pauseHoldsTheWeightAndResumeLetsTheShiftFinish() {
    // The pause step outlasts the plugin's start on a loaded machine (at 4 s the shift could end before `pause`).
    scenario.functionWithAlias("paused", AliasScenario.steps(40, "20s"));
    scenario.publishVersion2("paused");
    scenario.awaitAws("paused", "1", 0.4);
    scenario.awaitPhase("paused", LambdaAliasStatus.Phase.Progressing);

    Run pause = plugin("pause", "paused-live", "-n", ns);
    assertRun(0, pause);
    assertEquals("paused-live: paused (spec.paused=true): the shift to version 2 holds at 40%\n", pause.out());
    assertEquals(Boolean.TRUE, scenario.alias("paused").getSpec().paused);
    scenario.awaitPhase("paused", LambdaAliasStatus.Phase.Paused);
    Run twice = plugin("pause", "paused-live");
    assertRun(1, twice);
    assertTrue(twice.err().contains("paused-live is paused already"), twice::toString);
    Run promote = plugin("promote", "paused-live");
    assertRun(1, promote);
    assertTrue(promote.err().contains("paused by spec.paused"), promote::toString);
    Run shown = plugin("status", "paused-live");
    assertRun(0, shown);
    assertTrue(shown.out().contains("Phase        Paused"), shown::toString);
    assertTrue(shown.out().contains("held by spec.paused"), shown::toString);
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() -> scenario.weightOf2("paused") == 0.4);

    Run resume = plugin("resume", "paused-live");
    assertRun(0, resume);
    assertTrue(resume.out().startsWith("paused-live: resumed (spec.paused=false)"), resume::toString);
    assertEquals(Boolean.FALSE, scenario.alias("paused").getSpec().paused);
    scenario.awaitAws("paused", "2", 0);
    scenario.awaitPhase("paused", LambdaAliasStatus.Phase.Healthy);
    assertRun(1, plugin("resume", "paused-live"));
  }

  @Test
  void promoteEndsAPauseAndPromoteFullSendsAllTrafficToTheNewVersion() {
    scenario.functionWithAlias("plugin-promoted", AliasScenario.steps(30, null, 60, null));
    scenario.publishVersion2("plugin-promoted");
    scenario.awaitAws("plugin-promoted", "1", 0.3);
    scenario.awaitPhase("plugin-promoted", LambdaAliasStatus.Phase.Progressing);
    Run waiting = plugin("status", "plugin-promoted-live", "--watch", "--timeout", "2s");
    assertRun(5, waiting);
    assertTrue(waiting.out().contains("waiting for a promote (kubectl lambdaop promote plugin-promoted-live)"),
        waiting::toString);
    assertTrue(waiting.out().contains("timed out after 2s: plugin-promoted-live: Progressing: shifting 30% to version 2"),
        waiting::toString);

    Run promote = plugin("promote", "plugin-promoted-live");
    assertRun(0, promote);
    assertEquals("plugin-promoted-live: promote requested: ends the current pause (step 2 of 4: wait for promote) and goes "
        + "on with setWeight 60\n", promote.out());
    scenario.awaitAws("plugin-promoted", "1", 0.6);
    await().atMost(E2e.TIMEOUT).until(() -> !Boolean.TRUE.equals(scenario.status("plugin-promoted").promote)
        && Integer.valueOf(60).equals(scenario.status("plugin-promoted").canaryWeight));

    Run full = plugin("promote", "plugin-promoted-live", "--full");
    assertRun(0, full);
    assertEquals("plugin-promoted-live: full promotion requested: 100% of traffic to version 2 now\n", full.out());
    scenario.awaitAws("plugin-promoted", "2", 0);
    GetAliasResponse aws = scenario.awsAlias("plugin-promoted");
    assertTrue(aws.routingConfig() == null || aws.routingConfig().additionalVersionWeights().isEmpty(),
        "no routing left: " + aws);
    scenario.awaitPhase("plugin-promoted", LambdaAliasStatus.Phase.Healthy);
    Run nothing = plugin("promote", "plugin-promoted-live", "--full");
    assertRun(1, nothing);
    assertTrue(nothing.err().contains("no shift runs on plugin-promoted-live: all traffic is on version 2"),
        nothing::toString);
  }

  @Test
  void versionsListsWhichAliasRoutesToEachVersionAndAbortSendsTrafficBack() {
    scenario.functionWithAlias("aborted", AliasScenario.steps(30, null));
    scenario.publishVersion2("aborted");
    scenario.awaitAws("aborted", "1", 0.3);
    scenario.awaitPhase("aborted", LambdaAliasStatus.Phase.Progressing);

    Run versions = plugin("versions", "aborted");
    assertRun(0, versions);
    List<String> lines = versions.out().lines().toList();
    assertTrue(lines.get(0).startsWith("LambdaFunction " + ns + "/aborted  function aborted  latest version 2"),
        versions::toString);
    assertTrue(lines.get(1).startsWith("VERSION"), versions::toString);
    assertTrue(lines.get(2).startsWith("2 *") && lines.get(2).endsWith("aborted-live 30% canary"), versions::toString);
    assertTrue(lines.get(3).startsWith("1 ") && lines.get(3).endsWith("aborted-live 70% stable"), versions::toString);

    Run abort = plugin("abort", "aborted-live");
    assertRun(0, abort);
    assertEquals("aborted-live: abort requested: all traffic goes back to version 1; `kubectl lambdaop retry "
        + "aborted-live` restarts the shift to version 2\n", abort.out());
    scenario.awaitAws("aborted", "1", 0);
    scenario.awaitPhase("aborted", LambdaAliasStatus.Phase.Degraded);
    assertEquals("Aborted", scenario.status("aborted").history.get(0).result);
    Run status = plugin("status", "aborted-live");
    assertRun(1, status);
    assertTrue(status.out().contains("Traffic      stable 1 [" + "░".repeat(30) + "] 0% → 2 (aborted)"),
        status::toString);
    assertRun(1, plugin("abort", "aborted-live"));
    Run promote = plugin("promote", "aborted-live", "--full");
    assertRun(1, promote);
    assertTrue(promote.err().contains("refused: the shift of aborted-live to version 2 was aborted; `kubectl "
        + "lambdaop retry aborted-live` restarts it"), promote::toString);

    Run retry = plugin("retry", "aborted-live");
    assertRun(0, retry);
    scenario.awaitAws("aborted", "1", 0.3);
    scenario.awaitPhase("aborted", LambdaAliasStatus.Phase.Progressing);
  }

  @Test
  void unknownNamesExitThreeAndUnknownCommandsTwo() {
    Run alias = plugin("status", "no-such-alias");
    assertRun(3, alias);
    assertEquals("error: LambdaAlias no-such-alias not found in namespace " + ns + " (kubectl get lal -n " + ns
        + " lists them)\n", alias.err());
    assertRun(3, plugin("status", "no-such-alias", "--watch"));
    assertRun(3, plugin("abort", "no-such-alias"));
    Run function = plugin("versions", "no-such-function", "--namespace", ns);
    assertRun(3, function);
    assertTrue(function.err().startsWith("error: LambdaFunction no-such-function not found in namespace " + ns),
        function::toString);
    Run unknown = plugin("rollout", "x");
    assertRun(2, unknown);
    assertTrue(unknown.err().startsWith("error: unknown command 'rollout'") && unknown.err().contains("Usage:"),
        unknown::toString);
    Run help = plugin("--help");
    assertRun(0, help);
    assertTrue(help.out().contains("Exit codes:"), help::toString);
  }

  /**
   * A real terminal: the plugin runs in a tmux pane of 100x30, redraws in place, and the pane is captured mid-shift
   * and at the end; the captures go to target/plugin-capture-*.txt.
   */
  @Test
  void inATerminalTheWatchRedrawsInPlace() throws Exception {
    Path tmux = Path.of("/usr/bin/tmux");
    assertTrue(Files.isExecutable(tmux), "this test needs tmux at " + tmux + " (apt-get install tmux)");
    scenario.hookFunction("drawn-smoke");
    LambdaAliasSpec.Deployment d = AliasScenario.steps(20, "4s", 50, "6s", 80, "4s");
    d.preTrafficHook = AliasScenario.hook("drawn-smoke");
    d.postTrafficHook = AliasScenario.hook("drawn-smoke");
    d.rollback = new LambdaAliasSpec.Rollback();
    d.rollback.errorRate = new LambdaAliasSpec.ErrorRate();
    d.rollback.errorRate.max = "0.05";
    scenario.functionWithAlias("drawn", d);
    scenario.publishVersion2("drawn");
    String socket = "lambdaop-plugin-" + ProcessHandle.current().pid();
    String session = "drawn";
    String shell = "env KUBECONFIG=" + quote(kubeconfig.toString()) + " LAMBDAOP_JAR=" + quote(jar.toString())
        + " JAVA_HOME=" + quote(System.getProperty("java.home")) + " " + quote(plugin.toString())
        + " status drawn-live --watch; echo \"[exit $?]\"; exec tail -f /dev/null";
    Path target = work.getParent();
    String socketPath = null;
    try {
      assertEquals(0, tmux(tmux, socket, "new-session", "-d", "-x", "100", "-y", "30", "-s", session, shell).exit());
      socketPath = tmux(tmux, socket, "display-message", "-p", "#{socket_path}").out().strip();
      AtomicReference<String> mid = new AtomicReference<>("");
      try {
        await().atMost(E2e.TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
          mid.set(capture(tmux, socket, session));
          return mid.get().contains("] 50% → 2") && mid.get().contains("Step         4 of 6: wait 6s at 50%");
        });
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("the pane never showed the shift at 50%:\n" + mid.get(), e);
      }
      Files.writeString(target.resolve("plugin-capture-mid.txt"), mid.get());
      String shown = mid.get();
      assertTrue(shown.startsWith("LambdaAlias  " + ns + "/drawn-live  alias live\n"), "drawn from the top:\n" + shown);
      assertTrue(shown.contains("Traffic      stable 1 [" + "█".repeat(15) + "░".repeat(15) + "] 50% → 2"), shown);
      assertTrue(shown.contains("Plan         20% → wait 4s → 50% → [wait 6s] → 80% → wait 4s → 100%"), shown);
      assertTrue(shown.contains("Pre-traffic  drawn-smoke: succeeded at "), shown);
      assertTrue(shown.contains("Post-traffic drawn-smoke: pending (runs once 100% is on version 2)"), shown);
      assertTrue(shown.contains("Rollback     error rate > 0.05 after 20 invocations · watching (every 5s)"), shown);
      assertTrue(shown.lines().filter(l -> l.startsWith("Traffic")).count() == 1, "redrawn in place:\n" + shown);

      AtomicReference<String> end = new AtomicReference<>("");
      await().atMost(E2e.TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
        end.set(capture(tmux, socket, session));
        return end.get().contains("[exit ");
      });
      Files.writeString(target.resolve("plugin-capture-final.txt"), end.get());
      assertTrue(end.get().contains("✔ drawn-live: version 2 promoted (from version 1); all traffic on version 2"),
          end.get());
      assertTrue(end.get().contains("[exit 0]"), end.get());
      assertTrue(end.get().lines().filter(l -> l.startsWith("Traffic")).count() == 1, end.get());
    } finally {
      tmux(tmux, socket, "kill-session", "-t", session);
      tmux(tmux, socket, "kill-server"); // this test's own socket: ends the pane's processes if any are left
      if (socketPath != null && !socketPath.isEmpty()) {
        Files.deleteIfExists(Path.of(socketPath));
      }
    }
  }

  private static String capture(Path tmux, String socket, String session) {
    Run run = tmux(tmux, socket, "capture-pane", "-p", "-t", session);
    assertEquals(0, run.exit(), run::toString);
    return run.out().replaceAll("(?m)[ \\t]+$", "").replaceAll("\\n+$", "\n");
  }

  private static Run tmux(Path tmux, String socket, String... args) {
    List<String> command = new ArrayList<>(List.of(tmux.toString(), "-u", "-L", socket));
    command.addAll(List.of(args));
    try {
      ProcessBuilder builder = new ProcessBuilder(command);
      builder.environment().put("LANG", "C.UTF-8");
      builder.environment().remove("TMUX");
      Process p = builder.start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("tmux " + args[0] + " did not end");
      }
      return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static String quote(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }
}
