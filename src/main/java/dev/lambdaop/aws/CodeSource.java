package dev.lambdaop.aws;

/** Where a function's code comes from, resolved and ready for CreateFunction / UpdateFunctionCode. */
public sealed interface CodeSource {
  /** A short, stable description of the code's identity, used in the spec digest (never the bytes themselves). */
  String identity();

  /** A zip built by the operator; sha256 is base64, as AWS reports CodeSha256. */
  record Zip(byte[] bytes, String sha256) implements CodeSource {
    @Override
    public String identity() {
      return "zip:" + sha256;
    }
  }

  /**
   * A zip in S3. {@code objectVersion} is the spec's, or else the version id S3 reported for the object now (null in
   * an unversioned bucket); {@code eTag} is what S3 reported, so that an object overwritten at the same key is a
   * different identity and is deployed, with no manual hash bump.
   */
  record S3(String bucket, String key, String objectVersion, String eTag) implements CodeSource {
    @Override
    public String identity() {
      return "s3:" + bucket + "/" + key + (objectVersion == null ? "" : "?versionId=" + objectVersion)
          + (eTag == null ? "" : "#etag=" + eTag.replace("\"", ""));
    }
  }

  /** A container image. */
  record Image(String uri) implements CodeSource {
    @Override
    public String identity() {
      return "image:" + uri;
    }
  }
}
