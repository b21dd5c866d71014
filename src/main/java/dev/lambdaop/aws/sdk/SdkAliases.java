package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.AliasRouting;
import dev.lambdaop.aws.AliasSnapshot;
import dev.lambdaop.aws.Aliases;
import dev.lambdaop.reconcile.Urgency;
import dev.lambdaop.reconcile.Work;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.AliasConfiguration;
import software.amazon.awssdk.services.lambda.model.AliasRoutingConfiguration;

/**
 * {@link Aliases} with the AWS SDK. A drift check (a pass at {@link Urgency#DRIFT}) reads an alias from its function's
 * {@link AliasListings} (one ListAliases for all the function's aliases); every other pass reads it with GetAlias.
 */
final class SdkAliases implements Aliases {
  private final AwsClients clients;
  private final AwsCalls calls;
  private final AliasListings listings;

  SdkAliases(AwsClients clients, AwsCalls calls, AliasListings listings) {
    this.clients = clients;
    this.calls = calls;
    this.listings = listings;
  }

  @Override
  public Optional<AliasSnapshot> get(String region, String function, String alias) {
    if (Work.current().urgency() == Urgency.DRIFT) {
      // A function that is gone has no aliases, as GetAlias would say; its absence is not kept.
      return Sdk.absentIfNotFound(() -> listings.get(region, function, alias, () -> list(region, function)))
          .flatMap(a -> a);
    }
    LambdaClient lambda = clients.lambda(region);
    return Sdk.absentIfNotFound(() -> calls.read(region, "GetAlias", function, () -> {
      var a = lambda.getAlias(r -> r.functionName(function).name(alias));
      return snapshot(a.name(), a.aliasArn(), a.functionVersion(), a.description(), a.routingConfig(), a.revisionId());
    }));
  }

  @Override
  public AliasSnapshot create(String region, String function, AliasRouting routing) {
    LambdaClient lambda = clients.lambda(region);
    return written(region, function, () -> calls.write(region, "CreateAlias", function, () -> {
      var a = lambda.createAlias(r -> r.functionName(function).name(routing.alias())
          .functionVersion(routing.version()).description(routing.description()).routingConfig(weights(routing)));
      return snapshot(a.name(), a.aliasArn(), a.functionVersion(), a.description(), a.routingConfig(), a.revisionId());
    }));
  }

  @Override
  public AliasSnapshot update(String region, String function, AliasRouting routing, String revisionId) {
    LambdaClient lambda = clients.lambda(region);
    return written(region, function, () -> calls.write(region, "UpdateAlias", function, () -> {
      var a = lambda.updateAlias(r -> r.functionName(function).name(routing.alias())
          .functionVersion(routing.version()).description(routing.description()).routingConfig(weights(routing))
          .revisionId(revisionId));
      return snapshot(a.name(), a.aliasArn(), a.functionVersion(), a.description(), a.routingConfig(), a.revisionId());
    }));
  }

  /** The function's listing takes the alias as AWS answered the write; a write AWS refused drops the listing. */
  private AliasSnapshot written(String region, String function, Supplier<AliasSnapshot> write) {
    try {
      AliasSnapshot alias = write.get();
      listings.written(region, function, alias);
      return alias;
    } catch (RuntimeException e) {
      listings.forget(region, function);
      throw e;
    }
  }

  @Override
  public boolean delete(String region, String function, String alias) {
    LambdaClient lambda = clients.lambda(region);
    try {
      boolean deleted = Sdk.absentIfNotFound(() -> calls.write(region, "DeleteAlias", function,
          () -> lambda.deleteAlias(r -> r.functionName(function).name(alias)))).isPresent();
      listings.deleted(region, function, alias);
      return deleted;
    } catch (RuntimeException e) {
      listings.forget(region, function);
      throw e;
    }
  }

  /** One ListAliases, which also renews the function's listing for drift checks. */
  @Override
  public Set<String> versionsInUse(String region, String function) {
    List<AliasSnapshot> aliases = list(region, function);
    listings.listed(region, function, aliases);
    Set<String> used = new TreeSet<>();
    for (AliasSnapshot alias : aliases) {
      used.add(alias.functionVersion());
      if (alias.additionalVersion() != null) {
        used.add(alias.additionalVersion());
      }
    }
    return used;
  }

  /** All the function's aliases: one ListAliases (pages and all). */
  private List<AliasSnapshot> list(String region, String function) {
    LambdaClient lambda = clients.lambda(region);
    return calls.read(region, "ListAliases", function, () -> {
      List<AliasSnapshot> aliases = new ArrayList<>();
      for (AliasConfiguration a : lambda.listAliasesPaginator(r -> r.functionName(function)).aliases()) {
        aliases.add(snapshot(a.name(), a.aliasArn(), a.functionVersion(), a.description(), a.routingConfig(),
            a.revisionId()));
      }
      return aliases;
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
