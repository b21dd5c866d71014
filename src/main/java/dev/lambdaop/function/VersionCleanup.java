package dev.lambdaop.function;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.aws.Aliases;
import dev.lambdaop.aws.VersionSnapshot;
import dev.lambdaop.aws.Versions;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.status.Events;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Deletes the versions {@link VersionRetention} picks beyond the newest {@code versions.retain}: never one an alias
 * routes to, nor the current one. Runs after a publish, and before one when AWS refused it for want of code storage
 * ({@link #makeRoom}).
 */
final class VersionCleanup {
  private final Versions versions;
  private final Aliases aliases;
  private final Events events;

  VersionCleanup(Versions versions, Aliases aliases, Events events) {
    this.versions = versions;
    this.aliases = aliases;
    this.events = events;
  }

  /** Runs after a publish or a spec change only, so that a steady resync reads nothing for it. */
  void deleteOld(LambdaFunction resource, DesiredFunction desired, LambdaFunctionStatus status) {
    LambdaFunctionSpec.VersionPolicy policy = resource.getSpec().versions;
    if (policy == null || policy.retain == null) {
      return;
    }
    delete(resource, desired, status, policy.retain, policy.retain);
  }

  /**
   * Before a publish that AWS refused for want of code storage: deletes what the retention after that publish would
   * delete anyway (the versions beyond the newest {@code retain - 1}, so that the new one makes {@code retain}),
   * never one an alias routes to nor the current one. Returns whether a version was deleted (then the publish is
   * worth trying again); false without {@code versions.retain}, which deletes nothing.
   */
  boolean makeRoom(LambdaFunction resource, DesiredFunction desired, LambdaFunctionStatus status) {
    LambdaFunctionSpec.VersionPolicy policy = resource.getSpec().versions;
    if (policy == null || policy.retain == null) {
      return false;
    }
    return delete(resource, desired, status, policy.retain - 1, policy.retain);
  }

  /** Deletes the versions beyond the newest {@code keep}, except protected ones; returns whether it deleted any. */
  private boolean delete(LambdaFunction resource, DesiredFunction desired, LambdaFunctionStatus status, int keep,
      int retain) {
    String region = desired.region();
    String name = desired.config().functionName();
    List<VersionSnapshot> published = versions.list(region, name);
    if (published.size() <= keep) {
      return false;
    }
    Set<String> protectedVersions = new TreeSet<>(aliases.versionsInUse(region, name));
    if (status.latestVersion != null) {
      protectedVersions.add(status.latestVersion);
    }
    List<String> deleted = new ArrayList<>();
    for (String version : VersionRetention.toDelete(published, keep, protectedVersions)) {
      try {
        versions.delete(region, name, version);
        deleted.add(version);
      } catch (AwsFailure f) {
        if (f.retry() != AwsFailure.Retry.SOON) {
          throw f;
        }
        // An alias started using it since we read the aliases: AWS refuses, and the version stays.
        events.normal(resource, "VersionInUse", "version " + version + " is kept: "
            + desired.redaction().redact(f.getMessage()));
      }
    }
    if (!deleted.isEmpty()) {
      status.versions.removeIf(v -> deleted.contains(v.version));
      events.normal(resource, "VersionsDeleted", "deleted versions " + String.join(", ", deleted) + " of " + name
          + " (versions.retain: " + retain + ")");
    }
    return !deleted.isEmpty();
  }
}
