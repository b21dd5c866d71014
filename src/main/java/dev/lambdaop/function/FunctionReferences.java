package dev.lambdaop.function;

import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.reconcile.LeanCache;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Watches the LambdaFunctions that other resources (LambdaAlias, Concurrency) name in spec.functionRef, so that a
 * change of the function (a new version, its creation) reconciles them at once. Which resources name which function
 * is an index on the controller's own cache. The informers' caches keep the functions' identity only
 * ({@link LeanCache#identityOnly}).
 */
public final class FunctionReferences {
  private FunctionReferences() {}

  public static <P extends HasMetadata> EventSource<LambdaFunction, P> eventSource(
      EventSourceContext<P> context, Class<P> kind, Function<P, FunctionRef> functionRef) {
    String index = "lambdaop.dev/" + kind.getSimpleName().toLowerCase() + "-by-function";
    context.getPrimaryCache().addIndexer(index, p -> {
      FunctionRef ref = functionRef.apply(p);
      return ref == null ? List.of() : List.of(p.getMetadata().getNamespace() + "/" + ref.name);
    });
    InformerEventSourceConfiguration.Builder<LambdaFunction> functions = InformerEventSourceConfiguration
        .from(LambdaFunction.class, kind)
        .withName(kind.getSimpleName().toLowerCase() + "-functions")
        .withSecondaryToPrimaryMapper(fn -> context.getPrimaryCache()
            .byIndex(index, fn.getMetadata().getNamespace() + "/" + fn.getMetadata().getName()).stream()
            .map(ResourceID::fromResource).collect(Collectors.toSet()));
    // the mapping needs the function's namespace and name only; reconciles read the function from the API server
    LeanCache.identityOnly(context.getControllerConfiguration().getInformerConfig().getNamespaces())
        .ifPresent(functions::withItemStore);
    return new InformerEventSource<>(functions.build(), context);
  }
}
