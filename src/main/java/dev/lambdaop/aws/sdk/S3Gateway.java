package dev.lambdaop.aws.sdk;

import dev.lambdaop.reconcile.AwsFailure;

import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** Reads of S3 code packages, through {@link AwsCalls} like every AWS call. */
public final class S3Gateway {
  private final AwsClients clients;
  private final AwsCalls calls;

  public S3Gateway(AwsClients clients, AwsCalls calls) {
    this.clients = clients;
    this.calls = calls;
  }

  /** The object as it is now: its ETag and version id (null in an unversioned bucket); empty when absent. */
  public Optional<S3ObjectState> head(String region, String bucket, String key, String versionId) {
    S3Client s3 = clients.s3(region);
    try {
      return Optional.of(calls.read("HeadObject", bucket, () -> {
        HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(key).versionId(versionId));
        return new S3ObjectState(head.eTag(), head.versionId());
      }));
    } catch (AwsFailure f) {
      if (f.getCause() instanceof NoSuchKeyException
          || (f.getCause() instanceof software.amazon.awssdk.services.s3.model.S3Exception e && e.statusCode() == 404)) {
        return Optional.empty();
      }
      throw f;
    }
  }

  /** What identifies the bytes of an S3 object. */
  public record S3ObjectState(String eTag, String versionId) {}
}
