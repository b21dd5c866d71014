package dev.lambdaop.argocd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The Argo CD customizations of argocd/: the Lua scripts (the source of truth) and what is generated from them, the
 * argocd-cm ConfigMap patch and the values of the argo-cd Helm chart. Argo CD reads a health check from the key
 * {@code resource.customizations.health.<group>_<Kind>} and actions from {@code
 * resource.customizations.actions.<group>_<Kind>}, whose value is itself YAML: {@code discovery.lua} and {@code
 * definitions} of {@code name} and {@code action.lua}.
 */
public final class ArgoCdConfig {
  public static final String GROUP = "lambdaop.dev";
  public static final String HEALTH_KEY = "resource.customizations.health." + GROUP + "_";
  public static final String ACTIONS_KEY = "resource.customizations.actions." + GROUP + "_";
  /** The kind that has actions. */
  public static final String ACTIONS_KIND = "LambdaAlias";
  public static final Path CONFIG_MAP = Path.of("argocd", "argocd-cm.yaml");
  public static final Path HELM_VALUES = Path.of("argocd", "helm-values.yaml");
  private static final YAMLMapper YAML = new YAMLMapper();

  private ArgoCdConfig() {}

  /**
   * The scripts.
   *
   * @param health kind to health.lua
   * @param discovery the actions' discovery.lua
   * @param actions action name to action.lua, by name
   */
  public record Scripts(Map<String, String> health, String discovery, Map<String, String> actions) {}

  /** The part of every health check that the kinds share, put in front of each. */
  static final String SHARED = "_shared.lua";

  /**
   * Reads argocd/health/*.lua (each kind's check preceded by {@link #SHARED}) and argocd/actions/LambdaAlias/*.lua
   * under the project directory.
   */
  public static Scripts read(Path project) {
    Map<String, String> health = new TreeMap<>();
    Path healthDir = project.resolve("argocd/health");
    // Argo CD runs each check on its own: the shared part goes in front of every kind's script
    String shared = script(healthDir.resolve(SHARED));
    for (Path file : luaFiles(healthDir)) {
      if (!file.getFileName().toString().equals(SHARED)) {
        health.put(baseName(file), shared + "\n" + script(file));
      }
    }
    Path actionsDir = project.resolve("argocd/actions/" + ACTIONS_KIND);
    String discovery = null;
    Map<String, String> actions = new TreeMap<>();
    for (Path file : luaFiles(actionsDir)) {
      if (baseName(file).equals("discovery")) {
        discovery = script(file);
      } else {
        actions.put(baseName(file), script(file));
      }
    }
    if (discovery == null) {
      throw new IllegalStateException(actionsDir.resolve("discovery.lua") + " is missing");
    }
    return new Scripts(health, discovery, actions);
  }

  /** The ConfigMap's data, in a fixed order: the health checks by kind, then the actions. */
  public static Map<String, String> data(Scripts scripts) {
    Map<String, String> data = new LinkedHashMap<>();
    scripts.health().forEach((kind, script) -> data.put(HEALTH_KEY + kind, script));
    StringBuilder actions = new StringBuilder("discovery.lua: |\n").append(indent(scripts.discovery(), "  "))
        .append("definitions:\n");
    scripts.actions().forEach((name, script) -> actions.append("  - name: ").append(name).append('\n')
        .append("    action.lua: |\n").append(indent(script, "      ")));
    data.put(ACTIONS_KEY + ACTIONS_KIND, actions.toString());
    return data;
  }

  /** argocd/argocd-cm.yaml: a patch of Argo CD's argocd-cm that adds the keys and leaves the others alone. */
  public static String configMap(Scripts scripts) {
    StringBuilder out = new StringBuilder()
        .append("# Generated from argocd/health/*.lua and argocd/actions/LambdaAlias/*.lua by ArgoCdConfigUpToDateTest;\n")
        .append("# do not edit. Argo CD health checks and resource actions for lambda-operator's custom resources:\n")
        .append("# merge these keys into Argo CD's argocd-cm ConfigMap (see argocd/README.md).\n")
        .append("apiVersion: v1\n")
        .append("kind: ConfigMap\n")
        .append("metadata:\n")
        .append("  name: argocd-cm\n")
        .append("  namespace: argocd\n")
        .append("  labels:\n")
        .append("    app.kubernetes.io/name: argocd-cm\n")
        .append("    app.kubernetes.io/part-of: argocd\n")
        .append("data:\n");
    data(scripts).forEach((key, value) -> out.append("  ").append(key).append(": |\n").append(indent(value, "    ")));
    return out.toString();
  }

  /** argocd/helm-values.yaml: the same keys as values of the argo-cd Helm chart (configs.cm becomes argocd-cm). */
  public static String helmValues(Scripts scripts) {
    StringBuilder out = new StringBuilder()
        .append("# Generated from argocd/health/*.lua and argocd/actions/LambdaAlias/*.lua by ArgoCdConfigUpToDateTest;\n")
        .append("# do not edit. Values for the argo-cd Helm chart: its configs.cm becomes argocd-cm\n")
        .append("# (helm upgrade ... -f argocd/helm-values.yaml; see argocd/README.md).\n")
        .append("configs:\n")
        .append("  cm:\n");
    data(scripts).forEach((key, value) -> out.append("    ").append(key).append(": |\n").append(indent(value, "      ")));
    return out.toString();
  }

  /** Reads the scripts back from a rendered argocd-cm, as Argo CD does. */
  public static Scripts parseConfigMap(String yaml) {
    try {
      JsonNode data = YAML.readTree(yaml).path("data");
      Map<String, String> health = new TreeMap<>();
      String discovery = null;
      Map<String, String> actions = new TreeMap<>();
      for (var fields = data.fields(); fields.hasNext(); ) {
        var field = fields.next();
        if (field.getKey().startsWith(HEALTH_KEY)) {
          health.put(field.getKey().substring(HEALTH_KEY.length()), field.getValue().asText());
        } else if (field.getKey().equals(ACTIONS_KEY + ACTIONS_KIND)) {
          JsonNode customization = YAML.readTree(field.getValue().asText());
          discovery = customization.path("discovery.lua").asText(null);
          for (JsonNode definition : customization.path("definitions")) {
            actions.put(definition.path("name").asText(), definition.path("action.lua").asText(null));
          }
        } else {
          throw new IllegalArgumentException("unexpected key " + field.getKey());
        }
      }
      return new Scripts(health, discovery, actions);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads a script and checks that a YAML literal block carries it verbatim: it ends with one newline, starts with a
   * line that is not indented, and has no tabs, carriage returns or trailing spaces.
   */
  private static String script(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!text.endsWith("\n") || text.endsWith("\n\n")) {
      throw new IllegalArgumentException(file + ": must end with exactly one newline");
    }
    if (text.isBlank() || text.startsWith(" ") || text.startsWith("\n")) {
      throw new IllegalArgumentException(file + ": must start with an unindented line");
    }
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.contains("\t") || line.contains("\r") || line.endsWith(" ")) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": tab, carriage return or trailing space");
      }
    }
    return text;
  }

  private static String indent(String text, String indent) {
    StringBuilder out = new StringBuilder();
    text.lines().forEach(line -> out.append(line.isEmpty() ? "" : indent + line).append('\n'));
    return out.toString();
  }

  private static List<Path> luaFiles(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> lua = new ArrayList<>(files.filter(p -> p.toString().endsWith(".lua")).sorted().toList());
      if (lua.isEmpty()) {
        throw new IllegalStateException(dir + " holds no .lua file");
      }
      return lua;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String baseName(Path file) {
    String name = file.getFileName().toString();
    return name.substring(0, name.length() - ".lua".length());
  }
}
