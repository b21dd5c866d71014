package dev.lambdaop.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The committed crds/ must be what the build generates from the classes in this package, so that kubectl, Helm and
 * Argo CD install exactly the schema the code expects. The generator's output is post-processed in one way only:
 * printer columns are put in the order the classes declare them (the generator sorts them by JSON path).
 *
 * <p>To refresh crds/ after changing the API classes: {@code make crds}.
 */
class CrdsUpToDateTest {
  private static final Path GENERATED = Path.of("target", "classes", "META-INF", "fabric8");
  private static final Path COMMITTED = Path.of("crds");
  /** The chart's copy (Helm reads only files inside the chart); the build copies crds/ there. */
  private static final Path CHART_COPY = Path.of("charts", "lambda-operator", "crds");
  private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .disable(YAMLGenerator.Feature.SPLIT_LINES)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR));

  @ParameterizedTest
  @ValueSource(classes = {LambdaFunction.class, LambdaAlias.class, Concurrency.class, EventSourceMapping.class})
  void committedCrdMatchesTheGeneratedOne(Class<? extends CustomResource<?, ?>> kind) throws IOException {
    String crdName = CustomResource.getCRDName(kind);
    String expected = render(kind, GENERATED.resolve(crdName + "-v1.yml"));
    Path committed = COMMITTED.resolve(crdName + ".yaml");
    Path chartCopy = CHART_COPY.resolve(crdName + ".yaml");
    if (Boolean.getBoolean("lambdaop.updateCrds")) {
      Files.createDirectories(COMMITTED);
      Files.writeString(committed, expected);
      Files.createDirectories(CHART_COPY);
      Files.writeString(chartCopy, expected);
    }
    assertTrue(Files.exists(committed), committed + " is missing: run make crds");
    assertEquals(expected, Files.readString(committed), committed + " differs from what the build generates: run make crds");
    assertTrue(Files.exists(chartCopy), chartCopy + " is missing: run make crds");
    assertEquals(expected, Files.readString(chartCopy), chartCopy + " differs from crds/: run make crds");
  }

  static String render(Class<?> kind, Path generated) throws IOException {
    ObjectNode crd = (ObjectNode) YAML.readTree(generated.toFile());
    List<String> order = Arrays.stream(kind.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name).toList();
    for (JsonNode version : crd.path("spec").path("versions")) {
      ArrayNode columns = (ArrayNode) version.get("additionalPrinterColumns");
      if (columns != null) {
        List<JsonNode> sorted = new ArrayList<>();
        columns.forEach(sorted::add);
        sorted.sort(Comparator.comparingInt(c -> order.indexOf(c.get("name").asText())));
        columns.removeAll();
        columns.addAll(sorted);
      }
    }
    return "# Generated from the classes in dev.lambdaop.api by `make crds`; do not edit.\n"
        + YAML.writeValueAsString(crd);
  }
}
