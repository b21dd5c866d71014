package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.HealthSignals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

/** {@link HealthSignals} with the AWS SDK: CloudWatch alarms and Lambda metrics. */
final class SdkHealthSignals implements HealthSignals {
  private final AwsClients clients;
  private final AwsCalls calls;

  SdkHealthSignals(AwsClients clients, AwsCalls calls) {
    this.clients = clients;
    this.calls = calls;
  }

  @Override
  public List<String> inAlarm(String region, Collection<String> alarmNames) {
    if (alarmNames.isEmpty()) {
      return List.of();
    }
    CloudWatchClient cw = clients.cloudWatch(region);
    return calls.read(region, "DescribeAlarms", null, () -> cw.describeAlarmsPaginator(r -> r.alarmNames(alarmNames))
        .metricAlarms().stream()
        .filter(a -> a.stateValue() == StateValue.ALARM)
        .map(MetricAlarm::alarmName)
        .sorted()
        .toList());
  }

  @Override
  public VersionHealth health(String region, String function, String alias, String version, Instant since) {
    CloudWatchClient cw = clients.cloudWatch(region);
    List<Dimension> dimensions = List.of(
        Dimension.builder().name("FunctionName").value(function).build(),
        Dimension.builder().name("Resource").value(function + ":" + alias).build(),
        Dimension.builder().name("ExecutedVersion").value(version).build());
    Instant start = since.truncatedTo(ChronoUnit.MINUTES);
    Instant end = Instant.now().plus(1, ChronoUnit.MINUTES);
    double errors = sum(region, cw, "Errors", dimensions, start, end);
    double invocations = sum(region, cw, "Invocations", dimensions, start, end);
    return new VersionHealth((long) errors, (long) invocations);
  }

  private double sum(String region, CloudWatchClient cw, String metric, List<Dimension> dimensions, Instant start, Instant end) {
    return calls.read(region, "GetMetricStatistics", null, () -> cw.getMetricStatistics(r -> r.namespace("AWS/Lambda")
            .metricName(metric).dimensions(dimensions).startTime(start).endTime(end).period(60)
            .statistics(Statistic.SUM))
        .datapoints().stream().mapToDouble(Datapoint::sum).sum());
  }
}
