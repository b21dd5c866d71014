package dev.lambdaop.function;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The installation's key for spec digests of functions with Secret values. The digest is published (status,
 * version description) and such a spec's only unknown may be a short Secret value: unkeyed, a reader of the
 * LambdaFunction could hash every candidate value until one matches. Keyed (HMAC-SHA256) with a random key that
 * only the operator reads, the digest says nothing about the value. The key lives in the Secret
 * {@value #SECRET_NAME} of the operator's namespace, created on the first start; it must survive restarts and be
 * the same for every replica, or every function with a Secret value would publish a new version.
 */
public final class DigestKey {
  public static final String SECRET_NAME = "lambda-operator-digest-key";
  static final String DATA_KEY = "key";
  private static final String HMAC = "HmacSHA256";

  private final SecretKeySpec key;

  private DigestKey(byte[] key) {
    this.key = new SecretKeySpec(key.clone(), HMAC);
  }

  /** A key of these bytes (tests). */
  public static DigestKey of(byte[] key) {
    return new DigestKey(key);
  }

  /**
   * The key in Secret {@value #SECRET_NAME} of {@code namespace}, created with 32 random bytes when missing. Two
   * replicas starting at once both try to create it: the one that loses (409) reads the winner's.
   */
  public static DigestKey fromSecret(KubernetesClient kube, String namespace) {
    Secret secret = kube.secrets().inNamespace(namespace).withName(SECRET_NAME).get();
    if (secret == null) {
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      try {
        secret = kube.resource(new SecretBuilder()
            .withNewMetadata().withName(SECRET_NAME).withNamespace(namespace)
            .addToLabels("app.kubernetes.io/managed-by", "lambda-operator").endMetadata()
            .withImmutable(true)
            .withData(Map.of(DATA_KEY, Base64.getEncoder().encodeToString(random)))
            .build()).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
          throw e;
        }
        secret = kube.secrets().inNamespace(namespace).withName(SECRET_NAME).get();
      }
    }
    String encoded = secret == null || secret.getData() == null ? null : secret.getData().get(DATA_KEY);
    if (encoded == null || encoded.isEmpty()) {
      throw new IllegalStateException("Secret " + namespace + "/" + SECRET_NAME + " has no key '" + DATA_KEY
          + "': delete it so that the operator creates a new one");
    }
    return new DigestKey(Base64.getDecoder().decode(encoded));
  }

  /** HMAC-SHA256 of {@code data}, hex. */
  String hex(byte[] data) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      return HexFormat.of().formatHex(mac.doFinal(data));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("cannot compute " + HMAC, e);
    }
  }

  @Override
  public String toString() {
    return "DigestKey[" + SECRET_NAME + "]";
  }
}
