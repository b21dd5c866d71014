package dev.lambdaop.alias;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.aws.AliasRouting;
import dev.lambdaop.aws.AliasSnapshot;
import dev.lambdaop.aws.Aws;
import dev.lambdaop.aws.Versions.Traits;
import dev.lambdaop.reconcile.SpecProblem;
import dev.lambdaop.status.Events;
import java.util.Objects;
import java.util.Optional;

/**
 * Makes the AWS alias route as decided: written only when AWS differs (routing or description), and only to two
 * versions AWS accepts together.
 */
final class AliasRouter {
  private final Aws aws;
  private final Events events;

  AliasRouter(Aws aws, Events events) {
    this.aws = aws;
    this.events = events;
  }

  /** The execution role and dead-letter target of a version; VersionNotFound when it does not exist. */
  Traits traits(AliasTarget target, String version) {
    return aws.versions().traits(target.region(), target.functionName(), version)
        .orElseThrow(() -> new SpecProblem("VersionNotFound", "version " + version + " of "
            + target.functionName() + " does not exist", true));
  }

  /**
   * Writes the routing when AWS differs, and returns the alias as it is then.
   *
   * @param firstReport no status was written for the resource yet (the event says the alias was created)
   */
  AliasSnapshot route(LambdaAlias resource, boolean firstReport, AliasTarget target, Traits targetTraits,
      String description, Optional<AliasSnapshot> observed, AliasPlan.Routing routing) {
    if (routing.additional() != null) {
      checkCompatible(target, routing, targetTraits);
    }
    if (observed.isPresent() && matches(observed.get(), routing, description)) {
      return observed.get();
    }
    AliasRouting wanted = new AliasRouting(target.alias(), routing.version(), routing.additional(),
        routing.weight(), description);
    AliasSnapshot written = observed.isPresent()
        ? aws.aliases().update(target.region(), target.functionName(), wanted, observed.get().revisionId())
        : aws.aliases().create(target.region(), target.functionName(), wanted);
    events.normal(resource, observed.isPresent() ? "Routed" : "Created", firstReport
        ? "alias " + target.alias() + " created" : "version " + routing.version()
            + (routing.additional() == null ? "" : ", " + Math.round(routing.weight() * 100) + "% to version "
                + routing.additional()));
    return written;
  }

  /** AWS routes one alias to two versions only when they share the execution role and dead-letter target. */
  private void checkCompatible(AliasTarget target, AliasPlan.Routing routing, Traits targetTraits) {
    Traits primary = routing.version().equals(target.version()) ? targetTraits : traits(target, routing.version());
    Traits additional = routing.additional().equals(target.version()) ? targetTraits
        : traits(target, routing.additional());
    if (!Objects.equals(primary.role(), additional.role())
        || !Objects.equals(primary.deadLetterTargetArn(), additional.deadLetterTargetArn())) {
      throw new SpecProblem("IncompatibleVersions", "versions " + routing.version() + " and "
          + routing.additional() + " of " + target.functionName() + " differ in execution role or dead-letter"
          + " target; AWS routes one alias only to versions that share both");
    }
  }

  private static boolean matches(AliasSnapshot alias, AliasPlan.Routing routing, String description) {
    return alias.functionVersion().equals(routing.version())
        && Objects.equals(alias.additionalVersion(), routing.additional())
        && Math.abs(alias.additionalWeight() - routing.weight()) < 1e-9
        && Objects.equals(alias.description() == null ? "" : alias.description(), description);
  }
}
