package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.CodeObjects;

import dev.lambdaop.reconcile.AwsFailure;

import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** {@link CodeObjects} with the AWS SDK: reads of S3 code packages. */
final class SdkCodeObjects implements CodeObjects {
  private final AwsClients clients;
  private final AwsCalls calls;

  SdkCodeObjects(AwsClients clients, AwsCalls calls) {
    this.clients = clients;
    this.calls = calls;
  }

  @Override
  public Optional<ObjectState> head(String region, String bucket, String key, String versionId) {
    S3Client s3 = clients.s3(region);
    try {
      return Optional.of(calls.read(region, "HeadObject", bucket, () -> {
        HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(key).versionId(versionId));
        return new ObjectState(head.eTag(), head.versionId());
      }));
    } catch (AwsFailure f) {
      if (f.getCause() instanceof NoSuchKeyException
          || (f.getCause() instanceof software.amazon.awssdk.services.s3.model.S3Exception e && e.statusCode() == 404)) {
        return Optional.empty();
      }
      throw f;
    }
  }
}
