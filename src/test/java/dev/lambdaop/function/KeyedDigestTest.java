package dev.lambdaop.function;

import static dev.lambdaop.api.EnvVars.fromConfigMap;
import static dev.lambdaop.api.EnvVars.fromSecret;
import static dev.lambdaop.api.EnvVars.literal;
import static dev.lambdaop.function.TestFunctions.inline;
import static dev.lambdaop.function.TestFunctions.references;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.reconcile.FunctionResolver;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The published digest of a spec with a Secret value is keyed: a reader of the LambdaFunction cannot test guesses. */
class KeyedDigestTest {
  private static final DigestKey ONE = DigestKey.of("installation-one".getBytes(StandardCharsets.UTF_8));
  private static final DigestKey TWO = DigestKey.of("installation-two".getBytes(StandardCharsets.UTF_8));

  private static DesiredFunction resolve(LambdaFunction fn, String pin, DigestKey key) {
    return DesiredFunction.resolve(fn, new FunctionResolver("eu-west-1", "cluster-a", null),
        references(Map.of("pins/pin", pin), Map.of("settings/mode", "fast")), TestFunctions.s3(), key);
  }

  private static LambdaFunction withPin() {
    LambdaFunction fn = inline("orders", "x = 1\n");
    fn.getSpec().environment = List.of(literal("TABLE", "orders"), fromSecret("PIN", "pins", "pin"));
    return fn;
  }

  @Test
  void bruteForcingAFourDigitSecretDoesNotFindThePublishedDigest() {
    LambdaFunction fn = withPin();
    String published = resolve(fn, "4821", ONE).specDigest();
    DesiredFunction template = resolve(fn, "0000", ONE);
    // What a reader knows: the spec, so the whole configuration but the value. Every value, unkeyed as before.
    Optional<String> found = java.util.stream.IntStream.range(0, 10_000)
        .mapToObj(i -> String.format("%04d", i))
        .filter(pin -> {
          var env = new java.util.TreeMap<>(template.config().environment());
          env.put("PIN", pin);
          return DesiredFunction.digest(template.config().with(dev.lambdaop.aws.FunctionConfig.ENVIRONMENT, env),
              template.code(), null).equals(published);
        })
        .findFirst();
    assertEquals(Optional.empty(), found);
    // The same search finds the value when it runs with the key, as the operator does: the search itself is sound.
    var env = new java.util.TreeMap<>(template.config().environment());
    env.put("PIN", "4821");
    assertEquals(published, DesiredFunction.digest(
        template.config().with(dev.lambdaop.aws.FunctionConfig.ENVIRONMENT, env), template.code(), ONE));
  }

  @Test
  void sameKeyStableOtherKeyDifferentValueChangesIt() {
    LambdaFunction fn = withPin();
    assertEquals(resolve(fn, "4821", ONE).specDigest(), resolve(withPin(), "4821", ONE).specDigest());
    assertNotEquals(resolve(fn, "4821", ONE).specDigest(), resolve(fn, "4821", TWO).specDigest());
    assertNotEquals(resolve(fn, "4821", ONE).specDigest(), resolve(fn, "4822", ONE).specDigest());
    assertEquals(16, resolve(fn, "4821", ONE).specDigest().length());
  }

  @Test
  void aSpecWithoutSecretValuesKeepsTheUnkeyedDigestOfEarlierReleases() {
    LambdaFunction fn = inline("orders", "x = 1\n");
    fn.getSpec().environment = List.of(literal("TABLE", "orders"), fromConfigMap("MODE", "settings", "mode"));
    DesiredFunction d = resolve(fn, "unused", ONE);
    assertEquals(DesiredFunction.digest(d.config(), d.code(), null), d.specDigest());
    assertEquals(d.specDigest(), resolve(fn, "unused", TWO).specDigest(), "no key involved");
    assertTrue(d.secretVariables().isEmpty());
  }
}
