package dev.lambdaop.aws;

import java.util.Optional;
import java.util.Set;

/** A function's aliases and their weighted routing. */
public interface Aliases {
  /** The alias, or empty when it does not exist. */
  Optional<AliasSnapshot> get(String region, String function, String alias);

  AliasSnapshot create(String region, String function, AliasRouting routing);

  /** Points the alias anew; revisionId, when known, makes AWS refuse if someone else changed it meanwhile. */
  AliasSnapshot update(String region, String function, AliasRouting routing, String revisionId);

  /** Deletes the alias; false when it was already gone. */
  boolean delete(String region, String function, String alias);

  /** The versions the function's aliases route to: each alias's version and its additional (weighted) version. */
  Set<String> versionsInUse(String region, String function);
}
