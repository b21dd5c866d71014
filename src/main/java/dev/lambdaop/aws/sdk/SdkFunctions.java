package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionConfig;
import dev.lambdaop.aws.FunctionSnapshot;
import dev.lambdaop.aws.Functions;
import dev.lambdaop.aws.ObservedFunction;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;

/** {@link Functions} with the AWS SDK: every call through {@link AwsCalls} (counted, budgeted, errors mapped). */
final class SdkFunctions implements Functions {
  private final AwsClients clients;
  private final AwsCalls calls;
  private final VersionTraitsCache traits;
  private final AliasListings aliases;

  /**
   * @param traits the traits of versions read, forgotten when the function is created or deleted
   * @param aliases the listings of aliases, forgotten likewise
   */
  SdkFunctions(AwsClients clients, AwsCalls calls, VersionTraitsCache traits, AliasListings aliases) {
    this.clients = clients;
    this.calls = calls;
    this.traits = traits;
    this.aliases = aliases;
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

  /**
   * GetFunction, not GetFunctionConfiguration: both report the state, but GetFunction has a request quota of its own
   * (100/s) while GetFunctionConfiguration counts against the 15/s that all other control-plane calls share.
   */
  @Override
  public Optional<FunctionSnapshot> state(String region, String name) {
    return get(region, name).map(ObservedFunction::snapshot);
  }

  @Override
  public void create(String region, FunctionConfig config, CodeSource code) {
    LambdaClient lambda = clients.lambda(region);
    traits.forgetFunction(region, config.functionName()); // numbered from 1 again
    aliases.forget(region, config.functionName());
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
  public boolean delete(String region, String name) {
    LambdaClient lambda = clients.lambda(region);
    traits.forgetFunction(region, name);
    aliases.forget(region, name);
    return Sdk.absentIfNotFound(
        () -> calls.write(region, "DeleteFunction", name, () -> lambda.deleteFunction(r -> r.functionName(name))))
        .isPresent();
  }
}
