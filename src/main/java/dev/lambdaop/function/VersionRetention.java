package dev.lambdaop.function;

import dev.lambdaop.aws.VersionSnapshot;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Which published versions to delete so that the newest {@code retain} stay: the older ones, except any version an
 * alias routes to (AWS would refuse, and traffic would break) and the version published for the current spec.
 */
public final class VersionRetention {
  private VersionRetention() {}

  private static final Comparator<String> BY_NUMBER = Comparator.comparingLong(Long::parseLong);

  /** The versions to delete, oldest first. */
  public static List<String> toDelete(List<VersionSnapshot> versions, int retain, Set<String> protectedVersions) {
    return versions.stream()
        .map(VersionSnapshot::version)
        .sorted(BY_NUMBER.reversed())
        .skip(retain)
        .filter(v -> !protectedVersions.contains(v))
        .sorted(BY_NUMBER)
        .toList();
  }
}
