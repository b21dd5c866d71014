package dev.lambdaop;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election among replicas: the Lease {@value #LEASE_NAME}, this process's identity in it, what happens when
 * leadership ends, and giving the Lease up on a graceful stop.
 *
 * <p>JOSDK 5.2.3 runs the election with Fabric8's {@code LeaderElector} and the SDK's defaults (lease duration 15 s,
 * renew deadline 10 s, retry period 2 s, the values Kubernetes' own controllers use). Two of its choices do not suit
 * a process that stops from a JVM shutdown hook, and this class replaces them:
 * <ul>
 *   <li>When leadership ends, JOSDK calls {@code System.exit(1)} by default. During a graceful stop that call runs
 *       inside the shutdown hook (Operator.stop cancels the election, which ends leadership in the same thread) and
 *       waits for the very hook that made it: the process never ends. Here the SDK is told not to exit
 *       ({@code exitOnStopLeading=false}) and {@link #onStopLeading()} decides: during a stop nothing happens; a
 *       leadership lost while running (the Lease not renewed within the renew deadline, or taken) still ends the
 *       process, from a thread of its own, because JOSDK 5.2.3 keeps reconciling after it (only one replica may).
 *   <li>JOSDK builds Fabric8's election with {@code releaseOnCancel=false} and no setting to change it, so a stopped
 *       leader's Lease stays held until it expires and a standby waits the whole lease duration. {@link #release()}
 *       gives the Lease up after the operator has stopped (its reconciles ended or were interrupted): the standby
 *       takes it at its next try, within one retry period (2 to 4.4 s).
 * </ul>
 * After a crash or a SIGKILL nothing is released: a standby takes over once the Lease expires, up to the lease
 * duration (15 s) after the last renewal, plus one retry period.
 */
final class Leadership {
  private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);
  static final String LEASE_NAME = "lambda-operator";
  /** How long {@link #release()} waits for the API server before it leaves the Lease to expire. */
  static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(2);

  private final KubernetesClient kubernetes;
  private final String namespace;
  private final String identity;
  private final Runnable onLost;
  private final AtomicBoolean leading = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicBoolean lost = new AtomicBoolean();
  private volatile boolean leadingAtStop;

  /**
   * @param namespace the Lease's namespace; empty: the client's namespace (JOSDK refuses to start without one)
   * @param onLost what to do when leadership ends while the operator runs ({@link #exitProcess()} in a process)
   */
  Leadership(KubernetesClient kubernetes, String namespace, Map<String, String> env, Runnable onLost) {
    this.kubernetes = kubernetes;
    this.namespace = !namespace.isEmpty() ? namespace : kubernetes.getConfiguration().getNamespace();
    this.identity = identity(env);
    this.onLost = onLost;
  }

  /**
   * This process's name in the Lease: the pod's name (HOSTNAME, which Kubernetes sets to it) and a random part, so
   * that two processes never share an identity even where HOSTNAME is the same (two processes on one host; a
   * restarted container, whose predecessor may still hold the Lease).
   */
  static String identity(Map<String, String> env) {
    String host = env.getOrDefault("HOSTNAME", "");
    return (host.isBlank() ? "lambda-operator" : host.trim()) + "_" + UUID.randomUUID();
  }

  LeaderElectionConfiguration configuration() {
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME)
        .withLeaseNamespace(namespace)
        .withIdentity(identity)
        .withExitOnStopLeading(false)
        .withLeaderCallbacks(new LeaderCallbacks(this::onStartLeading, this::onStopLeading, leader -> { }))
        .build();
  }

  String identity() {
    return identity;
  }

  boolean isLeader() {
    return leading.get();
  }

  void onStartLeading() {
    leading.set(true);
    LOG.info("Leader: this replica ({}) holds Lease {}/{} and reconciles", identity, namespace, LEASE_NAME);
  }

  /** Fabric8 may call it more than once for one end of leadership (when it sees the change, and when it stops). */
  void onStopLeading() {
    boolean wasLeading = leading.getAndSet(false);
    if (!wasLeading || stopping.get()) {
      return; // told already, or the end of leadership that the stop causes
    }
    if (lost.compareAndSet(false, true)) {
      LOG.error("Lost the leadership (Lease {}/{} not renewed within the renew deadline, or taken by another "
          + "replica): stopping this process so that only the leader reconciles", namespace, LEASE_NAME);
      onLost.run();
    }
  }

  /** Called before the operator stops: the end of leadership that the stop causes is not a loss. */
  void stopping() {
    stopping.set(true);
    leadingAtStop = leading.get();
  }

  /**
   * Gives the Lease up if this replica held it when the stop began: no holder, a duration of 1 s (as Fabric8's and
   * client-go's release do), so a standby takes it at its next try instead of after the lease duration. Call it
   * after the operator stopped: the election is over then (Fabric8 renews no more), and nothing reconciles. Waits
   * at most {@link #RELEASE_TIMEOUT} (the API server may be gone); on a failure the Lease simply expires.
   *
   * @return whether it tried (this replica led when the stop began)
   */
  boolean release() {
    if (!stopping.get() || !leadingAtStop || lost.get()) {
      return false;
    }
    Thread releasing = new Thread(this::releaseNow, "lease-release");
    releasing.setDaemon(true);
    releasing.start();
    try {
      releasing.join(RELEASE_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (releasing.isAlive()) {
      LOG.warn("Lease {}/{} not released within {} s: another replica takes over when it expires", namespace,
          LEASE_NAME, RELEASE_TIMEOUT.toSeconds());
    }
    return true;
  }

  private void releaseNow() {
    try {
      Lease lease = kubernetes.leases().inNamespace(namespace).withName(LEASE_NAME).get();
      if (lease == null || lease.getSpec() == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
        return;
      }
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
      lease.getSpec().setHolderIdentity(null);
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setAcquireTime(now);
      lease.getSpec().setRenewTime(now);
      // an update, not a patch: it carries the resourceVersion read above, so it fails (409) if anyone changed
      // the Lease since, and it removes the holder (a JSON merge patch without the field would keep it)
      kubernetes.resource(lease).update();
      LOG.info("Released Lease {}/{}: another replica can take over now", namespace, LEASE_NAME);
    } catch (KubernetesClientException e) {
      LOG.warn("Could not release Lease {}/{} ({}): another replica takes over when it expires", namespace,
          LEASE_NAME, e.getMessage());
    }
  }

  /** The process's reaction to a lost leadership: exit 1, from a new thread (the caller is an election thread). */
  static void exitProcess() {
    Thread exit = new Thread(() -> System.exit(1), "leadership-lost-exit");
    exit.start();
  }
}
