package dev.lambdaop.aws;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/** CloudWatch reads for the automatic rollback of traffic shifts. */
public interface HealthSignals {
  /** Which of these alarms are in state ALARM now. */
  List<String> inAlarm(String region, Collection<String> alarmNames);

  /** Errors and invocations of one version behind one alias since a time (AWS/Lambda, by ExecutedVersion). */
  VersionHealth health(String region, String function, String alias, String version, Instant since);

  /** Errors and invocations counted for a version. */
  record VersionHealth(long errors, long invocations) {}
}
