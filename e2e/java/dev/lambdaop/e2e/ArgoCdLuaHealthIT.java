package dev.lambdaop.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.lambdaop.argocd.ArgoCdConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The health of issue 14's resources, in Argo CD's own Lua runtime ({@link ArgoCdLua}) with the scripts as shipped in
 * argocd/argocd-cm.yaml: every case of the EventSourceMapping check, and the provisioned concurrency of a LambdaAlias
 * (status.provisionedConcurrency) on top of what ArgoCdLuaIT's samples cover. The objects are written here rather than
 * as samples of e2e/resources/argocd/samples because the API server of the test bed does not know these fields yet
 * (ArgoCdLuaIT stores every sample there); no API server is needed.
 */
class ArgoCdLuaHealthIT {
  private static final YAMLMapper YAML = new YAMLMapper();

  private static ArgoCdConfig.Scripts scripts;
  private static ArgoCdLua lua;

  /** A resource and the health and message (a part of it) its kind's check must give. */
  record Case(String name, String kind, String yaml, String health, String message) {
    @Override
    public String toString() {
      return kind + ": " + name;
    }

    ObjectNode object() {
      try {
        return (ObjectNode) YAML.readTree(yaml);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @BeforeAll
  static void setUp() throws IOException {
    scripts = ArgoCdConfig.parseConfigMap(Files.readString(E2e.projectDir().resolve(ArgoCdConfig.CONFIG_MAP)));
    Path work = Files.createDirectories(E2e.projectDir().resolve("target/argocd-lua"));
    lua = new ArgoCdLua(work);
  }

  // ---- EventSourceMapping -----------------------------------------------------------------------------------

  private static final String ESM_HEAD = """
      apiVersion: lambdaop.dev/v1alpha1
      kind: EventSourceMapping
      metadata: {name: orders-queue, namespace: shop, generation: %d}
      spec:
        functionRef: {name: orders}
        eventSourceArn: arn:aws:sqs:eu-west-1:123456789012:orders
        %s
      """;

  /** An EventSourceMapping: generation, spec.enabled (null: not set), and the status lines (null: no status). */
  private static String esm(long generation, Boolean enabled, String status) {
    String head = ESM_HEAD.formatted(generation, enabled == null ? "batchSize: 10" : "enabled: " + enabled);
    return status == null ? head : head + "status:\n" + status.indent(2);
  }

  private static String esmStatus(long observed, String state, String ready) {
    return """
        uuid: 6f1c2e3a-0b1d-4c5e-8f9a-1b2c3d4e5f60
        state: %s
        functionArn: arn:aws:lambda:eu-west-1:123456789012:function:orders
        eventSourceArn: arn:aws:sqs:eu-west-1:123456789012:orders
        observedGeneration: %d
        conditions:
        %s""".formatted(state, observed, ready.indent(2));
  }

  private static String condition(String type, String status, String reason, String message, long generation) {
    return """
        - type: %s
          status: "%s"
          reason: %s
          message: "%s"
          observedGeneration: %d
          lastTransitionTime: "2026-12-01T10:00:00Z"
        """.formatted(type, status, reason, message, generation);
  }

  private static String ready(String status, String reason, String message) {
    return condition("Ready", status, reason, message, 1);
  }

  static Stream<Case> eventSourceMappings() {
    String kind = "EventSourceMapping";
    String synced = ready("True", "Synced", "polling arn:aws:sqs:eu-west-1:123456789012:orders");
    return Stream.of(
        new Case("no status yet", kind, esm(1, null, null),
            "Progressing", "Waiting for lambda-operator to reconcile the event source mapping"),
        new Case("generation not observed yet", kind, esm(3, null, esmStatus(1, "Enabled", synced)),
            "Progressing", "Waiting for lambda-operator to observe generation 3"),
        new Case("Ready=False for the new generation, not yet observed as a whole: a terminal reason", kind,
            esm(3, null, esmStatus(1, "Enabled", condition("Ready", "False", "InvalidParameter", "batch too big", 3))),
            "Degraded", "InvalidParameter: batch too big"),
        new Case("Ready=False for the new generation, not yet observed as a whole: a retried reason", kind,
            esm(3, null, esmStatus(1, "Enabled", condition("Ready", "False", "Conflict", "mapping updating", 3))),
            "Progressing", "Conflict: mapping updating"),
        new Case("enabled", kind, esm(1, null, esmStatus(1, "Enabled", synced)),
            "Healthy", "polling arn:aws:sqs:eu-west-1:123456789012:orders"),
        new Case("enabled, with AWS's last processing result", kind,
            esm(1, true, esmStatus(1, "Enabled", synced) + "lastProcessingResult: \"OK\"\n"),
            "Healthy", "; last processing result: OK"),
        new Case("enabled, Ready without a message", kind, esm(1, true, esmStatus(1, "Enabled",
            ready("True", "Synced", ""))), "Healthy", "State Enabled"),
        new Case("disabled as spec.enabled false asks", kind,
            esm(1, false, esmStatus(1, "Disabled", ready("True", "Synced", "disabled"))), "Healthy", "disabled"),
        new Case("disabled although spec.enabled is not false", kind,
            esm(1, null, esmStatus(1, "Disabled", synced) + "stateTransitionReason: USER_INITIATED\n"),
            "Progressing", "State Disabled (USER_INITIATED), waiting for Enabled"),
        new Case("enabled although spec.enabled is false", kind, esm(1, false, esmStatus(1, "Enabled", synced)),
            "Progressing", "State Enabled, waiting for Disabled"),
        new Case("creating", kind, esm(1, null, esmStatus(1, "Creating", ready("False", "Creating", "AWS creates"))),
            "Progressing", "State Creating"),
        new Case("enabling", kind, esm(1, true, esmStatus(1, "Enabling", synced)
            + "stateTransitionReason: USER_INITIATED\n"), "Progressing", "State Enabling (USER_INITIATED)"),
        new Case("updating", kind, esm(1, null, esmStatus(1, "Updating", synced)), "Progressing", "State Updating"),
        new Case("disabling", kind, esm(1, false, esmStatus(1, "Disabling", synced)),
            "Progressing", "State Disabling"),
        new Case("deleting", kind, esm(1, null, esmStatus(1, "Deleting", synced)), "Progressing", "State Deleting"),
        new Case("Progressing condition True", kind, esm(1, null, esmStatus(1, "Enabled",
            synced + condition("Progressing", "True", "Updating", "batch size 10 to 20", 1))),
            "Progressing", "Updating: batch size 10 to 20"),
        new Case("Progressing condition False", kind, esm(1, null, esmStatus(1, "Enabled",
            synced + condition("Progressing", "False", "Idle", "", 1))), "Healthy", "polling"),
        new Case("Ready=False", kind, esm(1, null, esmStatus(1, "Enabled",
            ready("False", "AccessDenied", "not authorized to perform lambda:CreateEventSourceMapping"))),
            "Degraded", "AccessDenied: not authorized to perform lambda:CreateEventSourceMapping"),
        new Case("Ready=False without a message", kind, esm(1, null, esmStatus(1, "Disabled",
            ready("False", "AlreadyExists", ""))), "Degraded", "AlreadyExists"),
        new Case("Ready=False, retried by the operator", kind, esm(3, null, esmStatus(3, "Enabled",
            ready("False", "Throttled", "rate exceeded"))), "Progressing", "Throttled: rate exceeded"),
        new Case("waiting for the alias", kind, esm(1, null, esmStatus(1, null,
            ready("False", "AliasNotReady", "LambdaAlias orders-live has no alias in AWS yet"))),
            "Progressing", "AliasNotReady: LambdaAlias orders-live has no alias in AWS yet"),
        new Case("the function owned by another namespace", kind, esm(1, null, esmStatus(1, null,
            ready("False", "OwnedElsewhere", "function orders is owned by shop/orders"))),
            "Degraded", "OwnedElsewhere: function orders is owned by shop/orders"),
        new Case("no conditions yet", kind, esm(1, null, """
            uuid: 6f1c2e3a-0b1d-4c5e-8f9a-1b2c3d4e5f60
            state: Enabled
            observedGeneration: 1
            conditions: []
            """), "Progressing", "Waiting for the Ready condition"),
        new Case("no state, Ready=True", kind, esm(1, null, """
            observedGeneration: 1
            conditions:
              - {type: Ready, status: "True", reason: Synced, message: "mapped", observedGeneration: 1}
            state: null
            """), "Healthy", "mapped"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("eventSourceMappings")
  void eventSourceMappingHealth(Case c) {
    assertHealth(c);
  }

  @Test
  void everyAwsStateOfAnEventSourceMappingHasACase() {
    Set<String> states = eventSourceMappings().map(c -> c.object().path("status").path("state").asText(null))
        .filter(s -> s != null).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(List.of("Creating", "Enabling", "Enabled", "Disabling", "Disabled", "Updating",
        "Deleting")), states);
    assertEquals(Set.of("Healthy", "Progressing", "Degraded"),
        eventSourceMappings().map(Case::health).collect(Collectors.toSet()));
  }

  // ---- LambdaAlias: provisioned concurrency -----------------------------------------------------------------

  /** A LambdaAlias with all traffic on version 1 (or shifting to 2), and the status lines added. */
  private static String alias(long generation, long observed, boolean shifting, boolean paused, String extra) {
    String spec = """
        apiVersion: lambdaop.dev/v1alpha1
        kind: LambdaAlias
        metadata: {name: orders-live, namespace: shop, generation: %d}
        spec:
          functionRef: {name: orders}
          aliasName: live
          version: latest
          paused: %s
          deployment:
            strategy: Linear
            linear: {stepWeight: 10, interval: 3m}
          provisionedConcurrency: {executions: 10}
          functionUrl: {authType: AWS_IAM}
        """.formatted(generation, paused);
    String status = """
        status:
          observedGeneration: %d
          phase: %s
          message: %s
          stableVersion: "1"
          functionUrl: https://abc.lambda-url.eu-west-1.on.aws/
          conditions:
            - {type: Ready, status: "True", reason: Synced, message: "x", observedGeneration: %d}
        """.formatted(observed, shifting ? "Progressing" : (paused ? "Paused" : "Healthy"),
        shifting ? "shifting 10% to version 2" : "all traffic on version 1", observed);
    if (shifting) {
      status += "  canaryVersion: \"2\"\n  canaryWeight: 10\n  currentStepIndex: 0\n";
    }
    return spec + status + extra.indent(2);
  }

  private static String pc(String status, int available, String reason) {
    return """
        provisionedConcurrency:
          requested: 10
          available: %d
          allocated: %d
          status: %s
        """.formatted(available, available, status) + (reason == null ? "" : "  statusReason: \"" + reason + "\"\n");
  }

  static Stream<Case> aliasesWithProvisionedConcurrency() {
    String kind = "LambdaAlias";
    String failed = "FUNCTION_ERROR_INIT_FAILURE: the function could not initialize";
    return Stream.of(
        new Case("READY", kind, alias(1, 1, false, false, pc("READY", 10, null)),
            "Healthy", "all traffic on version 1"),
        new Case("no provisioned concurrency in the status", kind, alias(1, 1, false, false, ""),
            "Healthy", "all traffic on version 1"),
        new Case("IN_PROGRESS", kind, alias(1, 1, false, false, pc("IN_PROGRESS", 3, null)),
            "Progressing", "Allocating provisioned concurrency: 3/10 available"),
        new Case("IN_PROGRESS, nothing available yet", kind, alias(1, 1, false, false, """
            provisionedConcurrency: {requested: 10, status: IN_PROGRESS}
            """), "Progressing", "Allocating provisioned concurrency: 0/10 available"),
        new Case("FAILED", kind, alias(1, 1, false, false, pc("FAILED", 0, failed)),
            "Degraded", "Provisioned concurrency failed: " + failed),
        new Case("FAILED without a reason", kind, alias(1, 1, false, false, pc("FAILED", 0, null)),
            "Degraded", "Provisioned concurrency failed"),
        new Case("IN_PROGRESS during a shift: the shift's message", kind,
            alias(1, 1, true, false, pc("IN_PROGRESS", 3, null)), "Progressing", "shifting 10% to version 2"),
        new Case("FAILED during a shift", kind, alias(1, 1, true, false, pc("FAILED", 0, failed)),
            "Degraded", "Provisioned concurrency failed: " + failed),
        new Case("IN_PROGRESS while paused", kind, alias(1, 1, false, true, pc("IN_PROGRESS", 3, null)),
            "Suspended", "all traffic on version 1"),
        new Case("FAILED of an older generation", kind, alias(3, 1, false, false, pc("FAILED", 0, failed)),
            "Progressing", "Waiting for lambda-operator to observe generation 3"),
        new Case("a rollback and FAILED: the rollback", kind, alias(1, 1, false, false, pc("FAILED", 0, failed)
            + "abort: true\n"), "Degraded", "all traffic on version 1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("aliasesWithProvisionedConcurrency")
  void aliasHealthWithProvisionedConcurrency(Case c) {
    assertHealth(c);
  }

  private static void assertHealth(Case c) {
    String script = scripts.health().get(c.kind());
    assertNotNull(script, "no health check for " + c.kind() + " in " + ArgoCdConfig.CONFIG_MAP);
    ArgoCdLua.Outcome outcome = lua.health(c.object(), script);
    assertTrue(outcome.ok(), c + ": the health check failed: " + outcome.error());
    JsonNode result = outcome.result();
    assertNotNull(result, c + ": no health");
    assertEquals(c.health(), result.path("status").asText(), c + ": " + result);
    assertTrue(result.path("message").asText().contains(c.message()),
        c + ": message '" + result.path("message").asText() + "' should contain '" + c.message() + "'");
  }
}
