package dev.lambdaop.function;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.api.LambdaFunctionStatus.PublishedVersion;
import dev.lambdaop.aws.FunctionSnapshot;
import dev.lambdaop.aws.VersionSnapshot;
import dev.lambdaop.aws.Versions;
import dev.lambdaop.status.Events;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Publishes one version per distinct spec digest and records it in the status, newest first. The version's
 * description carries the digest, so that after a lost status the version is found in AWS rather than published
 * twice.
 */
final class VersionPublisher {
  static final int VERSIONS_IN_STATUS = 20;
  /** Marks the versions the operator published, so a lost status can be rebuilt from AWS. */
  static final String VERSION_MARKER = "lambdaop spec ";

  private final Versions versions;
  private final Events events;
  private final Clock clock;

  VersionPublisher(Versions versions, Events events, Clock clock) {
    this.versions = versions;
    this.events = events;
    this.clock = clock;
  }

  /**
   * Makes {@code status.latestVersion} the version of the current spec and code, publishing it when AWS has none.
   * The status is first checked against the versions AWS lists (one ListVersionsByFunction, at every reconcile): a
   * version deleted outside the operator is no longer named, and one the current spec needs is published again.
   * Returns whether the status's versions changed (a version published, or found in AWS).
   *
   * @param functionCreated the function was created in this pass: AWS has no version of it, nothing to list
   */
  boolean publish(LambdaFunction resource, DesiredFunction desired, FunctionSnapshot state,
      LambdaFunctionStatus status, boolean functionCreated) {
    String region = desired.region();
    String name = desired.config().functionName();
    List<VersionSnapshot> inAws = functionCreated ? List.of() : versions.list(region, name);
    forgetMissing(resource, name, status, inAws);
    Optional<PublishedVersion> known = status.versions.stream()
        .filter(v -> desired.specDigest().equals(v.specDigest) && state.codeSha256().equals(v.codeSha256))
        .findFirst();
    if (known.isPresent()) {
      status.latestVersion = known.get().version;
      return false;
    }
    String marker = VERSION_MARKER + desired.specDigest();
    Optional<VersionSnapshot> existing = inAws.stream()
        .filter(v -> marker.equals(v.description()) && state.codeSha256().equals(v.codeSha256()))
        .reduce((first, second) -> second);
    VersionSnapshot version = existing.orElseGet(() -> {
      VersionSnapshot published = versions.publish(region, name, state.codeSha256(), state.revisionId(), marker);
      events.normal(resource, "Published", "published version " + published.version() + " of " + name);
      return published;
    });
    status.versions.add(0, new PublishedVersion(version.version(), version.codeSha256(), desired.specDigest(),
        clock.instant().truncatedTo(ChronoUnit.SECONDS).toString()));
    while (status.versions.size() > VERSIONS_IN_STATUS) {
      status.versions.remove(status.versions.size() - 1);
    }
    status.latestVersion = version.version();
    return true;
  }

  /** Drops from the status the versions AWS no longer has ({@link VersionRecords}), with a warning naming them. */
  private void forgetMissing(LambdaFunction resource, String name, LambdaFunctionStatus status,
      List<VersionSnapshot> inAws) {
    VersionRecords.Check check = VersionRecords.check(status.versions, status.latestVersion, inAws);
    if (!check.anyMissing()) {
      return;
    }
    List<String> missing = new ArrayList<>(check.missing());
    if (check.latestMissing() && !missing.contains(status.latestVersion)) {
      missing.add(status.latestVersion);
    }
    events.warning(resource, "VersionsMissing", (missing.size() == 1 ? "version " : "versions ")
        + String.join(", ", missing) + " of " + name + " no longer " + (missing.size() == 1 ? "exists" : "exist")
        + " in AWS (deleted outside the operator): the status no longer names "
        + (missing.size() == 1 ? "it" : "them")
        + (check.latestMissing() ? " (status.latestVersion was " + status.latestVersion + ")" : ""));
    status.versions = new ArrayList<>(check.kept());
    status.latestVersion = check.latestVersion();
  }
}
