package dev.lambdaop.api;

import java.time.Duration;
import java.util.regex.Matcher;

/**
 * Durations as users write them in specs and settings: 90s, 5m, 1h30m (Go style, no fractions).
 *
 * <p>Every duration field of the CRDs has an upper bound in its schema ({@link #AT_MOST_24H} and the like), so that
 * the API server refuses a longer one at {@code kubectl apply}. {@link #parse} refuses anything longer than
 * {@link #MAX} with an {@link IllegalArgumentException} (never an overflow): values stored before a bound existed,
 * and settings.
 */
public final class Durations {
  /** The form of a duration: numbers with units ms, s, m, h. */
  public static final String PATTERN = "^([0-9]+(ms|s|m|h))+$";

  /**
   * The longest duration {@link #parse} accepts: far beyond every bound of the schemas, short enough that no use
   * (an instant plus it, its milliseconds) can overflow.
   */
  public static final Duration MAX = Duration.ofDays(366);

  /**
   * At most as many digits per unit as a bound of up to a week needs (999h, 99999m, 9999999s, 9999999999ms): in the
   * schema's CEL rules, a value that fails this is refused by the rule's own message before CEL's duration() is
   * asked to parse it, which for a number of hours beyond 2562047 fails with a conversion error instead.
   */
  public static final String BOUNDED_DIGITS = "^(([0-9]{1,3}h)|([0-9]{1,5}m)|([0-9]{1,7}s)|([0-9]{1,10}ms))+$";

  /** The maxLength of a duration field in the schemas (a few parts: 1h30m15s500ms is 13). */
  public static final int MAX_LENGTH = 32;

  private static final java.util.regex.Pattern PART = java.util.regex.Pattern.compile("([0-9]+)(ms|s|m|h)");

  private Durations() {}

  /** CEL: at most 15 minutes (hook timeouts: the longest a Lambda invocation runs). */
  public static final String AT_MOST_15M =
      "self.matches('" + BOUNDED_DIGITS + "') && duration(self) <= duration('15m')";

  /** CEL: at most 24 hours (canary and linear intervals). */
  public static final String AT_MOST_24H =
      "self.matches('" + BOUNDED_DIGITS + "') && duration(self) <= duration('24h')";

  /** CEL: at most 7 days (a pause of a Steps deployment). */
  public static final String AT_MOST_168H =
      "self.matches('" + BOUNDED_DIGITS + "') && duration(self) <= duration('168h')";

  /**
   * The duration {@code text} means. Refuses, with an {@link IllegalArgumentException} naming the value, what is
   * not a duration and what is longer than {@link #MAX} (numbers of any size included).
   */
  public static Duration parse(String text) {
    if (text == null || !text.matches(PATTERN)) {
      throw new IllegalArgumentException("not a duration: '" + text + "' (use for example 30s, 5m, 1h30m)");
    }
    long total = 0;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long millisPerUnit = switch (m.group(2)) {
        case "ms" -> 1;
        case "s" -> 1_000;
        case "m" -> 60_000;
        default -> 3_600_000;
      };
      String digits = m.group(1).replaceFirst("^0+(?=.)", "");
      // MAX is 11 digits of milliseconds: a number of 13 digits or more is longer whatever its unit, and one of 12
      // digits times an hour's milliseconds still fits in a long.
      if (digits.length() > 12) {
        throw tooLong(text);
      }
      total += Long.parseLong(digits) * millisPerUnit;
      if (total > MAX.toMillis()) {
        throw tooLong(text);
      }
    }
    return Duration.ofMillis(total);
  }

  private static IllegalArgumentException tooLong(String text) {
    return new IllegalArgumentException("'" + text + "' is longer than " + MAX.toHours() + "h, the longest duration"
        + " the operator takes");
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
