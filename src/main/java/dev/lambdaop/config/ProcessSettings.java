package dev.lambdaop.config;

import java.util.Map;
import java.util.Set;

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
  /** Read by logback.xml (the operator's logs); checked here: logback takes a typo for DEBUG. */
  public static final String LOG_LEVEL = "LAMBDAOP_LOG_LEVEL";
  /** Read by logback.xml (the Java Operator SDK's logs); checked here likewise. */
  public static final String SDK_LOG_LEVEL = "LAMBDAOP_SDK_LOG_LEVEL";

  private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR");

  public static ProcessSettings fromEnvironment(Map<String, String> env) {
    int metricsPort = Setting.of(env, METRICS_PORT, "8080").wholeNumber(0, 65535,
        "a port 1-65535, or 0 for no endpoints");
    String format = Setting.of(env, LOG_FORMAT, "text").oneOf(Set.of("text", "json"), false, "text or json");
    for (String level : new String[] {LOG_LEVEL, SDK_LOG_LEVEL}) {
      Setting.of(env, level, "INFO").oneOf(LEVELS, true, "TRACE, DEBUG, INFO, WARN or ERROR");
    }
    return new ProcessSettings(metricsPort, format);
  }
}
