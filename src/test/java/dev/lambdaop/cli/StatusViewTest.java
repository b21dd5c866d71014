package dev.lambdaop.cli;

import static dev.lambdaop.cli.Fixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.status.Conditions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusViewTest {

  private static LambdaAliasSpec.Deployment hooked() {
    LambdaAliasSpec.Deployment d = Fixtures.steps(25, "30s", 50, "30s", 75, "30s");
    d.preTrafficHook = Fixtures.hook("orders-smoke");
    d.postTrafficHook = Fixtures.hook("orders-verify");
    d.rollback = new LambdaAliasSpec.Rollback();
    d.rollback.alarms = List.of("orders-5xx", "orders-latency");
    d.rollback.errorRate = new LambdaAliasSpec.ErrorRate();
    d.rollback.errorRate.max = "0.05";
    return d;
  }

  private static LambdaAliasStatus.HookResult result(String version, String result, String message) {
    LambdaAliasStatus.HookResult r = new LambdaAliasStatus.HookResult();
    r.version = version;
    r.result = result;
    r.message = message;
    r.finishedAt = NOW.minusSeconds(40).toString();
    return r;
  }

  private static String line(String text, String label) {
    return text.lines().filter(l -> l.startsWith(label)).findFirst()
        .orElseThrow(() -> new AssertionError("no line " + label + " in\n" + text));
  }

  @Test
  void aRunningShiftShowsWeightStepCountdownPlanHooksRollbackAndHistory() {
    LambdaAlias alias = Fixtures.shifting(Fixtures.alias("orders-live", hooked()), "6", "7", 50, 3,
        NOW.minusSeconds(12));
    alias.getStatus().message = "shifting 50% to version 7 (step 4 of 6), next step at 2025-11-26T18:02:18Z";
    alias.getStatus().hooks = new LambdaAliasStatus.Hooks();
    alias.getStatus().hooks.preTraffic = result("7", "Succeeded", null);
    alias.getStatus().history.add(Fixtures.record("5", "6", "Promoted", "all steps done"));

    String text = StatusView.render(alias, Fixtures.function("7", "6"), NOW, Style.PLAIN);

    assertEquals("""
        LambdaAlias  shop/orders-live  alias live
        Function     orders-api  LambdaFunction orders, latest version 7
        Phase        Progressing
        Message      shifting 50% to version 7 (step 4 of 6), next step at 2025-11-26T18:02:18Z
        Traffic      stable 6 [███████████████░░░░░░░░░░░░░░░] 50% → 7
        Step         4 of 6: wait 30s at 50% · next: setWeight 75 in 18s (at 18:02:18Z)
        Plan         25% → wait 30s → 50% → [wait 30s] → 75% → wait 30s → 100%  (6 steps)
        Pre-traffic  orders-smoke: succeeded at 18:01:20Z (version 7)
        Post-traffic orders-verify: pending (runs once 100% is on version 7)
        Rollback     alarms orders-5xx, orders-latency · error rate > 0.05 after 20 invocations · watching (every 5s)
        Conditions   Ready True Synced · Progressing True Shifting · Degraded False Healthy
        History      5 → 6     Promoted   18:01:50Z  took 1m5s  all steps done
        """, text);
  }

  @Test
  void theBarIsProportionalToTheNewVersionsWeight() {
    assertEquals("[" + "█".repeat(9) + "░".repeat(21) + "]", StatusView.bar(30, Style.PLAIN));
    assertEquals("[" + "░".repeat(30) + "]", StatusView.bar(0, Style.PLAIN));
    assertEquals("[" + "█".repeat(30) + "]", StatusView.bar(100, Style.PLAIN));
    assertEquals("[" + "#".repeat(3) + ".".repeat(27) + "]", StatusView.bar(10, Style.ASCII));
  }

  @Test
  void theCountdownCountsToTheEndOfTheStepAndThenSaysTheStepIsDue() {
    LambdaAlias alias = Fixtures.shifting(Fixtures.alias("a", Fixtures.steps(25, "30s", 75, "30s")), "1", "2", 25, 1,
        NOW.minusSeconds(12));
    assertTrue(line(StatusView.render(alias, null, NOW, Style.PLAIN), "Step")
        .endsWith("2 of 4: wait 30s at 25% · next: setWeight 75 in 18s (at 18:02:18Z)"));
    assertTrue(line(StatusView.render(alias, null, NOW.plusSeconds(17), Style.PLAIN), "Step").contains("in 1s"));
    assertTrue(line(StatusView.render(alias, null, NOW.plusSeconds(18), Style.PLAIN), "Step")
        .endsWith("next: setWeight 75 due now"));
    alias.getStatus().currentStepIndex = 3;
    alias.getStatus().canaryWeight = 75;
    assertTrue(line(StatusView.render(alias, null, NOW, Style.PLAIN), "Step")
        .endsWith("4 of 4: wait 30s at 75% · next: 100% on version 2 in 18s (at 18:02:18Z)"));
  }

  @Test
  void aPauseBySpecHoldsTheCountdownAndSaysWhatIsLeft() {
    LambdaAlias alias = Fixtures.shifting(Fixtures.alias("a", Fixtures.steps(25, "30s")), "1", "2", 25, 1,
        NOW.minusSeconds(60));
    alias.getSpec().paused = true;
    alias.getStatus().phase = Phase.Paused;
    LambdaAliasStatus.PauseCondition pause = new LambdaAliasStatus.PauseCondition();
    pause.reason = "PausedBySpec";
    pause.startTime = NOW.minusSeconds(50).toString();
    alias.getStatus().pauseConditions.add(pause);
    String text = StatusView.render(alias, null, NOW, Style.PLAIN);
    assertTrue(line(text, "Step").endsWith("2 of 2: wait 30s at 25% · held by spec.paused, 20s of it left on resume"),
        text);
    assertEquals("Paused       PausedBySpec since 18:01:10Z (50s ago)", line(text, "Paused"));
    assertEquals("Phase        Paused", line(text, "Phase"));
  }

  @Test
  void anIndefinitePauseWaitsForAPromoteAndNamesTheCommand() {
    LambdaAliasSpec.Deployment d = Fixtures.steps(30);
    LambdaAliasSpec.Step indefinite = new LambdaAliasSpec.Step();
    indefinite.pause = new LambdaAliasSpec.Pause();
    d.steps.add(indefinite);
    LambdaAlias alias = Fixtures.shifting(Fixtures.alias("orders-live", d), "1", "2", 30, 1, NOW.minusSeconds(600));
    String text = StatusView.render(alias, null, NOW, Style.PLAIN);
    assertTrue(line(text, "Step").endsWith(
        "2 of 2: wait for promote at 30% · waiting for a promote (kubectl lambdaop promote orders-live)"), text);
    assertTrue(line(text, "Plan").contains("30% → [wait for promote] → 100%"), text);
  }

  @Test
  void aLongPlanIsShownAroundTheCurrentStep() {
    LambdaAlias alias = Fixtures.shifting(Fixtures.alias("a", Fixtures.linear(10, "3m")), "1", "2", 30, 5,
        NOW.minusSeconds(12));
    String plan = line(StatusView.render(alias, null, NOW, Style.PLAIN), "Plan");
    assertEquals("Plan         … → 20% → wait 3m → 30% → [wait 3m] → 40% → wait 3m → 50% → wait 3m → 60% → …"
        + "  (18 steps)", plan);
    assertTrue(line(StatusView.render(alias, null, NOW, Style.PLAIN), "Step").startsWith("Step         6 of 18"));
  }

  @Test
  void afterTheLastStepThePostTrafficHookDecides() {
    LambdaAlias alias = Fixtures.shifting(Fixtures.alias("a", hooked()), "6", "7", 100, 6, NOW.minusSeconds(3));
    String text = StatusView.render(alias, null, NOW, Style.PLAIN);
    assertTrue(line(text, "Step").endsWith("all 6 steps done, 100% on version 7; post-traffic hook running"), text);
    assertEquals("Post-traffic orders-verify: running", line(text, "Post-traffic"));
    assertTrue(line(text, "Plan").endsWith("wait 30s → [100%]  (6 steps)"), text);
  }

  @Test
  void aRunningHookSaysSinceWhenAndWhatItDoes() {
    LambdaAlias alias = Fixtures.shifting(Fixtures.alias("a", hooked()), "6", "7", 0, 0, NOW.minusSeconds(3));
    alias.getStatus().hooks = new LambdaAliasStatus.Hooks();
    alias.getStatus().hooks.preTraffic = result("7", "Running", "invoked orders-smoke; waiting for its answer (timeout 1m)");
    alias.getStatus().hooks.preTraffic.finishedAt = null;
    alias.getStatus().hooks.preTraffic.startedAt = NOW.minusSeconds(75).toString();
    String text = StatusView.render(alias, null, NOW, Style.PLAIN);
    assertEquals("Pre-traffic  orders-smoke: running since 18:00:45Z (version 7): invoked orders-smoke; waiting for"
        + " its answer (timeout 1m)", line(text, "Pre-traffic"));
  }

  @Test
  void aRollbackShowsTheFailedHookTheTriggerAndTheHistory() {
    LambdaAlias alias = Fixtures.rolledBack(Fixtures.alias("a", hooked()), "6", "7",
        "pre-traffic hook orders-smoke failed: smoke test failed");
    alias.getStatus().hooks = new LambdaAliasStatus.Hooks();
    alias.getStatus().hooks.preTraffic = result("7", "Failed", "smoke test failed");
    String text = StatusView.render(alias, null, NOW, Style.PLAIN);
    assertEquals("Phase        Degraded", line(text, "Phase"));
    assertEquals("Traffic      stable 6 [" + "░".repeat(30) + "] 0% → 7 (rolled back)", line(text, "Traffic"));
    assertEquals("Pre-traffic  orders-smoke: failed at 18:01:20Z (version 7): smoke test failed",
        line(text, "Pre-traffic"));
    assertTrue(line(text, "Rollback").endsWith("· rolled back: pre-traffic hook orders-smoke failed: smoke test failed"));
    assertTrue(line(text, "History").contains("6 → 7     RolledBack"), text);
    assertFalse(text.contains("Step "), "no step while rolled back");
  }

  @Test
  void aManualAbortIsCalledSo() {
    LambdaAlias alias = Fixtures.rolledBack(Fixtures.alias("a", Fixtures.steps(30, "1m")), "1", "2",
        "status.abort was set");
    alias.getStatus().rolledBackAtGeneration = null;
    alias.getStatus().history.get(0).result = "Aborted";
    String text = StatusView.render(alias, null, NOW, Style.PLAIN);
    assertEquals("Traffic      stable 1 [" + "░".repeat(30) + "] 0% → 2 (aborted)", line(text, "Traffic"));
    assertTrue(line(text, "History").contains("1 → 2     Aborted"), text);
  }

  @Test
  void historyIsNewestFirstAndBounded() {
    LambdaAlias alias = Fixtures.healthy(Fixtures.alias("a", null), "8");
    for (int v = 8; v >= 2; v--) {
      alias.getStatus().history.add(Fixtures.record(String.valueOf(v - 1), String.valueOf(v), "Promoted", "ok"));
    }
    List<String> lines = StatusView.render(alias, null, NOW, Style.PLAIN).lines().toList();
    int first = lines.indexOf(lines.stream().filter(l -> l.startsWith("History")).findFirst().orElseThrow());
    assertTrue(lines.get(first).contains("7 → 8"));
    assertTrue(lines.get(first + 4).contains("3 → 4"));
    assertEquals(" ".repeat(13) + "and 2 older", lines.get(first + 5));
  }

  @Test
  void healthyAliasesManualRoutingAndAPendingVersion() {
    LambdaAlias alias = Fixtures.healthy(Fixtures.alias("a", null), "2");
    assertEquals("Traffic      all on version 2 [" + "█".repeat(30) + "] 100%",
        line(StatusView.render(alias, Fixtures.function("2", "1"), NOW, Style.PLAIN), "Traffic"));
    assertEquals("Plan         all at once", line(StatusView.render(alias, null, NOW, Style.PLAIN), "Plan"));

    alias.getSpec().routing = new LambdaAliasSpec.Routing();
    alias.getSpec().routing.additionalVersionWeights = Map.of("1", 0.1);
    assertEquals("Traffic      version 2 [" + "█".repeat(3) + "░".repeat(27) + "] 10% → 1 (spec.routing)",
        line(StatusView.render(alias, null, NOW, Style.PLAIN), "Traffic"));

    alias.getSpec().routing = null;
    String pending = StatusView.render(alias, Fixtures.function("3", "2"), NOW, Style.PLAIN);
    assertEquals("Pending      version 3 published; the shift to it starts at the operator's next reconcile",
        line(pending, "Pending"));
  }

  @Test
  void noStatusYetAStaleStatusAndANotReadyAliasAreSaid() {
    LambdaAlias fresh = Fixtures.alias("a", Fixtures.steps(50, "10s"));
    String text = StatusView.render(fresh, null, NOW, Style.PLAIN);
    assertTrue(line(text, "Phase").contains("the operator has not reported on this alias yet"), text);
    assertTrue(line(text, "Function").contains("LambdaFunction orders not found"), text);

    LambdaAlias stale = Fixtures.healthy(Fixtures.alias("a", null), "1");
    stale.getMetadata().setGeneration(2L);
    Conditions.set(stale.getStatus().conditions, Conditions.READY, false, "VersionNotFound",
        "version 99 of orders-api does not exist", 1L, NOW);
    String staleText = StatusView.render(stale, null, NOW, Style.PLAIN);
    assertEquals("Phase        Healthy  (status of generation 1, spec at 2)", line(staleText, "Phase"));
    assertTrue(line(staleText, "Conditions").startsWith("Conditions   Ready False VersionNotFound"), staleText);
    assertTrue(staleText.contains("\n" + " ".repeat(13) + "version 99 of orders-api does not exist\n"), staleText);
  }

  @Test
  void colourOnlyWhenAskedAndAsciiOnlyWhenAsked() {
    LambdaAlias alias = Fixtures.shifting(Fixtures.alias("a", hooked()), "6", "7", 50, 3, NOW.minusSeconds(12));
    assertFalse(StatusView.render(alias, null, NOW, Style.PLAIN).contains("\u001b["));
    String coloured = StatusView.render(alias, null, NOW, new Style(true, true));
    assertTrue(coloured.contains("\u001b[36mProgressing\u001b[0m"), coloured);
    String ascii = StatusView.render(alias, null, NOW, Style.ASCII);
    assertTrue(ascii.chars().allMatch(c -> c < 128), ascii);
    assertTrue(line(ascii, "Traffic").endsWith("] 50% -> 7"), ascii);
  }
}
