package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.aws.sdk.AwsCallCounter.Kind;
import dev.lambdaop.observability.OperatorMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** One classification of AWS operations decides both the write budget and what counts as a write. */
class AwsCallKindsTest {
  private static final Pattern CALL = Pattern.compile("calls\\.(read|write|invoke)\\((?:[^,()\"]+,\\s*)?\"(\\w+)\"");

  @Test
  void everyCallInTheAdapterIsMadeAsTheKindItIs() throws IOException {
    List<String> wrong = new ArrayList<>();
    int found = 0;
    try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/lambdaop/aws/sdk"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = CALL.matcher(Files.readString(file));
        while (m.find()) {
          found++;
          if (!AwsCallCounter.kind(m.group(2)).name().equalsIgnoreCase(m.group(1))) {
            wrong.add(file.getFileName() + ": " + m.group(2) + " made as " + m.group(1));
          }
        }
      }
    }
    assertTrue(found > 20, "calls found: " + found);
    assertEquals(List.of(), wrong);
  }

  @Test
  void invokeIsNeitherAReadNorAWriteOfTheControlPlane() {
    assertEquals(Kind.INVOKE, AwsCallCounter.kind("Invoke"));
    assertFalse(AwsCallCounter.isWrite("Invoke"));
    assertFalse(AwsCallCounter.isWrite("DescribeAlarms"));
    assertTrue(AwsCallCounter.isWrite("UpdateAlias"));
    assertEquals(Kind.READ, AwsCallCounter.kind("HeadObject"));
  }

  @Test
  void aCallMadeAsAnotherKindIsRefusedBeforeAws() {
    AwsCalls calls = new AwsCalls(new AwsCalls.BudgetSettings(10, 10, 50, 10, 5), new OperatorMetrics());
    assertThrows(IllegalArgumentException.class, () -> calls.read("us-east-1", "UpdateAlias", "f", () -> "sent"));
    assertThrows(IllegalArgumentException.class, () -> calls.write("us-east-1", "Invoke", "f", () -> "sent"));
    assertEquals("ok", calls.invoke("Invoke", "hook", () -> "ok"));
    assertEquals(1L, calls.counter().snapshot().get("Invoke"));
  }
}
