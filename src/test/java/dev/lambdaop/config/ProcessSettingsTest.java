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
}
