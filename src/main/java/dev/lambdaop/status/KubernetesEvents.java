package dev.lambdaop.status;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Kubernetes events about a custom resource (what `kubectl describe` shows). Messages must never carry a
 * secret value. A failure to write an event is logged, never allowed to fail a reconcile. The same event (reason and
 * message) for the same resource is written once per {@link #REPEAT_AFTER}, so that retries with backoff do not
 * flood the namespace.
 */
public final class KubernetesEvents implements Events {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesEvents.class);
  private static final String CONTROLLER = "lambdaop.dev/lambda-operator";
  private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX");

  static final Duration REPEAT_AFTER = Duration.ofMinutes(5);
  private static final int REMEMBERED = 10_000;

  private final Map<String, Recorded> recent = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Recorded> eldest) {
      return size() > REMEMBERED;
    }
  });
  private final KubernetesClient client;
  private final Clock clock;
  private final String instance;

  public KubernetesEvents(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
    this.instance = System.getenv().getOrDefault("HOSTNAME", "lambda-operator");
  }

  @Override
  public void normal(HasMetadata about, String reason, String message) {
    record(about, "Normal", reason, message);
  }

  @Override
  public void warning(HasMetadata about, String reason, String message) {
    record(about, "Warning", reason, message);
  }

  private record Recorded(String reason, String note, Instant at) {}

  private void record(HasMetadata about, String type, String reason, String message) {
    String namespace = about.getMetadata().getNamespace();
    String note = message.length() > 1000 ? message.substring(0, 997) + "..." : message;
    Instant now = clock.instant();
    String key = about.getMetadata().getUid() != null ? about.getMetadata().getUid()
        : about.getKind() + "/" + namespace + "/" + about.getMetadata().getName();
    Recorded last = recent.get(key);
    if (last != null && last.reason().equals(reason) && last.note().equals(note)
        && last.at().plus(REPEAT_AFTER).isAfter(now)) {
      return;
    }
    recent.put(key, new Recorded(reason, note, now));
    try {
      client.events().v1().events().inNamespace(namespace).resource(new EventBuilder()
          .withNewMetadata()
          .withName(about.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
          .withNamespace(namespace)
          .endMetadata()
          .withEventTime(new MicroTime(MICRO.format(clock.instant().atOffset(java.time.ZoneOffset.UTC))))
          .withReportingController(CONTROLLER)
          .withReportingInstance(instance)
          .withAction(reason)
          .withReason(reason)
          .withType(type)
          .withNote(note)
          .withRegarding(new ObjectReferenceBuilder()
              .withApiVersion(about.getApiVersion())
              .withKind(about.getKind())
              .withName(about.getMetadata().getName())
              .withNamespace(namespace)
              .withUid(about.getMetadata().getUid())
              .withResourceVersion(about.getMetadata().getResourceVersion())
              .build())
          .build()).create();
    } catch (KubernetesClientException e) {
      LOG.warn("could not record event {} on {}/{}: {}", reason, namespace, about.getMetadata().getName(), e.getMessage());
    }
  }
}
