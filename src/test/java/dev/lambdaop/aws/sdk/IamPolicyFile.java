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

  public static IamPolicyFile read(Path projectDirectory) {
    try {
      return new IamPolicyFile(new ObjectMapper().readTree(projectDirectory.resolve(PATH).toFile()));
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
