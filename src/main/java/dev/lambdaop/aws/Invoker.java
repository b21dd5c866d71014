package dev.lambdaop.aws;

import java.time.Duration;

/** Synchronous invocations of traffic hooks. */
public interface Invoker {
  /**
   * Invokes a function (RequestResponse) and waits at most {@code timeout}. A function error, an error payload or a
   * timeout come back as a failed result, not an exception.
   */
  Result invoke(String region, String function, String payload, Duration timeout);

  /**
   * Whether the operator may invoke the function, without running it (DryRun). Throws an AwsFailure only when AWS
   * answered that it may not (denied, not found); a transport oddity proves nothing and passes.
   */
  void checkInvokable(String region, String function);

  /** The outcome of a synchronous invocation. */
  record Result(boolean succeeded, String functionError, String payload) {}
}
