package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.Invoker;
import dev.lambdaop.reconcile.AwsFailure;
import java.time.Duration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/** {@link Invoker} with the AWS SDK. */
final class SdkInvoker implements Invoker {
  private final AwsClients clients;
  private final AwsCalls calls;

  SdkInvoker(AwsClients clients, AwsCalls calls) {
    this.clients = clients;
    this.calls = calls;
  }

  @Override
  public Result invoke(String region, String function, String payload, Duration timeout) {
    LambdaClient lambda = clients.lambda(region);
    try {
      return calls.invoke("Invoke", function, () -> {
        var response = lambda.invoke(r -> r.functionName(function)
            .invocationType(InvocationType.REQUEST_RESPONSE)
            .payload(SdkBytes.fromUtf8String(payload))
            .overrideConfiguration(o -> o.apiCallTimeout(timeout).apiCallAttemptTimeout(timeout)));
        String body = response.payload() == null ? "" : response.payload().asUtf8String();
        return new Result(response.functionError() == null && !looksLikeError(body), response.functionError(), body);
      });
    } catch (AwsFailure f) {
      if (f.getCause() instanceof ApiCallTimeoutException || f.getCause() instanceof ApiCallAttemptTimeoutException) {
        return new Result(false, "Timeout", "no answer within " + timeout);
      }
      throw f;
    }
  }

  @Override
  public void checkInvokable(String region, String function) {
    LambdaClient lambda = clients.lambda(region);
    try {
      calls.invoke("Invoke", function, () -> lambda.invoke(r -> r.functionName(function)
          .invocationType(InvocationType.DRY_RUN)));
    } catch (AwsFailure f) {
      if (f.getCause() instanceof AwsServiceException) {
        throw f;
      }
      // Only AWS's answer (denied, not found) proves the hook cannot be invoked; a transport oddity does not (moto,
      // for one, answers a DryRun with a checksum for an empty body). The hook itself will tell.
    }
  }

  /** Lambda's error payload, or a hook's own verdict. */
  static boolean looksLikeError(String payload) {
    String p = payload.replace(" ", "");
    return p.contains("\"errorMessage\":") || p.contains("\"status\":\"Failed\"");
  }
}
