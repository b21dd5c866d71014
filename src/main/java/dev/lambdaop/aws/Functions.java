package dev.lambdaop.aws;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/** A function's $LATEST in AWS Lambda: read, create, update, tag, delete. Failures are {@code AwsFailure}s. */
public interface Functions {
  /** The function's $LATEST with its configuration, code location and tags, or empty when it does not exist. */
  Optional<ObservedFunction> get(String region, String name);

  /**
   * Only the state of $LATEST (after a write: AWS refuses the next write while a create or update is in progress),
   * or empty when the function does not exist. One read, never a wait: a reconcile that finds the function busy
   * looks again later.
   */
  Optional<FunctionSnapshot> state(String region, String name);

  /** Creates the function, unpublished: versions are published apart, each for a known spec digest. */
  void create(String region, FunctionConfig config, CodeSource code);

  /** Replaces the code (and with it the architecture); revisionId, when known, makes AWS refuse a concurrent change. */
  void updateCode(String region, String name, CodeSource code, String architecture, String revisionId);

  /** Replaces the configuration of $LATEST: everything but code and tags. */
  void updateConfiguration(String region, FunctionConfig config, boolean image, String revisionId);

  void tag(String region, String name, String functionArn, Map<String, String> tags);

  void untag(String region, String name, String functionArn, Collection<String> keys);

  /** Deletes the function with all its versions; false when it was already gone. */
  boolean delete(String region, String name);
}
