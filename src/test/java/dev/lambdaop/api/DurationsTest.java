package dev.lambdaop.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesGoStyleDurations() {
    assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1s500ms"));
    assertEquals(Duration.ofHours(72), Durations.parse("72h"), "beyond a schema's bound, still usable");
    assertEquals(Durations.MAX, Durations.parse(Durations.MAX.toHours() + "h"));
    assertEquals(Duration.ofSeconds(5), Durations.parse("000000000000000000000005s"), "leading zeros");
  }

  @Test
  void refusesOtherForms() {
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("5 minutes"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("1.5h"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse(""));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse(null));
  }

  /** Numbers of any size: an IllegalArgumentException naming the value, never an overflow or a parse error. */
  @Test
  void refusesWhatIsLongerThanTheMaximumWithoutOverflow() {
    for (String text : new String[] {"99999999999999h", "9223372036854775807ms", "9223372036854775808ms",
        "1" + "0".repeat(40) + "s", (Durations.MAX.toHours() + 1) + "h", "8784h1ms", "5000h5000h",
        "999999999999h999999999999h"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text), text);
      assertEquals(IllegalArgumentException.class, e.getClass(), text + ": " + e);
      assertTrue(e.getMessage().contains("'" + text + "' is longer than 8784h"), e.getMessage());
    }
  }

  @Test
  void whatParsesCanBeAddedToAnInstantAndCountedInMilliseconds() {
    Duration longest = Durations.parse("8784h");
    assertEquals(Instant.parse("2025-01-01T00:00:00Z").plus(longest), Instant.parse("2026-01-02T00:00:00Z"));
    assertEquals(8784L * 3_600_000, longest.toMillis());
  }

  /**
   * The guard of the schemas' CEL rules: every value up to the longest bound (168h) passes in any unit, and nothing
   * that passes within the schema's maxLength can overflow Go's durations (about 2562047h), which CEL's duration()
   * would report as a conversion error rather than the rule's message.
   */
  @Test
  void theSchemaGuardLetsEveryBoundedValueThroughAndNoOverflow() {
    for (String ok : new String[] {"168h", "10080m", "604800s", "604800000ms", "1h30m15s500ms", "15m", "24h"}) {
      assertTrue(ok.matches(Durations.BOUNDED_DIGITS), ok);
    }
    for (String refused : new String[] {"99999999999999h", "1000h", "100000m", "10000000s", "10000000000ms",
        "1.5h", ""}) {
      assertFalse(refused.matches(Durations.BOUNDED_DIGITS), refused);
    }
    // The longest part that passes is 9999999999ms (or 9999999s), under 2778h; a part takes at least 2 characters.
    Duration longestPart = Durations.parse("9999999999ms");
    assertTrue(longestPart.compareTo(Durations.parse("9999999s")) >= 0);
    assertTrue(longestPart.multipliedBy(Durations.MAX_LENGTH / 2).compareTo(Duration.ofHours(2_562_047)) < 0);
    for (String rule : new String[] {Durations.AT_MOST_15M, Durations.AT_MOST_24H, Durations.AT_MOST_168H}) {
      assertTrue(rule.startsWith("self.matches('" + Durations.BOUNDED_DIGITS + "') && "), rule);
    }
  }

  @Test
  void formatsAsUsersWriteThem() {
    assertEquals("1m15s", Durations.format(Duration.ofSeconds(75)));
    assertEquals("1h30m", Durations.format(Duration.ofMinutes(90)));
    assertEquals("15m", Durations.format(Duration.ofMinutes(15)));
    assertEquals("1s500ms", Durations.format(Duration.ofMillis(1500)));
    assertEquals("0s", Durations.format(Duration.ZERO));
    assertEquals(Duration.ofSeconds(75), Durations.parse(Durations.format(Duration.ofSeconds(75))));
  }
}
