package dev.lambdaop.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.aws.Quota;
import dev.lambdaop.testbed.FaultProxy.Request;
import dev.lambdaop.testbed.FaultProxy.Service;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScaleAnalysisTest {
  private static Request lambda(long at, String op, String fn) {
    return new Request(at, 5, Service.LAMBDA, op, fn, null, 200);
  }

  private static Request alias(long at, String op, String fn, String alias) {
    return new Request(at, 5, Service.LAMBDA, op, fn, alias, 200);
  }

  @Test
  void quotasCountLambdaControlPlaneCallsExceptGetFunctionAndGetPolicyAndNeitherInvokeNorS3() {
    assertEquals(Quota.LAMBDA, ScaleAnalysis.quota(Service.LAMBDA, "CreateFunction"));
    assertEquals(Quota.LAMBDA, ScaleAnalysis.quota(Service.LAMBDA, "ListVersionsByFunction"));
    assertEquals(Quota.LAMBDA, ScaleAnalysis.quota(Service.LAMBDA, "GetAlias"));
    assertEquals(Quota.LAMBDA_GET_FUNCTION, ScaleAnalysis.quota(Service.LAMBDA, "GetFunction"));
    assertEquals(Quota.LAMBDA_GET_POLICY, ScaleAnalysis.quota(Service.LAMBDA, "GetPolicy"));
    assertEquals(Quota.CLOUDWATCH, ScaleAnalysis.quota(Service.CLOUDWATCH, "DescribeAlarms"));
    assertNull(ScaleAnalysis.quota(Service.LAMBDA, "Invoke"));
    assertNull(ScaleAnalysis.quota(Service.OTHER, "PUT /bucket"));
  }

  @Test
  void theBoundIsTheSlowestQuotaAtItsRate() {
    List<Request> calls = List.of(lambda(0, "CreateFunction", "a"), lambda(1, "PublishVersion", "a"),
        lambda(2, "GetFunction", "a"), new Request(3, 1, Service.OTHER, "PUT /code", null, null, 200));
    Map<Quota, Long> q = ScaleAnalysis.byQuota(calls);
    assertEquals(Map.of(Quota.LAMBDA, 2L, Quota.LAMBDA_GET_FUNCTION, 1L), q);
    assertEquals(0.2, ScaleAnalysis.boundSeconds(q, Map.of(Quota.LAMBDA, 10.0, Quota.LAMBDA_GET_FUNCTION, 100.0)),
        1e-9);
    assertEquals(Map.of("CreateFunction", 1L, "PublishVersion", 1L), ScaleAnalysis.writes(calls));
  }

  @Test
  void stepLatenessRunsFromThePreviousStepSeenPlusOneIntervalPerPlannedStep() {
    List<Integer> weights = List.of(25, 50, 75, 100);
    Duration interval = Duration.ofSeconds(10);
    // start at 1000 (no schedule), then 300 ms late, 100 ms early, and a step skipped: 75 never seen
    List<RoutingPoller.Seen> seen = List.of(new RoutingPoller.Seen(0, "1", null, 0),
        new RoutingPoller.Seen(1_000, "1", "2", 25), new RoutingPoller.Seen(11_300, "1", "2", 50),
        new RoutingPoller.Seen(41_200, "2", null, 0));
    ScaleAnalysis.Lateness l = ScaleAnalysis.lateness(Map.of("f", seen), "2", interval, weights, 20_000);
    assertEquals(3, l.steps());
    assertEquals(1, l.skipped());
    assertEquals(1, l.shiftsComplete());
    assertEquals(List.of(300.0, 9_900.0), l.ms().sorted());
    assertEquals(List.of(300.0), l.duringMs().sorted(), "only the step due before 20 s");
  }

  @Test
  void aRollbackStartsAnewAndIsNotALateStep() {
    List<RoutingPoller.Seen> seen = List.of(new RoutingPoller.Seen(0, "1", "2", 50),
        new RoutingPoller.Seen(100, "1", null, 0), new RoutingPoller.Seen(5_000, "1", "2", 50));
    ScaleAnalysis.Lateness l = ScaleAnalysis.lateness(Map.of("f", seen), "2", Duration.ofSeconds(1),
        List.of(50, 100), Long.MAX_VALUE);
    assertEquals(0, l.ms().count());
  }

  @Test
  void everyResourceIsReconciledOnceWhenEachHadItsFirstReadAfterTheStart() {
    List<Request> traffic = List.of(lambda(50, "GetFunction", "a"), lambda(150, "GetFunction", "a"),
        lambda(400, "GetFunction", "b"), alias(900, "GetAlias", "a", "live"));
    ScaleAnalysis.Reconciled r = ScaleAnalysis.reconciledOnce(traffic, 100, List.of("a", "b"), List.of("a/live"));
    assertTrue(r.all());
    assertEquals(0.8, r.seconds(), 1e-9);
    ScaleAnalysis.Reconciled missing = ScaleAnalysis.reconciledOnce(traffic, 500, List.of("a", "b"), List.of());
    assertFalse(missing.all());
    assertTrue(Double.isNaN(missing.seconds()));
  }

  @Test
  void ratesCountLambdaArrivalsPerSecond() {
    List<Request> traffic = List.of(lambda(0, "GetFunction", "a"), lambda(500, "GetFunction", "a"),
        lambda(1_500, "GetFunction", "a"), new Request(600, 1, Service.CLOUDWATCH, "DescribeAlarms", null, null,
            200));
    assertEquals(2.0, ScaleAnalysis.lambdaRate(traffic, 0, 1_000), 1e-9);
    assertEquals(List.of(2.0, 1.0), ScaleAnalysis.lambdaRates(traffic, 0, 2_000, 1_000));
  }

  @Test
  void verdictsNameWhatMissedItsGoal() {
    ScaleAnalysis.Lateness onTime = new ScaleAnalysis.Lateness(Stats.of(List.of(100.0, 200.0)),
        Stats.of(List.of()), 4, 0, 1, 1);
    assertTrue(ScaleAnalysis.converge(new ScaleAnalysis.ConvergeCheck(10, 10, 0, 150, 200, onTime, 4, 1000)).pass());
    Verdict v = ScaleAnalysis.converge(new ScaleAnalysis.ConvergeCheck(10, 9, 2, 250, 200,
        new ScaleAnalysis.Lateness(Stats.of(List.of(1500.0)), Stats.of(List.of()), 3, 0, 1, 0), 4, 1000));
    assertEquals(5, v.failures().size(), v.failures().toString());

    ScaleAnalysis.Reconciled all = new ScaleAnalysis.Reconciled(2, 2, 1, 1, 3.0);
    assertTrue(ScaleAnalysis.steady(new ScaleAnalysis.SteadyCheck(all, all, Map.of(), 1.0, 2.0, 100, 512, 1))
        .pass());
    ScaleAnalysis.Reconciled few = new ScaleAnalysis.Reconciled(20, 2, 10, 1, Double.NaN);
    assertTrue(ScaleAnalysis.steady(new ScaleAnalysis.SteadyCheck(all, few, Map.of(), 1.0, 2.0, 100, 512, 0.1))
        .pass(), "a stretched resync reads a tenth in a tenth of its period");
    assertEquals(3, ScaleAnalysis.steady(new ScaleAnalysis.SteadyCheck(all, few, Map.of("UpdateAlias", 1L), 3.0,
        2.0, 100, 512, 1)).failures().size());

    assertTrue(ScaleAnalysis.throttle(new ScaleAnalysis.ThrottleCheck(3, 3, Map.of(), 10)).pass());
    Map<String, Set<String>> surfaced = ScaleAnalysis.surfaced(Map.of("a", Set.of("Throttled", "Creating"),
        "b", Set.of("FunctionNotFound")), ScaleAnalysis.AWS_ERROR_REASONS);
    assertEquals(Map.of("a", Set.of("Throttled")), surfaced);
    assertFalse(ScaleAnalysis.throttle(new ScaleAnalysis.ThrottleCheck(3, 3, surfaced, 10)).pass());
  }
}
