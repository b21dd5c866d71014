package dev.lambdaop.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessSettingsTest {
  @Test
  void defaultsArePort8080AndText() {
    assertEquals(new ProcessSettings(8080, "text"), ProcessSettings.fromEnvironment(Map.of()));
    assertEquals(new ProcessSettings(8080, "text"),
        ProcessSettings.fromEnvironment(Map.of("LAMBDAOP_METRICS_PORT", "", "LAMBDAOP_LOG_FORMAT", " ")));
  }

  @Test
  void readsBoth() {
    assertEquals(new ProcessSettings(0, "json"),
        ProcessSettings.fromEnvironment(Map.of("LAMBDAOP_METRICS_PORT", "0", "LAMBDAOP_LOG_FORMAT", "json")));
  }

  @Test
  void aWrongValueIsNamedInTheError() {
    IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
        () -> ProcessSettings.fromEnvironment(Map.of("LAMBDAOP_METRICS_PORT", "70000")));
    assertTrue(port.getMessage().startsWith("LAMBDAOP_METRICS_PORT=70000"), port.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ProcessSettings.fromEnvironment(Map.of("LAMBDAOP_METRICS_PORT", "http")));
    IllegalArgumentException format = assertThrows(IllegalArgumentException.class,
        () -> ProcessSettings.fromEnvironment(Map.of("LAMBDAOP_LOG_FORMAT", "xml")));
    assertTrue(format.getMessage().contains("expected text or json"), format.getMessage());
  }

  @Test
  void logLevelsAreTheDocumentedOnesInAnyCase() {
    ProcessSettings.fromEnvironment(Map.of("LAMBDAOP_LOG_LEVEL", "debug", "LAMBDAOP_SDK_LOG_LEVEL", "WARN"));
    for (String variable : new String[] {"LAMBDAOP_LOG_LEVEL", "LAMBDAOP_SDK_LOG_LEVEL"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> ProcessSettings.fromEnvironment(Map.of(variable, "LOUD")));
      assertEquals(variable + "=LOUD: expected TRACE, DEBUG, INFO, WARN or ERROR", e.getMessage());
    }
  }

  @Test
  void aPortIsAWholeNumber() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ProcessSettings.fromEnvironment(Map.of("LAMBDAOP_METRICS_PORT", "-1")));
    assertEquals("LAMBDAOP_METRICS_PORT=-1: expected a whole number from 0 to 65535 (a port 1-65535, or 0 for no"
        + " endpoints)", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ProcessSettings.fromEnvironment(Map.of("LAMBDAOP_METRICS_PORT", "8080.5")));
  }
}
