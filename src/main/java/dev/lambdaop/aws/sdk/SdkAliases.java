package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.AliasRouting;
import dev.lambdaop.aws.AliasSnapshot;
import dev.lambdaop.aws.Aliases;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.AliasConfiguration;
import software.amazon.awssdk.services.lambda.model.AliasRoutingConfiguration;

/** {@link Aliases} with the AWS SDK. */
final class SdkAliases implements Aliases {
  private final AwsClients clients;
  private final AwsCalls calls;

  SdkAliases(AwsClients clients, AwsCalls calls) {
    this.clients = clients;
    this.calls = calls;
  }

  @Override
  public Optional<AliasSnapshot> get(String region, String function, String alias) {
    LambdaClient lambda = clients.lambda(region);
    return Sdk.absentIfNotFound(() -> calls.read(region, "GetAlias", function, () -> {
      var a = lambda.getAlias(r -> r.functionName(function).name(alias));
      return snapshot(a.name(), a.aliasArn(), a.functionVersion(), a.description(), a.routingConfig(), a.revisionId());
    }));
  }

  @Override
  public AliasSnapshot create(String region, String function, AliasRouting routing) {
    LambdaClient lambda = clients.lambda(region);
    return calls.write(region, "CreateAlias", function, () -> {
      var a = lambda.createAlias(r -> r.functionName(function).name(routing.alias())
          .functionVersion(routing.version()).description(routing.description()).routingConfig(weights(routing)));
      return snapshot(a.name(), a.aliasArn(), a.functionVersion(), a.description(), a.routingConfig(), a.revisionId());
    });
  }

  @Override
  public AliasSnapshot update(String region, String function, AliasRouting routing, String revisionId) {
    LambdaClient lambda = clients.lambda(region);
    return calls.write(region, "UpdateAlias", function, () -> {
      var a = lambda.updateAlias(r -> r.functionName(function).name(routing.alias())
          .functionVersion(routing.version()).description(routing.description()).routingConfig(weights(routing))
          .revisionId(revisionId));
      return snapshot(a.name(), a.aliasArn(), a.functionVersion(), a.description(), a.routingConfig(), a.revisionId());
    });
  }

  @Override
  public boolean delete(String region, String function, String alias) {
    LambdaClient lambda = clients.lambda(region);
    return Sdk.absentIfNotFound(() -> calls.write(region, "DeleteAlias", function,
        () -> lambda.deleteAlias(r -> r.functionName(function).name(alias)))).isPresent();
  }

  @Override
  public Set<String> versionsInUse(String region, String function) {
    LambdaClient lambda = clients.lambda(region);
    return calls.read(region, "ListAliases", function, () -> {
      Set<String> used = new TreeSet<>();
      for (AliasConfiguration alias : lambda.listAliasesPaginator(r -> r.functionName(function)).aliases()) {
        used.add(alias.functionVersion());
        if (alias.routingConfig() != null && alias.routingConfig().additionalVersionWeights() != null) {
          used.addAll(alias.routingConfig().additionalVersionWeights().keySet());
        }
      }
      return used;
    });
  }

  private static AliasRoutingConfiguration weights(AliasRouting routing) {
    return AliasRoutingConfiguration.builder()
        .additionalVersionWeights(routing.additionalVersion() == null ? Map.of()
            : Map.of(routing.additionalVersion(), routing.additionalWeight()))
        .build();
  }

  private static AliasSnapshot snapshot(String name, String arn, String version, String description,
      AliasRoutingConfiguration routing, String revisionId) {
    String additional = null;
    double weight = 0;
    if (routing != null && routing.hasAdditionalVersionWeights() && !routing.additionalVersionWeights().isEmpty()) {
      var entry = routing.additionalVersionWeights().entrySet().iterator().next();
      additional = entry.getKey();
      weight = entry.getValue();
    }
    return new AliasSnapshot(name, arn, version, description, additional, weight, revisionId);
  }
}
