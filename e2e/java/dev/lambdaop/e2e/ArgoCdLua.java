package dev.lambdaop.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lambdaop.testbed.LocalTestbed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs Argo CD's Lua scripts in Argo CD's own Lua runtime: the util/lua package of the Argo CD release that
 * testbed/go/argocd-lua/go.mod requires, through the test bed's argocd-lua command (testbed/install.sh). A health
 * check runs as the application controller runs a {@code resource.customizations.health.<group>_<Kind>} script
 * (ResourceHealthOverrides.GetResourceHealth, without useOpenLibs), an action discovery script and an action as the
 * API server runs them (VM.ExecuteResourceActionDiscovery, VM.ExecuteResourceAction, which cleans the result), and
 * for a patch action the command also computes the JSON merge patch the API server sends (evanphx/json-patch's
 * CreateMergePatch from the live object to the result). Everything is Argo CD's: the sandbox (base, table, package;
 * {@code os.time} and {@code os.date} only through {@code require("os")}), the decoding of the resource into
 * {@code obj}, the one-second limit, the encoding of the result, the validation of a health status, the errors.
 *
 * <p>Outcomes: a health check's result is {@code {"status", "message"}} (null when the script returned nil);
 * discovery's is Argo CD's list of actions ({@code [{"name", "disabled", "displayName", "iconClass"}]}, with
 * {@code disabled} left out when false); an action's is the list of impacted resources {@code [{"operation",
 * "resource", "patch"}]}. A script that fails or refuses gives the error Argo CD reports.
 */
final class ArgoCdLua {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ARGO_CD_MODULE = "github.com/argoproj/argo-cd/v3";
  private static final Path HARNESS_MODULE = Path.of("testbed", "go", "argocd-lua");

  /** What one script returned, or why it failed. */
  record Outcome(boolean ok, JsonNode result, String error) {}

  /** One script to run on the resource: mode health, discovery or action. */
  record Run(String name, String mode, String script, Map<String, String> params) {
    Run(String name, String mode, String script) {
      this(name, mode, script, Map.of());
    }
  }

  private final Path executable;
  private final Path workDir;

  /** Runs the scripts in Argo CD's runtime (the test bed's argocd-lua, see {@link #harness()}). */
  ArgoCdLua(Path workDir) {
    this.executable = harness();
    this.workDir = workDir;
  }

  /**
   * The argocd-lua command: $LAMBDAOP_ARGOCD_LUA, else {@code <cache>/bin/argocd-lua-<argo-cd version>-<hash>/argocd-lua}
   * where the hash is that of the module's go.mod, go.sum and main.go (testbed/install.sh builds it by the same rule,
   * so a change of the harness is never run with an older build).
   */
  static Path harness() {
    String fromEnv = System.getenv("LAMBDAOP_ARGOCD_LUA");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    Path project = LocalTestbed.projectDirectory();
    Path module = project.resolve(HARNESS_MODULE);
    try {
      String goMod = Files.readString(module.resolve("go.mod"));
      Matcher version = Pattern.compile("(?m)^\\s*(?:require\\s+)?" + Pattern.quote(ARGO_CD_MODULE) + "\\s+(v\\S+)")
          .matcher(goMod);
      if (!version.find()) {
        throw new IllegalStateException(module.resolve("go.mod") + " does not require " + ARGO_CD_MODULE);
      }
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      for (String file : List.of("go.mod", "go.sum", "main.go")) {
        sha256.update(Files.readAllBytes(module.resolve(file)));
      }
      String hash = HexFormat.of().formatHex(sha256.digest()).substring(0, 12);
      Path binary = LocalTestbed.cacheDirectory()
          .resolve("bin/argocd-lua-" + version.group(1) + "-" + hash + "/argocd-lua");
      if (!Files.isExecutable(binary)) {
        throw new IllegalStateException(binary + " is missing: run " + project.resolve("testbed/install.sh"));
      }
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- Argo CD's runtime -----------------------------------------------------------------------------------

  /** The health check on the resource, as the application controller runs it. */
  Outcome health(JsonNode obj, String script) {
    return argoCd(obj, List.of(new Run("health", "health", script))).get("health");
  }

  /** The action discovery script on the resource, as the API server runs it. */
  Outcome discovery(JsonNode obj, String script) {
    return argoCd(obj, List.of(new Run("discovery", "discovery", script))).get("discovery");
  }

  /** One action on the resource, as the API server runs it. */
  Outcome action(JsonNode obj, String name, String script) {
    return argoCd(obj, List.of(new Run(name, "action", script))).get(name);
  }

  /** Each action (name to script) on its own copy of the resource, in one process. */
  Map<String, Outcome> actions(JsonNode obj, Map<String, String> scripts) {
    List<Run> runs = new ArrayList<>();
    scripts.forEach((name, script) -> runs.add(new Run(name, "action", script)));
    return argoCd(obj, runs);
  }

  /**
   * The merge patch Argo CD's API server sends for an action that returned the resource itself (an old-style action:
   * one impacted resource, operation patch); {} when the action changes nothing.
   */
  static JsonNode patch(Outcome action) {
    if (!action.ok()) {
      throw new AssertionError("the action failed: " + action.error());
    }
    JsonNode impacted = action.result();
    if (impacted == null || !impacted.isArray() || impacted.size() != 1
        || !"patch".equals(impacted.get(0).path("operation").asText())) {
      throw new AssertionError("expected one resource to patch, got " + impacted);
    }
    return impacted.get(0).path("patch");
  }

  /** Each run on its own copy of the resource, all in one argocd-lua process. */
  Map<String, Outcome> argoCd(JsonNode obj, List<Run> runs) {
    ObjectNode request = JSON.createObjectNode();
    request.set("resource", obj == null ? JSON.createObjectNode() : obj);
    var list = request.putArray("runs");
    for (Run run : runs) {
      ObjectNode entry = list.addObject().put("name", run.name()).put("mode", run.mode()).put("script", run.script());
      run.params().forEach(entry.putObject("params")::put);
    }
    try {
      Path input = Files.createTempFile(workDir, "request-", ".json");
      Files.writeString(input, request.toString());
      JsonNode parsed = JSON.readTree(exec(List.of(executable.toString(), "batch", input.toString()), input));
      Map<String, Outcome> outcomes = new LinkedHashMap<>();
      for (Run run : runs) {
        JsonNode entry = parsed.path(run.name());
        JsonNode result = entry.get("result");
        outcomes.put(run.name(), new Outcome(entry.path("ok").asBoolean(false),
            result == null || result.isNull() ? null : result, entry.path("error").asText(null)));
      }
      Files.delete(input);
      return outcomes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs a command to its end (60 s at most) and returns its standard output; fails on a non-zero exit. */
  private String exec(List<String> command, Path input) throws IOException {
    Path output = Files.createTempFile(workDir, "output-", ".txt");
    Path errors = Files.createTempFile(workDir, "errors-", ".txt");
    try {
      Process process = new ProcessBuilder(command).redirectOutput(output.toFile()).redirectError(errors.toFile())
          .start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command.get(0) + " did not finish within 60 s: " + input);
      }
      if (process.exitValue() != 0) {
        throw new AssertionError(command.get(0) + " exited with " + process.exitValue() + " on " + input + ": "
            + Files.readString(output) + Files.readString(errors));
      }
      return Files.readString(output);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      Files.deleteIfExists(output);
      Files.deleteIfExists(errors);
    }
  }

  /** The JSON merge patch (RFC 7386) that turns {@code from} into {@code to}; {} when they are equal. */
  static JsonNode mergePatch(JsonNode from, JsonNode to) {
    if (!from.isObject() || !to.isObject()) {
      throw new IllegalArgumentException("a merge patch is computed between objects");
    }
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    for (Iterator<String> names = from.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!to.has(name) || to.get(name).isNull()) {
        if (!from.get(name).isNull()) {
          patch.putNull(name);
        }
      }
    }
    for (Iterator<String> names = to.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      JsonNode before = from.get(name);
      JsonNode after = to.get(name);
      if (after.isNull()) {
        continue;
      }
      if (before != null && before.isObject() && after.isObject()) {
        JsonNode inner = mergePatch(before, after);
        if (!inner.isEmpty()) {
          patch.set(name, inner);
        }
      } else if (before == null || !same(before, after)) {
        patch.set(name, after);
      }
    }
    return patch;
  }

  /** Equal JSON values; numbers by value (Lua has only doubles). */
  static boolean same(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (Iterator<String> names = a.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        if (!b.has(name) || !same(a.get(name), b.get(name))) {
          return false;
        }
      }
      return true;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!same(a.get(i), b.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }
}
