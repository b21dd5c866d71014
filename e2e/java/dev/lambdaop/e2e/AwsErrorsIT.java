package dev.lambdaop.e2e;

import dev.lambdaop.aws.Quota;
import dev.lambdaop.aws.sdk.RequestBudget;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.LambdaOperator;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.FaultProxy;
import dev.lambdaop.testbed.SampleFunctions;
import dev.lambdaop.testbed.FaultProxy.Exchange;
import dev.lambdaop.testbed.FaultProxy.Fault;
import dev.lambdaop.testbed.FaultProxy.Route;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * AWS errors are mapped, not swallowed. An operator of its own (label {@code lambdaop.dev/test-operator=faults})
 * talks to moto through a {@link FaultProxy} that answers chosen requests with the errors moto never gives: each
 * becomes a specific {@code Ready=False} reason and a Warning event; errors that can succeed later are retried with
 * backoff until they do; errors that cannot are not retried until the spec changes. The AWS side is checked on moto
 * directly ({@link E2e#lambda()}), not through the proxy.
 */
class AwsErrorsIT {
  private static final Logger LOG = LoggerFactory.getLogger(AwsErrorsIT.class);
  private static final String OPERATOR = "faults";
  /** Longer than two resync periods: a retry that should not happen would happen in this window. */
  private static final Duration TWO_RESYNCS = E2e.RESYNC.multipliedBy(2).plusSeconds(1);
  private static final Duration POLL = Duration.ofMillis(200);

  private static FaultProxy proxy;
  private static LambdaOperator operator;
  private static KubernetesClient kube;
  private static LambdaClient lambda;
  private static String ns;

  @BeforeAll
  static void start() {
    E2e.installCrds();
    E2e.roleArn();
    Testbed bed = E2e.testbed();
    kube = E2e.kube();
    lambda = E2e.lambda();
    ns = E2e.namespace("faults");
    proxy = new FaultProxy(bed.awsEndpoint());
    operator = new LambdaOperator(kube, new AwsSettings(bed.awsRegion(), proxy.uri(), bed.awsCredentials()),
        OperatorSettings.defaults().withResyncPeriod(E2e.RESYNC).withLabelSelector(E2e.PROCESS_LABEL + "=" + OPERATOR));
    operator.start();
    E2e.track(operator);
  }

  @AfterEach
  void clearFaults() {
    proxy.clearAll();
  }

  @AfterAll
  static void stop() {
    try {
      if (operator != null && kube != null && ns != null) {
        // Leave no finalizer behind: the operator deletes what it created, then stops.
        kube.resources(LambdaFunction.class).inNamespace(ns).delete();
        await().atMost(Duration.ofSeconds(30)).pollInterval(POLL)
            .until(() -> kube.resources(LambdaFunction.class).inNamespace(ns).list().getItems().isEmpty());
      }
    } catch (ConditionTimeoutException e) {
      LOG.warn("LambdaFunctions of {} still there after 30 s: {}", ns, e.getMessage());
    } finally {
      if (operator != null) {
        operator.close();
      }
      if (proxy != null) {
        proxy.close();
      }
      if (lambda != null) {
        lambda.close();
      }
    }
  }

  /**
   * The proxy itself: moto's answers pass unchanged, and an injected error is parsed by the AWS SDK exactly as a
   * Lambda error (modeled exception, status, code, message); the SDK retries throttling by itself.
   */
  @Test
  void theProxyForwardsMotoUnchangedAndInjectsErrorsTheSdkParses() {
    String name = "faults-nowhere";
    Route get = Route.GET_FUNCTION.forFunction(name);
    try (LambdaClient viaProxy = E2e.testbed().configureAws(LambdaClient.builder())
        .endpointOverride(proxy.uri()).build()) {
      ResourceNotFoundException notFound = assertThrows(ResourceNotFoundException.class,
          () -> viaProxy.getFunction(r -> r.functionName(name)));
      assertEquals(404, notFound.statusCode());
      assertEquals("ResourceNotFoundException", notFound.awsErrorDetails().errorCode());
      Exchange motoError = last(get);
      assertEquals(404, motoError.status());
      assertEquals("ResourceNotFoundException", motoError.responseHeader("x-amzn-ErrorType"), motoError.toString());
      assertTrue(motoError.responseBody().contains("\"__type\""), motoError.toString());
      LOG.info("moto's error, forwarded: {}", motoError);

      Fault throttle = proxy.inject(Fault.on(get).error(429, "TooManyRequestsException", "Rate exceeded"));
      TooManyRequestsException throttled = assertThrows(TooManyRequestsException.class,
          () -> viaProxy.getFunction(r -> r.functionName(name)));
      assertEquals(429, throttled.statusCode());
      assertEquals("TooManyRequestsException", throttled.awsErrorDetails().errorCode());
      assertEquals("Rate exceeded", throttled.awsErrorDetails().errorMessage());
      assertTrue(throttle.injected() > 1, "the SDK retries throttling itself: " + throttle.injected());
      assertEquals(throttle.matched(), throttle.injected());
      LOG.info("injected error: {}; the SDK sent {} attempts for one call", last(get), throttle.injected());
      proxy.clear(throttle);

      // Used up after one answer: the SDK's own retry reaches moto.
      Fault once = proxy.inject(Fault.on(get).times(1).error(500, "ServiceException", "boom"));
      assertThrows(ResourceNotFoundException.class, () -> viaProxy.getFunction(r -> r.functionName(name)));
      assertEquals(1, once.injected());
      assertEquals(2, once.matched());
      proxy.clear(once);

      Fault drop = proxy.inject(Fault.on(get).dropConnection());
      SdkClientException unreachable = assertThrows(SdkClientException.class,
          () -> viaProxy.getFunction(r -> r.functionName(name)));
      assertTrue(drop.injected() > 1, "the SDK retries a dropped connection itself: " + drop.injected());
      LOG.info("dropped connection seen by the SDK as: {}", unreachable.toString());
    }
  }

  /**
   * Throttling is not the resource's problem: someone else in the account takes its share. The request budget
   * halves its rate at once (AIMD), the reconcile comes back at its turn in the slower budget, and nothing reaches
   * the status or the events; once AWS accepts again the function is created, and the rate recovers.
   */
  @Test
  void throttlingSlowsTheBudgetAndNeverReachesTheStatus() {
    String name = "faults-throttled";
    RequestBudget budget = operator.budget(E2e.testbed().awsRegion(), Quota.LAMBDA);
    long throttlesBefore = budget.throttles();
    Fault throttle = proxy.inject(Fault.on(Route.CREATE_FUNCTION).whereBodyContains(namedInBody(name))
        .error(429, "TooManyRequestsException", "Rate exceeded"));
    kube.resource(function(name, "v = '" + name + "'\n")).create();

    List<Instant> starts = await().atMost(E2e.TIMEOUT).pollInterval(POLL)
        .until(() -> proxy.callStarts(Route.CREATE_FUNCTION, namedInBody(name)), s -> s.size() >= 3);
    // the proxy sees a request before the operator reads its answer: the count follows at once
    await().atMost(Duration.ofSeconds(5)).pollInterval(POLL).until(() -> budget.throttles() - throttlesBefore >= 3);
    assertTrue(budget.currentRate() < budget.perSecond(), "the budget slowed down: " + budget.currentRate());
    assertTrue(throttle.injected() >= 3, "answered by the fault: " + throttle.injected());
    for (int i = 1; i < starts.size(); i++) {
      Duration gap = Duration.between(starts.get(i - 1), starts.get(i));
      assertTrue(gap.compareTo(Duration.ofMillis(90)) >= 0, "call " + (i + 1) + " came at its turn: " + gap);
    }
    Condition now = ready(kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).get());
    assertTrue(now == null || !"Throttled".equals(now.getReason()), "the status does not show it: " + now);
    assertEquals(List.of(), warnings(name, "Throttled"), "no event");
    assertFalse(exists(name), "nothing was created while the fault lasted");
    assertTrue(operator.metrics().scrape().contains("lambdaop_aws_budget_throttled_total{account=\"operator\",quota=\"LAMBDA\""));

    proxy.clear(throttle);
    LambdaFunction ready = awaitReady(name);
    assertEquals("Synced", ready(ready).getReason());
    assertEquals("1", ready.getStatus().latestVersion);
    assertEquals(List.of("1"), versions(name));
    assertEquals(List.of(), warnings(name, "Throttled"));
  }

  @Test
  void aServiceErrorIsReportedAndRetriedWithBackoffUntilItSucceeds() {
    String name = "faults-service";
    Fault outage = proxy.inject(Fault.on(Route.CREATE_FUNCTION).whereBodyContains(namedInBody(name))
        .error(500, "ServiceException", "The AWS Lambda service encountered an internal error."));
    retriedUntilTheFaultEnds(name, outage, 3, "AwsServiceError", "CreateFunction", "ServiceException",
        "internal error");
  }

  @Test
  void droppedConnectionsAreReportedAsUnreachableAndRetriedUntilTheyEnd() {
    String name = "faults-dropped";
    Fault drop = proxy.inject(Fault.on(Route.GET_FUNCTION.forFunction(name)).dropConnection());
    retriedUntilTheFaultEnds(name, drop, 2, "AwsUnreachable", "GetFunction", "retrying with backoff");
  }

  /**
   * With the fault armed: the reason and a Warning event, nothing in AWS, and the operator calls AWS again and
   * again, each call at least the first backoff interval (1 s) after the one before (the AWS SDK's own quick retries
   * within one call are counted once, see {@link FaultProxy#callStarts}). Once the fault is cleared: Ready, the
   * function in AWS with version 1.
   */
  private void retriedUntilTheFaultEnds(String name, Fault fault, int calls, String reason, String... messageParts) {
    kube.resource(function(name, "v = '" + name + "'\n")).create();

    Condition failing = awaitReason(name, reason);
    for (String part : messageParts) {
      assertTrue(failing.getMessage().contains(part), "'" + part + "' in: " + failing.getMessage());
    }
    Event event = awaitWarning(name, reason);
    assertTrue(event.getNote().contains(messageParts[0]), event.getNote());

    Route route = fault.route();
    String marker = route.equals(Route.CREATE_FUNCTION) ? namedInBody(name) : null;
    List<Instant> starts = await().atMost(E2e.TIMEOUT).pollInterval(POLL)
        .until(() -> proxy.callStarts(route, marker), s -> s.size() >= calls);
    for (int i = 1; i < starts.size(); i++) {
      Duration gap = Duration.between(starts.get(i - 1), starts.get(i));
      assertTrue(gap.compareTo(Duration.ofMillis(950)) >= 0, "call " + (i + 1) + " waited for the backoff: " + gap);
    }
    assertFalse(exists(name), "nothing was created while the fault lasted");
    int injected = fault.injected();
    assertTrue(injected >= starts.size(), "answered by the fault: " + injected);

    proxy.clear(fault);
    LambdaFunction ready = awaitReady(name);
    assertEquals("Synced", ready(ready).getReason());
    assertEquals("1", ready.getStatus().latestVersion);
    assertTrue(exists(name));
    assertEquals(List.of("1"), versions(name));
    LOG.info("{}: {} calls failed ({} requests answered by the fault), started at {}, before it converged", name,
        starts.size(), injected, starts);
  }

  @ParameterizedTest(name = "{1} {2}")
  @CsvSource(delimiter = '|', value = {
      "faults-conflict | 409 | ResourceConflictException | The operation cannot be performed at this time."
          + " An update is in progress for resource: function",
      "faults-precondition | 412 | PreconditionFailedException | The Revision Id provided does not match the"
          + " latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"})
  void aConflictingUpdateIsRetriedSoonAndConvergesWithTheNewConfiguration(String name, int status, String code,
      String message) {
    kube.resource(function(name, "c = '" + name + "'\n")).create();
    assertEquals("1", awaitReady(name).getStatus().latestVersion);

    Fault conflict = proxy.inject(Fault.on(Route.UPDATE_FUNCTION_CONFIGURATION.forFunction(name))
        .error(status, code, message));
    kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).edit(f -> {
      f.getSpec().memorySize = 256;
      f.getSpec().timeout = 10;
      return f;
    });
    Condition c = awaitReason(name, "Conflict");
    assertTrue(c.getMessage().contains("UpdateFunctionConfiguration"), c.getMessage());
    assertTrue(c.getMessage().contains(code), c.getMessage());
    assertEquals("Conflict", awaitWarning(name, "Conflict").getReason());
    Route update = Route.UPDATE_FUNCTION_CONFIGURATION.forFunction(name);
    await().atMost(E2e.TIMEOUT).pollInterval(POLL).until(() -> proxy.callStarts(update, null).size() >= 2);
    assertTrue(conflict.injected() >= 2, "retried: " + conflict.injected());
    assertEquals(128, lambda.getFunctionConfiguration(r -> r.functionName(name)).memorySize());

    proxy.clear(conflict);
    LambdaFunction ready = awaitReady(name);
    assertEquals("2", ready.getStatus().latestVersion);
    var aws = lambda.getFunctionConfiguration(r -> r.functionName(name));
    assertEquals(256, aws.memorySize());
    assertEquals(10, aws.timeout());
    assertEquals(List.of("1", "2"), versions(name));
  }

  @Test
  void accessDeniedIsNotRetriedUntilTheSpecChanges() {
    String name = "faults-denied";
    String marker = namedInBody(name);
    Fault denied = proxy.inject(Fault.on(Route.CREATE_FUNCTION).whereBodyContains(marker)
        .error(403, "AccessDeniedException", "User is not authorized to perform this operation."));
    kube.resource(function(name, "d = 1\n")).create();

    Condition c = awaitReason(name, "AccessDenied");
    assertTrue(c.getMessage().contains("lambda:CreateFunction"), c.getMessage());
    assertTrue(c.getMessage().contains("AccessDeniedException"), c.getMessage());
    Event event = awaitWarning(name, "AccessDenied");
    assertTrue(event.getNote().contains("lambda:CreateFunction"), event.getNote());

    // Not retried: no CreateFunction over more than two resync periods, first while the fault lasts...
    int tried = denied.matched();
    assertEquals(1, tried, "the SDK does not retry AccessDenied, and neither does the operator");
    Duration window = E2e.RESYNC.plusSeconds(1);
    await().during(window).atMost(window.plusSeconds(5)).pollInterval(POLL).until(() -> denied.matched() == tried);
    // ...then once it ended: the spec AWS refused is not sent again.
    proxy.clear(denied);
    long requests = proxy.requests(Route.CREATE_FUNCTION, marker);
    assertEquals(1, requests);
    await().during(window).atMost(window.plusSeconds(5)).pollInterval(POLL)
        .until(() -> proxy.requests(Route.CREATE_FUNCTION, marker) == requests);
    assertFalse(exists(name));
    assertEquals("AccessDenied", ready(kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).get())
        .getReason());

    // A new spec is a new attempt.
    kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).edit(f -> {
      f.getSpec().memorySize = 256;
      return f;
    });
    LambdaFunction ready = awaitReady(name);
    assertEquals("1", ready.getStatus().latestVersion);
    assertEquals(256, lambda.getFunctionConfiguration(r -> r.functionName(name)).memorySize());
    assertEquals(requests + 1, proxy.requests(Route.CREATE_FUNCTION, marker), "created with one request");
  }

  @Test
  void codeStorageExceededIsNotRetriedAndPointsAtVersionsRetain() {
    String name = "faults-storage";
    Fault full = proxy.inject(Fault.on(Route.PUBLISH_VERSION.forFunction(name))
        .error(400, "CodeStorageExceededException", "Code storage limit exceeded."));
    kube.resource(function(name, "s = 1\n")).create();

    Condition c = awaitReason(name, "CodeStorageExceeded");
    assertTrue(c.getMessage().contains("versions.retain"), c.getMessage());
    assertTrue(c.getMessage().contains("PublishVersion"), c.getMessage());
    Event event = awaitWarning(name, "CodeStorageExceeded");
    assertTrue(event.getNote().contains("versions.retain"), event.getNote());
    assertTrue(exists(name), "the function was created; only publishing failed");
    assertEquals(List.of(), versions(name));

    int tried = full.matched();
    assertEquals(1, tried, "the SDK does not retry CodeStorageExceeded, and neither does the operator");
    await().during(TWO_RESYNCS).atMost(TWO_RESYNCS.plusSeconds(5)).pollInterval(POLL)
        .until(() -> full.matched() == tried);
    assertEquals(List.of(), versions(name));

    // Space was freed and the spec changed: published.
    proxy.clear(full);
    kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).edit(f -> {
      f.getSpec().description = "after freeing code storage";
      return f;
    });
    assertEquals("1", awaitReady(name).getStatus().latestVersion);
    assertEquals(List.of("1"), versions(name));
    assertEquals("after freeing code storage",
        lambda.getFunctionConfiguration(r -> r.functionName(name)).description());
  }

  /**
   * A refused spec is remembered by a digest of the whole spec, not only of what a version captures: lowering
   * versions.retain, as the CodeStorageExceeded message advises, is a new attempt. (The publish that found storage
   * full is answered by the proxy once; moto itself never runs out.)
   */
  @Test
  void loweringVersionsRetainAfterCodeStorageExceededIsTriedAgain() {
    String name = "faults-storage-retain";
    kube.resource(function(name, "r = 1\n")).create();
    assertEquals("1", awaitReady(name).getStatus().latestVersion);
    Fault full = proxy.inject(Fault.on(Route.PUBLISH_VERSION.forFunction(name)).times(1)
        .error(400, "CodeStorageExceededException", "Code storage limit exceeded."));
    kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).edit(f -> {
      f.getSpec().code.inline.files = Map.of("index.py", "r = 2\n");
      return f;
    });
    assertTrue(awaitReason(name, "CodeStorageExceeded").getMessage().contains("versions.retain"));
    // Not tried again while the spec stays (the fault is used up: a publish now would succeed).
    await().during(TWO_RESYNCS).atMost(TWO_RESYNCS.plusSeconds(5)).pollInterval(POLL)
        .until(() -> full.matched() == 1);
    assertEquals(List.of("1"), versions(name));

    kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).edit(f -> {
      f.getSpec().versions = new LambdaFunctionSpec.VersionPolicy();
      f.getSpec().versions.retain = 1;
      return f;
    });

    // Tried again: version 2 published with the new code, then version 1 deleted as versions.retain says.
    await().atMost(E2e.TIMEOUT).pollInterval(POLL).until(() -> versions(name).equals(List.of("2")));
    assertEquals(DeterministicZip.of(Map.of("index.py", "r = 2\n")).sha256(),
        lambda.getFunctionConfiguration(r -> r.functionName(name).qualifier("2")).codeSha256());
    LambdaFunction ready = await().atMost(E2e.TIMEOUT).pollInterval(POLL)
        .until(() -> kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).get(),
            f -> "2".equals(f.getStatus().latestVersion) && ready(f) != null && "True".equals(ready(f).getStatus()));
    assertNull(ready.getStatus().rejectedSpecDigest);
    assertEquals(2, full.matched(), "one publish refused, one after the spec changed");
  }

  /**
   * AWS's own 4 KB error quotes every variable. For a function whose API_KEY comes from a Secret, that exact answer
   * leaves the value in neither the status, the Warning event nor any line the operator logs (JOSDK's stack traces
   * included): the reconcile redacts it. The log is captured in this JVM, where the operator runs.
   */
  @Test
  void awsQuotingASecretValueInItsFourKbErrorLeavesItOutOfStatusEventsAndLogs() {
    String name = "faults-secret-env";
    String value = "k3y-" + Long.toHexString(System.nanoTime());
    kube.secrets().inNamespace(ns).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
        .withNewMetadata().withName("api-4kb").endMetadata().withStringData(Map.of("key", value)).build()).create();
    Fault refused = proxy.inject(Fault.on(Route.CREATE_FUNCTION).whereBodyContains(namedInBody(name))
        .error(400, "InvalidParameterValueException", "Lambda was unable to configure your environment variables"
            + " because the environment variables you have provided exceeded the 4KB limit. String measured: "
            + "{\"API_KEY\":\"" + value + "\"}"));
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
        Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
        new ch.qos.logback.core.read.ListAppender<>();
    logged.start();
    root.addAppender(logged);
    try {
      LambdaFunction fn = function(name, "v = 'secret env'\n");
      fn.getSpec().environment = List.of(dev.lambdaop.api.EnvVars.fromSecret("API_KEY", "api-4kb", "key"));
      kube.resource(fn).create();

      Condition c = awaitReason(name, "InvalidParameter");
      assertTrue(c.getMessage().contains("{\"API_KEY\":\"<redacted>\"}"), c.getMessage());
      assertFalse(c.getMessage().contains(value), c.getMessage());
      Event event = awaitWarning(name, "InvalidParameter");
      assertTrue(event.getNote().contains("<redacted>"), event.getNote());
      assertTrue(refused.injected() >= 1);
      LambdaFunction stored = kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).get();
      assertFalse(io.fabric8.kubernetes.client.utils.Serialization.asJson(stored).contains(value));
      assertTrue(kube.events().v1().events().inNamespace(ns).list().getItems().stream()
          .noneMatch(e -> String.valueOf(e.getNote()).contains(value)));
      // the operator's log line for the failure is written before the status: it is in the capture by now
      List<String> operatorLines = logged.list.stream()
          .filter(e -> !e.getLoggerName().startsWith("dev.lambdaop.testbed")
              && !e.getLoggerName().startsWith("dev.lambdaop.e2e"))
          .map(AwsErrorsIT::withThrowables)
          .toList();
      assertTrue(operatorLines.stream().anyMatch(l -> l.contains(name) && l.contains("InvalidParameter")),
          "the failure is logged");
      assertEquals(List.of(), operatorLines.stream().filter(l -> l.contains(value)).toList());
    } finally {
      root.detachAppender(logged);
    }
  }

  /** A log event as an appender could write it: message, then each throwable's class and message. */
  private static String withThrowables(ch.qos.logback.classic.spi.ILoggingEvent e) {
    StringBuilder line = new StringBuilder(e.getLoggerName()).append(": ").append(e.getFormattedMessage());
    for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      line.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
    }
    return line.toString();
  }

  // --- helpers ---

  private static LambdaFunction function(String name, String source) {
    LambdaFunction fn = SampleFunctions.inline(ns, name, E2e.roleArn(), source);
    fn.getMetadata().setLabels(Map.of(E2e.PROCESS_LABEL, OPERATOR));
    return fn;
  }

  /** How the AWS SDK's JSON names the function in a CreateFunction body. */
  private static String namedInBody(String functionName) {
    return "\"FunctionName\":\"" + functionName + "\"";
  }

  private static LambdaFunction awaitReady(String name) {
    return E2e.awaitCondition(LambdaFunction.class, ns, name, Conditions.READY, "True",
        r -> r.getStatus() == null ? null : r.getStatus().conditions);
  }

  private static Condition awaitReason(String name, String reason) {
    return await().atMost(E2e.TIMEOUT).pollInterval(POLL)
        .until(() -> ready(kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).get()),
            c -> c != null && "False".equals(c.getStatus()) && reason.equals(c.getReason()));
  }

  private static Condition ready(LambdaFunction fn) {
    if (fn == null || fn.getStatus() == null || fn.getStatus().conditions == null) {
      return null;
    }
    return Conditions.find(fn.getStatus().conditions, Conditions.READY).orElse(null);
  }

  private static Event awaitWarning(String name, String reason) {
    return await().atMost(E2e.TIMEOUT).pollInterval(POLL)
        .until(() -> warnings(name, reason), e -> !e.isEmpty()).get(0);
  }

  /** The Warning events with this reason about the resource, oldest first. */
  private static List<Event> warnings(String name, String reason) {
    return kube.events().v1().events().inNamespace(ns).list().getItems().stream()
        .filter(e -> e.getRegarding() != null && name.equals(e.getRegarding().getName()))
        .filter(e -> reason.equals(e.getReason()) && "Warning".equals(e.getType()))
        .sorted(Comparator.comparing(AwsErrorsIT::eventTime))
        .toList();
  }

  private static Instant eventTime(Event e) {
    assertNotNull(e.getEventTime(), "events.k8s.io/v1 events carry eventTime");
    return Instant.parse(e.getEventTime().getTime());
  }

  private static Exchange last(Route route) {
    List<Exchange> seen = proxy.exchanges().stream().filter(e -> route.matches(e.method(), e.path())).toList();
    assertFalse(seen.isEmpty(), "the proxy saw " + route);
    return seen.get(seen.size() - 1);
  }

  private static boolean exists(String functionName) {
    try {
      lambda.getFunction(r -> r.functionName(functionName));
      return true;
    } catch (ResourceNotFoundException e) {
      return false;
    }
  }

  private static List<String> versions(String functionName) {
    return lambda.listVersionsByFunction(r -> r.functionName(functionName)).versions().stream()
        .map(FunctionConfiguration::version).filter(v -> !v.equals("$LATEST")).toList();
  }
}
