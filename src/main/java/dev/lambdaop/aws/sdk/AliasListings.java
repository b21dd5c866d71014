package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.AliasSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The aliases of a function as one ListAliases showed them, shared by the drift checks of all its aliases: at resync,
 * N LambdaAliases of one function cost one ListAliases instead of N GetAlias (both count against Lambda's 15 requests
 * per second that all control-plane calls share).
 *
 * <p>A listing serves for {@code ttl}; the operator sets it to half its resync period. Aliases of one function
 * usually resync close together (they were created together, and each resync is scheduled one period after the last
 * pass), so within half a period most of them find the listing another one made; and a change made outside the
 * operator is still seen within one and a half resync periods (a listing at most half a period old, read at the next
 * resync). A fixed short time would be shared only by aliases whose resyncs fall within it, and spreading resyncs
 * (against bursts) makes that rare; a longer time would delay drift detection beyond what the resync period promises.
 *
 * <p>Only a drift check is served from here: a pass that may write (a step, a rollback, a deployment) reads the alias
 * itself, for its current revision. The operator's own writes keep the listing true ({@link #written},
 * {@link #deleted}); a write AWS refused drops it ({@link #forget}), so that the retry reads AWS again. Callers for one
 * function that find no usable listing wait for the one listing in flight instead of each listing. At most
 * {@link #MAX_FUNCTIONS} functions are kept: beyond that, expired listings go first, then all. Listings are kept per
 * AWS identity of the current work ({@link dev.lambdaop.reconcile.Work#identity()}) too: two accounts may each have a
 * function of the same name in the same region.
 */
final class AliasListings {
  static final int MAX_FUNCTIONS = 10_000;

  private final Duration ttl;
  private final Clock clock;
  private final Map<String, Listing> listings = new ConcurrentHashMap<>();

  AliasListings(Duration ttl, Clock clock) {
    this.ttl = ttl;
    this.clock = clock;
  }

  /** One function's aliases by name, and when they were listed; the listing's lock is held while it lists. */
  private static final class Listing {
    private Map<String, AliasSnapshot> aliases;
    private Instant listedAt;

    boolean freshAt(Instant now, Duration ttl) {
      return aliases != null && now.isBefore(listedAt.plus(ttl));
    }
  }

  /**
   * The alias as a listing at most {@code ttl} old shows it; when there is none, {@code list} is called (once for
   * all callers waiting for this function) and its answer kept.
   */
  Optional<AliasSnapshot> get(String region, String function, String alias, Supplier<List<AliasSnapshot>> list) {
    Listing listing = listing(region, function);
    synchronized (listing) {
      if (!listing.freshAt(clock.instant(), ttl)) {
        fill(listing, list.get());
      }
      return Optional.ofNullable(listing.aliases.get(alias));
    }
  }

  /** A listing made for another purpose (the versions in use): the freshest there is. */
  void listed(String region, String function, List<AliasSnapshot> aliases) {
    Listing listing = listing(region, function);
    synchronized (listing) {
      fill(listing, aliases);
    }
  }

  /** The operator created or updated the alias: AWS's answer replaces it in the listing. */
  void written(String region, String function, AliasSnapshot alias) {
    Listing listing = listings.get(key(region, function));
    if (listing != null) {
      synchronized (listing) {
        if (listing.aliases != null) {
          listing.aliases.put(alias.name(), alias);
        }
      }
    }
  }

  /** The operator deleted the alias. */
  void deleted(String region, String function, String alias) {
    Listing listing = listings.get(key(region, function));
    if (listing != null) {
      synchronized (listing) {
        if (listing.aliases != null) {
          listing.aliases.remove(alias);
        }
      }
    }
  }

  /** The listing is no longer to be trusted (a write AWS refused, the function gone): the next check lists. */
  void forget(String region, String function) {
    Listing listing = listings.get(key(region, function));
    if (listing != null) {
      synchronized (listing) {
        listing.aliases = null;
      }
    }
  }

  int size() {
    return listings.size();
  }

  private void fill(Listing listing, List<AliasSnapshot> aliases) {
    Map<String, AliasSnapshot> byName = new HashMap<>();
    aliases.forEach(a -> byName.put(a.name(), a));
    listing.aliases = byName;
    listing.listedAt = clock.instant();
  }

  private Listing listing(String region, String function) {
    String key = key(region, function);
    Listing listing = listings.get(key);
    if (listing != null) {
      return listing;
    }
    if (listings.size() >= MAX_FUNCTIONS) {
      Instant now = clock.instant();
      listings.values().removeIf(l -> {
        synchronized (l) {
          return !l.freshAt(now, ttl);
        }
      });
      if (listings.size() >= MAX_FUNCTIONS) {
        listings.clear();
      }
    }
    return listings.computeIfAbsent(key, k -> new Listing());
  }

  private static String key(String region, String function) {
    return dev.lambdaop.reconcile.Work.current().identity().key() + "\n" + region + "\n" + function;
  }
}
