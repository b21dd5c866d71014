package dev.lambdaop.e2e;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.lambdaop.argocd.ArgoCdConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Argo CD health checks and LambdaAlias actions of argocd/, as shipped in argocd/argocd-cm.yaml, run in Argo
 * CD's own Lua runtime (its util/lua package, through the test bed's argocd-lua: {@link ArgoCdLua}) on the samples of e2e/resources/argocd/samples: the health each
 * sample must have, which actions discovery.lua enables in each state, the exact merge patch each enabled action
 * makes and a refusal from each disabled one. Then, against the test bed's API server (no operator acts on these
 * objects: they carry {@value E2e#PROCESS_LABEL}=none), every sample is stored as a real object, keeps every field and
 * its health, and every enabled action is applied the way Argo CD applies it (a change of status through the status
 * subresource, the rest with a merge patch), which proves that the fields the actions write are valid against the CRD
 * schemas. Last, argocd-cm.yaml merges into an existing argocd-cm without removing anything.
 */
class ArgoCdLuaIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final String API_VERSION = "lambdaop.dev/v1alpha1";
  private static final List<String> ACTIONS = List.of("abort", "pause", "promote", "promote-full", "resume", "retry");
  private static final Set<String> HEALTH = Set.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown");
  /** Argo CD reports a runtime error of a script with its position ("<string>:3: attempt to ..."); a refusal not. */
  private static final Pattern SCRIPT_POSITION = Pattern.compile("^(<string>|[\\w-]+):\\d+:");
  private static final AtomicInteger NAMES = new AtomicInteger();

  private static ArgoCdConfig.Scripts scripts;
  private static ArgoCdLua lua;
  private static KubernetesClient kube;
  private static String ns;

  /** One object of a sample file (a file may hold several YAML documents). */
  record Sample(String id, String kind, ObjectNode object, JsonNode expect) {
    @Override
    public String toString() {
      return id;
    }

    Set<String> enabledActions() {
      Set<String> names = new TreeSet<>();
      expect.path("actions").fieldNames().forEachRemaining(names::add);
      return names;
    }
  }

  @BeforeAll
  static void setUp() throws IOException {
    // The scripts as shipped: read back from the generated ConfigMap, as Argo CD reads them.
    scripts = ArgoCdConfig.parseConfigMap(Files.readString(E2e.projectDir().resolve(ArgoCdConfig.CONFIG_MAP)));
    Path work = Files.createDirectories(E2e.projectDir().resolve("target/argocd-lua"));
    lua = new ArgoCdLua(work);
    E2e.installCrds();
    kube = E2e.kube();
    ns = E2e.namespace("argocd");
  }

  static Stream<Sample> samples() {
    Path root = E2e.projectDir().resolve("e2e/resources/argocd/samples");
    List<Sample> samples = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        String[] documents = Files.readString(file).split("(?m)^---\\s*$");
        for (int i = 0; i < documents.length; i++) {
          ObjectNode object = (ObjectNode) YAML.readTree(documents[i]);
          JsonNode expect = object.remove("expect");
          String id = root.relativize(file) + (documents.length > 1 ? "#" + (i + 1) : "");
          assertNotNull(expect, id + " has no expect key");
          samples.add(new Sample(id, object.path("kind").asText(), object, expect));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return samples.stream();
  }

  static Stream<Sample> aliasSamples() {
    return samples().filter(s -> s.kind().equals("LambdaAlias"));
  }

  /** Each LambdaAlias sample with each action it enables. */
  static Stream<Arguments> enabledActions() {
    return aliasSamples().flatMap(s -> s.enabledActions().stream().map(a -> Arguments.of(s, a)));
  }

  // ---- the scripts in Argo CD's runtime ------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void healthOfTheSample(Sample sample) {
    assertHealth(sample, sample.object());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("aliasSamples")
  void discoveryEnablesExactlyTheActionsThatApply(Sample sample) {
    ArgoCdLua.Outcome discovery = lua.discovery(sample.object(), scripts.discovery());
    assertTrue(discovery.ok(), sample + ": discovery.lua failed: " + discovery.error());
    // Argo CD's list of ResourceAction: disabled is left out when false
    Map<String, JsonNode> actions = byName(discovery.result());
    assertEquals(new TreeSet<>(ACTIONS), actions.keySet(), sample + ": discovery.lua must list every action");
    Set<String> enabled = new TreeSet<>();
    for (String action : ACTIONS) {
      JsonNode entry = actions.get(action);
      assertTrue(entry.path("displayName").isTextual() && entry.path("iconClass").isTextual(), sample + ": " + entry);
      if (!entry.path("disabled").asBoolean(false)) {
        enabled.add(action);
      }
    }
    assertEquals(sample.enabledActions(), enabled, sample + ": enabled actions");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("aliasSamples")
  void enabledActionsChangeOnlyTheirFieldAndDisabledOnesRefuse(Sample sample) {
    // The API server drops null fields (the CRD schemas declare none nullable): Argo CD never sees one in a live object.
    JsonNode live = withoutNulls(sample.object());
    Map<String, ArgoCdLua.Outcome> outcomes = lua.actions(live, scripts.actions());
    for (String action : ACTIONS) {
      ArgoCdLua.Outcome outcome = outcomes.get(action);
      if (sample.enabledActions().contains(action)) {
        assertTrue(outcome.ok(), sample + ": " + action + " failed: " + outcome.error());
        JsonNode patch = ArgoCdLua.patch(outcome);
        assertEquals(sample.expect().path("actions").path(action), patch, sample + ": the merge patch of " + action);
      } else {
        assertFalse(outcome.ok(), sample + ": " + action + " is disabled there, so it must refuse; it returned "
            + outcome.result());
        assertFalse(outcome.error() == null || outcome.error().isBlank(), sample + ": " + action + " refused silently");
        assertFalse(SCRIPT_POSITION.matcher(outcome.error()).find(),
            sample + ": " + action + " failed instead of refusing: " + outcome.error());
      }
    }
  }

  @Test
  void thereAreSamplesOfEveryKind() {
    for (String kind : List.of("LambdaFunction", "LambdaAlias", "Concurrency")) {
      assertTrue(samples().filter(s -> s.kind().equals(kind)).count() >= 10, "samples of " + kind);
    }
  }

  @Test
  void everyActionIsEnabledInSomeSampleAndDisabledInAnother() {
    for (String action : ACTIONS) {
      assertTrue(aliasSamples().anyMatch(s -> s.enabledActions().contains(action)), action + " is never enabled");
      assertTrue(aliasSamples().anyMatch(s -> !s.enabledActions().contains(action)), action + " is never disabled");
    }
  }

  /**
   * What the scripts may rely on in Argo CD's sandbox (no useOpenLibs): no string, math, io or debug library, no string
   * methods, and no global os (Argo CD's safe os library, time and date, is reached through require("os") only).
   */
  @Test
  void theScriptsRunWithoutTheStringLibraryAsInArgoCd() {
    JsonNode obj = JsonNodeFactory.instance.objectNode();
    Map<String, ArgoCdLua.Outcome> outcomes = lua.argoCd(obj, List.of(
        new ArgoCdLua.Run("method", "health", "return {status = (\"x\"):upper()}"),
        new ArgoCdLua.Run("libraries", "health", "return {status = \"Healthy\", message = tostring(string == nil"
            + " and math == nil and io == nil and debug == nil and os == nil)}"),
        new ArgoCdLua.Run("time", "health",
            "local os = require(\"os\")\nreturn {status = \"Healthy\", message = type(os.time())}"),
        new ArgoCdLua.Run("invalid", "health", "return {status = \"Fine\"}")));
    assertFalse(outcomes.get("method").ok(), "string methods must not be available");
    assertEquals("true", outcomes.get("libraries").result().path("message").asText(), outcomes.toString());
    assertEquals("number", outcomes.get("time").result().path("message").asText(), outcomes.toString());
    // Argo CD's validation of what a health check returns
    assertEquals("Unknown", outcomes.get("invalid").result().path("status").asText(), outcomes.toString());
  }

  @Test
  void eachKindHasSamplesOfEveryHealthItCanHave() {
    Map<String, Set<String>> expected = Map.of(
        "LambdaFunction", Set.of("Progressing", "Degraded", "Healthy"),
        "LambdaAlias", Set.of("Progressing", "Degraded", "Healthy", "Suspended"),
        "Concurrency", Set.of("Progressing", "Degraded", "Healthy"));
    expected.forEach((kind, healths) -> {
      Set<String> seen = new TreeSet<>();
      samples().filter(s -> s.kind().equals(kind)).forEach(s -> seen.add(s.expect().path("health").asText()));
      assertEquals(new TreeSet<>(healths), seen, kind);
    });
  }

  /** Every reason of the terminal table of a health check has a sample in which it makes the resource Degraded. */
  @Test
  void everyTerminalReasonHasADegradedSample() {
    scripts.health().forEach((kind, script) -> {
      if (samples().noneMatch(s -> s.kind().equals(kind))) {
        return; // EventSourceMapping: its cases are in ArgoCdLuaHealthIT
      }
      Matcher table = Pattern.compile("(?s)local terminal = \\{(.*?)\\n}").matcher(script);
      assertTrue(table.find(), kind + ": no terminal table");
      Matcher entry = Pattern.compile("(?m)^\\s*(\\w+) = true,").matcher(table.group(1));
      int count = 0;
      while (entry.find()) {
        count++;
        String reason = entry.group(1);
        assertTrue(samples().anyMatch(s -> s.kind().equals(kind) && reason.equals(readyReason(s.object()))
                && s.expect().path("health").asText().equals("Degraded")),
            kind + ": no Degraded sample with Ready reason " + reason);
      }
      assertTrue(count >= 5, kind + ": terminal table not read");
    });
  }

  /**
   * Every reason the operator can write into a Ready=False condition is classified by the health check of its kind:
   * in the terminal table (Degraded) or in the list of retried reasons (Progressing). A new reason fails this test
   * until someone decides which it is.
   */
  @Test
  void everyReasonTheOperatorWritesIsClassified() throws IOException {
    // what every kind shares: the one failure path, ownership, the namespace's policy and account mapping
    List<String> shared = List.of("aws", "reconcile/Failure.java", "reconcile/FunctionResolver.java",
        "reconcile/NamespacePolicy.java", "reconcile/AccountMapping.java", "reconcile/ResourceReconciler.java");
    Map<String, List<String>> sources = Map.of(
        // a LambdaFunction is its own function: FunctionResolver's reasons (a referenced function) are not its
        "LambdaFunction", withShared("function", shared.stream()
            .filter(f -> !f.equals("reconcile/FunctionResolver.java")).toList()),
        "LambdaAlias", withShared("alias", shared),
        "Concurrency", withShared("concurrency", shared),
        "EventSourceMapping", withShared("eventsource", shared));
    List<Pattern> reasonPatterns = List.of(
        Pattern.compile("new SpecProblem\\(\\s*\"(\\w+)\""),
        Pattern.compile("new Failure\\(\\s*\"(\\w+)\""),
        Pattern.compile("Retry\\.[A-Z]+,\\s*\"(\\w+)\""),
        Pattern.compile("Conditions\\.READY,\\s*false,\\s*\"(\\w+)\""),
        Pattern.compile("f\\.reason\\(\\)\\s*:\\s*\"(\\w+)\""));
    for (var kind : sources.entrySet()) {
      Set<String> reasons = new TreeSet<>();
      for (String dir : kind.getValue()) {
        try (Stream<Path> files = Files.walk(E2e.projectDir().resolve("src/main/java/dev/lambdaop/" + dir))) {
          for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
            String code = Files.readString(file);
            for (Pattern p : reasonPatterns) {
              Matcher m = p.matcher(code);
              while (m.find()) {
                reasons.add(m.group(1));
              }
            }
          }
        }
      }
      String script = scripts.health().get(kind.getKey());
      List<String> unclassified = reasons.stream()
          .filter(r -> !Pattern.compile("\\b" + r + "\\b").matcher(script).find()).toList();
      assertTrue(reasons.size() >= 8, kind.getKey() + ": reasons not found in the sources: " + reasons);
      assertEquals(List.of(), unclassified, "reasons the operator writes for " + kind.getKey()
          + " that argocd/health/" + kind.getKey() + ".lua does not classify (terminal table or retried list)");
    }
  }

  private static List<String> withShared(String kindPackage, List<String> shared) {
    List<String> all = new java.util.ArrayList<>(shared);
    all.add(0, kindPackage);
    return all;
  }

  // ---- the same against the API server ----------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void theSampleIsAValidObjectAndKeepsItsHealthInTheApiServer(Sample sample) {
    JsonNode live = store(sample, "h" + NAMES.incrementAndGet());
    for (String part : List.of("spec", "status")) {
      assertContains(sample + ": " + part, live.path(part), sample.object().path(part));
    }
    assertHealth(sample, live);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("enabledActions")
  void theActionAppliedAsArgoCdAppliesItIsAcceptedByTheApiServer(Sample sample, String action) {
    String name = "a" + NAMES.incrementAndGet();
    JsonNode live = store(sample, name);
    ArgoCdLua.Outcome outcome = lua.action(live, action, scripts.actions().get(action));
    assertTrue(outcome.ok(), sample + ": " + action + " on the live object failed: " + outcome.error());
    JsonNode patch = ArgoCdLua.patch(outcome);
    JsonNode expected = sample.expect().path("actions").path(action);
    assertEquals(expected, patch, sample + ": the merge patch of " + action + " on the live object");

    // As Argo CD's server does (RunResourceActionV2, patchResource): a patch that changes status goes to the status
    // subresource, the rest of it as a merge patch of the resource.
    Resource<GenericKubernetesResource> resource = resource(sample.kind(), name);
    ObjectNode rest = (ObjectNode) patch.deepCopy();
    if (patch.has("status")) {
      resource.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
      rest.remove("status");
    }
    if (!rest.isEmpty()) {
      resource.patch(PatchContext.of(PatchType.JSON_MERGE), rest.toString());
    }
    ObjectNode change = (ObjectNode) ArgoCdLua.mergePatch(live, json(resource.get()));
    change.remove("metadata");
    assertEquals(expected, change, sample + ": what the API server stored after " + action);
  }

  @Test
  void theConfigMapMergesIntoAnExistingArgocdCmWithAPatch() throws IOException {
    String namespace = E2e.namespace("argocd-patch");
    existingArgocdCm(namespace);
    ObjectNode patch = (ObjectNode) YAML.readTree(Files.readString(E2e.projectDir().resolve(ArgoCdConfig.CONFIG_MAP)));
    ((ObjectNode) patch.get("metadata")).put("namespace", namespace);
    // kubectl -n argocd patch configmap argocd-cm --patch-file argocd/argocd-cm.yaml (a strategic merge patch)
    kube.configMaps().inNamespace(namespace).withName("argocd-cm")
        .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch.toString());
    assertMerged(kube.configMaps().inNamespace(namespace).withName("argocd-cm").get());
  }

  @Test
  void theConfigMapMergesIntoAnExistingArgocdCmWithServerSideApply() throws IOException {
    String namespace = E2e.namespace("argocd-ssa");
    existingArgocdCm(namespace);
    ConfigMap ours = Serialization.unmarshal(Files.readString(E2e.projectDir().resolve(ArgoCdConfig.CONFIG_MAP)),
        ConfigMap.class);
    ours.getMetadata().setNamespace(namespace);
    // kubectl apply --server-side --field-manager=lambda-operator -f argocd/argocd-cm.yaml
    kube.resource(ours).fieldManager("lambda-operator").serverSideApply();
    assertMerged(kube.configMaps().inNamespace(namespace).withName("argocd-cm").get());
  }

  // ---- with the operator ---------------------------------------------------------------------------------------

  /**
   * What Argo CD would see syncing examples/argocd/lambdas with the real operator (the shared one of this JVM): wave 0
   * (the function) until its health is Healthy, then wave 1 (the alias) until Healthy; a commit that changes the code
   * makes the function Progressing at once (generation not observed yet), then the alias shifts (Progressing, a
   * canary of 10%); the promote-full action, applied as Argo CD applies it, makes it Healthy on the new version.
   */
  @Test
  void theExampleSyncedWaveByWaveWithTheOperatorGoesThroughTheExpectedHealth() {
    E2e.operator();
    E2e.roleArn();
    String namespace = E2e.namespace("argocd-sync");
    Path lambdas = E2e.projectDir().resolve("examples/argocd/lambdas");
    GenericKubernetesResource function = Manifests.documents(lambdas.resolve("function.yaml")).get(0);
    GenericKubernetesResource alias = Manifests.documents(lambdas.resolve("alias.yaml")).get(0);
    assertEquals("0", function.getMetadata().getAnnotations().get("argocd.argoproj.io/sync-wave"));
    assertEquals("1", alias.getMetadata().getAnnotations().get("argocd.argoproj.io/sync-wave"));
    Resource<GenericKubernetesResource> fn = kube.genericKubernetesResources(API_VERSION, "LambdaFunction")
        .inNamespace(namespace).withName(function.getMetadata().getName());
    Resource<GenericKubernetesResource> live = kube.genericKubernetesResources(API_VERSION, "LambdaAlias")
        .inNamespace(namespace).withName(alias.getMetadata().getName());

    kube.resource(function).inNamespace(namespace).create();
    awaitHealth(fn, "LambdaFunction", "Healthy", "version 1 published");
    kube.resource(alias).inNamespace(namespace).create();
    awaitHealth(live, "LambdaAlias", "Healthy", "all traffic on version 1");

    GenericKubernetesResource changed = fn.patch(PatchContext.of(PatchType.JSON_MERGE),
        "{\"spec\":{\"code\":{\"inline\":{\"files\":{\"index.py\":\"def handler(event, context):\\n    return 2\\n\"}}}}}");
    ArgoCdLua.Outcome justChanged = lua.health(json(changed), scripts.health().get("LambdaFunction"));
    assertEquals("Progressing", justChanged.result().path("status").asText(), justChanged.toString());
    awaitHealth(fn, "LambdaFunction", "Healthy", "version 2 published");
    JsonNode shifting = awaitHealth(live, "LambdaAlias", "Progressing", "shifting 10% to version 2");

    Map<String, JsonNode> discovery = byName(lua.discovery(shifting, scripts.discovery()).result());
    assertTrue(discovery.containsKey("promote-full"), discovery.toString());
    assertFalse(discovery.get("promote-full").path("disabled").asBoolean(false), discovery.toString());
    ArgoCdLua.Outcome promoted = lua.action(shifting, "promote-full", scripts.actions().get("promote-full"));
    JsonNode patch = ArgoCdLua.patch(promoted);
    assertEquals("{\"status\":{\"promoteFull\":true}}", patch.toString());
    live.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    awaitHealth(live, "LambdaAlias", "Healthy", "all traffic on version 2");
  }

  /** Evaluates the kind's health check on the live object until it gives this status and message. */
  private static JsonNode awaitHealth(Resource<GenericKubernetesResource> resource, String kind, String status,
      String message) {
    String script = scripts.health().get(kind);
    java.util.concurrent.atomic.AtomicReference<String> last = new java.util.concurrent.atomic.AtomicReference<>();
    try {
      return org.awaitility.Awaitility.await().atMost(E2e.TIMEOUT).pollInterval(java.time.Duration.ofMillis(250))
          .until(() -> json(resource.get()), obj -> {
            JsonNode health = lua.health(obj, script).result();
            last.set(String.valueOf(health));
            return health != null && status.equals(health.path("status").asText())
                && health.path("message").asText().contains(message);
          });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(kind + " never reached health " + status + " (" + message + "); last: " + last.get(), e);
    }
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private static void assertHealth(Sample sample, JsonNode obj) {
    String kind = sample.kind();
    String script = scripts.health().get(kind);
    assertNotNull(script, sample + ": no health check for kind " + kind);
    ArgoCdLua.Outcome outcome = lua.health(obj, script);
    assertTrue(outcome.ok(), sample + ": the health check failed: " + outcome.error());
    JsonNode result = outcome.result();
    // Argo CD's HealthStatus leaves an empty message out
    Set<String> fields = names(result);
    assertTrue(fields.contains("status") && Set.of("status", "message").containsAll(fields), sample + ": " + result);
    String status = result.path("status").asText();
    assertTrue(HEALTH.contains(status), sample + ": not a health status Argo CD knows: " + status);
    assertEquals(sample.expect().path("health").asText(), status, sample + ": health (message: "
        + result.path("message").asText() + ")");
    String message = sample.expect().path("message").asText(null);
    assertNotNull(message, sample + ": expect.message is missing");
    assertTrue(result.path("message").asText().contains(message),
        sample + ": message '" + result.path("message").asText() + "' should contain '" + message + "'");
  }

  /**
   * Stores a sample as a real object: the spec with a create, metadata.generation raised to the sample's by changing
   * the spec and back, then the status through the status subresource. Returns the object as the API server has it.
   */
  private static JsonNode store(Sample sample, String name) {
    ObjectNode object = sample.object().deepCopy();
    JsonNode status = object.remove("status");
    JsonNode sampleMetadata = object.path("metadata");
    long generation = sampleMetadata.path("generation").asLong(1);
    ObjectNode metadata = JSON.createObjectNode().put("name", name).put("namespace", ns);
    ObjectNode labels = metadata.putObject("labels");
    if (sampleMetadata.has("labels")) {
      labels.setAll((ObjectNode) sampleMetadata.get("labels"));
    }
    labels.put(E2e.PROCESS_LABEL, "none");
    if (sampleMetadata.has("annotations")) {
      metadata.set("annotations", sampleMetadata.get("annotations"));
    }
    object.set("metadata", metadata);
    kube.resource(Serialization.unmarshal(object.toString(), GenericKubernetesResource.class)).inNamespace(ns).create();
    Resource<GenericKubernetesResource> resource = resource(sample.kind(), name);
    while (resource.get().getMetadata().getGeneration() < generation) {
      for (JsonNode spec : generationBump(sample)) {
        resource.patch(PatchContext.of(PatchType.JSON_MERGE), JSON.createObjectNode().set("spec", spec).toString());
      }
    }
    assertEquals(generation, resource.get().getMetadata().getGeneration(),
        sample + ": metadata.generation of a sample must be odd (the test raises it two at a time)");
    if (status != null && !status.isNull()) {
      resource.subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
          JSON.createObjectNode().set("status", status).toString());
    }
    return json(resource.get());
  }

  /** Two spec changes that leave the spec as it was: metadata.generation + 2. */
  private static List<JsonNode> generationBump(Sample sample) {
    JsonNode spec = sample.object().path("spec");
    ObjectNode change = JSON.createObjectNode();
    ObjectNode back = JSON.createObjectNode();
    if (sample.kind().equals("Concurrency")) {
      int reserved = spec.path("reservedConcurrentExecutions").asInt();
      change.put("reservedConcurrentExecutions", reserved + 1);
      back.put("reservedConcurrentExecutions", reserved);
    } else {
      change.put("description", "raising metadata.generation");
      back.set("description", spec.has("description") ? spec.get("description") : JSON.nullNode());
    }
    return List.of(change, back);
  }

  private static Resource<GenericKubernetesResource> resource(String kind, String name) {
    return kube.genericKubernetesResources(API_VERSION, kind).inNamespace(ns).withName(name);
  }

  /** Every field of the sample is in the live object with the same value; a null field of the sample is absent. */
  private static void assertContains(String where, JsonNode live, JsonNode sample) {
    if (sample.isMissingNode() || sample.isNull()) {
      assertTrue(live.isMissingNode() || live.isNull() || live.isEmpty(), where + ": should be absent: " + live);
      return;
    }
    if (sample.isObject()) {
      assertTrue(live.isObject(), where + ": not an object: " + live);
      for (Iterator<String> names = sample.fieldNames(); names.hasNext(); ) {
        String field = names.next();
        JsonNode value = sample.get(field);
        if (value.isNull()) {
          assertFalse(live.has(field) && !live.get(field).isNull(), where + "." + field + " should be absent");
        } else {
          assertTrue(live.has(field), where + "." + field + " was not kept by the API server (not in the schema?)");
          assertContains(where + "." + field, live.get(field), value);
        }
      }
      return;
    }
    if (sample.isArray()) {
      assertTrue(live.isArray() && live.size() == sample.size(), where + ": " + live);
      for (int i = 0; i < sample.size(); i++) {
        assertContains(where + "[" + i + "]", live.get(i), sample.get(i));
      }
      return;
    }
    assertTrue(ArgoCdLua.same(sample, live), where + ": " + live + " instead of " + sample);
  }

  private static void existingArgocdCm(String namespace) {
    kube.configMaps().inNamespace(namespace).resource(new ConfigMapBuilder()
        .withNewMetadata().withName("argocd-cm").withNamespace(namespace)
        .addToLabels("app.kubernetes.io/name", "argocd-cm").addToLabels("app.kubernetes.io/part-of", "argocd")
        .endMetadata()
        .addToData("url", "https://argocd.example.com")
        .addToData("resource.customizations.health.example.com_Widget", "return {status = \"Healthy\"}\n")
        .build()).create();
  }

  private static void assertMerged(ConfigMap cm) {
    Map<String, String> expected = new LinkedHashMap<>(ArgoCdConfig.data(scripts));
    expected.put("url", "https://argocd.example.com");
    expected.put("resource.customizations.health.example.com_Widget", "return {status = \"Healthy\"}\n");
    assertEquals(new TreeMap<>(expected), new TreeMap<>(cm.getData()), "argocd-cm after the merge");
    assertEquals("argocd", cm.getMetadata().getLabels().get("app.kubernetes.io/part-of"));
  }

  private static JsonNode withoutNulls(JsonNode node) {
    if (node.isObject()) {
      ObjectNode copy = JSON.createObjectNode();
      node.fields().forEachRemaining(f -> {
        if (!f.getValue().isNull()) {
          copy.set(f.getKey(), withoutNulls(f.getValue()));
        }
      });
      return copy;
    }
    if (node.isArray()) {
      var copy = JSON.createArrayNode();
      node.forEach(item -> copy.add(withoutNulls(item)));
      return copy;
    }
    return node;
  }

  private static String readyReason(JsonNode object) {
    for (JsonNode condition : object.path("status").path("conditions")) {
      if ("Ready".equals(condition.path("type").asText())) {
        return condition.path("reason").asText(null);
      }
    }
    return null;
  }

  /** Argo CD's list of actions by name. */
  private static Map<String, JsonNode> byName(JsonNode actions) {
    assertTrue(actions != null && actions.isArray(), "not a list of actions: " + actions);
    Map<String, JsonNode> byName = new TreeMap<>();
    actions.forEach(action -> byName.put(action.path("name").asText(), action));
    return byName;
  }

  private static Set<String> names(JsonNode node) {
    Set<String> names = new TreeSet<>();
    if (node != null) {
      node.fieldNames().forEachRemaining(names::add);
    }
    return names;
  }

  private static JsonNode json(GenericKubernetesResource resource) {
    try {
      return JSON.readTree(Serialization.asJson(resource));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
