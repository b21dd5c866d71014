package dev.lambdaop.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The resource that owns an AWS object, as recorded in a tag value {@code <cluster id>/<namespace>/<name>} (the
 * cluster id keeps two clusters that share an account apart). Functions carry it in {@link #FUNCTION_TAG}; aliases
 * and reserved concurrency cannot be tagged, so their owners are recorded on their function ({@link #aliasTag},
 * {@link #CONCURRENCY_TAG}).
 */
public record Owner(String cluster, String namespace, String name) {
  /** On every function the operator creates. */
  public static final String FUNCTION_TAG = "lambdaop.dev/owner";
  /** On a function, one per alias the operator created or adopted: {@code lambdaop.dev/alias.<alias name>}. */
  public static final String ALIAS_TAG_PREFIX = "lambdaop.dev/alias.";
  /** On a function whose reserved concurrency a Concurrency manages. */
  public static final String CONCURRENCY_TAG = "lambdaop.dev/concurrency";
  /** Lambda's limit on a tag key's length. */
  private static final int TAG_KEY_LIMIT = 128;

  public static Owner of(String cluster, HasMetadata resource) {
    return new Owner(cluster, resource.getMetadata().getNamespace(), resource.getMetadata().getName());
  }

  /**
   * The owner a tag value names, or null without one. A value {@code namespace/name} was written before cluster ids
   * (a legacy record): it is read as {@code thisCluster}'s, so that an upgrade does not orphan what the operator
   * created. A value of another shape is read as an owner outside this cluster.
   */
  public static Owner parse(String value, String thisCluster) {
    if (value == null) {
      return null;
    }
    String[] parts = value.split("/", -1);
    if (parts.length == 3) {
      return new Owner(parts[0], parts[1], parts[2]);
    }
    if (parts.length == 2) {
      return new Owner(thisCluster, parts[0], parts[1]);
    }
    return new Owner(value, "", "");
  }

  /** The tag value. */
  public String value() {
    return cluster + "/" + namespace + "/" + name;
  }

  /** namespace/name, and the cluster when it is not {@code thisCluster}. */
  public String describe(String thisCluster) {
    return namespace + "/" + name + (cluster.equals(thisCluster) ? "" : " of cluster " + cluster);
  }

  /** The function tag that records who owns the function's alias {@code aliasName}. */
  public static String aliasTag(String aliasName) {
    String key = ALIAS_TAG_PREFIX + aliasName;
    if (key.length() <= TAG_KEY_LIMIT) {
      return key;
    }
    // Alias names reach 128 characters: a long one is cut and made unique by its digest.
    String digest = sha256(aliasName).substring(0, 16);
    return key.substring(0, TAG_KEY_LIMIT - digest.length() - 1) + "-" + digest;
  }

  /** Whether a function tag is an owner record of an alias or a reservation (written by those kinds, not the spec). */
  public static boolean isRecord(String tagKey) {
    return tagKey.startsWith(ALIAS_TAG_PREFIX) || tagKey.equals(CONCURRENCY_TAG);
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
