package dev.lambdaop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command line's outcomes that need no API server. */
class KubectlLambdaopTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return new KubectlLambdaop(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), false).run(args);
  }

  @Test
  void anUnknownCommandExitsTwoWithTheUsage() {
    assertEquals(ExitCode.USAGE, run("rollout", "orders-live"));
    String text = err.toString(StandardCharsets.UTF_8);
    assertTrue(text.startsWith("error: unknown command 'rollout'\n"), text);
    assertTrue(text.contains("Usage:"), text);
    assertEquals("", out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void noArgumentsExitTwo() {
    assertEquals(ExitCode.USAGE, run());
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("no command given"));
  }

  @Test
  void helpGoesToStandardOutputAndExitsZero() {
    assertEquals(ExitCode.OK, run("--help"));
    assertEquals(CliArgs.USAGE, out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aMissingKubeconfigOrContextIsAUsageError() throws Exception {
    assertEquals(ExitCode.USAGE, run("status", "orders-live", "--kubeconfig", "/nonexistent/kubeconfig"));
    assertEquals("error: --kubeconfig /nonexistent/kubeconfig: no such file\n", err.toString(StandardCharsets.UTF_8));
    err.reset();
    assertEquals(ExitCode.USAGE, run("status", "orders-live", "--kubeconfig", kubeconfig().toString(), "--context",
        "prod"));
    assertEquals("error: --context prod: no such context in the kubeconfig (it has plain, shop-admin)\n",
        err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void theNamespaceIsTheFlagsElseTheContextsElseDefault() throws Exception {
    String file = kubeconfig().toString();
    assertEquals("shop", namespace("status", "a", "--kubeconfig", file));
    assertEquals("default", namespace("status", "a", "--kubeconfig", file, "--context", "plain"));
    assertEquals("other", namespace("status", "a", "--kubeconfig", file, "-n", "other"));
    assertEquals("other", namespace("status", "a", "--kubeconfig", file, "--context", "plain", "-n", "other"));
  }

  private static String namespace(String... args) {
    CliArgs.Invocation invocation = CliArgs.parse(args);
    return KubectlLambdaop.namespace(invocation, KubectlLambdaop.config(invocation));
  }

  /** Two contexts: shop-admin (current, namespace shop) and plain (no namespace). Nothing listens on its server. */
  private static java.nio.file.Path kubeconfig() throws java.io.IOException {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("kubeconfig", ".yaml");
    file.toFile().deleteOnExit();
    java.nio.file.Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: local
          cluster: {server: "https://127.0.0.1:1"}
        users:
        - name: admin
          user: {token: not-a-real-token}
        contexts:
        - name: shop-admin
          context: {cluster: local, user: admin, namespace: shop}
        - name: plain
          context: {cluster: local, user: admin}
        current-context: shop-admin
        """);
    return file;
  }
}
