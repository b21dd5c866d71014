package dev.lambdaop.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRDs in crds/, installed in a real API server, accept every example (created with server-side dry run, which
 * runs the same schema, CEL and admission checks without storing, so the operator has nothing to act on) and refuse every invalid manifest in
 * e2e/resources/invalid with a message that names the field or the rule. Files named update-* hold two documents:
 * the first is created, the second must be refused as an update.
 */
class CrdValidationIT {
  private static KubernetesClient kube;
  private static String ns;

  @BeforeAll
  static void install() {
    E2e.installCrds();
    kube = E2e.kube();
    ns = E2e.namespace("crd");
  }

  /**
   * examples/*.yaml, and the manifests of the Argo CD example (examples/argocd/lambdas); not the Application in
   * examples/argocd, whose CRD (Argo CD's) is not installed here.
   */
  static Stream<Path> examples() throws IOException {
    return Stream.concat(files(E2e.projectDir().resolve("examples")),
        files(E2e.projectDir().resolve("examples/argocd/lambdas")));
  }

  static Stream<Path> invalidManifests() throws IOException {
    return files(E2e.projectDir().resolve("e2e/resources/invalid"));
  }

  private static Stream<Path> files(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleIsAccepted(Path example) {
    List<GenericKubernetesResource> documents = Manifests.documents(example);
    assertFalse(documents.isEmpty(), example + " holds no manifest");
    for (GenericKubernetesResource doc : documents) {
      GenericKubernetesResource accepted = kube.resource(doc).inNamespace(ns).dryRun().create();
      assertNotNull(accepted.getMetadata().getCreationTimestamp(), example + ": " + doc.getKind() + " was not accepted");
      assertEquals(doc.getKind(), accepted.getKind());
    }
  }

  @Test
  void thereAreAtLeastFifteenInvalidManifests() throws IOException {
    assertTrue(invalidManifests().count() >= 15);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidManifests")
  void invalidManifestIsRefusedWithAMessageThatNamesTheProblem(Path manifest) {
    String expected = Manifests.expectation(manifest)
        .orElseThrow(() -> new AssertionError(manifest + " has no '# expect:' line"));
    List<GenericKubernetesResource> documents = Manifests.documents(manifest);
    // No operator may act on these (a finalizer it adds would change the resourceVersion the update is sent with).
    documents.forEach(d -> d.getMetadata().setLabels(java.util.Map.of(E2e.PROCESS_LABEL, "none")));
    GenericKubernetesResource refused = documents.get(documents.size() - 1);
    if (documents.size() == 2) {
      GenericKubernetesResource original = kube.resource(documents.get(0)).inNamespace(ns).create();
      refused.getMetadata().setResourceVersion(original.getMetadata().getResourceVersion());
      KubernetesClientException e = assertThrows(KubernetesClientException.class,
          () -> kube.resource(refused).inNamespace(ns).update());
      assertRefusal(e, expected);
      kube.resource(original).inNamespace(ns).delete();
    } else {
      KubernetesClientException e = assertThrows(KubernetesClientException.class,
          () -> kube.resource(refused).inNamespace(ns).create());
      assertRefusal(e, expected);
      assertEquals(null, kube.resource(refused).inNamespace(ns).get(), "a refused manifest must not be stored");
    }
  }

  private static void assertRefusal(KubernetesClientException e, String expected) {
    assertEquals(422, e.getCode(), e.getMessage());
    assertTrue(e.getMessage().contains(expected),
        "the API server's message should contain '" + expected + "' but was: " + e.getMessage());
  }
}
