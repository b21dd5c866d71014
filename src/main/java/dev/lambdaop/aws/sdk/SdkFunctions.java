package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionConfig;
import dev.lambdaop.aws.FunctionSnapshot;
import dev.lambdaop.aws.Functions;
import dev.lambdaop.aws.ObservedFunction;
import dev.lambdaop.reconcile.AwsFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;

/** {@link Functions} with the AWS SDK: every call through {@link AwsCalls} (counted, budgeted, errors mapped). */
final class SdkFunctions implements Functions {
  private static final Duration SETTLE_POLL = Duration.ofMillis(250);

  private final AwsClients clients;
  private final AwsCalls calls;

  SdkFunctions(AwsClients clients, AwsCalls calls) {
    this.clients = clients;
    this.calls = calls;
  }

  @Override
  public Optional<ObservedFunction> get(String region, String name) {
    LambdaClient lambda = clients.lambda(region);
    return Sdk.absentIfNotFound(() -> calls.read(region, "GetFunction", name, () -> {
      GetFunctionResponse response = lambda.getFunction(r -> r.functionName(name));
      FunctionConfiguration c = response.configuration();
      String imageUri = response.code() == null ? null : response.code().imageUri();
      return new ObservedFunction(Sdk.snapshot(c), FunctionConfigs.fromAws(c, response.tags()), imageUri);
    }));
  }

  @Override
  public Optional<FunctionSnapshot> state(String region, String name) {
    LambdaClient lambda = clients.lambda(region);
    return Sdk.absentIfNotFound(() -> calls.read(region, "GetFunctionConfiguration", name,
        () -> Sdk.snapshot(lambda.getFunctionConfiguration(r -> r.functionName(name)))));
  }

  @Override
  public void create(String region, FunctionConfig config, CodeSource code) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "CreateFunction", config.functionName(),
        () -> lambda.createFunction(FunctionConfigs.createRequest(config, code)));
  }

  @Override
  public void updateCode(String region, String name, CodeSource code, String architecture, String revisionId) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "UpdateFunctionCode", name,
        () -> lambda.updateFunctionCode(FunctionConfigs.updateCodeRequest(name, code, architecture, revisionId)));
  }

  @Override
  public void updateConfiguration(String region, FunctionConfig config, boolean image, String revisionId) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "UpdateFunctionConfiguration", config.functionName(), () -> lambda.updateFunctionConfiguration(
        FunctionConfigs.updateConfigurationRequest(config, image, revisionId)));
  }

  @Override
  public void tag(String region, String name, String functionArn, Map<String, String> tags) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "TagResource", name, () -> lambda.tagResource(r -> r.resource(functionArn).tags(tags)));
  }

  @Override
  public void untag(String region, String name, String functionArn, Collection<String> keys) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "UntagResource", name,
        () -> lambda.untagResource(r -> r.resource(functionArn).tagKeys(keys)));
  }

  @Override
  public FunctionSnapshot awaitSettled(String region, String name, Duration limit) {
    Instant deadline = Instant.now().plus(limit);
    while (true) {
      FunctionSnapshot now = state(region, name).orElseThrow(() -> new AwsFailure("GetFunctionConfiguration",
          AwsFailure.Retry.SOON, "NotFound", "function " + name + " disappeared while waiting for it to settle", null));
      if (now.settled() || Instant.now().isAfter(deadline)) {
        return now;
      }
      try {
        Thread.sleep(SETTLE_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return now;
      }
    }
  }

  @Override
  public boolean delete(String region, String name) {
    LambdaClient lambda = clients.lambda(region);
    return Sdk.absentIfNotFound(
        () -> calls.write(region, "DeleteFunction", name, () -> lambda.deleteFunction(r -> r.functionName(name))))
        .isPresent();
  }
}
