package dev.lambdaop.function;

import dev.lambdaop.api.LambdaFunctionStatus.PublishedVersion;
import dev.lambdaop.aws.VersionSnapshot;
import java.util.List;
import java.util.Objects;

/**
 * The versions a LambdaFunction's status names, checked against the versions AWS lists: a version deleted outside the
 * operator (console, another tool, the whole function deleted and created again) is no longer named. Pure.
 *
 * <p>A record counts as existing only when AWS lists its number with the same code: a function created again numbers
 * its versions from 1 again, so a number alone may name another version than the one recorded.
 */
public final class VersionRecords {
  private VersionRecords() {}

  /**
   * The status's version records against AWS.
   *
   * @param kept the records AWS still has, in their order (newest first)
   * @param missing the version numbers of the records AWS no longer has, in their order
   * @param latestVersion status.latestVersion when AWS still has it, else null
   * @param latestMissing status.latestVersion named a version AWS no longer has
   */
  public record Check(List<PublishedVersion> kept, List<String> missing, String latestVersion,
      boolean latestMissing) {
    public boolean anyMissing() {
      return !missing.isEmpty() || latestMissing;
    }
  }

  /**
   * @param recorded status.versions
   * @param latestVersion status.latestVersion, or null
   * @param inAws the published versions AWS lists now
   */
  public static Check check(List<PublishedVersion> recorded, String latestVersion, List<VersionSnapshot> inAws) {
    List<PublishedVersion> kept = recorded.stream().filter(r -> exists(r, inAws)).toList();
    List<String> missing = recorded.stream().filter(r -> !exists(r, inAws)).map(r -> r.version).toList();
    String latest = null;
    if (latestVersion != null) {
      boolean recordedAndKept = kept.stream().anyMatch(r -> latestVersion.equals(r.version));
      boolean recordedAndMissing = missing.contains(latestVersion);
      boolean listed = inAws.stream().anyMatch(v -> latestVersion.equals(v.version()));
      latest = recordedAndKept || (!recordedAndMissing && listed) ? latestVersion : null;
    }
    return new Check(kept, missing, latest, latestVersion != null && latest == null);
  }

  private static boolean exists(PublishedVersion record, List<VersionSnapshot> inAws) {
    return inAws.stream().anyMatch(v -> v.version().equals(record.version)
        && (record.codeSha256 == null || Objects.equals(v.codeSha256(), record.codeSha256)));
  }
}
