package dev.lambdaop.aws;

import java.time.Duration;

/** Invocations of traffic hooks. */
public interface Invoker {
  /** {@link Result#functionError()} of a hook that gave no answer in time. */
  String TIMEOUT = "Timeout";

  /**
   * Invokes a function (RequestResponse) once, never retried (an invocation is not idempotent), and waits for its
   * answer at most {@code timeout} plus a margin for the network. Blocks the calling thread that long: the operator
   * calls it on its hook threads, never in a reconcile. A function error, an error payload, a timeout and AWS's
   * refusal come back as a failed result, not an exception.
   */
  Result invoke(String region, String function, String payload, Duration timeout);

  /**
   * Whether the operator may invoke the function, without running it (DryRun). Throws an AwsFailure only when AWS
   * answered that it may not (denied, not found); a transport oddity proves nothing and passes. Quick: called in a
   * reconcile.
   */
  void checkInvokable(String region, String function);

  /**
   * The outcome of an invocation.
   *
   * @param functionError why it failed: Lambda's function error (Unhandled...), {@link #TIMEOUT}, or the AWS error
   *     code of a refused invocation; null when it passed or the payload alone failed it
   * @param payload the answer, or what went wrong
   */
  record Result(boolean succeeded, String functionError, String payload) {
    public boolean timedOut() {
      return TIMEOUT.equals(functionError);
    }
  }
}
