package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.FunctionSnapshot;
import dev.lambdaop.reconcile.AwsFailure;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/** What the Lambda adapters share: "not found" as absence, and the snapshot of a function's state. */
final class Sdk {
  private Sdk() {}

  static <T> Optional<T> absentIfNotFound(Supplier<T> read) {
    try {
      return Optional.of(read.get());
    } catch (AwsFailure f) {
      if (f.getCause() instanceof ResourceNotFoundException) {
        return Optional.empty();
      }
      throw f;
    }
  }

  static FunctionSnapshot snapshot(FunctionConfiguration c) {
    return new FunctionSnapshot(c.functionName(), c.functionArn(), c.stateAsString(), c.stateReason(),
        c.lastUpdateStatusAsString(), c.lastUpdateStatusReason(), c.codeSha256(), c.revisionId());
  }
}
