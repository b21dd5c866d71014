package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HookPayloadTest {
  @Test
  void lambdasErrorPayloadAndAHooksOwnFailedVerdictFailTheHook() {
    assertTrue(LambdaGateway.looksLikeError("{\"errorMessage\": \"boom\", \"errorType\": \"Error\"}"));
    assertTrue(LambdaGateway.looksLikeError("{\"status\": \"Failed\", \"reason\": \"checkout broken\"}"));
  }

  @Test
  void anyOtherAnswerPassesIt() {
    assertFalse(LambdaGateway.looksLikeError("{\"status\": \"Succeeded\"}"));
    assertFalse(LambdaGateway.looksLikeError("\"ok\""));
    assertFalse(LambdaGateway.looksLikeError(""));
  }
}
