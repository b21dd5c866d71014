package dev.lambdaop.alias;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.aws.AliasRouting;
import dev.lambdaop.aws.AliasSnapshot;
import dev.lambdaop.aws.Aws;
import dev.lambdaop.aws.Versions.Traits;
import dev.lambdaop.reconcile.Cluster;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.Owner;
import dev.lambdaop.reconcile.OwnerRecords;
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
  private final FunctionResolver functions;
  private final OwnerRecords records;
  private final Events events;

  AliasRouter(Aws aws, FunctionResolver functions, Events events) {
    this.aws = aws;
    this.functions = functions;
    this.records = functions.records();
    this.events = events;
  }

  /**
   * Makes sure the AWS alias is this resource's before it is written, and records it on the function (tag
   * {@code lambdaop.dev/alias.<name>}). An alias another cluster recorded: OwnedElsewhere; one a LambdaAlias of this
   * cluster that still exists recorded: DuplicateAlias; one that exists in AWS without being this resource's:
   * adopted with spec.adopt, else AlreadyExists. A record of a LambdaAlias that is gone is stale and taken over.
   *
   * @param createdBefore the status records an alias this resource created (before owner records existed)
   */
  void claim(LambdaAlias resource, Cluster<LambdaAlias> cluster, AliasTarget target,
      Optional<AliasSnapshot> observed, boolean createdBefore) {
    String key = Owner.aliasTag(target.alias());
    OwnerRecords.Recorded recorded = records.read(target.region(), target.functionName(), key);
    if (recorded.function().isEmpty()) {
      return; // AWS reports the missing function on the alias write
    }
    boolean ours = recorded.value() == null ? createdBefore : functions.owns(resource, recorded.value());
    Owner owner = recorded.owner();
    String what = "alias " + target.alias() + " of " + target.functionName();
    if (recorded.value() != null && !ours) {
      if (recorded.elsewhere()) {
        throw new SpecProblem("OwnedElsewhere", what + " is managed by " + owner.describe(functions.clusterId())
            + " (tag " + key + "); nothing was changed in AWS", true);
      }
      Optional<LambdaAlias> other = cluster.get(LambdaAlias.class, owner.namespace(), owner.name());
      if (other.isPresent() && !other.get().getMetadata().getUid().equals(resource.getMetadata().getUid())) {
        throw new SpecProblem("DuplicateAlias", "LambdaAlias " + owner.namespace() + "/" + owner.name()
            + " already manages " + what + "; delete one of the two", true);
      }
    }
    if (observed.isPresent() && !ours) {
      if (!resource.getSpec().adopts()) {
        throw new SpecProblem("AlreadyExists", what + " already exists in AWS and was not created by this LambdaAlias"
            + (owner == null ? "" : " (recorded for " + owner.describe(functions.clusterId()) + ", which is gone)")
            + ". Set spec.adopt: true to take it over (it is then deleted with this LambdaAlias), or use another"
            + " aliasName.", true);
      }
      events.normal(resource, "Adopted", "adopted the existing " + what);
    }
    records.record(recorded, target.region(), target.functionName(), key, resource);
  }

  /**
   * Deletes the AWS alias on the deletion of a LambdaAlias that created or adopted it, and its record; an alias
   * recorded for another owner, or on a function owned elsewhere, is left in place. The trigger targets on the alias
   * (policy statements, function URL, asynchronous invocation, provisioned concurrency) need nothing more: AWS drops
   * them with the alias, and an alias left in place is another owner's, whose statements (derived ids are the same
   * for the same content) must not be touched.
   */
  void release(LambdaAlias resource, String region, String function) {
    String alias = resource.aliasName();
    String key = Owner.aliasTag(alias);
    OwnerRecords.Recorded recorded = records.read(region, function, key);
    if (recorded.function().isEmpty()) {
      return; // the function went, and its aliases with it
    }
    String notOurs = null;
    if (recorded.value() != null && !functions.owns(resource, recorded.value())) {
      notOurs = "alias " + alias + " of " + function + " is recorded for "
          + recorded.owner().describe(functions.clusterId());
    } else {
      try {
        functions.checkOwner(resource, function, recorded.tags());
      } catch (SpecProblem p) {
        notOurs = p.getMessage();
      }
    }
    if (notOurs != null) {
      events.warning(resource, "NotDeleted", notOurs + "; the alias is left in place");
      return;
    }
    aws.aliases().delete(region, function, alias);
    records.erase(recorded, region, function, key);
    events.normal(resource, "Deleted", "deleted alias " + alias + " of " + function);
  }

  /**
   * Whether AWS no longer has {@code version} (the status's stable version). Known without a call when it is the
   * target (read already) or the alias routes to it (AWS refuses to delete a version an alias routes to), which is
   * the case at every pass unless the alias was deleted or changed outside the operator; else one read.
   */
  boolean missing(AliasTarget target, String version, Optional<AliasSnapshot> observed) {
    if (version == null || version.equals(target.version()) || observed.isPresent()
        && (version.equals(observed.get().functionVersion()) || version.equals(observed.get().additionalVersion()))) {
      return false;
    }
    // Read now, never from what an earlier pass read: the stable version's deletion is what is looked for.
    return aws.versions().version(target.region(), target.functionName(), version).isEmpty();
  }

  /** How an alias routes, as a decision states it. */
  static AliasPlan.Routing routing(AliasSnapshot alias) {
    return alias.additionalVersion() == null ? AliasPlan.Routing.only(alias.functionVersion())
        : new AliasPlan.Routing(alias.functionVersion(), alias.additionalVersion(), alias.additionalWeight());
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
