package dev.lambdaop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What ends of leadership stop the process, and what JOSDK is told (no API server: release needs one, see FailoverIT). */
class LeadershipTest {
  private final AtomicInteger lost = new AtomicInteger();
  // no client: nothing here may reach the API server (a replica that does not lead never reads the Lease)
  private final Leadership leadership = new Leadership(null, "ops", Map.of("HOSTNAME", "pod-1"), lost::incrementAndGet);

  @Test
  void josdkDoesNotExitAndCallsBackThisClass() {
    LeaderElectionConfiguration c = leadership.configuration();
    assertFalse(c.isExitOnStopLeading(), "System.exit inside the shutdown hook never returns");
    assertEquals("lambda-operator", c.getLeaseName());
    assertEquals("ops", c.getLeaseNamespace().orElseThrow());
    assertEquals(leadership.identity(), c.getIdentity().orElseThrow());
    assertEquals(Duration.ofSeconds(15), c.getLeaseDuration(), "the documented takeover time after a crash");
    assertEquals(Duration.ofSeconds(10), c.getRenewDeadline());
    assertEquals(Duration.ofSeconds(2), c.getRetryPeriod());
    LeaderCallbacks callbacks = c.getLeaderCallbacks().orElseThrow();
    callbacks.onStartLeading();
    assertTrue(leadership.isLeader());
    callbacks.onStopLeading();
    assertFalse(leadership.isLeader());
    assertEquals(1, lost.get());
  }

  @Test
  void theIdentityIsThePodNameAndARandomPart() {
    String a = Leadership.identity(Map.of("HOSTNAME", "lambda-operator-7d9f-abcde"));
    String b = Leadership.identity(Map.of("HOSTNAME", "lambda-operator-7d9f-abcde"));
    assertTrue(a.startsWith("lambda-operator-7d9f-abcde_"), a);
    assertNotEquals(a, b, "two processes with one HOSTNAME are two holders");
    assertTrue(Leadership.identity(Map.of()).startsWith("lambda-operator_"));
  }

  @Test
  void leadershipLostWhileRunningStopsTheProcessOnce() {
    leadership.onStartLeading();
    leadership.onStopLeading();
    leadership.onStopLeading(); // Fabric8 tells twice: when it sees the Lease change, and when its loop ends
    assertEquals(1, lost.get());
    leadership.stopping();
    assertFalse(leadership.release(), "lost: not ours to release");
  }

  @Test
  void theEndOfLeadershipThatAStopCausesIsNotALoss() {
    leadership.onStartLeading();
    leadership.stopping();
    leadership.onStopLeading();
    assertEquals(0, lost.get());
    assertFalse(leadership.isLeader());
  }

  @Test
  void aStandbyNeitherLosesNorReleases() {
    leadership.onStopLeading();
    assertEquals(0, lost.get());
    leadership.stopping();
    assertFalse(leadership.release(), "a standby holds nothing: it does not even read the Lease");
    assertEquals(0, lost.get());
  }
}
