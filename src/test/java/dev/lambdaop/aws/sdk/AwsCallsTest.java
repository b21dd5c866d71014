package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.aws.AwsIdentity;
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
    assertTrue(metrics.scrape().contains("lambdaop_aws_calls_total{account=\"operator\",operation=\"UpdateAlias\",outcome=\"Throttled\"}"
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

  private static final AwsIdentity SHOP = new AwsIdentity("arn:aws:iam::222222222222:role/lambda-operator", null);
  private static final AwsIdentity BILLING =
      new AwsIdentity("arn:aws:iam::333333333333:role/lambda-operator", "eu-west-1");

  @Test
  void eachAccountHasBudgetsOfItsOwn_exhaustingOneDefersNoOther() {
    AtomicInteger sent = new AtomicInteger();
    Work shop = new Work("LambdaAlias/shop/a", Urgency.ROLLBACK, SHOP);
    shop.run(() -> calls.read("eu-west-1", "GetAlias", "orders", sent::incrementAndGet));
    shop.run(() -> calls.read("eu-west-1", "GetAlias", "orders", sent::incrementAndGet));
    Deferred deferred = assertThrows(Deferred.class,
        () -> shop.run(() -> calls.write("eu-west-1", "UpdateAlias", "orders", sent::incrementAndGet)));
    assertTrue(deferred.getMessage().contains("of account 222222222222 in eu-west-1"), deferred.getMessage());
    // the same function name in another account, and the operator's own account, in the same region: not deferred
    new Work("LambdaAlias/billing/a", Urgency.ROLLBACK, BILLING).run(
        () -> calls.write("eu-west-1", "UpdateAlias", "orders", sent::incrementAndGet));
    new Work("LambdaAlias/plain/a", Urgency.ROLLBACK).run(
        () -> calls.write("eu-west-1", "UpdateAlias", "orders", sent::incrementAndGet));
    assertEquals(4, sent.get());
    assertEquals(2, calls.budget(SHOP, "eu-west-1", Quota.LAMBDA).granted());
    assertEquals(1, calls.budget(SHOP, "eu-west-1", Quota.LAMBDA).deferred());
    assertEquals(1, calls.budget(BILLING, "eu-west-1", Quota.LAMBDA).granted());
    assertEquals(1, calls.budget("eu-west-1", Quota.LAMBDA).granted());
    assertEquals(0, calls.budget("eu-west-1", Quota.LAMBDA).deferred());
    // two roles of one account share its budgets (AWS's quotas are per account and region)
    assertSame(calls.budget(SHOP, "eu-west-1", Quota.LAMBDA), calls.budget(
        new AwsIdentity("arn:aws:iam::222222222222:role/lambda-operator-other", null), "eu-west-1", Quota.LAMBDA));
    String text = metrics.scrape();
    assertTrue(text.contains("lambdaop_aws_budget_deferred_total{account=\"222222222222\",quota=\"LAMBDA\","
        + "region=\"eu-west-1\",urgency=\"rollback\"} 1.0"), text);
    assertTrue(text.contains("lambdaop_aws_calls_total{account=\"333333333333\",operation=\"UpdateAlias\","
        + "outcome=\"success\"} 1.0"), text);
    assertTrue(text.contains("lambdaop_aws_budget_rate{account=\"operator\",quota=\"LAMBDA\",region=\"eu-west-1\"}"),
        text);
  }

  @Test
  void anUnassumableRoleInsideACallIsTheRolesFailure() {
    AwsFailure role = AccountSessions.notAssumable(SHOP.roleArn(), software.amazon.awssdk.services.sts.model
        .StsException.builder().statusCode(403).awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied")
            .errorMessage("not authorized to perform sts:AssumeRole").build()).build());
    AwsFailure failure = assertThrows(AwsFailure.class, () -> new Work("LambdaAlias/shop/a", Urgency.DEPLOY, SHOP)
        .run(() -> calls.read("eu-west-1", "GetAlias", "orders", () -> {
          throw software.amazon.awssdk.core.exception.SdkClientException.create("Unable to load credentials", role);
        })));
    assertEquals(AccountSessions.NOT_ASSUMABLE, failure.reason());
    assertTrue(metrics.scrape().contains("lambdaop_aws_calls_total{account=\"222222222222\",operation=\"GetAlias\","
        + "outcome=\"AccountRoleNotAssumable\"} 1.0"), metrics.scrape());
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
