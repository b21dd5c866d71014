package dev.lambdaop.bench;

import java.util.List;

/**
 * A benchmark's one verdict: PASS when no check failed. The RESULT line prints {@link #word()} and the process exits
 * with {@link #exitCode()}, both from the same instance, so that the two cannot disagree.
 */
record Verdict(List<String> failures) {
  static final int EXIT_PASS = 0;
  static final int EXIT_FAIL = 1;

  Verdict {
    failures = List.copyOf(failures);
  }

  boolean pass() {
    return failures.isEmpty();
  }

  String word() {
    return pass() ? "PASS" : "FAIL";
  }

  int exitCode() {
    return pass() ? EXIT_PASS : EXIT_FAIL;
  }
}
