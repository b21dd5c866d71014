package dev.lambdaop.aws.sdk;

import dev.lambdaop.api.Durations;
import dev.lambdaop.aws.Invoker;
import dev.lambdaop.reconcile.AwsFailure;
import java.time.Duration;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;

/**
 * {@link Invoker} with the AWS SDK, as the AWS identity of the calling thread's work (a hook thread carries the
 * alias's). A hook is invoked on {@link AwsClients#hookLambda}: exactly one HTTP request,
 * which may wait for its answer as long as the hook's timeout plus {@link #ANSWER_MARGIN}. The DryRun check goes
 * through the control plane's client (it runs nothing, so the SDK may retry it).
 */
final class SdkInvoker implements Invoker {
  /** What the operator waits beyond a hook's timeout for its answer: the network, and Lambda starting it. */
  static final Duration ANSWER_MARGIN = Duration.ofSeconds(15);

  private final AwsClients clients;
  private final AwsCalls calls;
  private final Duration margin;

  SdkInvoker(AwsClients clients, AwsCalls calls) {
    this(clients, calls, ANSWER_MARGIN);
  }

  /** {@code margin}: for tests, a shorter wait beyond the timeout. */
  SdkInvoker(AwsClients clients, AwsCalls calls, Duration margin) {
    this.clients = clients;
    this.calls = calls;
    this.margin = margin;
  }

  @Override
  public Result invoke(String region, String function, String payload, Duration timeout) {
    Duration limit = timeout.plus(margin);
    long start = System.nanoTime();
    try {
      // As the identity of the thread's work at call time: the hook thread carries the alias's (its namespace's role).
      LambdaClient lambda = clients.hookLambda(region);
      return calls.invoke("Invoke", function, () -> {
        var response = lambda.invoke(r -> r.functionName(function)
            .invocationType(InvocationType.REQUEST_RESPONSE)
            .payload(SdkBytes.fromUtf8String(payload))
            .overrideConfiguration(o -> o.apiCallTimeout(limit).apiCallAttemptTimeout(limit)));
        String body = response.payload() == null ? "" : response.payload().asUtf8String();
        return new Result(response.functionError() == null && !looksLikeError(body), response.functionError(), body);
      });
    } catch (AwsFailure f) {
      if (AccountSessions.NOT_ASSUMABLE.equals(f.reason())) {
        return new Result(false, AccountSessions.NOT_ASSUMABLE, f.getMessage() + "; not invoked");
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      if (f.getCause() instanceof ApiCallTimeoutException || f.getCause() instanceof ApiCallAttemptTimeoutException) {
        return new Result(false, TIMEOUT, "timed out after " + Durations.format(limit) + " (its timeout "
            + Durations.format(timeout) + " plus " + Durations.format(margin) + " for the network) without an answer;"
            + " invoked once, not retried");
      }
      if (f.getCause() instanceof AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? String.valueOf(e.statusCode()) : e.awsErrorDetails().errorCode();
        String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
        return new Result(false, code, "Lambda refused the invocation: " + code + ": " + message + "; not retried");
      }
      return new Result(false, "Unreachable", "no answer after " + Durations.format(took.withNanos(0)) + ": "
          + (f.getCause() == null ? f.getMessage() : f.getCause().getMessage()) + "; invoked once, not retried");
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
