package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.Concurrency;
import dev.lambdaop.api.ConcurrencySpec;
import dev.lambdaop.api.Deployments;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionStatus;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.status.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetAliasResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * Recovery from changes made in AWS outside the operator (issue 12): a function, an alias, a routing or a version
 * deleted or changed with the AWS SDK, as a console or another tool would. Each test checks the AWS side (the
 * function, the version of the current spec, the alias on a version that exists, the reservation), that the
 * statuses name only versions AWS has, and the events that say what was found. The shared operator resyncs every
 * {@link E2e#RESYNC}; with the default of 10 minutes the same happens within one resync (see the README).
 */
class RecoveryIT {
  private static String ns;
  private static KubernetesClient kube;
  private static LambdaClient lambda;
  private static AliasScenario scenario;

  @BeforeAll
  static void start() {
    E2e.operator();
    kube = E2e.kube();
    lambda = E2e.lambda();
    ns = E2e.namespace("recovery");
    scenario = new AliasScenario(ns, kube, lambda);
  }

  /** Releases what the tests made, the reservation first (the account's pool is shared with ConcurrencyIT). */
  @AfterAll
  static void close() {
    kube.resources(Concurrency.class).inNamespace(ns).delete();
    kube.resources(LambdaAlias.class).inNamespace(ns).delete();
    await().atMost(E2e.TIMEOUT).until(() -> kube.resources(Concurrency.class).inNamespace(ns).list().getItems()
        .isEmpty() && kube.resources(LambdaAlias.class).inNamespace(ns).list().getItems().isEmpty());
    kube.resources(LambdaFunction.class).inNamespace(ns).delete();
    await().atMost(E2e.TIMEOUT).until(() -> kube.resources(LambdaFunction.class).inNamespace(ns).list().getItems()
        .isEmpty());
    lambda.close();
  }

  @Test
  void aFunctionDeletedInAwsComesBackWithAVersionForItsSpecItsAliasAndItsReservation() {
    scenario.functionWithAlias("rec-gone", null);
    reserve("rec-gone", 5);
    scenario.publishVersion2("rec-gone");
    scenario.awaitAws("rec-gone", "2", 0);
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> Integer.valueOf(5).equals(reserved("rec-gone")));
    await().atMost(E2e.TIMEOUT).until(() -> "2".equals(scenario.status("rec-gone").stableVersion));

    lambda.deleteFunction(r -> r.functionName("rec-gone"));

    // The function, created again from the spec, with a version published for it: moto numbers it 1 again.
    LambdaFunctionStatus fs = awaitFunction("rec-gone", s -> s.latestVersion != null
        && awsVersions("rec-gone").contains(s.latestVersion) && isReady(s.conditions));
    String currentSha = DeterministicZip.of(Map.of("index.py", "v = 2\n")).sha256();
    assertEquals(currentSha, lambda.getFunction(r -> r.functionName("rec-gone")).configuration().codeSha256());
    var version = lambda.getFunctionConfiguration(
        r -> r.functionName("rec-gone").qualifier(fs.latestVersion));
    assertEquals(currentSha, version.codeSha256(), "the version is of the current spec");
    assertEquals("lambdaop spec " + fs.specDigest, version.description());
    assertStatusNamesOnlyVersionsAwsHas("rec-gone");

    // The alias, on an existing version: version 2 went with the function, so the new version takes the traffic.
    scenario.awaitAws("rec-gone", fs.latestVersion, 0);
    await().atMost(E2e.TIMEOUT).until(() -> fs.latestVersion.equals(scenario.status("rec-gone").stableVersion)
        && isReady(scenario.status("rec-gone").conditions));
    LambdaAliasStatus as = scenario.status("rec-gone");
    assertTrue(awsVersions("rec-gone").contains(as.stableVersion), as.stableVersion);
    assertNull(as.canaryVersion);
    assertEquals("2", as.history.get(0).fromVersion);
    assertTrue(as.history.get(0).reason.contains("stable version 2 of rec-gone no longer exists"),
        as.history.get(0).reason);

    // The reservation, put back as soon as the function exists (the Concurrency watches its LambdaFunction).
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> Integer.valueOf(5).equals(reserved("rec-gone")));

    awaitEvent("rec-gone", "FunctionRecreated", "function rec-gone was not found");
    awaitEvent("rec-gone-live", "AliasRestored", "alias live of rec-gone was not found in AWS");
    awaitEvent("rec-gone-live", "StableVersionMissing", "stable version 2 of rec-gone no longer exists in AWS");
    awaitEvent("rec-gone", "ReservationRestored", "the reserved concurrency of rec-gone was removed");
  }

  @Test
  void anAliasDeletedInAwsMidShiftComesBackAndTheShiftRestartsFromItsFirstStep() {
    scenario.functionWithAlias("rec-alias", Deployments.steps(20, "8s", 50, null));
    scenario.publishVersion2("rec-alias");
    scenario.awaitAws("rec-alias", "1", 0.5);
    await().atMost(E2e.TIMEOUT).until(() -> !scenario.status("rec-alias").pauseConditions.isEmpty());

    lambda.deleteAlias(r -> r.functionName("rec-alias").name("live"));

    // back at the first step's weight, which then holds its full time before the shift goes on
    scenario.awaitAws("rec-alias", "1", 0.2);
    awaitEvent("rec-alias-live", "AliasRestored", "alias live of rec-alias was not found in AWS");
    awaitEvent("rec-alias-live", "ShiftRestarted", "the shift to version 2 restarts from its first step");
    scenario.awaitAws("rec-alias", "1", 0.5);
    LambdaAliasStatus s = scenario.status("rec-alias");
    assertEquals(List.of("1", "2"), List.of(s.stableVersion, s.canaryVersion));
  }

  @Test
  void anAliasRepointedInAwsIsRestored() {
    scenario.functionWithAlias("rec-repoint", null);
    scenario.publishVersion2("rec-repoint");
    scenario.awaitAws("rec-repoint", "2", 0);
    await().atMost(E2e.TIMEOUT).until(() -> "2".equals(scenario.status("rec-repoint").stableVersion)
        && isReady(scenario.status("rec-repoint").conditions));

    lambda.updateAlias(r -> r.functionName("rec-repoint").name("live").functionVersion("1")
        .routingConfig(c -> c.additionalVersionWeights(Map.of("2", 0.5))));

    scenario.awaitAws("rec-repoint", "2", 0);
    GetAliasResponse alias = scenario.awsAlias("rec-repoint");
    assertTrue(alias.routingConfig() == null || alias.routingConfig().additionalVersionWeights().isEmpty(),
        "no weighted version: " + alias.routingConfig());
    awaitEvent("rec-repoint-live", "AliasRestored",
        "it routed version 1 with 50% to version 2 instead of version 2");
  }

  @Test
  void aVersionDeletedInAwsIsNoLongerNamedAndAnAliasThatStoodOnItRecovers() {
    scenario.functionWithAlias("rec-version", Deployments.steps(30, null));
    scenario.publishVersion2("rec-version");
    scenario.awaitAws("rec-version", "1", 0.3);
    await().atMost(E2e.TIMEOUT).until(() -> scenario.status("rec-version").phase == LambdaAliasStatus.Phase.Progressing);

    // Someone moves all traffic to version 2 and deletes version 1, the alias's stable version. AWS refuses to
    // delete a version while an alias routes to it, moto does not: deleting first leaves no moment in which the
    // operator could restore the routing to version 1 after it was deleted (it would then route to a version
    // AWS no longer has, which AWS itself never allows).
    lambda.deleteFunction(r -> r.functionName("rec-version").qualifier("1"));
    lambda.updateAlias(r -> r.functionName("rec-version").name("live").functionVersion("2")
        .routingConfig(c -> c.additionalVersionWeights(Map.of())));

    awaitFunction("rec-version", s -> s.versions.stream().noneMatch(v -> v.version.equals("1")));
    assertStatusNamesOnlyVersionsAwsHas("rec-version");
    assertEquals(List.of("2"), awsVersions("rec-version"));
    awaitEvent("rec-version", "VersionsMissing", "version 1 of rec-version no longer exists in AWS");

    await().atMost(E2e.TIMEOUT).until(() -> "2".equals(scenario.status("rec-version").stableVersion)
        && scenario.status("rec-version").phase == LambdaAliasStatus.Phase.Healthy);
    scenario.awaitAws("rec-version", "2", 0);
    LambdaAliasStatus s = scenario.status("rec-version");
    assertNull(s.canaryVersion);
    assertEquals("Superseded", s.history.get(0).result);
    awaitEvent("rec-version-live", "StableVersionMissing", "version 2, which alias live routes to, is the stable");
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private static void reserve(String function, int reserved) {
    Concurrency c = new Concurrency();
    c.setMetadata(new ObjectMetaBuilder().withName(function).withNamespace(ns).build());
    c.setSpec(new ConcurrencySpec());
    c.getSpec().functionRef = new FunctionRef(function);
    c.getSpec().reservedConcurrentExecutions = reserved;
    kube.resource(c).create();
  }

  private static Integer reserved(String function) {
    return lambda.getFunctionConcurrency(r -> r.functionName(function)).reservedConcurrentExecutions();
  }

  /** The published versions AWS lists (not $LATEST); none when the function does not exist. */
  private static List<String> awsVersions(String function) {
    try {
      return lambda.listVersionsByFunction(r -> r.functionName(function)).versions().stream()
          .map(FunctionConfiguration::version).filter(v -> !v.equals("$LATEST")).toList();
    } catch (ResourceNotFoundException e) {
      return List.of();
    }
  }

  private static boolean isReady(List<io.fabric8.kubernetes.api.model.Condition> conditions) {
    return Conditions.isTrue(conditions, Conditions.READY);
  }

  private static LambdaFunctionStatus function(String name) {
    LambdaFunction fn = kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).get();
    return fn == null ? null : fn.getStatus();
  }

  private static LambdaFunctionStatus awaitFunction(String name,
      java.util.function.Predicate<LambdaFunctionStatus> done) {
    return awaitOrSay(() -> function(name), s -> s != null && done.test(s), "LambdaFunction " + name);
  }

  private static void assertStatusNamesOnlyVersionsAwsHas(String name) {
    LambdaFunctionStatus s = function(name);
    List<String> inAws = awsVersions(name);
    assertTrue(inAws.contains(s.latestVersion), "latestVersion " + s.latestVersion + ", AWS has " + inAws);
    s.versions.forEach(v -> assertTrue(inAws.contains(v.version), "status names version " + v.version
        + ", AWS has " + inAws));
  }

  private static List<Event> events(String name) {
    return kube.events().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> e.getRegarding() != null && name.equals(e.getRegarding().getName())).toList();
  }

  /** Waits for an event about {@code name} with this reason whose note contains {@code saying}. */
  private static void awaitEvent(String name, String reason, String saying) {
    awaitOrSay(() -> events(name), list -> list.stream().anyMatch(e -> reason.equals(e.getReason())
        && String.valueOf(e.getNote()).contains(saying)), "event " + reason + " about " + name);
  }

  private static <T> T awaitOrSay(Callable<T> read, java.util.function.Predicate<T> done, String what) {
    try {
      return await().atMost(E2e.TIMEOUT).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(read, done);
    } catch (ConditionTimeoutException e) {
      Object last;
      try {
        last = read.call();
      } catch (Exception readFailed) {
        last = readFailed.toString();
      }
      throw new AssertionError(what + ": not as expected within " + E2e.TIMEOUT + "; now: "
          + Serialization.asJson(last), e);
    }
  }
}
