package dev.lambdaop.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    assertEquals("[\"java\", \"-jar\", \"/app/lambda-operator.jar\"]", instruction(stage, "ENTRYPOINT"));
    assertEquals("--from=build /src/target/lambda-operator.jar /app/lambda-operator.jar", instruction(stage, "COPY"));
    assertEquals("8080", instruction(stage, "EXPOSE"), "the default LAMBDAOP_METRICS_PORT");
    assertFalse(stage.stream().anyMatch(l -> l.startsWith("USER root")));
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
