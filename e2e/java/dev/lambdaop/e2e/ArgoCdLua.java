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
 *
 * <p>The constructor that takes a glua binary keeps the earlier imitation (gopher-lua's glua with a sandbox written
 * here) for ControlsIT, which still uses it; the {@code run} methods and {@link #clean} belong to it.
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
  private final boolean argoCd;
  private final Path workDir;

  /** Runs the scripts in Argo CD's runtime (the test bed's argocd-lua, see {@link #harness()}). */
  ArgoCdLua(Path workDir) {
    this.executable = harness();
    this.argoCd = true;
    this.workDir = workDir;
  }

  /**
   * The earlier imitation: the scripts in gopher-lua's glua, with the sandbox written here ({@link #run}).
   *
   * @deprecated for ControlsIT only, until it uses {@link #ArgoCdLua(Path)}; the Argo CD runtime is the reference.
   */
  @Deprecated
  ArgoCdLua(Path glua, Path workDir) {
    this.executable = glua;
    this.argoCd = false;
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
    if (!argoCd) {
      throw new IllegalStateException("this instance runs glua: use new ArgoCdLua(workDir)");
    }
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

  // ---- the glua imitation (ControlsIT) -------------------------------------------------------------------------

  /** Runs each script (name to source) on its own copy of {@code obj}, all in one glua process. */
  Map<String, Outcome> run(JsonNode obj, Map<String, String> scripts) {
    if (argoCd) {
      throw new IllegalStateException("this instance runs Argo CD's runtime: use health, discovery or action");
    }
    StringBuilder list = new StringBuilder();
    scripts.forEach((name, source) -> list.append("  {name = ").append(luaString(name)).append(", source = ")
        .append(longString(source)).append("},\n"));
    String runner = RUNNER.replace("@SCRIPTS@", list).replace("@OBJ@", luaValue(obj));
    try {
      Path file = Files.createTempFile(workDir, "runner-", ".lua");
      Path output = Files.createTempFile(workDir, "runner-", ".json");
      Files.writeString(file, runner);
      Process process = new ProcessBuilder(executable.toString(), file.toString())
          .redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("glua did not finish within 60 s: " + file);
      }
      String text = Files.readString(output);
      if (process.exitValue() != 0) {
        throw new AssertionError("glua exited with " + process.exitValue() + " on " + file + ": " + text);
      }
      JsonNode parsed = JSON.readTree(text);
      Map<String, Outcome> outcomes = new LinkedHashMap<>();
      for (String name : scripts.keySet()) {
        JsonNode entry = parsed.path(name);
        outcomes.put(name, new Outcome(entry.path("ok").asBoolean(false), entry.get("result"),
            entry.path("error").asText(null)));
      }
      Files.delete(file);
      Files.delete(output);
      return outcomes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Outcome run(JsonNode obj, String name, String script) {
    return run(obj, Map.of(name, script)).get(name);
  }

  /**
   * Argo CD's cleaning of an action's result: Lua cannot tell an empty object from an empty array, and its JSON
   * encoder writes an empty array; where the live resource had an object there, the result gets an empty object.
   */
  static JsonNode clean(JsonNode result, JsonNode live) {
    if (result == null || live == null) {
      return result;
    }
    if (result.isArray() && result.isEmpty() && live.isObject()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (result.isObject() && live.isObject()) {
      ObjectNode cleaned = (ObjectNode) result.deepCopy();
      for (Iterator<String> names = result.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        cleaned.set(name, clean(result.get(name), live.get(name)));
      }
      return cleaned;
    }
    if (result.isArray() && live.isArray()) {
      var cleaned = result.deepCopy();
      for (int i = 0; i < result.size() && i < live.size(); i++) {
        ((com.fasterxml.jackson.databind.node.ArrayNode) cleaned).set(i, clean(result.get(i), live.get(i)));
      }
      return cleaned;
    }
    return result;
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

  /** A Lua expression for a JSON value. Object members that are null are left out, as Argo CD leaves them. */
  static String luaValue(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "nil";
    }
    if (node.isObject()) {
      StringBuilder out = new StringBuilder("{");
      node.fields().forEachRemaining(field -> {
        if (!field.getValue().isNull()) {
          out.append('[').append(luaString(field.getKey())).append("]=").append(luaValue(field.getValue())).append(',');
        }
      });
      return out.append('}').toString();
    }
    if (node.isArray()) {
      StringBuilder out = new StringBuilder("{");
      node.forEach(item -> out.append(luaValue(item)).append(','));
      return out.append('}').toString();
    }
    if (node.isBoolean()) {
      return node.asBoolean() ? "true" : "false";
    }
    if (node.isNumber()) {
      return node.isIntegralNumber() ? node.bigIntegerValue().toString() : Double.toString(node.asDouble());
    }
    return luaString(node.asText());
  }

  /** A Lua string literal; every byte that is not printable ASCII as a three-digit decimal escape. */
  static String luaString(String text) {
    StringBuilder out = new StringBuilder("\"");
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        out.append((char) c);
      } else {
        out.append('\\').append(String.format("%03d", c));
      }
    }
    return out.append('"').toString();
  }

  /** A Lua long string carrying the text verbatim (the newline after the opening bracket is not part of it). */
  private static String longString(String text) {
    String level = "=";
    while (text.contains("]" + level + "]")) {
      level += "=";
    }
    return "[" + level + "[\n" + text + "]" + level + "]";
  }

  private static final String RUNNER = """
      local scripts = {
      @SCRIPTS@}

      local function newObj()
        return @OBJ@
      end

      -- What Argo CD opens for a script from argocd-cm: base, table, package and a safe os (time, date).
      local function sandbox()
        local env = {}
        for _, name in ipairs({"assert", "error", "getmetatable", "ipairs", "next", "pairs", "pcall", "print",
            "rawequal", "rawget", "rawset", "select", "setmetatable", "tonumber", "tostring", "type", "unpack",
            "xpcall", "require", "_VERSION"}) do
          env[name] = _G[name]
        end
        env.table = table
        env.package = package
        env.os = {time = os.time, date = os.date}
        env._G = env
        return env
      end

      -- As Argo CD's encoder (gopher-json): an empty table is an empty array, a table with keys 1..n an array,
      -- one with string keys an object; anything else cannot be encoded.
      local function encode(value)
        local kind = type(value)
        if kind == "nil" then
          return "null"
        elseif kind == "boolean" then
          return tostring(value)
        elseif kind == "number" then
          if value == math.floor(value) and value > -1e15 and value < 1e15 then
            return string.format("%d", value)
          end
          return string.format("%.17g", value)
        elseif kind == "string" then
          local escaped = string.gsub(value, '[%c"\\\\]', function(c)
            return string.format("\\\\u%04x", string.byte(c))
          end)
          return '"' .. escaped .. '"'
        elseif kind == "table" then
          local count, strings, highest = 0, 0, 0
          for key in pairs(value) do
            count = count + 1
            if type(key) == "string" then
              strings = strings + 1
            elseif type(key) == "number" then
              if key > highest then
                highest = key
              end
            else
              error("cannot encode a table key of type " .. type(key))
            end
          end
          if count == 0 then
            return "[]"
          end
          local parts = {}
          if strings == 0 and highest == count then
            for i = 1, count do
              parts[i] = encode(value[i])
            end
            return "[" .. table.concat(parts, ",") .. "]"
          end
          if strings ~= count then
            error("cannot encode a table with mixed or invalid keys")
          end
          local keys = {}
          for key in pairs(value) do
            keys[#keys + 1] = key
          end
          table.sort(keys)
          for i, key in ipairs(keys) do
            parts[i] = encode(key) .. ":" .. encode(value[key])
          end
          return "{" .. table.concat(parts, ",") .. "}"
        end
        error("cannot encode a value of type " .. kind)
      end

      local stringMeta = getmetatable("")
      local entries = {}
      for _, script in ipairs(scripts) do
        local entry
        local chunk, compileError = loadstring(script.source, "=" .. script.name)
        if chunk == nil then
          entry = {ok = false, error = "does not compile: " .. tostring(compileError)}
        else
          local env = sandbox()
          env.obj = newObj()
          setfenv(chunk, env)
          debug.setmetatable("", nil) -- no string methods, as without the string library
          local ok, result = pcall(chunk)
          debug.setmetatable("", stringMeta)
          if ok then
            entry = {ok = true, result = result}
          else
            entry = {ok = false, error = tostring(result)}
          end
        end
        local encoded, json = pcall(encode, entry)
        if not encoded then
          json = encode({ok = false, error = "the result cannot be encoded as JSON: " .. tostring(json)})
        end
        entries[#entries + 1] = encode(script.name) .. ":" .. json
      end
      io.write("{" .. table.concat(entries, ",") .. "}")
      """;
}
