package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.LambdaOperator;
import dev.lambdaop.api.Concurrency;
import dev.lambdaop.api.ConcurrencySpec;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.SampleFunctions;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.AliasConfiguration;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * Who may act on which AWS object, end to end: a function a LambdaFunction in one namespace owns is out of reach of
 * the LambdaAliases, Concurrencies and hooks of another namespace; one LambdaAlias per AWS alias; an existing AWS
 * alias is adopted only with spec.adopt; two operator installations (cluster ids) on one account never both own a
 * function; a Concurrency acts in the region of its function. The AWS side is checked after each step.
 */
class TenancyIT {
  private static final String LABEL = "tenancy";
  private static final String OTHER_CLUSTER = "tenancy-other-cluster";
  private static KubernetesClient kube;
  private static LambdaClient lambda;
  private static String owner;
  private static String other;
  private static String suffix;
  /** The function LambdaFunction {@code owner}/orders manages, with version 1 published and alias live. */
  private static String owned;
  private static String clusterId;

  @BeforeAll
  static void start() {
    clusterId = E2e.operator().clusterId();
    kube = E2e.kube();
    lambda = E2e.lambda();
    owner = E2e.namespace("tenant-a");
    other = E2e.namespace("tenant-b");
    suffix = owner.substring(owner.lastIndexOf('-') + 1);
    owned = "tenancy-orders-" + suffix;
    LambdaFunction fn = SampleFunctions.inline(owner, "orders", E2e.roleArn(), "r = 1\n");
    fn.getSpec().functionName = owned;
    kube.resource(fn).create();
    awaitReady(LambdaFunction.class, owner, "orders", "True", r -> r.getStatus() == null ? null : r.getStatus().conditions);
    kube.resource(aliasByRef(owner, "orders-live", "orders", "live")).create();
    awaitReady(LambdaAlias.class, owner, "orders-live", "True", TenancyIT::conditions);
  }

  @AfterAll
  static void close() {
    for (String ns : List.of(owner, other)) {
      kube.resources(Concurrency.class).inNamespace(ns).delete();
      kube.resources(LambdaAlias.class).inNamespace(ns).delete();
    }
    lambda.close();
  }

  // ---- helpers ------------------------------------------------------------------------------------------------

  private static List<Condition> conditions(LambdaAlias a) {
    return a.getStatus() == null ? null : a.getStatus().conditions;
  }

  private static List<Condition> concurrencyConditions(Concurrency c) {
    return c.getStatus() == null ? null : c.getStatus().conditions;
  }

  /** Waits for Ready with this status (and reason, for False), and returns the condition. */
  private static <T extends HasMetadata> Condition awaitReady(Class<T> kind, String ns, String name, String status,
      Function<T, List<Condition>> conditions) {
    T r = E2e.awaitCondition(kind, ns, name, Conditions.READY, status, conditions);
    return Conditions.find(conditions.apply(r), Conditions.READY).orElseThrow();
  }

  private static void assertRefused(Condition ready, String reason, String saying) {
    assertEquals(reason, ready.getReason(), ready.getMessage());
    assertTrue(ready.getMessage().contains(saying), ready.getMessage());
  }

  private static LambdaAlias aliasByRef(String ns, String name, String function, String aliasName) {
    LambdaAlias a = new LambdaAlias();
    a.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    a.setSpec(new LambdaAliasSpec());
    a.getSpec().functionRef = new FunctionRef(function);
    a.getSpec().aliasName = aliasName;
    return a;
  }

  private static LambdaAlias aliasByName(String ns, String name, String function, String aliasName) {
    LambdaAlias a = new LambdaAlias();
    a.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    a.setSpec(new LambdaAliasSpec());
    a.getSpec().functionName = function;
    a.getSpec().aliasName = aliasName;
    return a;
  }

  private static Concurrency reservation(String ns, String name, String function, int reserved) {
    Concurrency c = new Concurrency();
    c.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    c.setSpec(new ConcurrencySpec());
    c.getSpec().functionName = function;
    c.getSpec().reservedConcurrentExecutions = reserved;
    return c;
  }

  /** A function created behind the operator (no owner tag), with version 1 published. */
  private static String unowned(LambdaClient client, String name) {
    client.createFunction(r -> r.functionName(name).role(E2e.roleArn()).runtime("python3.12")
        .handler("index.handler").code(c -> c.zipFile(SdkBytes.fromByteArray(
            DeterministicZip.of(Map.of("index.py", "u = 1\n")).bytes()))));
    await().atMost(E2e.TIMEOUT).until(() -> "Active".equals(client.getFunction(r -> r.functionName(name))
        .configuration().stateAsString()));
    client.publishVersion(r -> r.functionName(name));
    return name;
  }

  private static Map<String, String> tags(LambdaClient client, String function) {
    return client.getFunction(r -> r.functionName(function)).tags();
  }

  private static List<String> aliases(String function) {
    return lambda.listAliases(r -> r.functionName(function)).aliases().stream().map(AliasConfiguration::name)
        .sorted().toList();
  }

  private static Integer reserved(LambdaClient client, String function) {
    return client.getFunctionConcurrency(r -> r.functionName(function)).reservedConcurrentExecutions();
  }

  private static void deleteAndWait(HasMetadata resource) {
    kube.resource(resource).delete();
    await().atMost(E2e.TIMEOUT).until(() -> kube.resource(resource).get() == null);
  }

  // ---- tests --------------------------------------------------------------------------------------------------

  @Test
  void anotherNamespacesAliasConcurrencyAndHookCannotActOnAFunctionOwnedElsewhere() {
    LambdaAlias alias = kube.resource(aliasByName(other, "steal-live", owned, "live")).create();
    LambdaAlias newAlias = kube.resource(aliasByName(other, "steal-new", owned, "other")).create();
    Concurrency concurrency = kube.resource(reservation(other, "steal", owned, 5)).create();
    String free = unowned(lambda, "tenancy-free-" + suffix);
    LambdaAlias hooked = aliasByName(other, "hooked", free, "live");
    hooked.getSpec().deployment = new LambdaAliasSpec.Deployment();
    hooked.getSpec().deployment.strategy = LambdaAliasSpec.Strategy.AllAtOnce;
    hooked.getSpec().deployment.preTrafficHook = new LambdaAliasSpec.Hook();
    hooked.getSpec().deployment.preTrafficHook.functionName = owned;
    kube.resource(hooked).create();
    awaitReady(LambdaAlias.class, other, "hooked", "True", TenancyIT::conditions);

    String owning = "owned by " + owner + "/orders";
    assertRefused(awaitReady(LambdaAlias.class, other, "steal-live", "False", TenancyIT::conditions),
        "OwnedElsewhere", owning);
    assertRefused(awaitReady(LambdaAlias.class, other, "steal-new", "False", TenancyIT::conditions),
        "OwnedElsewhere", owning);
    assertRefused(awaitReady(Concurrency.class, other, "steal", "False", TenancyIT::concurrencyConditions),
        "OwnedElsewhere", owning);
    // the hook: a new version of the free function starts a shift, whose hook is a function owned elsewhere
    lambda.updateFunctionCode(r -> r.functionName(free).zipFile(SdkBytes.fromByteArray(
        DeterministicZip.of(Map.of("index.py", "u = 2\n")).bytes())));
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> "Successful".equals(
        lambda.getFunction(r -> r.functionName(free)).configuration().lastUpdateStatusAsString()));
    lambda.publishVersion(r -> r.functionName(free));
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> {
      LambdaAlias a = kube.resources(LambdaAlias.class).inNamespace(other).withName("hooked").get();
      return Conditions.find(a.getStatus().conditions, Conditions.READY)
          .filter(c -> "OwnedElsewhere".equals(c.getReason()) && c.getMessage().contains(owning)).isPresent();
    });

    assertEquals(List.of("live"), aliases(owned), "no alias written on the owned function");
    assertEquals("1", lambda.getAlias(r -> r.functionName(owned).name("live")).functionVersion());
    assertNull(reserved(lambda, owned));
    assertEquals("1", lambda.getAlias(r -> r.functionName(free).name("live")).functionVersion(),
        "the hook was not invoked and no traffic moved");
    assertFalse(tags(lambda, owned).keySet().stream().anyMatch(k -> k.contains("concurrency")));

    for (HasMetadata refused : List.of(alias, newAlias, concurrency)) {
      deleteAndWait(refused);
    }
    assertEquals(List.of("live"), aliases(owned), "deleting the refused resources leaves AWS as it was");
    assertNull(reserved(lambda, owned));
    awaitReady(LambdaAlias.class, owner, "orders-live", "True", TenancyIT::conditions);
    assertEquals(clusterId + "/" + owner + "/orders-live", tags(lambda, owned).get("lambdaop.dev/alias.live"));
    assertEquals(clusterId + "/" + owner + "/orders", tags(lambda, owned).get("lambdaop.dev/owner"));
  }

  @Test
  void aSecondLambdaAliasForTheSameAwsAliasIsRefusedAndTheFirstKeepsWorking() {
    LambdaAlias second = kube.resource(aliasByRef(owner, "orders-live-again", "orders", "live")).create();
    assertRefused(awaitReady(LambdaAlias.class, owner, "orders-live-again", "False", TenancyIT::conditions),
        "DuplicateAlias", "LambdaAlias " + owner + "/orders-live already manages alias live");

    deleteAndWait(second);
    assertEquals(List.of("live"), aliases(owned), "deleting the duplicate leaves the alias");
    assertEquals(clusterId + "/" + owner + "/orders-live", tags(lambda, owned).get("lambdaop.dev/alias.live"));
    awaitReady(LambdaAlias.class, owner, "orders-live", "True", TenancyIT::conditions);
  }

  @Test
  void anExistingAwsAliasIsAdoptedOnlyWithAdopt() {
    String free = unowned(lambda, "tenancy-adopt-" + suffix);
    lambda.createAlias(r -> r.functionName(free).name("manual").functionVersion("1").description("by hand"));
    LambdaAlias refused = aliasByName(other, "manual", free, "manual");
    refused.getSpec().version = "1";
    refused = kube.resource(refused).create();
    assertRefused(awaitReady(LambdaAlias.class, other, "manual", "False", TenancyIT::conditions), "AlreadyExists",
        "spec.adopt: true");
    assertEquals("by hand", lambda.getAlias(r -> r.functionName(free).name("manual")).description());
    deleteAndWait(refused);
    assertEquals(List.of("manual"), aliases(free), "deleting it leaves the alias it did not create");
    assertNull(tags(lambda, free).get("lambdaop.dev/alias.manual"));

    LambdaAlias adopting = aliasByName(other, "manual", free, "manual");
    adopting.getSpec().version = "1";
    adopting.getSpec().adopt = true;
    adopting = kube.resource(adopting).create();
    awaitReady(LambdaAlias.class, other, "manual", "True", TenancyIT::conditions);
    assertEquals(clusterId + "/" + other + "/manual", tags(lambda, free).get("lambdaop.dev/alias.manual"));
    assertEquals("", lambda.getAlias(r -> r.functionName(free).name("manual")).description(),
        "the adopted alias is the spec's now");

    deleteAndWait(adopting);
    assertEquals(List.of(), aliases(free), "an adopted alias goes with its LambdaAlias");
    assertNull(tags(lambda, free).get("lambdaop.dev/alias.manual"));
  }

  @Test
  void twoOperatorInstallationsOnOneAccountNeverBothOwnAFunction() {
    String ns = E2e.namespace("tenant-c");
    String twin = "tenancy-twin-" + suffix;
    Map<String, String> labels = Map.of(E2e.PROCESS_LABEL, LABEL);
    Testbed bed = E2e.testbed();
    try (LambdaOperator second = new LambdaOperator(kube,
        new AwsSettings(bed.awsRegion(), bed.awsEndpoint(), bed.awsCredentials()),
        OperatorSettings.defaults().withResyncPeriod(E2e.RESYNC).withLabelSelector(E2e.PROCESS_LABEL + "=" + LABEL)
            .withClusterId(OTHER_CLUSTER))) {
      second.start();
      E2e.track(second);
      // the other cluster's operator creates the function for ns/orders and keeps it when the resource goes
      LambdaFunction theirs = SampleFunctions.inline(ns, "orders", E2e.roleArn(), "theirs = 1\n");
      theirs.getMetadata().setLabels(labels);
      theirs.getSpec().functionName = twin;
      theirs.getSpec().deletionPolicy = LambdaFunctionSpec.DeletionPolicy.Retain;
      kube.resource(theirs).create();
      LambdaFunction created = E2e.awaitCondition(LambdaFunction.class, ns, "orders", Conditions.READY, "True",
          r -> r.getStatus() == null ? null : r.getStatus().conditions);
      assertEquals(OTHER_CLUSTER + "/" + ns + "/orders", tags(lambda, twin).get("lambdaop.dev/owner"));
      String theirCode = lambda.getFunction(r -> r.functionName(twin)).configuration().codeSha256();
      // and refuses an alias, in the very namespace that owns the function in this cluster
      LambdaAlias crossing = aliasByName(owner, "crossing", owned, "crossing");
      crossing.getMetadata().setLabels(labels);
      crossing.getSpec().version = "1";
      kube.resource(crossing).create();
      assertRefused(awaitReady(LambdaAlias.class, owner, "crossing", "False", TenancyIT::conditions),
          "OwnedElsewhere", owner + "/orders of cluster " + clusterId);
      assertEquals(List.of("live"), aliases(owned));
      deleteAndWait(crossing);
      kube.resource(created).delete();
      await().atMost(E2e.TIMEOUT).until(() -> kube.resource(created).get() == null);

      // this cluster's operator: the same namespace/name, the same function name; not its function
      LambdaFunction ours = SampleFunctions.inline(ns, "orders", E2e.roleArn(), "ours = 1\n");
      ours.getSpec().functionName = twin;
      kube.resource(ours).create();
      Condition refused = awaitReady(LambdaFunction.class, ns, "orders", "False",
          r -> r.getStatus() == null ? null : r.getStatus().conditions);
      assertRefused(refused, "AlreadyExists", "belongs to " + ns + "/orders of cluster " + OTHER_CLUSTER);
      assertEquals(OTHER_CLUSTER + "/" + ns + "/orders", tags(lambda, twin).get("lambdaop.dev/owner"));
      assertEquals(theirCode, lambda.getFunction(r -> r.functionName(twin)).configuration().codeSha256());
      deleteAndWait(ours);
      assertEquals(theirCode, lambda.getFunction(r -> r.functionName(twin)).configuration().codeSha256(),
          "deleting it leaves the other cluster's function");
    } finally {
      lambda.deleteFunction(r -> r.functionName(twin));
    }
  }

  @Test
  void aConcurrencyActsInTheRegionOfItsFunction() {
    Region elsewhere = Region.EU_WEST_1.id().equals(E2e.testbed().awsRegion()) ? Region.EU_CENTRAL_1 : Region.EU_WEST_1;
    try (LambdaClient remote = E2e.testbed().configureAws(LambdaClient.builder()).region(elsewhere).build()) {
      String name = unowned(remote, "tenancy-remote-" + suffix);
      String arn = remote.getFunction(r -> r.functionName(name)).configuration().functionArn();
      Concurrency c = kube.resource(reservation(other, "remote", arn, 7)).create();
      awaitReady(Concurrency.class, other, "remote", "True", TenancyIT::concurrencyConditions);
      assertEquals(7, reserved(remote, name));
      assertEquals(elsewhere.id(), kube.resource(c).get().getStatus().region);
      assertThrowsNotFound(() -> lambda.getFunction(r -> r.functionName(name)));

      deleteAndWait(c);
      await().atMost(Duration.ofSeconds(10)).until(() -> reserved(remote, name) == null);
      remote.deleteFunction(r -> r.functionName(name));
    }
  }

  private static void assertThrowsNotFound(Runnable call) {
    try {
      call.run();
    } catch (ResourceNotFoundException expected) {
      return;
    }
    throw new AssertionError("expected no such function in the operator's own region");
  }
}
