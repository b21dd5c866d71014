package dev.lambdaop.function;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.aws.Functions;
import dev.lambdaop.aws.ObservedFunction;
import dev.lambdaop.reconcile.Cluster;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.status.Events;
import java.util.List;
import java.util.Optional;

/**
 * What deleting a LambdaFunction does in AWS: nothing while LambdaAliases use it, nothing with deletionPolicy
 * Retain or for a function another owner tagged; else the function goes, with all its versions.
 */
final class FunctionDeletion {
  private final Functions functions;
  private final FunctionResolver resolver;
  private final Events events;

  FunctionDeletion(Functions functions, FunctionResolver resolver, Events events) {
    this.functions = functions;
    this.resolver = resolver;
    this.events = events;
  }

  /** The LambdaAliases in the namespace that name this function in functionRef, by name. */
  static List<String> aliasesUsing(LambdaFunction resource, Cluster<?> cluster) {
    return cluster.list(LambdaAlias.class, resource.getMetadata().getNamespace()).stream()
        .filter(a -> a.getSpec() != null && a.getSpec().functionRef != null
            && resource.getMetadata().getName().equals(a.getSpec().functionRef.name))
        .map(a -> a.getMetadata().getName()).sorted().toList();
  }

  /** Deletes the function in AWS when the resource owns it and its deletionPolicy allows. */
  void delete(LambdaFunction resource) {
    FunctionResolver.Target target = resolver.own(resource);
    String name = target.functionName();
    // where the function was made (status.region), even if the namespace's default region changed since
    String region = resource.getStatus() != null && resource.getStatus().region != null
        ? resource.getStatus().region : target.region();
    LambdaFunctionSpec spec = resource.getSpec();
    if (spec != null && spec.deletionPolicy == LambdaFunctionSpec.DeletionPolicy.Retain) {
      events.normal(resource, "Retained", "deletionPolicy is Retain: function " + name + " stays in AWS");
      return;
    }
    Optional<ObservedFunction> observed = functions.get(region, name);
    if (observed.isEmpty()) {
      return;
    }
    String owner = observed.get().config().tags().get(DesiredFunction.OWNER_TAG);
    if (!resolver.owns(resource, owner)) {
      events.warning(resource, "NotDeleted", "function " + name + " is not owned by this resource ("
          + DesiredFunction.OWNER_TAG + "=" + owner + "); left in place");
      return;
    }
    functions.delete(region, name);
    events.normal(resource, "Deleted", "deleted function " + name + " from " + region);
  }
}
