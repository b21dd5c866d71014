package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.ReservedConcurrency;
import dev.lambdaop.reconcile.AwsFailure;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;

/** {@link ReservedConcurrency} with the AWS SDK. */
final class SdkConcurrency implements ReservedConcurrency {
  private final AwsClients clients;
  private final AwsCalls calls;

  SdkConcurrency(AwsClients clients, AwsCalls calls) {
    this.clients = clients;
    this.calls = calls;
  }

  @Override
  public Optional<Integer> get(String region, String function) {
    LambdaClient lambda = clients.lambda(region);
    return calls.read(region, "GetFunctionConcurrency", function, () -> Optional.ofNullable(
        lambda.getFunctionConcurrency(r -> r.functionName(function)).reservedConcurrentExecutions()));
  }

  @Override
  public void put(String region, String function, int reserved) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "PutFunctionConcurrency", function,
        () -> lambda.putFunctionConcurrency(r -> r.functionName(function).reservedConcurrentExecutions(reserved)));
  }

  @Override
  public boolean delete(String region, String function) {
    LambdaClient lambda = clients.lambda(region);
    return Sdk.absentIfNotFound(() -> calls.write(region, "DeleteFunctionConcurrency", function,
        () -> lambda.deleteFunctionConcurrency(r -> r.functionName(function)))).isPresent();
  }

  @Override
  public Optional<Account> account(String region) {
    LambdaClient lambda = clients.lambda(region);
    try {
      return calls.read(region, "GetAccountSettings", null, () -> {
        var limit = lambda.getAccountSettings().accountLimit();
        return limit == null ? Optional.<Account>empty()
            : Optional.of(new Account(limit.concurrentExecutions(), limit.unreservedConcurrentExecutions()));
      });
    } catch (AwsFailure f) {
      if (f.getCause() instanceof AwsServiceException e && (e.statusCode() == 404 || e.statusCode() == 501)) {
        return Optional.empty();
      }
      throw f;
    }
  }

  @Override
  public Map<String, Integer> reservations(String region) {
    LambdaClient lambda = clients.lambda(region);
    Map<String, Integer> reserved = new TreeMap<>();
    List<String> names = calls.read(region, "ListFunctions", null, () -> lambda.listFunctionsPaginator().functions().stream()
        .map(FunctionConfiguration::functionName).toList());
    for (String name : names) {
      Sdk.absentIfNotFound(() -> get(region, name)).flatMap(o -> o).ifPresent(n -> reserved.put(name, n));
    }
    return reserved;
  }
}
