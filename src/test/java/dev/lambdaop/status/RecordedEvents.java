package dev.lambdaop.status;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link Events} that remembers every event, for unit tests of the reconcilers: {@link #of} a resource (by kind,
 * namespace and name, in order), {@link #reasons}, {@link #last}, {@link #find} one by reason. Unlike
 * {@link KubernetesEvents} it drops no repeats, so a test sees every call. Thread-safe.
 */
public final class RecordedEvents implements Events {
  public static final String NORMAL = "Normal";
  public static final String WARNING = "Warning";

  /** One event: about which resource ("Kind/namespace/name"), Normal or Warning, reason and message. */
  public record Event(String about, String type, String reason, String message) {}

  private final List<Event> events = new ArrayList<>();

  @Override
  public synchronized void normal(HasMetadata about, String reason, String message) {
    events.add(new Event(name(about), NORMAL, reason, message));
  }

  @Override
  public synchronized void warning(HasMetadata about, String reason, String message) {
    events.add(new Event(name(about), WARNING, reason, message));
  }

  /** Every event, in order. */
  public synchronized List<Event> all() {
    return List.copyOf(events);
  }

  /** The events about one resource, in order. */
  public synchronized List<Event> of(HasMetadata about) {
    String name = name(about);
    return events.stream().filter(e -> e.about().equals(name)).toList();
  }

  /** The reasons of the events about one resource, in order. */
  public List<String> reasons(HasMetadata about) {
    return of(about).stream().map(Event::reason).toList();
  }

  /** The latest event about one resource. */
  public Optional<Event> last(HasMetadata about) {
    List<Event> of = of(about);
    return of.isEmpty() ? Optional.empty() : Optional.of(of.get(of.size() - 1));
  }

  /** The latest event about one resource with this reason. */
  public Optional<Event> find(HasMetadata about, String reason) {
    List<Event> matching = of(about).stream().filter(e -> e.reason().equals(reason)).toList();
    return matching.isEmpty() ? Optional.empty() : Optional.of(matching.get(matching.size() - 1));
  }

  public synchronized void clear() {
    events.clear();
  }

  private static String name(HasMetadata about) {
    return about.getKind() + "/" + about.getMetadata().getNamespace() + "/" + about.getMetadata().getName();
  }
}
