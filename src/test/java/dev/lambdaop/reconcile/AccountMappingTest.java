package dev.lambdaop.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.aws.AwsIdentity;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A Namespace's annotations to the AWS identity its resources act as. */
class AccountMappingTest {
  private static final String ROLE = "arn:aws:iam::222222222222:role/lambda-operator";

  @Test
  void aRoleAndARegionAreTheNamespacesIdentity() {
    AwsIdentity identity = AccountMapping.identity("shop",
        Map.of(AccountMapping.ROLE_ARN, " " + ROLE + " ", AccountMapping.REGION, "eu-west-1"), false);

    assertEquals(new AwsIdentity(ROLE, "eu-west-1"), identity);
    assertEquals("222222222222", identity.roleAccount());
  }

  @Test
  void withoutAnnotationsTheNamespaceIsTheOperatorsOwn() {
    assertEquals(AwsIdentity.OPERATOR, AccountMapping.identity("shop", null, false));
    assertEquals(AwsIdentity.OPERATOR, AccountMapping.identity("shop", Map.of("other", "x"), false));
  }

  @Test
  void aRegionAloneIsTheOperatorsIdentityInThatRegion() {
    assertEquals(new AwsIdentity(null, "ap-southeast-2"),
        AccountMapping.identity("shop", Map.of(AccountMapping.REGION, "ap-southeast-2"), false));
  }

  @Test
  void rolePathsAndOtherPartitionsAreRoles() {
    assertEquals("arn:aws-us-gov:iam::333333333333:role/ops/lambda-operator",
        AccountMapping.identity("shop", Map.of(AccountMapping.ROLE_ARN,
            "arn:aws-us-gov:iam::333333333333:role/ops/lambda-operator", AccountMapping.REGION, "us-gov-west-1"),
            false).roleArn());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "lambda-operator", "arn:aws:iam::22222222222:role/x", "arn:aws:iam::222222222222:user/x",
      "arn:aws:sts::222222222222:assumed-role/x/y", "arn:aws:iam::222222222222:role/"})
  void anInvalidRoleIsRefusedNamingTheAnnotation(String role) {
    SpecProblem p = assertThrows(SpecProblem.class,
        () -> AccountMapping.identity("shop", Map.of(AccountMapping.ROLE_ARN, role), false));

    assertEquals("AccountMappingInvalid", p.reason());
    assertEquals(Failure.RetryPolicy.RECHECK, p.retryPolicy());
    assertTrue(p.getMessage().contains("annotation " + AccountMapping.ROLE_ARN + " of Namespace shop"), p.getMessage());
    assertTrue(p.getMessage().contains("administrator"), p.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "us-east", "US-EAST-1", "useast1", "eu-west-1a", "eu-west-1,us-east-1"})
  void anInvalidRegionIsRefusedNamingTheAnnotation(String region) {
    Map<String, String> annotations = new HashMap<>(Map.of(AccountMapping.ROLE_ARN, ROLE));
    annotations.put(AccountMapping.REGION, region);

    SpecProblem p = assertThrows(SpecProblem.class, () -> AccountMapping.identity("shop", annotations, false));

    assertEquals("AccountMappingInvalid", p.reason());
    assertEquals(Failure.RetryPolicy.RECHECK, p.retryPolicy());
    assertTrue(p.getMessage().contains(AccountMapping.REGION), p.getMessage());
  }

  @Test
  void aRequiredMappingRefusesANamespaceWithoutARole() {
    for (Map<String, String> annotations : java.util.Arrays.<Map<String, String>>asList(null, Map.of(),
        Map.of(AccountMapping.REGION, "eu-west-1"))) {
      SpecProblem p = assertThrows(SpecProblem.class, () -> AccountMapping.identity("shop", annotations, true));

      assertEquals("AccountMappingMissing", p.reason());
      assertEquals(Failure.RetryPolicy.RECHECK, p.retryPolicy());
      assertTrue(p.getMessage().contains("administrator must annotate the Namespace"), p.getMessage());
      assertTrue(p.getMessage().contains(AccountMapping.ROLE_ARN), p.getMessage());
      assertTrue(p.getMessage().contains("LAMBDAOP_REQUIRE_ACCOUNT_MAPPING"), p.getMessage());
    }
    assertEquals(ROLE, AccountMapping.identity("shop", Map.of(AccountMapping.ROLE_ARN, ROLE), true).roleArn());
  }
}
