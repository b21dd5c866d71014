package dev.lambdaop.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.lambdaop.aws.AwsFailures;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.Failure;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class EnvironmentRedactionTest {
  private static final String AWS_4KB = "Lambda was unable to configure your environment variables because the"
      + " environment variables you have provided exceeded the 4KB limit. String measured: ";

  private static EnvironmentRedaction redaction(Map<String, String> env, Set<String> fromSecrets) {
    return EnvironmentRedaction.of(new TreeMap<>(env), fromSecrets);
  }

  @Test
  void awsQuotingTheEnvironmentShowsNoValue() {
    EnvironmentRedaction r = redaction(Map.of("API_KEY", "s3cr3t-v4lue", "TABLE", "orders", "N", "1"),
        Set.of("API_KEY"));
    String redacted = r.redact(AWS_4KB + "{\"API_KEY\":\"s3cr3t-v4lue\",\"N\":\"1\",\"TABLE\":\"orders\"}");
    assertEquals(AWS_4KB + "{\"API_KEY\":\"<redacted>\",\"N\":\"<redacted>\",\"TABLE\":\"<redacted>\"}", redacted);
  }

  @Test
  void secretValuesGoWhateverTheirLengthOtherValuesFromFourCharacters() {
    EnvironmentRedaction r = redaction(Map.of("PIN", "73", "MODE", "abc", "TABLE", "orders"), Set.of("PIN"));
    assertEquals("pin <redacted>, mode abc, table <redacted>", r.redact("pin 73, mode abc, table orders"));
  }

  @Test
  void jsonEscapedAndCutValuesGoToo() {
    EnvironmentRedaction r = redaction(Map.of("K", "a\"b\\c", "L", "line1\nline2"), Set.of("K", "L"));
    assertEquals("raw <redacted> json <redacted> and <redacted>",
        r.redact("raw a\"b\\c json a\\\"b\\\\c and line1\\nline2"));
    // AWS cut its message in the middle of a quoted value: the rest of it goes all the same.
    assertEquals(AWS_4KB + "{\"A\":\"<redacted>\"",
        redaction(Map.of("A", "a-much-longer-value"), Set.of("A")).redact(AWS_4KB + "{\"A\":\"a-much-lon"));
  }

  @Test
  void aValueContainingAnotherGoesWhole() {
    EnvironmentRedaction r = redaction(Map.of("A", "1234", "B", "123456789"), Set.of("A", "B"));
    assertEquals("<redacted> and <redacted>", r.redact("123456789 and 1234"));
  }

  @Test
  void aFailureKeepsReasonAndRetryButLosesAwsTextAndCause() {
    AwsFailure original = new AwsFailure("UpdateFunctionConfiguration", AwsFailure.Retry.NEVER, "InvalidParameter",
        "UpdateFunctionConfiguration: InvalidParameterValueException: " + AWS_4KB + "{\"API_KEY\":\"9876\"}",
        new RuntimeException("AWS said {\"API_KEY\":\"9876\"}"));
    Failure safe = redaction(Map.of("API_KEY", "9876"), Set.of("API_KEY")).redact(original);
    AwsFailure aws = (AwsFailure) safe;
    assertEquals(List.of("UpdateFunctionConfiguration", "InvalidParameter", "NEVER", "UNTIL_SPEC_CHANGES"),
        List.of(aws.operation(), aws.reason(), aws.retry().name(), aws.retryPolicy().name()));
    assertFalse(aws.getMessage().contains("9876"), aws.getMessage());
    assertNull(aws.getCause());
  }

  @Test
  void aFailureWithNothingToRedactAndNoCauseIsKept() {
    AwsFailure throttled = AwsFailures.throttled("GetFunction");
    assertNull(throttled.getCause());
    assertSame(throttled, redaction(Map.of("API_KEY", "9876"), Set.of("API_KEY")).redact(throttled));
    assertNotNull(redaction(Map.of(), Set.of()).redact(throttled));
  }

}
