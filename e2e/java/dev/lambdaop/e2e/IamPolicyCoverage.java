package dev.lambdaop.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.LambdaOperator;
import dev.lambdaop.aws.sdk.IamPolicyFile;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * After every test class: each AWS operation that an operator of this JVM called (the shared one, and those that
 * tests start themselves) needs IAM actions that iam/lambda-operator-policy.json allows. A new AWS call without
 * its grant fails the class that made it. Registered for all tests by META-INF/services (auto-detection is on in
 * junit-platform.properties).
 */
public final class IamPolicyCoverage implements AfterAllCallback {
  @Override
  public void afterAll(ExtensionContext context) {
    Set<String> called = new TreeSet<>();
    for (LambdaOperator operator : E2e.operators()) {
      called.addAll(operator.awsCalls().snapshot().keySet());
    }
    if (called.isEmpty()) {
      return;
    }
    Set<String> missing = IamPolicyFile.read(E2e.projectDir()).missingFor(called);
    assertTrue(missing.isEmpty(), "the operator called AWS operations that " + IamPolicyFile.PATH
        + " does not allow: " + missing + " (operations called: " + called + ")");
  }
}
