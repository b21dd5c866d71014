package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HookPayloadTest {
  @Test
  void lambdasErrorPayloadAndAHooksOwnFailedVerdictFailTheHook() {
    assertTrue(SdkInvoker.looksLikeError("{\"errorMessage\": \"boom\", \"errorType\": \"Error\"}"));
    assertTrue(SdkInvoker.looksLikeError("{\"status\": \"Failed\", \"reason\": \"checkout broken\"}"));
  }

  @Test
  void anyOtherAnswerPassesIt() {
    assertFalse(SdkInvoker.looksLikeError("{\"status\": \"Succeeded\"}"));
    assertFalse(SdkInvoker.looksLikeError("\"ok\""));
    assertFalse(SdkInvoker.looksLikeError(""));
  }
}
