package dev.lambdaop.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * What can be shown of the container image here, where no image can be built (no registry to pull the base images
 * from): the Dockerfile's final stage runs the runnable jar as a user that is not root on a Java 17 JRE, its build
 * stage produces the jar that the project's own build produces, and that jar starts. OperatorProcessIT runs the same
 * jar as the operator against the test bed.
 */
class ContainerImageIT {
  private static final Path DOCKERFILE = E2e.projectDir().resolve("Dockerfile");
  static final Path JAR = E2e.projectDir().resolve("target/lambda-operator.jar");

  /** The instructions of the Dockerfile's last stage, continuation lines joined, comments dropped. */
  private static List<String> finalStage() throws IOException {
    List<String> stage = new ArrayList<>();
    for (String line : Files.readString(DOCKERFILE).replace("\\\n", " ").split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      if (l.startsWith("FROM ")) {
        stage.clear();
      }
      stage.add(l);
    }
    return stage;
  }

  private static String instruction(List<String> stage, String name) {
    return stage.stream().filter(l -> l.startsWith(name + " ")).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("the final stage has no " + name)).substring(name.length() + 1);
  }

  @Test
  void theFinalStageRunsTheJarOnAJava17JreAsANonRootUser() throws IOException {
    List<String> stage = finalStage();
    String from = instruction(stage, "FROM");
    assertTrue(from.matches("eclipse-temurin:(1[7-9]|2\\d)-jre.*"), "a JRE 17+: " + from);
    String user = instruction(stage, "USER");
    String uid = user.split(":")[0];
    assertTrue(uid.matches("\\d+"), "a numeric user, so runAsNonRoot can check it: " + user);
    assertNotEquals("0", uid);
    assertEquals("[\"java\", \"-XX:SharedArchiveFile=/app/lambda-operator.jsa\", \"-jar\", \"/app/lambda-operator.jar\"]",
        instruction(stage, "ENTRYPOINT"));
    assertEquals("--from=build /src/target/lambda-operator.jar /app/lambda-operator.jar", instruction(stage, "COPY"));
    assertEquals("8080", instruction(stage, "EXPOSE"), "the default LAMBDAOP_METRICS_PORT");
    assertFalse(stage.stream().anyMatch(l -> l.startsWith("USER root")));
  }

  /**
   * The image's JVM options are the chart's default javaToolOptions (the chart sets JAVA_TOOL_OPTIONS, which replaces
   * the image's; both must be the measured set, README "Memory"), and they start a JVM.
   */
  @Test
  void theImagesJvmOptionsAreTheChartsDefaultAndStartAJvm() throws Exception {
    String chart = new YAMLMapper().readTree(E2e.projectDir().resolve("charts/lambda-operator/values.yaml").toFile())
        .path("javaToolOptions").asText();
    assertFalse(chart.isBlank());
    assertEquals("JAVA_TOOL_OPTIONS=\"" + chart + "\"", instruction(finalStage(), "ENV"));
    ProcessBuilder withOptions = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+PrintFlagsFinal", "-version").redirectErrorStream(true);
    withOptions.environment().put("JAVA_TOOL_OPTIONS", chart);
    Process p = withOptions.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.matches("(?s).*bool UseSerialGC\\s+= true.*"), "the chart picks the GC, not the node's size");
  }

  /**
   * The Dockerfile's class data sharing: its training start (the RUN that writes /app/lambda-operator.jsa, run here
   * with this JRE and the packaged jar, and no cluster) writes an archive, and a JVM started with it maps it.
   */
  @Test
  void theTrainingStartWritesAClassArchiveThatAStartUses() throws Exception {
    String run = finalStage().stream().filter(l -> l.startsWith("RUN ") && l.contains("ArchiveClassesAtExit"))
        .findFirst().orElseThrow(() -> new AssertionError("the final stage trains a class archive"));
    assertTrue(run.contains("-XX:ArchiveClassesAtExit=/app/lambda-operator.jsa"), run);
    assertTrue(run.contains("-jar /app/lambda-operator.jar"), run);
    Path archive = Files.createTempDirectory("cds").resolve("lambda-operator.jsa");
    Path home = Files.createTempDirectory("home");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder training = new ProcessBuilder(java, "-XX:ArchiveClassesAtExit=" + archive, "-Xlog:cds=off", "-jar",
        JAR.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    training.environment().putAll(Map.of("KUBECONFIG", "/nonexistent", "AWS_REGION", "us-east-1",
        "LAMBDAOP_METRICS_PORT", "0", "HOME", home.toString()));
    training.environment().remove("KUBERNETES_SERVICE_HOST");
    Process t = training.start();
    assertTrue(t.waitFor(180, TimeUnit.SECONDS), "the training start ends by itself (no cluster)");
    assertTrue(Files.size(archive) > 1_000_000, "an archive of the classes loaded: " + Files.size(archive));
    Process help = new ProcessBuilder(java, "-XX:SharedArchiveFile=" + archive, "-Xshare:on", "-Xlog:class+load=info",
        "-jar", JAR.toString(), "--help").redirectErrorStream(true).start();
    String out = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(help.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, help.exitValue(), out.lines().filter(l -> !l.contains("class,load")).toList().toString());
    assertTrue(out.contains("dev.lambdaop.OperatorMain source: shared objects file (top)"),
        "the operator's classes come from the archive");
  }

  @Test
  void theBuildStageCopiesWhatTheBuildNeeds() throws IOException {
    String text = Files.readString(DOCKERFILE);
    for (String path : List.of("pom.xml", "crds", "charts", "src/main")) {
      assertTrue(Files.exists(E2e.projectDir().resolve(path)), path);
      assertTrue(text.contains("COPY " + path), "the build stage copies " + path);
    }
    assertTrue(text.contains("package"), "the build stage runs mvn package");
  }

  @Test
  void theJarTheImageRunsIsSelfContainedAndStarts() throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR + " (mvn package builds it)");
    try (JarFile jar = new JarFile(JAR.toFile())) {
      assertEquals("dev.lambdaop.OperatorMain", jar.getManifest().getMainAttributes().getValue("Main-Class"));
      for (String inside : List.of("io/javaoperatorsdk/operator/Operator.class",
          "software/amazon/awssdk/services/lambda/LambdaClient.class", "logback.xml",
          "META-INF/services/software.amazon.awssdk.http.SdkHttpService",
          "dev/lambdaop/cli/KubectlLambdaop.class")) {
        assertTrue(jar.getEntry(inside) != null, inside + " in the jar");
      }
    }
    Process help = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:-UsePerfData", "-jar", JAR.toString(), "--help").redirectErrorStream(true).start();
    String out = new String(help.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(help.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, help.exitValue(), out);
    assertTrue(out.contains("LAMBDAOP_METRICS_PORT"), out);
  }
}
