package dev.lambdaop.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesGoStyleDurations() {
    assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
    assertEquals(Duration.ofMillis(1500), Durations.parse("1s500ms"));
  }

  @Test
  void refusesOtherForms() {
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("5 minutes"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse("1.5h"));
    assertThrows(IllegalArgumentException.class, () -> Durations.parse(""));
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
