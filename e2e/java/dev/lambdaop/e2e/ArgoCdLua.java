package dev.lambdaop.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs Argo CD's Lua scripts as Argo CD runs them (util/lua/lua.go in argo-cd): in gopher-lua, the Lua 5.1 VM Argo
 * CD embeds (the same version, through the test bed's glua), with the resource in the global {@code obj} (JSON
 * nulls absent, as Argo CD's decoding leaves them), and with only the libraries Argo CD opens for a customization from
 * argocd-cm: base, table, package and a safe os (time, date); no string, math, io or debug, and no string methods.
 * The returned value is encoded as Argo CD encodes it (gopher-json: an empty table is an empty array).
 *
 * <p>And the two things Argo CD does with an action's result: cleaning it (an empty object of the live resource that
 * came back as an empty array is an empty object again) and computing the JSON merge patch (RFC 7386) from the live
 * resource to it, which Argo CD sends to the API server.
 */
final class ArgoCdLua {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one script returned, or why it failed. */
  record Outcome(boolean ok, JsonNode result, String error) {}

  private final Path glua;
  private final Path workDir;

  ArgoCdLua(Path glua, Path workDir) {
    this.glua = glua;
    this.workDir = workDir;
  }

  /** Runs each script (name to source) on its own copy of {@code obj}, all in one glua process. */
  Map<String, Outcome> run(JsonNode obj, Map<String, String> scripts) {
    StringBuilder list = new StringBuilder();
    scripts.forEach((name, source) -> list.append("  {name = ").append(luaString(name)).append(", source = ")
        .append(longString(source)).append("},\n"));
    String runner = RUNNER.replace("@SCRIPTS@", list).replace("@OBJ@", luaValue(obj));
    try {
      Path file = Files.createTempFile(workDir, "runner-", ".lua");
      Path output = Files.createTempFile(workDir, "runner-", ".json");
      Files.writeString(file, runner);
      Process process = new ProcessBuilder(glua.toString(), file.toString())
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
