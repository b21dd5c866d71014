package dev.lambdaop.api;

import java.time.Duration;
import java.util.regex.Matcher;

/** Durations as users write them in specs: 90s, 5m, 1h30m (Go style, no fractions). */
public final class Durations {
  public static final String PATTERN = "^([0-9]+(ms|s|m|h))+$";
  private static final java.util.regex.Pattern PART = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h)");

  private Durations() {}

  public static Duration parse(String text) {
    if (text == null || !text.matches(PATTERN)) {
      throw new IllegalArgumentException("not a duration: '" + text + "' (use for example 30s, 5m, 1h30m)");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
    }
    return total;
  }

  /** The Go style text of a duration, as users write them: 1h30m, 1m15s, 35s, 500ms (0s for zero). */
  public static String format(Duration duration) {
    long millis = Math.max(0, duration.toMillis());
    StringBuilder text = new StringBuilder();
    long h = millis / 3_600_000;
    long m = millis / 60_000 % 60;
    long s = millis / 1000 % 60;
    long ms = millis % 1000;
    if (h > 0) {
      text.append(h).append('h');
    }
    if (m > 0) {
      text.append(m).append('m');
    }
    if (s > 0) {
      text.append(s).append('s');
    }
    if (ms > 0) {
      text.append(ms).append("ms");
    }
    return text.length() == 0 ? "0s" : text.toString();
  }
}
