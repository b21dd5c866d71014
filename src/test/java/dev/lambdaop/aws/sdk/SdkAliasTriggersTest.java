package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lambdaop.aws.AliasTriggers;
import dev.lambdaop.aws.Quota;
import dev.lambdaop.reconcile.AwsFailure;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.lambda.model.AddPermissionRequest;
import software.amazon.awssdk.services.lambda.model.Cors;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyConfigNotFoundException;
import software.amazon.awssdk.services.lambda.model.PutFunctionEventInvokeConfigRequest;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/** The requests {@link SdkAliasTriggers} builds, "none" as AWS says it, and how its operations are counted. */
class SdkAliasTriggersTest {
  @Test
  void addPermissionCarriesTheAliasAsQualifierAndEveryCondition() {
    AddPermissionRequest r = SdkAliasTriggers.addPermission("orders", "live", new AliasTriggers.Permission("id-1",
        "*", "lambda:InvokeFunctionUrl", "arn:aws:s3:::bucket", "123456789012", "o-abcdefghij", "NONE"));
    assertEquals(List.of("orders", "live", "id-1", "*", "lambda:InvokeFunctionUrl", "arn:aws:s3:::bucket",
        "123456789012", "o-abcdefghij", "NONE"), List.of(r.functionName(), r.qualifier(), r.statementId(),
        r.principal(), r.action(), r.sourceArn(), r.sourceAccount(), r.principalOrgID(), r.functionUrlAuthTypeAsString()));
    AddPermissionRequest plain = SdkAliasTriggers.addPermission("orders", "live", new AliasTriggers.Permission("id-2",
        "s3.amazonaws.com", "lambda:InvokeFunction", null, null, null, null));
    assertNull(plain.sourceArn());
    assertNull(plain.functionUrlAuthType());
  }

  @Test
  void putAsyncInvokeSendsDestinationsOnlyWhenThereAreSome() {
    PutFunctionEventInvokeConfigRequest r = SdkAliasTriggers.putAsyncInvoke("orders", "live",
        new AliasTriggers.AsyncConfig(1, 3600, null, "arn:aws:sqs:us-east-1:123456789012:dlq"));
    assertEquals(List.of("orders", "live", 1, 3600), List.of(r.functionName(), r.qualifier(),
        r.maximumRetryAttempts(), r.maximumEventAgeInSeconds()));
    assertNull(r.destinationConfig().onSuccess());
    assertEquals("arn:aws:sqs:us-east-1:123456789012:dlq", r.destinationConfig().onFailure().destination());
    PutFunctionEventInvokeConfigRequest none = SdkAliasTriggers.putAsyncInvoke("orders", "live",
        new AliasTriggers.AsyncConfig(null, null, null, null));
    assertNull(none.destinationConfig());
    assertNull(none.maximumRetryAttempts());
  }

  @Test
  void corsTravelsBothWays() {
    AliasTriggers.Cors cors = new AliasTriggers.Cors(List.of("https://shop.example"), List.of("GET"), null,
        List.of("x-id"), 300, true);
    Cors sent = SdkAliasTriggers.cors(cors);
    assertEquals(List.of(), sent.allowHeaders());
    assertEquals(new AliasTriggers.Cors(List.of("https://shop.example"), List.of("GET"), List.of(), List.of("x-id"),
        300, true), SdkAliasTriggers.cors(sent));
    assertNull(SdkAliasTriggers.cors((Cors) null));
  }

  @Test
  void notFoundIsNoneAndOtherErrorsAreErrors() {
    assertEquals(Optional.empty(), SdkAliasTriggers.absent(() -> {
      throw AwsErrors.map("GetPolicy", ResourceNotFoundException.builder().statusCode(404)
          .awsErrorDetails(AwsErrorDetails.builder().errorCode("ResourceNotFoundException").build()).build());
    }));
    assertEquals(Optional.empty(), SdkAliasTriggers.absent(() -> {
      throw AwsErrors.map("GetProvisionedConcurrencyConfig", ProvisionedConcurrencyConfigNotFoundException.builder()
          .statusCode(404).awsErrorDetails(AwsErrorDetails.builder()
              .errorCode("ProvisionedConcurrencyConfigNotFoundException").build()).build());
    }));
    AwsFailure conflict = assertThrows(AwsFailure.class, () -> SdkAliasTriggers.absent(() -> {
      throw AwsErrors.map("AddPermission", LambdaException.builder().statusCode(409)
          .awsErrorDetails(AwsErrorDetails.builder().errorCode("ResourceConflictException").build()).build());
    }));
    assertEquals("Conflict", conflict.reason());
  }

  @Test
  void theNewOperationsAreCountedAsWhatTheyAre() {
    for (String read : List.of("GetPolicy", "GetFunctionUrlConfig", "GetFunctionEventInvokeConfig",
        "GetProvisionedConcurrencyConfig")) {
      assertEquals(AwsCallCounter.Kind.READ, AwsCallCounter.kind(read), read);
    }
    for (String write : List.of("AddPermission", "RemovePermission", "CreateFunctionUrlConfig",
        "UpdateFunctionUrlConfig", "DeleteFunctionUrlConfig", "PutFunctionEventInvokeConfig",
        "DeleteFunctionEventInvokeConfig", "PutProvisionedConcurrencyConfig", "DeleteProvisionedConcurrencyConfig")) {
      assertEquals(AwsCallCounter.Kind.WRITE, AwsCallCounter.kind(write), write);
      assertEquals(Quota.LAMBDA, AwsCallCounter.quota(write), write);
      assertEquals(List.of("lambda:" + write), IamActions.of(write));
    }
    assertEquals(Quota.LAMBDA_GET_POLICY, AwsCallCounter.quota("GetPolicy"));
    assertEquals(Quota.LAMBDA, AwsCallCounter.quota("GetProvisionedConcurrencyConfig"));
  }
}
