package dev.lambdaop.function;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.api.LambdaFunctionStatus.PublishedVersion;
import dev.lambdaop.aws.FunctionSnapshot;
import dev.lambdaop.aws.VersionSnapshot;
import dev.lambdaop.aws.Versions;
import dev.lambdaop.status.Events;
import dev.lambdaop.reconcile.Urgency;
import dev.lambdaop.reconcile.Work;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Publishes one version per distinct spec digest and records it in the status, newest first. The version's
 * description carries the digest, so that after a lost status the version is found in AWS rather than published
 * twice.
 *
 * <p>The status's versions are checked against the versions AWS lists (ListVersionsByFunction, which counts against
 * Lambda's 15 requests per second shared by all control-plane calls): a version deleted outside the operator is no
 * longer named, and one the current spec needs is published again. A pass that may publish lists always: any pass
 * that is not a drift check (a spec change, a function not Ready), and a drift check whose spec and code have no
 * version in the status yet. A drift check of a converged function, the bulk of all passes at resync, lists only
 * at one drift check in {@link #FULL_CHECKS_EVERY} (counted per function in this process, each function at its own
 * phase, from a hash of its name, so that a start does not list every function at once); in between it reads only
 * status.latestVersion, the version aliases follow, with GetFunction and a
 * qualifier (a request quota of its own), and lists when that version is gone or holds other code. So a deleted
 * latest version is found at the next resync as before, and an older one within {@value #FULL_CHECKS_EVERY} resync
 * periods instead of one; an older version matters only to aliases pinned to it (which notice it themselves) and
 * to retention (which deletes what is listed). Every other rule (every Nth pass, or listing when $LATEST's RevisionId
 * changed) would either still list at every resync or never see a version deleted while $LATEST stays as it is.
 */
final class VersionPublisher {
  static final int VERSIONS_IN_STATUS = 20;
  /** Marks the versions the operator published, so a lost status can be rebuilt from AWS. */
  static final String VERSION_MARKER = "lambdaop spec ";
  /** A drift check lists all versions once in this many resync periods. */
  static final int FULL_CHECKS_EVERY = 3;
  /** Functions whose last listing is remembered at most (the least recently listed forgotten first). */
  private static final int LISTINGS_REMEMBERED = 10_000;

  private final Versions versions;
  private final Events events;
  private final Clock clock;
  /** Drift checks of a function in this process since its last listing, by region and name. */
  private final Map<String, Integer> checksSinceListing = Collections.synchronizedMap(
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
          return size() > LISTINGS_REMEMBERED;
        }
      });

  /**
   * @param resyncPeriod the operator's resync period (not used: a drift check lists once in
   *     {@link #FULL_CHECKS_EVERY} drift checks, whatever their period, so that what a resync costs is known even when
   *     the resync stretches)
   */
  VersionPublisher(Versions versions, Events events, Clock clock, Duration resyncPeriod) {
    this.versions = versions;
    this.events = events;
    this.clock = clock;
  }

  /**
   * Makes {@code status.latestVersion} the version of the current spec and code, publishing it when AWS has none,
   * after checking the status against AWS (see the class). Returns whether the status's versions changed (a version
   * published, or found in AWS).
   *
   * @param functionCreated the function was created in this pass: AWS has no version of it, nothing to list
   */
  boolean publish(LambdaFunction resource, DesiredFunction desired, FunctionSnapshot state,
      LambdaFunctionStatus status, boolean functionCreated) {
    String region = desired.region();
    String name = desired.config().functionName();
    if (!functionCreated && latestStands(desired, state, status)) {
      return false;
    }
    List<VersionSnapshot> inAws = functionCreated ? List.of() : list(region, name);
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

  /**
   * A drift check without a full check due: whether status.latestVersion is the version of this spec and code and AWS
   * still has it (one GetFunction of that version). False means: list, as any other pass does.
   */
  private boolean latestStands(DesiredFunction desired, FunctionSnapshot state, LambdaFunctionStatus status) {
    if (Work.current().urgency() != Urgency.DRIFT || status.latestVersion == null) {
      return false;
    }
    String key = key(desired.region(), desired.config().functionName());
    int checks = checksSinceListing.merge(key, 1 + Math.floorMod(key.hashCode(), FULL_CHECKS_EVERY), (a, b) -> a + 1);
    if (checks >= FULL_CHECKS_EVERY) {
      return false;
    }
    Optional<PublishedVersion> latest = status.versions.stream()
        .filter(v -> status.latestVersion.equals(v.version)).findFirst();
    if (latest.isEmpty() || !desired.specDigest().equals(latest.get().specDigest)
        || !state.codeSha256().equals(latest.get().codeSha256)) {
      return false;
    }
    return versions.version(desired.region(), desired.config().functionName(), status.latestVersion)
        .filter(v -> state.codeSha256().equals(v.codeSha256())).isPresent();
  }

  private List<VersionSnapshot> list(String region, String name) {
    List<VersionSnapshot> listed = versions.list(region, name);
    checksSinceListing.put(key(region, name), 0);
    return listed;
  }

  private static String key(String region, String name) {
    return region + "/" + name;
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
