package dev.lambdaop.aws;

import java.util.Optional;

/** Code packages in S3. */
public interface CodeObjects {
  /** The object as it is now: its ETag and version id (null in an unversioned bucket); empty when absent. */
  Optional<ObjectState> head(String region, String bucket, String key, String versionId);

  /** What identifies the bytes of an S3 object. */
  record ObjectState(String eTag, String versionId) {}
}
