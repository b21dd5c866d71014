package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.Versions.Traits;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The traits (execution role, dead-letter target) of published versions, as read: a published version never changes,
 * so every alias pass need not read them again (GetFunction with a qualifier, at each pass of every alias, for the
 * target version and, while two versions are routed, for both).
 *
 * <p>Keyed by the current work's AWS identity ({@link dev.lambdaop.reconcile.Work#identity()}) too: two accounts may
 * each have a function of the same name in the same region.
 *
 * <p>A version number names another version once its function was deleted and created again (numbered from 1
 * again). Keyed by region, function and version, an entry is therefore dropped when this process creates or deletes
 * the function, or deletes the version ({@link SdkFunctions}, {@link SdkVersions}), and in any case expires after
 * {@link #TTL}: a function deleted and created again outside the operator is seen with its new traits within that
 * time (meanwhile an alias write to two versions that no longer share a role is refused by AWS, and retried). The
 * version's CodeSha256 would be a sharper key, but knowing it takes the very read the cache saves. Whether a version
 * still exists is never answered from here ({@code Versions.version}); only present versions are kept.
 * At most {@link #MAX_ENTRIES}, the least recently used dropped first.
 */
final class VersionTraitsCache {
  static final Duration TTL = Duration.ofMinutes(15);
  static final int MAX_ENTRIES = 10_000;

  private record Entry(Traits traits, Instant readAt) {}

  private final Clock clock;
  private final Map<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  VersionTraitsCache(Clock clock) {
    this.clock = clock;
  }

  synchronized Optional<Traits> get(String region, String function, String version) {
    String key = key(region, function, version);
    Entry e = entries.get(key);
    if (e == null) {
      return Optional.empty();
    }
    if (!clock.instant().isBefore(e.readAt().plus(TTL))) {
      entries.remove(key);
      return Optional.empty();
    }
    return Optional.of(e.traits());
  }

  synchronized void put(String region, String function, String version, Traits traits) {
    entries.put(key(region, function, version), new Entry(traits, clock.instant()));
  }

  synchronized void forget(String region, String function, String version) {
    entries.remove(key(region, function, version));
  }

  /** Every version of the function: it was created or deleted. */
  synchronized void forgetFunction(String region, String function) {
    String prefix = key(region, function, "");
    entries.keySet().removeIf(k -> k.startsWith(prefix));
  }

  synchronized int size() {
    return entries.size();
  }

  private static String key(String region, String function, String version) {
    return dev.lambdaop.reconcile.Work.current().identity().key() + "\n" + region + "\n" + function + "\n" + version;
  }
}
