package dev.lambdaop.cli;

import static dev.lambdaop.cli.Fixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VersionsViewTest {

  @Test
  void versionsNewestFirstWithTheAliasesThatRouteToThem() {
    LambdaAlias live = Fixtures.shifting(Fixtures.alias("orders-live", null), "6", "7", 30, 1, NOW);
    LambdaAlias beta = Fixtures.healthy(Fixtures.alias("orders-beta", null), "7");
    LambdaAlias old = Fixtures.healthy(Fixtures.alias("orders-old", null), "4");
    LambdaAlias manual = Fixtures.healthy(Fixtures.alias("orders-manual", null), "6");
    manual.getSpec().routing = new LambdaAliasSpec.Routing();
    manual.getSpec().routing.additionalVersionWeights = Map.of("5", 0.125);
    LambdaAlias other = Fixtures.healthy(Fixtures.alias("payments-live", null), "6");
    other.getSpec().functionRef = new FunctionRef("payments");
    LambdaAlias byName = Fixtures.healthy(Fixtures.alias("orders-direct", null), "5");
    byName.getSpec().functionRef = null;
    byName.getSpec().functionName = "arn:aws:lambda:eu-west-1:123456789012:function:orders-api";
    LambdaAlias unreported = Fixtures.alias("orders-new", null);

    String text = VersionsView.render(Fixtures.function("7", "6", "5"),
        List.of(live, beta, old, manual, other, byName, unreported), Style.PLAIN);

    assertEquals("""
        LambdaFunction shop/orders  function orders-api  latest version 7
        VERSION   CODE SHA256    PUBLISHED              ALIASES
        7 *       c2hhLW9mLXZl   2025-11-26 17:02:00Z   orders-beta 100%, orders-live 30% canary
        6         c2hhLW9mLXZl   2025-11-26 16:02:00Z   orders-live 70% stable, orders-manual 87.5%
        5         c2hhLW9mLXZl   2025-11-26 15:02:00Z   orders-direct 100%, orders-manual 12.5% routing
        4         -              (not in status)        orders-old 100%
        * latest version
        LambdaAlias orders-new: the operator has not reported on it yet
        """, text);
  }

  @Test
  void aFunctionWithoutVersionsOrAliases() {
    String text = VersionsView.render(Fixtures.function(), List.of(), Style.PLAIN);
    assertTrue(text.contains("no version published yet"), text);
    assertTrue(text.contains("no LambdaAlias in shop uses orders"), text);
  }
}
