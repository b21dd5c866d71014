package dev.lambdaop.argocd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * argocd/argocd-cm.yaml and argocd/helm-values.yaml are generated from the Lua scripts in argocd/health and
 * argocd/actions, which are the source of truth: the committed files must be what {@link ArgoCdConfig} renders, and
 * must carry the scripts verbatim when read as YAML (as Argo CD reads them, the actions' value being YAML itself).
 *
 * <p>To regenerate after changing a script: {@code mvn -B test -Dtest=ArgoCdConfigUpToDateTest
 * -Dlambdaop.updateArgoCd=true}.
 */
class ArgoCdConfigUpToDateTest {
  private static final Path PROJECT = Path.of("");
  private static final String HOW = "regenerate with: mvn -B test -Dtest=ArgoCdConfigUpToDateTest -Dlambdaop.updateArgoCd=true";

  private final ArgoCdConfig.Scripts scripts = ArgoCdConfig.read(PROJECT);

  @Test
  void committedConfigMapIsGeneratedFromTheScripts() throws IOException {
    assertUpToDate(ArgoCdConfig.CONFIG_MAP, ArgoCdConfig.configMap(scripts));
  }

  @Test
  void committedHelmValuesAreGeneratedFromTheScripts() throws IOException {
    assertUpToDate(ArgoCdConfig.HELM_VALUES, ArgoCdConfig.helmValues(scripts));
  }

  @Test
  void thereIsAHealthCheckForEachKindAndTheSixAliasActions() {
    assertEquals(Set.of("LambdaFunction", "LambdaAlias", "Concurrency", "EventSourceMapping"),
        scripts.health().keySet());
    assertEquals(Set.of("promote", "promote-full", "abort", "retry", "pause", "resume"), scripts.actions().keySet());
  }

  @Test
  void theConfigMapCarriesEveryScriptVerbatim() {
    ArgoCdConfig.Scripts parsed = ArgoCdConfig.parseConfigMap(ArgoCdConfig.configMap(scripts));
    assertEquals(scripts, parsed);
  }

  @Test
  void theConfigMapIsAPatchOfArgoCdsConfigMap() throws IOException {
    JsonNode cm = new YAMLMapper().readTree(ArgoCdConfig.configMap(scripts));
    assertEquals("v1", cm.path("apiVersion").asText());
    assertEquals("ConfigMap", cm.path("kind").asText());
    assertEquals("argocd-cm", cm.path("metadata").path("name").asText());
    assertEquals("argocd", cm.path("metadata").path("namespace").asText());
    assertEquals("argocd", cm.path("metadata").path("labels").path("app.kubernetes.io/part-of").asText());
    List<String> keys = List.copyOf(iterable(cm.path("data").fieldNames()));
    assertEquals(List.of(
        "resource.customizations.health.lambdaop.dev_Concurrency",
        "resource.customizations.health.lambdaop.dev_EventSourceMapping",
        "resource.customizations.health.lambdaop.dev_LambdaAlias",
        "resource.customizations.health.lambdaop.dev_LambdaFunction",
        "resource.customizations.actions.lambdaop.dev_LambdaAlias"), keys);
  }

  @Test
  void theHelmValuesCarryTheSameKeysUnderConfigsCm() throws IOException {
    JsonNode values = new YAMLMapper().readTree(ArgoCdConfig.helmValues(scripts));
    JsonNode cm = values.path("configs").path("cm");
    Map<String, String> data = ArgoCdConfig.data(scripts);
    assertEquals(List.copyOf(data.keySet()), List.copyOf(iterable(cm.fieldNames())));
    data.forEach((key, value) -> assertEquals(value, cm.path(key).asText(), key));
  }

  private static void assertUpToDate(Path file, String expected) throws IOException {
    Path committed = PROJECT.resolve(file);
    if (Boolean.getBoolean("lambdaop.updateArgoCd")) {
      Files.writeString(committed, expected);
    }
    assertTrue(Files.exists(committed), committed + " is missing: " + HOW);
    assertEquals(expected, Files.readString(committed), committed + " differs from the scripts: " + HOW);
  }

  private static <T> List<T> iterable(java.util.Iterator<T> iterator) {
    List<T> list = new java.util.ArrayList<>();
    iterator.forEachRemaining(list::add);
    return list;
  }
}
