package dev.lambdaop.aws.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.StreamSupport;

/** iam/lambda-operator-policy.json, read for the tests that prove it is complete and minimal. */
public record IamPolicyFile(JsonNode document) {
  public static final Path PATH = Path.of("iam", "lambda-operator-policy.json");

  /** The policy a namespace's role grants in its account (issue 15): the operator's, without sts. */
  public static final Path TARGET_ROLE_PATH = Path.of("iam", "target-role-policy.json");
  /** The trust policy of a namespace's role: the operator's role may assume it, with the external ID. */
  public static final Path TARGET_TRUST_PATH = Path.of("iam", "target-role-trust-policy.json");

  public static IamPolicyFile read(Path projectDirectory) {
    return read(projectDirectory, PATH);
  }

  public static IamPolicyFile read(Path projectDirectory, Path file) {
    try {
      return new IamPolicyFile(new ObjectMapper().readTree(projectDirectory.resolve(file).toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<JsonNode> statements() {
    return StreamSupport.stream(document.path("Statement").spliterator(), false).toList();
  }

  /** Every action any statement allows. */
  public Set<String> allowedActions() {
    Set<String> actions = new TreeSet<>();
    for (JsonNode statement : statements()) {
      JsonNode action = statement.path("Action");
      if (action.isArray()) {
        action.forEach(a -> actions.add(a.asText()));
      } else {
        actions.add(action.asText());
      }
    }
    return actions;
  }

  /** The actions that {@code operations} need and the policy does not allow. */
  public Set<String> missingFor(Iterable<String> operations) {
    Set<String> allowed = allowedActions();
    Set<String> missing = new TreeSet<>();
    for (String operation : operations) {
      for (String action : IamActions.of(operation)) {
        if (!allowed.contains(action)) {
          missing.add(action + " (for " + operation + ")");
        }
      }
    }
    return missing;
  }
}
