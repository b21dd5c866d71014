package dev.lambdaop.config;

import java.util.Map;

/**
 * Settings of the operator process itself (not of reconciling), read from environment variables.
 *
 * @param metricsPort port of /metrics, /healthz and /readyz; 0 turns the endpoints off
 * @param logFormat {@code text} (one line per event, for people) or {@code json} (one JSON object per line, for
 *     log collectors); read by logback.xml, checked here so that a typo stops the process with a clear message
 */
public record ProcessSettings(int metricsPort, String logFormat) {
  public static final String METRICS_PORT = "LAMBDAOP_METRICS_PORT";
  public static final String LOG_FORMAT = "LAMBDAOP_LOG_FORMAT";

  public static ProcessSettings fromEnvironment(Map<String, String> env) {
    String port = orDefault(env.get(METRICS_PORT), "8080");
    int metricsPort;
    try {
      metricsPort = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      metricsPort = -1;
    }
    if (metricsPort < 0 || metricsPort > 65535) {
      throw new IllegalArgumentException(METRICS_PORT + "=" + port + ": expected a port 1-65535, or 0 for no endpoints");
    }
    String format = orDefault(env.get(LOG_FORMAT), "text");
    if (!format.equals("text") && !format.equals("json")) {
      throw new IllegalArgumentException(LOG_FORMAT + "=" + format + ": expected text or json");
    }
    return new ProcessSettings(metricsPort, format);
  }

  /** Unset and empty both mean the default (a Helm value left empty renders as an empty variable). */
  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.trim();
  }
}
