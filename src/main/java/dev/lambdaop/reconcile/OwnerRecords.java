package dev.lambdaop.reconcile;

import dev.lambdaop.aws.Functions;
import dev.lambdaop.aws.ObservedFunction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The owner records of what AWS cannot tag (an alias, a reservation): a tag on their function (see {@link Owner}),
 * read and written through the {@link Functions} port, so that they survive restarts and show in AWS.
 */
public final class OwnerRecords {
  private final Functions functions;
  private final String clusterId;

  OwnerRecords(Functions functions, String clusterId) {
    this.functions = functions;
    this.clusterId = clusterId;
  }

  /**
   * One record as read.
   *
   * @param function the function, empty when it does not exist
   * @param value the tag value, null without a record
   */
  public record Recorded(Optional<ObservedFunction> function, String value, String clusterId) {
    /** The recorded owner, or null. */
    public Owner owner() {
      return Owner.parse(value, clusterId);
    }

    /** Whether another cluster's operator recorded the object as its own. */
    public boolean elsewhere() {
      return value != null && !owner().cluster().equals(clusterId);
    }

    public Map<String, String> tags() {
      return function.<Map<String, String>>map(f -> f.config().tags()).orElse(Map.of());
    }
  }

  public Recorded read(String region, String function, String key) {
    Optional<ObservedFunction> observed = functions.get(region, function);
    return new Recorded(observed, observed.map(f -> f.config().tags().get(key)).orElse(null), clusterId);
  }

  /** Records {@code resource} as the owner (a tag write, only when the record says otherwise). */
  public void record(Recorded recorded, String region, String function, String key, HasMetadata resource) {
    String value = Owner.of(clusterId, resource).value();
    if (recorded.function().isPresent() && !value.equals(recorded.value())) {
      functions.tag(region, function, recorded.function().get().snapshot().functionArn(), Map.of(key, value));
    }
  }

  /** Removes the record, when there is one. */
  public void erase(Recorded recorded, String region, String function, String key) {
    if (recorded.function().isPresent() && recorded.value() != null) {
      functions.untag(region, function, recorded.function().get().snapshot().functionArn(), List.of(key));
    }
  }
}
