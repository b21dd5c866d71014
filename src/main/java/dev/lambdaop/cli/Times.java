package dev.lambdaop.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** Times as the plugin shows them: UTC clock times and short durations (1h2m, 3m5s, 42s). */
final class Times {
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DATE_CLOCK =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private Times() {}

  /** An RFC 3339 time from status, or null when absent or unreadable. */
  static Instant parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** 18:03:00Z on the day of {@code now}, 2025-11-26 18:03:00Z on another day. */
  static String clock(Instant instant, Instant now) {
    boolean sameDay = instant.truncatedTo(ChronoUnit.DAYS).equals(now.truncatedTo(ChronoUnit.DAYS));
    return (sameDay ? CLOCK : DATE_CLOCK).format(instant);
  }

  /** Always with the date: 2025-11-26 18:03:00Z. */
  static String dateClock(Instant instant) {
    return DATE_CLOCK.format(instant);
  }

  /** 1h2m, 3m5s, 42s; whole seconds, rounded up so that a countdown reaches 0s only at the deadline. */
  static String duration(Duration duration) {
    long seconds = duration.isNegative() ? 0 : (duration.toMillis() + 999) / 1000;
    long h = seconds / 3600;
    long m = seconds % 3600 / 60;
    long s = seconds % 60;
    if (h > 0) {
      return h + "h" + (m > 0 ? m + "m" : "");
    }
    if (m > 0) {
      return m + "m" + (s > 0 ? s + "s" : "");
    }
    return s + "s";
  }

  /** "3m ago" for a past instant. */
  static String ago(Instant instant, Instant now) {
    return duration(Duration.between(instant, now).truncatedTo(ChronoUnit.SECONDS)) + " ago";
  }
}
