package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.aws.Quota;
import dev.lambdaop.observability.OperatorMetrics;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.Deferred;
import dev.lambdaop.reconcile.Urgency;
import dev.lambdaop.reconcile.Work;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/** Every AWS call takes a token of its quota's budget, in the class of the current work; throttling slows it. */
class AwsCallsTest {
  private final OperatorMetrics metrics = new OperatorMetrics();
  private final AwsCalls calls = new AwsCalls(new AwsCalls.BudgetSettings(10, 2, 50, 10, 5), metrics);

  @Test
  void eachOperationCountsAgainstItsQuota() {
    assertEquals(Quota.LAMBDA, AwsCallCounter.quota("GetFunctionConfiguration"));
    assertEquals(Quota.LAMBDA, AwsCallCounter.quota("GetAlias"));
    assertEquals(Quota.LAMBDA, AwsCallCounter.quota("ListVersionsByFunction"));
    assertEquals(Quota.LAMBDA, AwsCallCounter.quota("UpdateAlias"));
    assertEquals(Quota.LAMBDA_GET_FUNCTION, AwsCallCounter.quota("GetFunction"));
    assertEquals(Quota.LAMBDA_GET_POLICY, AwsCallCounter.quota("GetPolicy"));
    assertEquals(Quota.CLOUDWATCH, AwsCallCounter.quota("DescribeAlarms"));
    assertEquals(Quota.CLOUDWATCH, AwsCallCounter.quota("GetMetricData"));
    assertNull(AwsCallCounter.quota("Invoke"));
    assertNull(AwsCallCounter.quota("HeadObject"));
  }

  @Test
  void readsTakeTokensToo_andARequestThatCannotGoIsDeferredWithoutReachingAws() {
    AtomicInteger sent = new AtomicInteger();
    new Work("LambdaAlias/ns/a", Urgency.ROLLBACK).run(() -> calls.read("eu-west-1", "GetAlias", "f",
        sent::incrementAndGet));
    new Work("LambdaAlias/ns/b", Urgency.ROLLBACK).run(() -> calls.read("eu-west-1", "ListAliases", "f",
        sent::incrementAndGet));
    Work work = new Work("LambdaAlias/ns/c", Urgency.ROLLBACK);
    Deferred deferred = assertThrows(Deferred.class,
        () -> work.run(() -> calls.write("eu-west-1", "UpdateAlias", "f", sent::incrementAndGet)));
    assertEquals(2, sent.get(), "the third request never left");
    assertTrue(deferred.waitFor().toMillis() > 0 && deferred.waitFor().toMillis() <= 100, deferred.getMessage());
    assertTrue(deferred.getMessage().contains("UpdateAlias waits for its turn"), deferred.getMessage());
    // GetFunction has a budget of its own
    assertEquals(1, (int) work.run(() -> calls.read("eu-west-1", "GetFunction", "f", () -> 1)));
    assertTrue(metrics.scrape().contains("lambdaop_aws_budget_deferred_total{account=\"operator\",quota=\"LAMBDA\",region=\"eu-west-1\""
        + ",urgency=\"rollback\"} 1.0"), metrics.scrape());
  }

  @Test
  void aThrottlingAnswerSlowsTheBudgetAndDefersTheReconcileWithoutAFailure() {
    RequestBudget budget = calls.budget("eu-west-1", Quota.LAMBDA);
    Work work = new Work("LambdaAlias/ns/a", Urgency.STEP);
    Deferred deferred = assertThrows(Deferred.class, () -> work.run(() -> calls.write("eu-west-1", "UpdateAlias",
        "f", () -> {
          throw TooManyRequestsException.builder().statusCode(429)
              .awsErrorDetails(AwsErrorDetails.builder().errorCode("TooManyRequestsException")
                  .errorMessage("Rate exceeded").build())
              .build();
        })));
    assertEquals(5, budget.currentRate(), 1e-9);
    assertEquals(1, budget.throttles());
    assertTrue(deferred.getMessage().contains("throttled by AWS"), deferred.getMessage());
    assertTrue(metrics.scrape().contains("lambdaop_aws_calls_total{operation=\"UpdateAlias\",outcome=\"Throttled\"}"
        + " 1.0"));
    // other failures are failures
    AwsFailure denied = assertThrows(AwsFailure.class, () -> work.run(() -> calls.write("eu-west-2", "UpdateAlias",
        "f", () -> {
          throw software.amazon.awssdk.services.lambda.model.LambdaException.builder().statusCode(403)
              .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDeniedException").errorMessage("no")
                  .build())
              .build();
        })));
    assertEquals("AccessDenied", denied.reason());
    assertFalse(calls.budget("eu-west-2", Quota.LAMBDA).throttles() > 0);
  }

  @Test
  void theSdkRetriesTransientFailuresButNotThrottling() {
    assertFalse(AwsClients.transientNotThrottled(TooManyRequestsException.builder().statusCode(429)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("TooManyRequestsException").build()).build()));
    assertTrue(AwsClients.transientNotThrottled(software.amazon.awssdk.services.lambda.model.ServiceException
        .builder().statusCode(500).awsErrorDetails(AwsErrorDetails.builder().errorCode("ServiceException").build())
        .build()));
    assertTrue(AwsClients.transientNotThrottled(software.amazon.awssdk.core.exception.SdkClientException.create(
        "connection reset", new java.io.IOException("reset"))));
    assertFalse(AwsClients.transientNotThrottled(software.amazon.awssdk.services.lambda.model.LambdaException
        .builder().statusCode(400).awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidParameterValueException")
            .build()).build()));
  }
}
