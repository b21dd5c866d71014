package dev.lambdaop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.cli.CliArgs.Invocation;
import dev.lambdaop.cli.CliArgs.UsageException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CliArgsTest {

  private static String error(String... args) {
    return assertThrows(UsageException.class, () -> CliArgs.parse(args)).getMessage();
  }

  @Test
  void statusWithWatchIntervalAndTimeout() {
    Invocation i = CliArgs.parse("status", "orders-live", "--watch", "--interval", "500ms", "--timeout=10m");
    assertEquals("status", i.command());
    assertEquals("orders-live", i.name());
    assertTrue(i.watch());
    assertEquals(Duration.ofMillis(500), i.interval());
    assertEquals(Duration.ofMinutes(10), i.timeout());
    assertNull(i.namespace());
  }

  @Test
  void defaults() {
    Invocation i = CliArgs.parse("status", "a");
    assertFalse(i.watch());
    assertEquals(Duration.ofSeconds(1), i.interval());
    assertNull(i.timeout());
    assertNull(i.context());
    assertNull(i.kubeconfig());
    assertFalse(i.ascii());
  }

  @Test
  void namespaceContextAndKubeconfigInEveryForm() {
    assertEquals("shop", CliArgs.parse("-n", "shop", "status", "a").namespace());
    assertEquals("shop", CliArgs.parse("status", "a", "--namespace", "shop").namespace());
    assertEquals("shop", CliArgs.parse("status", "a", "--namespace=shop").namespace());
    assertEquals("shop", CliArgs.parse("status", "-nshop", "a").namespace());
    Invocation i = CliArgs.parse("--context", "prod", "--kubeconfig=/tmp/k", "versions", "orders");
    assertEquals("prod", i.context());
    assertEquals("/tmp/k", i.kubeconfig());
    assertEquals("versions", i.command());
    assertEquals("orders", i.name());
  }

  @Test
  void actionsAndTheirFlags() {
    assertTrue(CliArgs.parse("promote", "a", "--full").full());
    assertFalse(CliArgs.parse("promote", "a").full());
    for (String command : new String[] {"abort", "retry", "pause", "resume"}) {
      assertEquals(command, CliArgs.parse(command, "a").command());
    }
    assertTrue(CliArgs.parse("status", "-w", "a").watch());
    assertTrue(CliArgs.parse("status", "a", "--ascii").ascii());
    assertEquals("-odd", CliArgs.parse("status", "--", "-odd").name());
  }

  @Test
  void help() {
    assertTrue(CliArgs.parse("--help").help());
    assertTrue(CliArgs.parse("-h").help());
    assertTrue(CliArgs.parse("help").help());
    assertTrue(CliArgs.parse("status", "a", "--help").help());
    assertTrue(CliArgs.USAGE.contains("Exit codes:"));
  }

  @Test
  void mistakesAreNamed() {
    assertEquals("no command given", error());
    assertEquals("unknown command 'rollout'", error("rollout", "a"));
    assertEquals("status needs ALIAS (a LambdaAlias)", error("status"));
    assertEquals("versions needs FUNCTION (a LambdaFunction)", error("versions"));
    assertEquals("abort takes one ALIAS (a LambdaAlias), not [a, b]", error("abort", "a", "b"));
    assertEquals("unknown option --force", error("abort", "a", "--force"));
    assertEquals("-n needs a value", error("status", "a", "-n"));
    assertEquals("--namespace needs a value", error("status", "a", "--namespace", "--watch"));
    assertEquals("--full goes with promote only", error("abort", "a", "--full"));
    assertEquals("--watch, --interval and --timeout go with status only", error("promote", "a", "--watch"));
    assertEquals("--interval and --timeout need --watch", error("status", "a", "--interval", "2s"));
    assertTrue(error("status", "a", "-w", "--interval", "soon").startsWith("--interval: not a duration: 'soon'"));
    assertEquals("--interval must be at least 100ms", error("status", "a", "-w", "--interval", "10ms"));
    assertEquals("--watch takes no value (or =true, =false)", error("status", "a", "--watch=yes"));
  }
}
