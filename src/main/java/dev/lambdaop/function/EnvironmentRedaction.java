package dev.lambdaop.function;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.lambdaop.reconcile.Failure;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes a function's resolved environment values out of text that leaves the reconcile (status, events, logs). AWS
 * quotes them: its 4 KB error says {@code String measured: {"API_KEY":"..."}}. Redacted are every value that comes
 * from a Secret, whatever its length, and every other value of at least {@link #MIN_LENGTH} characters (shorter
 * literals such as "1" or "true" are no secret and would blank out every digit of a message). Each value goes in its
 * raw and its JSON-escaped form, and whatever AWS quotes as {@code "NAME":"..."} goes even when its text is cut.
 */
final class EnvironmentRedaction {
  static final String MASK = "<redacted>";
  static final int MIN_LENGTH = 4;

  private final List<Pattern> quoted;
  private final List<String> values;

  private EnvironmentRedaction(List<Pattern> quoted, List<String> values) {
    this.quoted = quoted;
    this.values = values;
  }

  /** The redaction of {@code environment}, whose variables named in {@code fromSecrets} come from Secrets. */
  static EnvironmentRedaction of(Map<String, String> environment, Set<String> fromSecrets) {
    List<Pattern> quoted = new ArrayList<>();
    Set<String> values = new LinkedHashSet<>();
    environment.forEach((name, value) -> {
      // "NAME":"value" as JSON writes it; the value runs to the closing quote or, when AWS cut the text, its end.
      quoted.add(Pattern.compile(Pattern.quote("\"" + json(name) + "\":\"") + "(?:[^\"\\\\]|\\\\.)*(?:\"|\\\\?$)"));
      if (!value.isEmpty() && (fromSecrets.contains(name) || value.length() >= MIN_LENGTH)) {
        values.add(value);
        values.add(json(value));
      }
    });
    List<String> longestFirst = new ArrayList<>(values);
    // A value that contains another is replaced whole, not left with the shorter one's hole in it.
    longestFirst.sort(Comparator.comparingInt(String::length).reversed());
    return new EnvironmentRedaction(quoted, longestFirst);
  }

  String redact(String text) {
    if (text == null) {
      return null;
    }
    String redacted = text;
    for (Pattern p : quoted) {
      Matcher m = p.matcher(redacted);
      redacted = m.replaceAll(r -> Matcher.quoteReplacement(
          r.group().substring(0, r.group().indexOf(":\"") + 2) + MASK + "\""));
    }
    for (String value : values) {
      redacted = redacted.replace(value, MASK);
    }
    return redacted;
  }

  /** {@code failure} with its message redacted; a failure whose message changed loses its cause (AWS's text). */
  Failure redact(Failure failure) {
    String message = failure.getMessage();
    String redacted = redact(message);
    return redacted == null || redacted.equals(message) && failure.getCause() == null ? failure
        : failure.withMessage(redacted);
  }

  private static String json(String s) {
    return new String(JsonStringEncoder.getInstance().quoteAsString(s));
  }
}
