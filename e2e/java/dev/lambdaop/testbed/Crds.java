package dev.lambdaop.testbed;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** Installs the committed crds/ as a user would (server-side apply) and waits until the API server serves them. */
public final class Crds {
  private Crds() {}

  public static List<String> install(KubernetesClient kube, Path crdsDirectory) {
    try (Stream<Path> files = Files.list(crdsDirectory)) {
      List<Path> manifests = files.filter(p -> p.toString().endsWith(".yaml") && !p.endsWith("kustomization.yaml")).sorted().toList();
      for (Path file : manifests) {
        try (InputStream in = Files.newInputStream(file)) {
          CustomResourceDefinition crd = kube.apiextensions().v1().customResourceDefinitions().load(in).item();
          kube.resource(crd).fieldManager("lambdaop-testbed").forceConflicts().serverSideApply();
          await().atMost(Duration.ofSeconds(60)).until(() -> established(kube, crd.getMetadata().getName()));
        }
      }
      return manifests.stream().map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean established(KubernetesClient kube, String name) {
    CustomResourceDefinition crd = kube.apiextensions().v1().customResourceDefinitions().withName(name).get();
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions().stream()
        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
