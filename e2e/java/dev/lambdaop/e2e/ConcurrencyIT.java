package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.Concurrency;
import dev.lambdaop.api.ConcurrencySpec;
import dev.lambdaop.api.ConcurrencyStatus;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * Concurrency end to end, against moto with MOTO_LAMBDA_CONCURRENCY_QUOTA=1000 (the test bed sets it), so moto also
 * keeps 100 unreserved as AWS does. The tests run one after another and release what they reserve.
 */
class ConcurrencyIT {
  private static String ns;
  private static KubernetesClient kube;
  private static LambdaClient lambda;

  @BeforeAll
  static void start() {
    E2e.operator();
    kube = E2e.kube();
    lambda = E2e.lambda();
    ns = E2e.namespace("conc");
  }

  @AfterAll
  static void close() {
    kube.resources(Concurrency.class).inNamespace(ns).delete();
    lambda.close();
  }

  private static void function(String name) {
    lambda.createFunction(r -> r.functionName(name).role(E2e.roleArn()).runtime("python3.12").handler("index.handler")
        .code(c -> c.zipFile(software.amazon.awssdk.core.SdkBytes.fromByteArray(
            dev.lambdaop.function.DeterministicZip.of(Map.of("index.py", "c = 1\n")).bytes()))));
  }

  private static Concurrency reserve(String name, String function, int reserved) {
    Concurrency c = new Concurrency();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    c.setSpec(new ConcurrencySpec());
    c.getSpec().functionName = function;
    c.getSpec().reservedConcurrentExecutions = reserved;
    return kube.resource(c).create();
  }

  private static Integer awsReserved(String function) {
    return lambda.getFunctionConcurrency(r -> r.functionName(function)).reservedConcurrentExecutions();
  }

  private static ConcurrencyStatus status(String name) {
    return kube.resources(Concurrency.class).inNamespace(ns).withName(name).get().getStatus();
  }

  private static Condition awaitReady(String name, String value, String reason) {
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> status(name).conditions.stream().anyMatch(c ->
        "Ready".equals(c.getType()) && value.equals(c.getStatus()) && (reason == null || reason.equals(c.getReason()))));
    return status(name).conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow();
  }

  private static void release(String name, String function) {
    kube.resources(Concurrency.class).inNamespace(ns).withName(name).delete();
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> awsReserved(function) == null);
  }

  @Test
  void reservesChangesRevertsDriftAndReleases() {
    function("conc-a");
    reserve("conc-a", "conc-a", 300);
    awaitReady("conc-a", "True", "Synced");
    assertEquals(300, awsReserved("conc-a"));
    ConcurrencyStatus s = status("conc-a");
    assertEquals(300, s.reservedConcurrentExecutions);
    assertEquals(1000, s.account.concurrentExecutions);
    assertEquals(700, s.account.unreservedConcurrentExecutions);

    Concurrency c = kube.resources(Concurrency.class).inNamespace(ns).withName("conc-a").get();
    c.getSpec().reservedConcurrentExecutions = 0;
    E2e.update(c);
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> awsReserved("conc-a") == 0);

    lambda.putFunctionConcurrency(r -> r.functionName("conc-a").reservedConcurrentExecutions(42));
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> awsReserved("conc-a") == 0);

    release("conc-a", "conc-a");
  }

  @Test
  void aRequestThatBreaksTheFloorIsRefusedWithTheNumbersAndAwsIsUntouched() {
    function("conc-big");
    reserve("conc-big", "conc-big", 950);
    Condition c = awaitReady("conc-big", "False", "InsufficientUnreservedConcurrency");
    assertTrue(c.getMessage().contains("reserving 950") && c.getMessage().contains("largest value allowed now is 900"),
        c.getMessage());
    assertEquals(null, awsReserved("conc-big"));
    kube.resources(Concurrency.class).inNamespace(ns).withName("conc-big").delete();
  }

  @Test
  void severalAtOnceNeverTakeTheAccountBelowTheFloor() {
    List<String> names = List.of("conc-x", "conc-y", "conc-z");
    names.forEach(ConcurrencyIT::function);
    names.forEach(n -> reserve(n, n, 400));
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> names.stream().allMatch(n ->
        status(n).conditions.stream().anyMatch(c -> "Ready".equals(c.getType()) && ("True".equals(c.getStatus())
            || "InsufficientUnreservedConcurrency".equals(c.getReason())))));
    int total = names.stream().mapToInt(n -> awsReserved(n) == null ? 0 : awsReserved(n)).sum();
    assertTrue(total <= 900, "reserved in AWS: " + total);
    long refused = names.stream().filter(n -> status(n).conditions.stream()
        .anyMatch(c -> "InsufficientUnreservedConcurrency".equals(c.getReason()))).count();
    assertEquals(1, refused, "two fit (800 of 900), the third is refused and says why");
    names.forEach(n -> kube.resources(Concurrency.class).inNamespace(ns).withName(n).delete());
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> names.stream().allMatch(n -> awsReserved(n) == null));
  }

  @Test
  void aSecondResourceForTheSameFunctionIsRefusedAndTheFirstKeepsWorking() {
    function("conc-shared");
    reserve("conc-first", "conc-shared", 10);
    awaitReady("conc-first", "True", "Synced");
    reserve("conc-second", "conc-shared", 20);
    Condition c = awaitReady("conc-second", "False", "DuplicateConcurrency");
    assertTrue(c.getMessage().contains("conc-first"), c.getMessage());
    assertEquals(10, awsReserved("conc-shared"));
    kube.resources(Concurrency.class).inNamespace(ns).withName("conc-second").delete();
    release("conc-first", "conc-shared");
  }

  @Test
  void aReservationForAFunctionNotCreatedYetIsAppliedWhenItExists() {
    Concurrency c = new Concurrency();
    c.setMetadata(new ObjectMetaBuilder().withName("conc-late").withNamespace(ns).build());
    c.setSpec(new ConcurrencySpec());
    c.getSpec().functionRef = new FunctionRef("conc-late");
    c.getSpec().reservedConcurrentExecutions = 25;
    kube.resource(c).create();
    Condition waiting = awaitReady("conc-late", "False", "FunctionNotFound");
    assertTrue(waiting.getMessage().contains("conc-late"), waiting.getMessage());
    kube.resource(SampleFunctions.inline(ns, "conc-late", E2e.roleArn(), "l = 1\n")).create();
    awaitReady("conc-late", "True", "Synced");
    assertEquals(25, awsReserved("conc-late"));
    release("conc-late", "conc-late");
  }
}
