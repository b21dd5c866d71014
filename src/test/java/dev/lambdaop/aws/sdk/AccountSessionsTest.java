package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.TestClock;
import dev.lambdaop.aws.AwsIdentity;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.Failure;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.sts.model.StsException;

/** The sessions of the namespaces' roles: kept, refreshed before they expire, one AssumeRole at a time. */
class AccountSessionsTest {
  private static final AwsIdentity SHOP = new AwsIdentity("arn:aws:iam::222222222222:role/lambda-operator", null);

  private final TestClock clock = new TestClock(Instant.parse("2026-01-01T10:00:00Z"));
  /** What STS was asked: role, session name, external id, duration. */
  private final List<String> asked = new CopyOnWriteArrayList<>();
  private final AtomicInteger issued = new AtomicInteger();
  private final AtomicReference<RuntimeException> refuse = new AtomicReference<>();

  private final AccountSessions.Sts sts = (role, name, externalId, duration) -> {
    asked.add(role + " " + name + " " + externalId + " " + duration.toSeconds());
    RuntimeException e = refuse.get();
    if (e != null) {
      throw e;
    }
    int n = issued.incrementAndGet();
    return new AccountSessions.Session(AwsSessionCredentials.create("ASIA" + n, "secret" + n, "token" + n),
        clock.instant().plus(duration));
  };

  private static StsException denied() {
    return (StsException) StsException.builder().statusCode(403)
        .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied")
            .errorMessage("User: arn:aws:sts::111111111111:assumed-role/lambda-operator/x is not authorized to perform:"
                + " sts:AssumeRole").build())
        .build();
  }

  @Test
  void aFreshSessionIsReusedAndRefreshedFiveMinutesBeforeItExpires() {
    AccountSessions sessions = new AccountSessions(sts, "ext-1", clock);
    assertEquals("ASIA1", sessions.credentials(SHOP, "shop").accessKeyId());
    assertEquals(List.of("arn:aws:iam::222222222222:role/lambda-operator lambda-operator-shop ext-1 3600"), asked);
    clock.advance(Duration.ofMinutes(54));
    assertEquals("ASIA1", sessions.credentials(SHOP, "shop").accessKeyId(), "55 minutes left: reused");
    assertEquals("ASIA1", sessions.provider(SHOP, "shop").resolveCredentials().accessKeyId());
    assertEquals(1, asked.size());
    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    assertEquals("ASIA2", sessions.credentials(SHOP, "shop").accessKeyId(), "less than 5 minutes left: refreshed");
    assertEquals(2, asked.size());
    assertEquals("ASIA2", sessions.provider(SHOP, "shop").resolveCredentials().accessKeyId());
    assertEquals(2, asked.size());
  }

  @Test
  void eachNamespaceHasASessionNamedAfterIt_theOperatorsOwnIdentityNone() {
    AccountSessions sessions = new AccountSessions(sts, null, clock);
    sessions.credentials(SHOP, "shop");
    sessions.credentials(SHOP, "billing");
    sessions.credentials(SHOP, "shop");
    assertEquals(List.of("arn:aws:iam::222222222222:role/lambda-operator lambda-operator-shop null 3600",
        "arn:aws:iam::222222222222:role/lambda-operator lambda-operator-billing null 3600"), asked);
    assertNull(sessions.provider(AwsIdentity.OPERATOR, "shop"));
    assertThrows(IllegalArgumentException.class, () -> sessions.credentials(AwsIdentity.OPERATOR, "shop"));
  }

  @Test
  void sessionNamesKeepToStsCharactersAnd64Characters() {
    assertEquals("lambda-operator-shop", AccountSessions.sessionName(SHOP.roleArn(), "shop"));
    String longName = "n".repeat(63);
    String name = AccountSessions.sessionName(SHOP.roleArn(), longName);
    assertEquals(64, name.length());
    assertTrue(name.matches("lambda-operator-n+-[0-9a-f]{8}"), name);
    assertTrue(AccountSessions.sessionName(SHOP.roleArn(), "a b/c").matches("lambda-operator-a-b-c"));
    String perRole = AccountSessions.sessionName(SHOP.roleArn(), null);
    assertTrue(perRole.matches("lambda-operator-[0-9a-f]{8}"), perRole);
  }

  @Test
  void stsRefusingIsAccountRoleNotAssumable_retriedWithBackoff_namingTheRoleAndStsError() {
    AccountSessions sessions = new AccountSessions(sts, null, clock);
    refuse.set(denied());
    AwsFailure failure = assertThrows(AwsFailure.class, () -> sessions.credentials(SHOP, "shop"));
    assertEquals(AccountSessions.NOT_ASSUMABLE, failure.reason());
    assertEquals(Failure.RetryPolicy.BACKOFF, failure.retryPolicy());
    assertEquals(AwsFailure.Retry.BACKOFF, failure.retry());
    assertTrue(failure.getMessage().contains("arn:aws:iam::222222222222:role/lambda-operator"), failure.getMessage());
    assertTrue(failure.getMessage().contains("AccessDenied: User: arn:aws:sts::111111111111"), failure.getMessage());
    // remembered for a while: the namespace's other resources do not each ask STS
    assertThrows(AwsFailure.class, () -> sessions.provider(SHOP, "shop").resolveCredentials());
    assertEquals(1, asked.size());
    clock.advance(AccountSessions.FAILURE_HOLD);
    refuse.set(null);
    assertEquals("ASIA1", sessions.credentials(SHOP, "shop").accessKeyId(), "the trust policy was fixed");
    assertEquals(2, asked.size());
  }

  @Test
  void aFailedRefreshKeepsTheOldSessionWhileItIsValid() {
    AccountSessions sessions = new AccountSessions(sts, null, clock);
    sessions.credentials(SHOP, "shop");
    clock.advance(Duration.ofMinutes(56));
    refuse.set(denied());
    assertEquals("ASIA1", sessions.credentials(SHOP, "shop").accessKeyId());
    assertEquals(2, asked.size());
    assertEquals("ASIA1", sessions.credentials(SHOP, "shop").accessKeyId(), "not asked again at once");
    assertEquals(2, asked.size());
    clock.advance(AccountSessions.FAILURE_HOLD);
    assertEquals("ASIA1", sessions.credentials(SHOP, "shop").accessKeyId());
    assertEquals(3, asked.size(), "asked again after the hold");
    clock.advance(Duration.ofMinutes(4));
    AwsFailure failure = assertThrows(AwsFailure.class, () -> sessions.credentials(SHOP, "shop"));
    assertEquals(AccountSessions.NOT_ASSUMABLE, failure.reason(), "expired: the failure shows");
    refuse.set(null);
    clock.advance(AccountSessions.FAILURE_HOLD);
    assertEquals("ASIA2", sessions.credentials(SHOP, "shop").accessKeyId());
  }

  @Test
  void concurrentCallersShareOneAssumeRole() throws Exception {
    CountDownLatch inSts = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AccountSessions.Sts slow = (role, name, externalId, duration) -> {
      inSts.countDown();
      try {
        assertTrue(release.await(10, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return sts.assumeRole(role, name, externalId, duration);
    };
    AccountSessions sessions = new AccountSessions(slow, null, clock);
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<AwsSessionCredentials>> callers = new java.util.ArrayList<>();
      callers.add(threads.submit(() -> sessions.credentials(SHOP, "shop")));
      assertTrue(inSts.await(10, TimeUnit.SECONDS));
      for (int i = 0; i < 7; i++) {
        callers.add(threads.submit(() -> sessions.credentials(SHOP, "shop")));
      }
      release.countDown();
      for (Future<AwsSessionCredentials> caller : callers) {
        assertEquals("ASIA1", caller.get(10, TimeUnit.SECONDS).accessKeyId());
      }
      assertEquals(1, asked.size());
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void whileOneCallerRefreshesTheOthersGoOnWithTheValidSession() throws Exception {
    AccountSessions.Sts first = sts;
    CountDownLatch inSts = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    AccountSessions.Sts slowSecond = (role, name, externalId, duration) -> {
      if (calls.incrementAndGet() > 1) {
        inSts.countDown();
        try {
          assertTrue(release.await(10, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }
      return first.assumeRole(role, name, externalId, duration);
    };
    AccountSessions sessions = new AccountSessions(slowSecond, null, clock);
    sessions.credentials(SHOP, "shop");
    clock.advance(Duration.ofMinutes(58));
    ExecutorService threads = Executors.newSingleThreadExecutor();
    try {
      Future<AwsSessionCredentials> refresher = threads.submit(() -> sessions.credentials(SHOP, "shop"));
      assertTrue(inSts.await(10, TimeUnit.SECONDS));
      assertEquals("ASIA1", sessions.credentials(SHOP, "shop").accessKeyId(), "not held up by the refresh");
      release.countDown();
      assertEquals("ASIA2", refresher.get(10, TimeUnit.SECONDS).accessKeyId());
      assertEquals("ASIA2", sessions.credentials(SHOP, "shop").accessKeyId());
      assertEquals(2, asked.size());
    } finally {
      threads.shutdownNow();
    }
  }
}
