package dev.lambdaop.aws;

import java.util.List;
import java.util.Optional;

/** A function's published versions. */
public interface Versions {
  /**
   * Publishes $LATEST as a version. CodeSha256 (and RevisionId where known) make AWS refuse to publish other code
   * than planned; when AWS answers with an existing version, that version is the result.
   */
  VersionSnapshot publish(String region, String function, String codeSha256, String revisionId, String description);

  /** All published versions (not $LATEST), oldest first. */
  List<VersionSnapshot> list(String region, String function);

  /** Deletes one published version; false when it was already gone. AWS refuses while an alias uses it. */
  boolean delete(String region, String function, String version);

  /**
   * The execution role and dead-letter target of one version, or empty when it does not exist. A published version
   * never changes: the answer may come from an earlier read (see the adapter), so it is no proof that the version
   * still exists; {@link #version} is.
   */
  Optional<Traits> traits(String region, String function, String version);

  /** One published version as AWS has it now (never an earlier read), or empty when it does not exist. */
  Optional<VersionSnapshot> version(String region, String function, String version);

  /** What AWS requires two versions behind one alias to share. */
  record Traits(String role, String deadLetterTargetArn) {}
}
