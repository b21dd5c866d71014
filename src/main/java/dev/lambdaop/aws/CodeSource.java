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

  /** A zip in S3; objectVersion may be null (then the object's current version). */
  record S3(String bucket, String key, String objectVersion) implements CodeSource {
    @Override
    public String identity() {
      return "s3:" + bucket + "/" + key + (objectVersion == null ? "" : "?versionId=" + objectVersion);
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
