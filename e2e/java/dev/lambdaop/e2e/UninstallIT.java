package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.LambdaOperator;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.Crds;
import dev.lambdaop.testbed.LocalTestbed;
import dev.lambdaop.testbed.SampleFunctions;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * Deleting the CRDs (an uninstall with {@code kubectl delete -k operator/}, whose kustomization includes the CRDs)
 * deletes every resource while the operator still runs: it must release them and keep their AWS functions, whatever
 * their deletionPolicy says. The CRD goes for good here, so this class runs on a test bed of its own (its own API
 * server and AWS endpoint), never on the shared one.
 */
class UninstallIT {
  private static final String CRD = "lambdafunctions.lambdaop.dev";
  private static Testbed bed;
  private static LambdaOperator operator;

  @BeforeAll
  static void ownTestbed() {
    String kind = System.getProperty(Testbed.PROPERTY, "");
    kind = kind.isBlank() ? System.getenv().getOrDefault(Testbed.ENVIRONMENT_VARIABLE, "") : kind;
    Assumptions.assumeTrue(kind.isBlank() || kind.trim().equalsIgnoreCase("local"),
        "needs a test bed of its own: the local one");
    bed = LocalTestbed.start();
    Crds.install(bed.kubernetesClient(), E2e.projectDir().resolve("crds"));
    operator = E2e.track(new LambdaOperator(bed.kubernetesClient(),
        new AwsSettings(bed.awsRegion(), bed.awsEndpoint(), bed.awsCredentials()),
        OperatorSettings.fromEnvironment(Map.of(OperatorSettings.CLUSTER_ID, "uninstall-test"))
            .withResyncPeriod(Duration.ofSeconds(5))));
    operator.start();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (bed != null) {
      bed.close();
    }
  }

  @Test
  void deletingTheCrdReleasesTheResourcesAndKeepsTheirFunctions() {
    KubernetesClient kube = bed.kubernetesClient();
    String ns = "uninstall";
    kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    LambdaFunction fn = SampleFunctions.inline(ns, "kept", bed.ensureLambdaRole("lambda-exec"), "v = 1\n");
    kube.resource(fn).create();
    await().atMost(E2e.TIMEOUT).until(() -> {
      LambdaFunction now = kube.resources(LambdaFunction.class).inNamespace(ns).withName("kept").get();
      return now != null && now.getStatus() != null && Conditions.isTrue(now.getStatus().conditions, Conditions.READY);
    });
    try (LambdaClient lambda = bed.configureAws(LambdaClient.builder()).build()) {
      assertEquals("kept", lambda.getFunction(r -> r.functionName("kept")).configuration().functionName());

      kube.apiextensions().v1().customResourceDefinitions().withName(CRD).delete();
      // The API server deletes every LambdaFunction; the CRD is gone once the operator released their finalizers.
      await().atMost(E2e.TIMEOUT).until(() -> kube.apiextensions().v1().customResourceDefinitions().withName(CRD)
          .get() == null);

      assertEquals("kept", lambda.getFunction(r -> r.functionName("kept")).configuration().functionName(),
          "deletionPolicy Delete, but the CRD went: the function stays in AWS");
      assertEquals(1, lambda.listVersionsByFunction(r -> r.functionName("kept")).versions().stream()
          .filter(v -> !"$LATEST".equals(v.version())).count(), "its published version stays too");
    }
    List<Event> events = kube.events().v1().events().inNamespace(ns).list().getItems();
    assertTrue(events.stream().anyMatch(e -> "DefinitionDeleted".equals(e.getReason())
            && e.getNote().contains("AWS objects are kept")),
        "events: " + events.stream().map(Event::getReason).toList());
  }
}
