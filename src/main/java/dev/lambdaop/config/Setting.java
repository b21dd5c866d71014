package dev.lambdaop.config;

import dev.lambdaop.api.Durations;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads one setting from the environment and checks it against its range. A value that cannot work stops the
 * operator at start: {@link IllegalArgumentException} with the message {@code NAME=value: expected ...}, which
 * {@code OperatorMain} prints before it exits with code 2. Unset and empty both mean the default (a Helm value left
 * empty renders as an empty variable); values are trimmed.
 */
final class Setting {
  /** A namespace name: a DNS-1123 label. */
  static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private final String name;
  private final String raw;
  private final String value;

  private Setting(String name, String raw, String fallback) {
    this.name = name;
    this.raw = raw;
    this.value = raw == null || raw.isBlank() ? fallback : raw.trim();
  }

  /** The setting {@code name} of {@code env}, or {@code fallback} when it is unset or empty. */
  static Setting of(Map<String, String> env, String name, String fallback) {
    return new Setting(name, env.get(name), fallback);
  }

  /** The value, trimmed, or the default. */
  String text() {
    return value;
  }

  /** The refusal of this value: {@code NAME=value: expected ...}. */
  IllegalArgumentException refused(String expected) {
    return new IllegalArgumentException(name + "=" + raw + ": expected " + expected);
  }

  /** A decimal number from {@code min} to {@code max}. */
  double number(double min, double max, String what) {
    String expected = "a number from " + plain(min) + " to " + plain(max) + " (" + what + ")";
    try {
      double d = Double.parseDouble(value);
      if (Double.isFinite(d) && d >= min && d <= max) {
        return d;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw refused(expected);
  }

  /** A whole number from {@code min} to {@code max}, written with digits only. */
  int wholeNumber(int min, int max, String what) {
    String expected = "a whole number from " + min + " to " + max + " (" + what + ")";
    if (value.matches("[0-9]{1,10}")) {
      long n = Long.parseLong(value);
      if (n >= min && n <= max) {
        return (int) n;
      }
    }
    throw refused(expected);
  }

  /** A Go-style duration from {@code min} to {@code max}. */
  Duration duration(Duration min, Duration max, String what) {
    String expected = "a duration from " + go(min) + " to " + go(max) + " such as 30s, 10m or 1h (" + what + ")";
    try {
      Duration d = Durations.parse(value);
      if (d.compareTo(min) >= 0 && d.compareTo(max) <= 0) {
        return d;
      }
    } catch (IllegalArgumentException e) {
      // refused below
    }
    throw refused(expected);
  }

  /** true or false (any case), nothing else: a typo must not turn a setting off silently. */
  boolean strictBoolean() {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw refused("true or false");
    };
  }

  /** One of {@code allowed} (compared in upper case when {@code ignoreCase}); returns the value as written. */
  String oneOf(Set<String> allowed, boolean ignoreCase, String expected) {
    String v = ignoreCase ? value.toUpperCase(Locale.ROOT) : value;
    if (!allowed.contains(v)) {
      throw refused(expected);
    }
    return value;
  }

  /** Matching {@code pattern} (empty allowed when the default is empty). */
  String matching(Pattern pattern, String expected) {
    if (!value.isEmpty() && !pattern.matcher(value).matches()) {
      throw refused(expected);
    }
    return value;
  }

  private static String plain(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  /** 1s, 24h, 90m: as users write durations. */
  private static String go(Duration d) {
    if (d.toMillis() % 3_600_000 == 0) {
      return d.toHours() + "h";
    }
    if (d.toMillis() % 60_000 == 0) {
      return d.toMinutes() + "m";
    }
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }
}
