package dev.lambdaop.eventsource;

import dev.lambdaop.api.EventSourceMapping;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.reconcile.LeanCache;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Watches the LambdaAliases that EventSourceMappings name in spec.aliasRef, so that an alias's ARN (known once the
 * alias exists in AWS) creates or retargets its mappings at once. Only a change of the alias's ARN counts (an alias's
 * status changes at every step of a traffic shift, which is no business of its mappings), and its creation and
 * deletion. Which mappings name which alias is an index on the controller's own cache.
 */
final class AliasReferences {
  private static final String INDEX = "lambdaop.dev/eventsourcemapping-by-alias";

  private AliasReferences() {}

  static EventSource<LambdaAlias, EventSourceMapping> eventSource(EventSourceContext<EventSourceMapping> context) {
    context.getPrimaryCache().addIndexer(INDEX, m -> m.getSpec() == null || m.getSpec().aliasRef == null ? List.of()
        : List.of(m.getMetadata().getNamespace() + "/" + m.getSpec().aliasRef.name));
    InformerEventSourceConfiguration.Builder<LambdaAlias> aliases = InformerEventSourceConfiguration
        .from(LambdaAlias.class, EventSourceMapping.class)
        .withName("eventsourcemapping-aliases")
        .withOnUpdateFilter(AliasReferences::arnChanged)
        .withSecondaryToPrimaryMapper(alias -> context.getPrimaryCache()
            .byIndex(INDEX, alias.getMetadata().getNamespace() + "/" + alias.getMetadata().getName()).stream()
            .map(ResourceID::fromResource).collect(Collectors.toSet()));
    // the filter compares the aliases' status: their caches keep it (not managedFields nor last-applied)
    LeanCache.<LambdaAlias>pruned(context.getControllerConfiguration().getInformerConfig().getNamespaces())
        .ifPresent(aliases::withItemStore);
    return new InformerEventSource<>(aliases.build(), context);
  }

  /** Whether an update of an alias concerns its mappings: its ARN appeared, changed or went. */
  static boolean arnChanged(LambdaAlias now, LambdaAlias before) {
    return !Objects.equals(aliasArn(now), aliasArn(before));
  }

  private static String aliasArn(LambdaAlias alias) {
    return alias == null || alias.getStatus() == null ? null : alias.getStatus().aliasArn;
  }
}
