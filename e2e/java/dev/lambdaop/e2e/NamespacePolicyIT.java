package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.reconcile.NamespacePolicy;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * A namespace's policy, set by an administrator on its Namespace, end to end: an execution role or a function name
 * the namespace may not use is refused (Ready=False) and nothing is created or changed in AWS; an administrator's
 * change of the annotations is picked up by the running operator.
 */
class NamespacePolicyIT {
  private static KubernetesClient kube;
  private static LambdaClient lambda;
  private static String suffix;

  @BeforeAll
  static void start() {
    E2e.operator();
    kube = E2e.kube();
    lambda = E2e.lambda();
    suffix = Long.toString(System.nanoTime() % 1_000_000, 36);
  }

  @AfterAll
  static void close() {
    lambda.close();
  }

  private static String namespace(String prefix, Map<String, String> annotations) {
    String ns = E2e.namespace(prefix);
    annotate(ns, annotations);
    return ns;
  }

  /** An administrator's edit of the Namespace: the annotations replace the policy ones. */
  private static void annotate(String ns, Map<String, String> annotations) {
    kube.namespaces().withName(ns).edit(n -> {
      n.getMetadata().setAnnotations(new java.util.HashMap<>(annotations));
      return n;
    });
  }

  private static <T extends HasMetadata> Condition awaitReady(Class<T> kind, String ns, String name, String status,
      Function<T, List<Condition>> conditions) {
    T r = E2e.awaitCondition(kind, ns, name, Conditions.READY, status, conditions);
    return Conditions.find(conditions.apply(r), Conditions.READY).orElseThrow();
  }

  private static Condition awaitFunction(String ns, String name, String status) {
    return awaitReady(LambdaFunction.class, ns, name, status,
        f -> f.getStatus() == null ? null : f.getStatus().conditions);
  }

  private static void assertRefused(Condition ready, String reason, String... saying) {
    assertEquals(reason, ready.getReason(), ready.getMessage());
    for (String s : saying) {
      assertTrue(ready.getMessage().contains(s), ready.getMessage());
    }
  }

  private static void assertNoFunctionInAws(String name) {
    assertThrows(ResourceNotFoundException.class, () -> lambda.getFunction(r -> r.functionName(name)));
  }

  @Test
  void aRoleTheNamespaceDoesNotAllowCreatesNothingUntilTheAdministratorAllowsIt() {
    String ns = namespace("policy-role", Map.of(NamespacePolicy.ALLOWED_ROLE_ARNS, "arn:aws:iam::*:role/payments-*"));
    String name = "policy-role-" + suffix;
    LambdaFunction fn = SampleFunctions.inline(ns, "orders", E2e.roleArn(), "r = 1\n");
    fn.getSpec().functionName = name;
    kube.resource(fn).create();

    assertRefused(awaitFunction(ns, "orders", "False"), "RoleNotAllowed", "namespace " + ns, E2e.roleArn(),
        NamespacePolicy.ALLOWED_ROLE_ARNS);
    assertNoFunctionInAws(name);

    // The administrator allows the role: the running operator picks it up (read at every reconcile, resync).
    annotate(ns, Map.of(NamespacePolicy.ALLOWED_ROLE_ARNS,
        "arn:aws:iam::*:role/payments-*, arn:aws:iam::*:role/" + E2e.ROLE_NAME));
    awaitFunction(ns, "orders", "True");
    assertEquals(E2e.roleArn(), lambda.getFunction(r -> r.functionName(name)).configuration().role());

    kube.resource(fn).delete();
  }

  @Test
  void aFunctionNameWithoutTheNamespacePrefixIsNotCreatedAndOneWithItIs() {
    String prefix = "team-" + suffix + "-";
    String ns = namespace("policy-name", Map.of(NamespacePolicy.FUNCTION_NAME_PREFIX, prefix));
    String refused = "other-" + suffix;
    LambdaFunction fn = SampleFunctions.inline(ns, "orders", E2e.roleArn(), "n = 1\n");
    fn.getSpec().functionName = refused;
    kube.resource(fn).create();

    assertRefused(awaitFunction(ns, "orders", "False"), "FunctionNameNotAllowed", refused, "\"" + prefix + "\"",
        NamespacePolicy.FUNCTION_NAME_PREFIX);
    assertNoFunctionInAws(refused);

    // functionName is immutable: the refused resource is deleted (nothing to delete in AWS), a new one is made.
    kube.resource(fn).delete();
    await().atMost(E2e.TIMEOUT).until(() -> kube.resource(fn).get() == null);
    LambdaFunction allowed = SampleFunctions.inline(ns, "orders2", E2e.roleArn(), "n = 1\n");
    allowed.getSpec().functionName = prefix + "orders";
    kube.resource(allowed).create();
    awaitFunction(ns, "orders2", "True");
    lambda.getFunction(r -> r.functionName(prefix + "orders"));
    assertNoFunctionInAws(refused);

    kube.resource(allowed).delete();
  }

  @Test
  void anAliasOnAFunctionNamedWithoutTheNamespacePrefixLeavesTheFunctionAlone() {
    String free = "policy-free-" + suffix;
    lambda.createFunction(r -> r.functionName(free).role(E2e.roleArn()).runtime("python3.12")
        .handler("index.handler").code(c -> c.zipFile(SdkBytes.fromByteArray(
            DeterministicZip.of(Map.of("index.py", "f = 1\n")).bytes()))));
    await().atMost(E2e.TIMEOUT).until(() -> "Active".equals(lambda.getFunction(r -> r.functionName(free))
        .configuration().stateAsString()));
    lambda.publishVersion(r -> r.functionName(free));
    String ns = namespace("policy-alias", Map.of(NamespacePolicy.FUNCTION_NAME_PREFIX, "team-" + suffix + "-"));
    LambdaAlias a = new LambdaAlias();
    a.setMetadata(new ObjectMetaBuilder().withName("free-live").withNamespace(ns).build());
    a.setSpec(new LambdaAliasSpec());
    a.getSpec().functionName = free;
    a.getSpec().aliasName = "live";
    a.getSpec().version = "1";
    kube.resource(a).create();

    assertRefused(awaitReady(LambdaAlias.class, ns, "free-live", "False",
        r -> r.getStatus() == null ? null : r.getStatus().conditions), "FunctionNameNotAllowed", free);
    assertEquals(List.of(), lambda.listAliases(r -> r.functionName(free)).aliases());
    assertEquals(Map.of(), lambda.getFunction(r -> r.functionName(free)).tags() == null ? Map.of()
        : lambda.getFunction(r -> r.functionName(free)).tags(), "no owner record written on the function");

    kube.resource(a).delete();
  }
}
