package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.AwsIdentity;
import dev.lambdaop.reconcile.AwsFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * The sessions of the roles the operator assumes for namespaces ({@link AwsIdentity#roleArn()}): STS AssumeRole made
 * with the operator's own credentials, one session per role and namespace (its name, {@code lambda-operator-<namespace>},
 * shows in the target account's CloudTrail), kept until {@link #REFRESH_BEFORE} before it expires and then assumed
 * again. Time comes from a {@link Clock}.
 *
 * <ul>
 *   <li>One AssumeRole per session at a time: callers that find no usable session wait for the one in flight; while
 *       the old session is still valid, one caller refreshes and the others go on with the old credentials.
 *   <li>A refresh that fails while the old session is still valid keeps the old one (and is tried again by the next
 *       caller after {@link #FAILURE_HOLD}).
 *   <li>With no valid session, STS's refusal is an {@link AwsFailure} {@link #NOT_ASSUMABLE}, retried with backoff,
 *       naming the role and STS's error; it is remembered for {@link #FAILURE_HOLD}, so that a namespace of many
 *       resources does not ask STS once per resource.
 * </ul>
 *
 * <p>STS calls are on no request budget (STS's quota is its own, and one call per session and hour is far below it).
 */
public final class AccountSessions {
  /** The condition reason of a role the operator cannot assume. */
  public static final String NOT_ASSUMABLE = "AccountRoleNotAssumable";
  /** How long a session is asked for (AssumeRole's DurationSeconds). */
  public static final Duration SESSION = Duration.ofHours(1);
  /** A session this close to its expiry is assumed again. */
  public static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);
  /** How long a failed AssumeRole is answered from memory before STS is asked again. */
  public static final Duration FAILURE_HOLD = Duration.ofSeconds(10);
  /** RoleSessionName: at most 64 characters of [\w+=,.@-]. */
  static final int MAX_SESSION_NAME = 64;
  static final String SESSION_PREFIX = "lambda-operator";

  /** STS as the sessions use it: one AssumeRole call; an {@link SdkException} when STS refuses or is unreachable. */
  @FunctionalInterface
  public interface Sts {
    Session assumeRole(String roleArn, String sessionName, String externalId, Duration duration);
  }

  /** Credentials of an assumed role, and when they expire. */
  public record Session(AwsSessionCredentials credentials, Instant expiration) {}

  private record Key(String roleArn, String sessionName) {}

  /** One session: the current credentials, a refresh's lock, the last failure. */
  private static final class Entry {
    final ReentrantLock lock = new ReentrantLock();
    volatile Session session;
    volatile SdkException error;
    volatile Instant failedAt;
  }

  private final Sts sts;
  private final String externalId;
  private final Clock clock;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();

  /**
   * @param sts AssumeRole, with the operator's own credentials
   * @param externalId the ExternalId the target roles' trust policies ask for (LAMBDAOP_AWS_EXTERNAL_ID), or null
   */
  public AccountSessions(Sts sts, String externalId, Clock clock) {
    this.sts = sts;
    this.externalId = externalId == null || externalId.isBlank() ? null : externalId;
    this.clock = clock;
  }

  /** AssumeRole with the SDK's STS client. */
  public static Sts sts(StsClient client) {
    return (roleArn, sessionName, externalId, duration) -> {
      Credentials c = client.assumeRole(r -> r.roleArn(roleArn).roleSessionName(sessionName).externalId(externalId)
          .durationSeconds((int) duration.toSeconds())).credentials();
      return new Session(AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken()),
          c.expiration());
    };
  }

  /**
   * The credentials provider of {@code identity}'s role for {@code namespace} (may be null: then the session is named
   * after the role); null for the operator's own identity (its own credentials serve).
   */
  public AwsCredentialsProvider provider(AwsIdentity identity, String namespace) {
    if (identity.roleArn() == null) {
      return null;
    }
    String roleArn = identity.roleArn();
    String name = sessionName(roleArn, namespace);
    return () -> credentials(roleArn, name);
  }

  /**
   * Valid credentials of {@code identity}'s role for {@code namespace}: the cached session, or a new one.
   *
   * @throws AwsFailure {@link #NOT_ASSUMABLE} when STS does not give one and no valid session is left
   */
  public AwsSessionCredentials credentials(AwsIdentity identity, String namespace) {
    if (identity.roleArn() == null) {
      throw new IllegalArgumentException("the operator's own identity assumes no role");
    }
    return credentials(identity.roleArn(), sessionName(identity.roleArn(), namespace));
  }

  private AwsSessionCredentials credentials(String roleArn, String sessionName) {
    Entry entry = entries.computeIfAbsent(new Key(roleArn, sessionName), k -> new Entry());
    Session session = entry.session;
    Instant now = clock.instant();
    if (fresh(session, now)) {
      return session.credentials();
    }
    if (valid(session, now)) {
      // Due for a refresh but still good: one caller refreshes, the others go on with it meanwhile.
      if (!entry.lock.tryLock()) {
        return session.credentials();
      }
    } else {
      // None, or expired: wait for the one AssumeRole in flight (or make it).
      entry.lock.lock();
    }
    try {
      session = entry.session;
      now = clock.instant();
      if (fresh(session, now)) {
        return session.credentials();
      }
      if (!recentlyFailed(entry, now)) {
        try {
          Session assumed = sts.assumeRole(roleArn, sessionName, externalId, SESSION);
          entry.session = assumed;
          entry.error = null;
          entry.failedAt = null;
          return assumed.credentials();
        } catch (SdkException e) {
          entry.error = e;
          entry.failedAt = now;
        }
      }
      if (valid(session, now)) {
        // A failed refresh: the old session serves while it is valid.
        return session.credentials();
      }
      throw notAssumable(roleArn, entry.error);
    } finally {
      entry.lock.unlock();
    }
  }

  private boolean recentlyFailed(Entry entry, Instant now) {
    Instant failedAt = entry.failedAt;
    return entry.error != null && failedAt != null && now.isBefore(failedAt.plus(FAILURE_HOLD));
  }

  private static boolean fresh(Session session, Instant now) {
    return session != null && now.isBefore(session.expiration().minus(REFRESH_BEFORE));
  }

  private static boolean valid(Session session, Instant now) {
    return session != null && now.isBefore(session.expiration());
  }

  /** STS refused the role (its trust policy, a missing role, a denied sts:AssumeRole) or could not be reached. */
  static AwsFailure notAssumable(String roleArn, SdkException e) {
    String error;
    if (e instanceof AwsServiceException service && service.awsErrorDetails() != null) {
      error = service.awsErrorDetails().errorCode() + ": " + service.awsErrorDetails().errorMessage();
    } else {
      error = e.getMessage();
    }
    return new AwsFailure("AssumeRole", AwsFailure.Retry.BACKOFF, NOT_ASSUMABLE, "the operator cannot assume "
        + roleArn + " (the namespace's lambdaop.dev/aws-role-arn): STS AssumeRole: " + error
        + ". Check that the role exists, that its trust policy trusts the operator's role (and the external ID, if"
        + " one is set), and that the operator may call sts:AssumeRole on it; retrying with backoff", e);
  }

  /**
   * RoleSessionName {@code lambda-operator-<namespace>} in STS's characters ([\w+=,.@-], others become '-'), at most
   * 64 characters (a longer one ends with a hash of the whole); {@code lambda-operator-<hash of the role>} without a
   * namespace.
   */
  static String sessionName(String roleArn, String namespace) {
    String raw = namespace == null || namespace.isBlank() ? SESSION_PREFIX + "-" + hash(roleArn)
        : SESSION_PREFIX + "-" + namespace;
    String name = raw.replaceAll("[^\\w+=,.@-]", "-");
    if (name.length() > MAX_SESSION_NAME) {
      name = name.substring(0, MAX_SESSION_NAME - 9) + "-" + hash(raw);
    }
    return name;
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sessions known (for tests). */
  int size() {
    return entries.size();
  }
}
