package dev.lambdaop.e2e;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Reads manifest files as users write them: several YAML documents per file, sent to the API server untyped. */
final class Manifests {
  private Manifests() {}

  static List<GenericKubernetesResource> documents(Path file) {
    try {
      return documents(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The documents of a multi-document YAML text (helm template's output, say); comment-only documents skipped. */
  static List<GenericKubernetesResource> documents(String yaml) {
    return Arrays.stream(yaml.split("(?m)^---\\s*$"))
        .filter(doc -> doc.lines().anyMatch(l -> !l.isBlank() && !l.startsWith("#")))
        .map(doc -> Serialization.unmarshal(doc, GenericKubernetesResource.class))
        .toList();
  }

  /** The text after "# expect:" in the file's header: what the API server's refusal must say. */
  static Optional<String> expectation(Path file) {
    try {
      return Files.readAllLines(file).stream()
          .filter(l -> l.startsWith("# expect:"))
          .map(l -> l.substring("# expect:".length()).trim())
          .findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
