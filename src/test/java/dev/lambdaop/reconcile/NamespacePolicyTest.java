package dev.lambdaop.reconcile;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NamespacePolicyTest {
  private static final String ROLE = "arn:aws:iam::123456789012:role/shop-exec";

  private static NamespacePolicy policy(String roles, String prefix, boolean required) {
    Map<String, String> annotations = new HashMap<>();
    if (roles != null) {
      annotations.put(NamespacePolicy.ALLOWED_ROLE_ARNS, roles);
    }
    if (prefix != null) {
      annotations.put(NamespacePolicy.FUNCTION_NAME_PREFIX, prefix);
    }
    return NamespacePolicy.of("shop", annotations, required);
  }

  private static SpecProblem refusedRole(NamespacePolicy policy, String role) {
    return assertThrows(SpecProblem.class, () -> policy.requireRole(role));
  }

  private static SpecProblem refusedName(NamespacePolicy policy, String name) {
    return assertThrows(SpecProblem.class, () -> policy.requireName(name));
  }

  @Test
  void withoutAnnotationsAndNotRequiredEverythingIsAllowed() {
    for (NamespacePolicy p : new NamespacePolicy[] {policy(null, null, false), NamespacePolicy.of("shop", null, false),
        NamespacePolicy.of("shop", Map.of("other", "x"), false)}) {
      assertDoesNotThrow(() -> p.requireRole(ROLE));
      assertDoesNotThrow(() -> p.requireName("anything"));
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "arn:aws:iam::123456789012:role/shop-exec                          | true",
      "arn:aws:iam::123456789012:role/shop-*                             | true",
      "arn:aws:iam::123456789012:role/*                                  | true",
      "*                                                                 | true",
      "arn:aws:iam::*:role/shop-exec                                     | true",
      "arn:aws:iam::123456789012:role/shop-                              | false",
      "arn:aws:iam::123456789012:role/billing-*                          | false",
      "arn:aws:iam::123456789012:role/shop-exe                           | false",
      "arn:aws:iam::210987654321:role/*                                  | false",
      "*:role/shop-exec-*                                                | false",
      "role/shop-exec                                                    | false",
      "arn:aws:iam::123456789012:role/shop.exec                          | false",
  })
  void aRolePatternMatchesTheWholeArnWithStarAsWildcard(String pattern, boolean allowed) {
    NamespacePolicy p = policy(pattern, null, false);
    if (allowed) {
      assertDoesNotThrow(() -> p.requireRole(ROLE));
    } else {
      assertEquals("RoleNotAllowed", refusedRole(p, ROLE).reason());
    }
  }

  @Test
  void rolesAreCommaSeparatedWithSpacesAroundIgnored() {
    NamespacePolicy p = policy(" arn:aws:iam::123456789012:role/billing-* , arn:aws:iam::123456789012:role/shop-exec ,",
        null, false);
    assertDoesNotThrow(() -> p.requireRole(ROLE));
    assertDoesNotThrow(() -> p.requireRole("arn:aws:iam::123456789012:role/billing-exec"));
    assertEquals("RoleNotAllowed", refusedRole(p, "arn:aws:iam::123456789012:role/other").reason());
  }

  @Test
  void anEmptyRoleAnnotationAllowsNoRole() {
    assertEquals("RoleNotAllowed", refusedRole(policy("", null, false), ROLE).reason());
    assertEquals("RoleNotAllowed", refusedRole(policy(" , ", null, true), ROLE).reason());
  }

  @Test
  void aRefusedRoleNamesTheNamespaceTheAnnotationAndTheRole() {
    SpecProblem p = refusedRole(policy("arn:aws:iam::123456789012:role/billing-*", null, false), ROLE);
    assertTrue(p.recheck(), "an administrator's change is picked up at the next recheck");
    assertTrue(p.getMessage().contains("namespace shop"), p.getMessage());
    assertTrue(p.getMessage().contains(NamespacePolicy.ALLOWED_ROLE_ARNS), p.getMessage());
    assertTrue(p.getMessage().contains(ROLE), p.getMessage());
    assertTrue(p.getMessage().contains("arn:aws:iam::123456789012:role/billing-*"), p.getMessage());
  }

  @Test
  void aMissingRoleIsRefusedWhenRolesAreLimited() {
    assertEquals("RoleNotAllowed", refusedRole(policy("*", null, false), null).reason());
  }

  @ParameterizedTest
  @CsvSource({
      "shop-orders, true",
      "shop-, true",
      "shop, false",
      "orders-shop-x, false",
      "Shop-orders, false",
      "shop-orders:live, true",
      "billing:shop-x, false",
      "arn:aws:lambda:eu-west-1:123456789012:function:shop-orders, true",
      "arn:aws:lambda:eu-west-1:123456789012:function:shop-orders:7, true",
      "arn:aws:lambda:eu-west-1:123456789012:function:billing, false",
      "123456789012:function:shop-orders, true",
      "123456789012:function:billing, false",
  })
  void aFunctionNameOrArnMustStartWithThePrefix(String name, boolean allowed) {
    NamespacePolicy p = policy(null, "shop-", false);
    if (allowed) {
      assertDoesNotThrow(() -> p.requireName(name));
    } else {
      assertEquals("FunctionNameNotAllowed", refusedName(p, name).reason());
    }
  }

  @Test
  void aRefusedNameNamesTheNamespaceTheAnnotationAndTheName() {
    SpecProblem p = refusedName(policy(null, "shop-", false), "billing-orders");
    assertTrue(p.recheck());
    assertTrue(p.getMessage().contains("namespace shop"), p.getMessage());
    assertTrue(p.getMessage().contains(NamespacePolicy.FUNCTION_NAME_PREFIX), p.getMessage());
    assertTrue(p.getMessage().contains("billing-orders"), p.getMessage());
    assertTrue(p.getMessage().contains("\"shop-\""), p.getMessage());
  }

  @Test
  void anEmptyPrefixAllowsEveryName() {
    assertDoesNotThrow(() -> policy(null, "", true).requireName("anything"));
  }

  @Test
  void whenRequiredEachRuleNeedsItsAnnotation() {
    NamespacePolicy none = policy(null, null, true);
    SpecProblem role = refusedRole(none, ROLE);
    assertEquals("NamespacePolicyMissing", role.reason());
    assertTrue(role.recheck());
    assertTrue(role.getMessage().contains(NamespacePolicy.ALLOWED_ROLE_ARNS), role.getMessage());
    assertTrue(role.getMessage().contains("namespace shop"), role.getMessage());
    assertTrue(role.getMessage().contains(ROLE), role.getMessage());
    SpecProblem name = refusedName(none, "shop-orders");
    assertEquals("NamespacePolicyMissing", name.reason());
    assertTrue(name.getMessage().contains(NamespacePolicy.FUNCTION_NAME_PREFIX), name.getMessage());
    assertTrue(name.getMessage().contains("shop-orders"), name.getMessage());

    NamespacePolicy rolesOnly = policy("*", null, true);
    assertDoesNotThrow(() -> rolesOnly.requireRole(ROLE));
    assertEquals("NamespacePolicyMissing", refusedName(rolesOnly, "shop-orders").reason());
    NamespacePolicy prefixOnly = policy(null, "shop-", true);
    assertDoesNotThrow(() -> prefixOnly.requireName("shop-orders"));
    assertEquals("NamespacePolicyMissing", refusedRole(prefixOnly, ROLE).reason());

    NamespacePolicy both = policy("arn:aws:iam::123456789012:role/shop-*", "shop-", true);
    assertDoesNotThrow(() -> both.requireRole(ROLE));
    assertDoesNotThrow(() -> both.requireName("shop-orders"));
    assertEquals("RoleNotAllowed", refusedRole(both, "arn:aws:iam::123456789012:role/admin").reason());
    assertEquals("FunctionNameNotAllowed", refusedName(both, "orders").reason());
  }
}
