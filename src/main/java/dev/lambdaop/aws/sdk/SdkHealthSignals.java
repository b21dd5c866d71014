package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.HealthSignals;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;

/**
 * {@link HealthSignals} with the AWS SDK: CloudWatch alarms and Lambda metrics, read in {@link HealthBatches} shared
 * by all shifting aliases of a region. This class makes the calls: one DescribeAlarms, one GetMetricData (its pages).
 */
final class SdkHealthSignals implements HealthSignals, HealthBatches.CloudWatch {
  private final AwsClients clients;
  private final AwsCalls calls;
  private final HealthBatches batches;

  SdkHealthSignals(AwsClients clients, AwsCalls calls) {
    this.clients = clients;
    this.calls = calls;
    this.batches = new HealthBatches(this, Clock.systemUTC());
  }

  @Override
  public List<String> inAlarm(String region, Collection<String> alarmNames) {
    return batches.inAlarm(region, alarmNames);
  }

  @Override
  public VersionHealth health(String region, String function, String alias, String version, Instant since) {
    return batches.health(region, function, alias, version, since);
  }

  @Override
  public Set<String> describeAlarms(String region, List<String> alarmNames) {
    CloudWatchClient cw = clients.cloudWatch(region);
    return calls.read(region, "DescribeAlarms", null, () -> cw.describeAlarmsPaginator(r -> r.alarmNames(alarmNames))
        .metricAlarms().stream()
        .filter(a -> a.stateValue() == StateValue.ALARM)
        .map(MetricAlarm::alarmName)
        .collect(Collectors.toSet()));
  }

  @Override
  public List<Map<Instant, Double>> getMetricData(String region, List<HealthBatches.MetricQuery> queries,
      Instant start, Instant end) {
    CloudWatchClient cw = clients.cloudWatch(region);
    List<MetricDataQuery> request = new ArrayList<>();
    for (int i = 0; i < queries.size(); i++) {
      HealthBatches.MetricQuery q = queries.get(i);
      List<Dimension> dimensions = List.of(
          Dimension.builder().name("FunctionName").value(q.function()).build(),
          Dimension.builder().name("Resource").value(q.function() + ":" + q.alias()).build(),
          Dimension.builder().name("ExecutedVersion").value(q.version()).build());
      request.add(MetricDataQuery.builder().id("q" + i).returnData(true)
          .metricStat(s -> s.period(60).stat("Sum")
              .metric(m -> m.namespace("AWS/Lambda").metricName(q.metric()).dimensions(dimensions)))
          .build());
    }
    // Results come in pages (a query's values may go on in the next page): gathered by query id.
    Map<String, Map<Instant, Double>> byId = calls.read(region, "GetMetricData", null, () -> {
      Map<String, Map<Instant, Double>> pages = new HashMap<>();
      cw.getMetricDataPaginator(r -> r.metricDataQueries(request).startTime(start).endTime(end))
          .forEach(page -> {
            for (MetricDataResult result : page.metricDataResults()) {
              Map<Instant, Double> sums = pages.computeIfAbsent(result.id(), id -> new HashMap<>());
              for (int i = 0; i < result.timestamps().size(); i++) {
                sums.put(result.timestamps().get(i), result.values().get(i));
              }
            }
          });
      return pages;
    });
    List<Map<Instant, Double>> answer = new ArrayList<>();
    for (int i = 0; i < queries.size(); i++) {
      answer.add(byId.getOrDefault("q" + i, Map.of()));
    }
    return answer;
  }
}
