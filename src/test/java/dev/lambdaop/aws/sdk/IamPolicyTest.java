package dev.lambdaop.aws.sdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shipped IAM policy grants exactly what the code's AWS operations need: every AWS call goes through
 * {@link AwsCalls#read} or {@link AwsCalls#write} with its operation name in the source of this package, so the
 * operations are read from there. (The end-to-end suite checks the same against the operations it saw called.)
 */
class IamPolicyTest {
  private static final Pattern CALL = Pattern.compile("calls\\.(?:read|write|invoke)\\((?:[^,()\"]+,\\s*)?\"(\\w+)\"");
  private final IamPolicyFile policy = IamPolicyFile.read(Path.of("."));

  static Set<String> operationsInTheCode() throws IOException {
    Set<String> operations = new TreeSet<>();
    try (Stream<Path> files = Files.list(Path.of("src/main/java/dev/lambdaop/aws/sdk"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = CALL.matcher(Files.readString(file));
        while (m.find()) {
          operations.add(m.group(1));
        }
      }
    }
    return operations;
  }

  @Test
  void thePolicyAllowsExactlyTheActionsTheCodeNeeds() throws IOException {
    Set<String> operations = operationsInTheCode();
    assertTrue(operations.containsAll(List.of("CreateFunction", "UpdateAlias", "Invoke", "HeadObject",
        "DescribeAlarms", "PutFunctionConcurrency", "GetAccountSettings")), "operations found: " + operations);
    Set<String> needed = new TreeSet<>();
    operations.forEach(op -> needed.addAll(IamActions.of(op)));
    // STS (the namespaces' roles, the operator's own account) is called outside AwsCalls
    IamActions.STS_OPERATIONS.forEach(op -> needed.addAll(IamActions.of(op)));
    assertTrue(needed.contains("sts:AssumeRole"), needed.toString());
    assertEquals(needed, policy.allowedActions(), "iam/lambda-operator-policy.json must allow exactly " + needed);
  }

  @Test
  void passRoleOnlyToLambda() {
    List<JsonNode> passRole = policy.statements().stream()
        .filter(s -> s.path("Action").toString().contains("iam:PassRole")).toList();
    assertEquals(1, passRole.size());
    JsonNode statement = passRole.get(0);
    assertEquals("iam:PassRole", statement.path("Action").asText(), "PassRole in a statement of its own");
    assertEquals("lambda.amazonaws.com",
        statement.path("Condition").path("StringEquals").path("iam:PassedToService").asText());
  }

  @Test
  void assumeRoleOnlyOnTheNamespacesRoles() {
    List<JsonNode> assume = policy.statements().stream()
        .filter(s -> s.path("Action").toString().contains("sts:")).toList();
    assertEquals(1, assume.size());
    assertEquals("sts:AssumeRole", assume.get(0).path("Action").asText(), "AssumeRole in a statement of its own");
    assertTrue(assume.get(0).path("Resource").asText().startsWith("arn:aws:iam::*:role/lambda-operator"),
        assume.get(0).toString());
  }

  @Test
  void aNamespacesRoleGrantsEverythingTheOperatorDoesButSts() {
    IamPolicyFile target = IamPolicyFile.read(Path.of("."), IamPolicyFile.TARGET_ROLE_PATH);
    Set<String> expected = new TreeSet<>(policy.allowedActions());
    expected.removeIf(a -> a.startsWith("sts:"));
    assertEquals(expected, target.allowedActions(), IamPolicyFile.TARGET_ROLE_PATH + " must allow exactly " + expected);
    List<JsonNode> passRole = target.statements().stream()
        .filter(s -> s.path("Action").toString().contains("iam:PassRole")).toList();
    assertEquals(1, passRole.size());
    assertEquals("lambda.amazonaws.com",
        passRole.get(0).path("Condition").path("StringEquals").path("iam:PassedToService").asText());
    for (JsonNode statement : target.statements()) {
      assertEquals("Allow", statement.path("Effect").asText());
      assertFalse(statement.path("Action").toString().contains("*"), statement.toString());
    }
  }

  @Test
  void aNamespacesRoleTrustsTheOperatorsRoleWithTheExternalId() {
    IamPolicyFile trust = IamPolicyFile.read(Path.of("."), IamPolicyFile.TARGET_TRUST_PATH);
    assertEquals(1, trust.statements().size());
    JsonNode statement = trust.statements().get(0);
    assertEquals("sts:AssumeRole", statement.path("Action").asText());
    assertTrue(statement.path("Principal").path("AWS").asText().matches("arn:aws:iam::[0-9]{12}:role/lambda-operator"),
        statement.toString());
    assertFalse(statement.path("Condition").path("StringEquals").path("sts:ExternalId").asText().isEmpty());
  }

  @Test
  void noWildcardActionsAndOnlyAllow() {
    for (JsonNode statement : policy.statements()) {
      assertEquals("Allow", statement.path("Effect").asText());
      assertFalse(statement.path("Action").toString().contains("*"), statement.toString());
    }
  }
}
