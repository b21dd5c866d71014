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
  void aMissingKubeconfigIsAnApiErrorWithAMessage() {
    assertEquals(ExitCode.API_ERROR, run("status", "orders-live", "--kubeconfig", "/nonexistent/kubeconfig"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("kubeconfig /nonexistent/kubeconfig does not exist"),
        err.toString(StandardCharsets.UTF_8));
  }
}
