package dev.lambdaop.eventsource;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasStatus;
import org.junit.jupiter.api.Test;

/** Which updates of a LambdaAlias reconcile the EventSourceMappings that name it. */
class AliasReferencesTest {
  private static LambdaAlias alias(String arn, Integer canaryWeight) {
    LambdaAlias alias = new LambdaAlias();
    if (arn != null || canaryWeight != null) {
      alias.setStatus(new LambdaAliasStatus());
      alias.getStatus().aliasArn = arn;
      alias.getStatus().canaryWeight = canaryWeight;
    }
    return alias;
  }

  @Test
  void theAliasArnAppearingChangingOrGoingCountsAShiftStepDoesNot() {
    String live = "arn:aws:lambda:us-east-1:123456789012:function:orders:live";
    assertTrue(AliasReferences.arnChanged(alias(live, null), alias(null, null)));
    assertTrue(AliasReferences.arnChanged(alias(live + "2", null), alias(live, null)));
    assertTrue(AliasReferences.arnChanged(alias(null, 10), alias(live, 10)));
    assertFalse(AliasReferences.arnChanged(alias(live, 30), alias(live, 20)));
    assertFalse(AliasReferences.arnChanged(alias(null, null), alias(null, null)));
  }
}
