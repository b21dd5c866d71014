package dev.lambdaop.testbed;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.EnumMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 reverse proxy on 127.0.0.1 in front of an AWS endpoint (moto), which forwards every request and
 * response unchanged, except where a test has armed a {@link Fault}: then the matching requests are answered with an
 * AWS error, the way the Lambda REST-JSON protocol sends one, or their connection is dropped without a response, or
 * they are held for a while before being forwarded (a slow answer: a hook that runs long, since moto answers an
 * invocation at once). Point an AWS SDK client (or the operator, through its endpoint setting) at {@link #uri()}.
 *
 * <pre>{@code
 * try (FaultProxy proxy = new FaultProxy(testbed.awsEndpoint())) {
 *   Fault throttle = proxy.inject(Fault.on(Route.CREATE_FUNCTION)
 *       .error(429, "TooManyRequestsException", "Rate exceeded"));
 *   ...
 *   proxy.clear(throttle);
 * }
 * }</pre>
 *
 * <p>An AWS error is answered with the status code, the header {@code x-amzn-ErrorType: <Code>} and the JSON body
 * {@code {"Type":"User","message":"...","__type":"<Code>"}} ({@code "Type":"Service"} for 5xx), which is what Lambda
 * sends (moto sends the same header with {@code {"__type": "<Code>", "message": "..."}}). The AWS SDK for Java v2
 * takes the error code from that header ({@code __type} only when the header is missing), maps it to the modeled
 * exception (TooManyRequestsException, ...; an unmodeled code such as AccessDeniedException gives LambdaException with
 * that code), and the message from {@code message}.
 *
 * <p>Besides faults on chosen routes, {@link #injectRandom} arms {@link RandomFaults}: a share of all requests, chosen
 * at random, answered with a server error, throttling, a conflict (Lambda writes only) or a timeout (the response is
 * never sent; half of those requests are forwarded first, so that they take effect). Requests in the AWS Query
 * protocol (CloudWatch: a form-encoded body with {@code Action=}) get their errors as Query XML
 * ({@code <ErrorResponse><Error><Code>}), which is what their SDK clients read. {@link #operations()} counts every
 * request by AWS operation.
 *
 * <p>Bounded: a fixed pool of daemon threads serves requests, a second one forwards them, a third closes timed-out
 * exchanges; {@link #close()} stops the server and the pools.
 */
public final class FaultProxy implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FaultProxy.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  /** Headers that belong to one connection, or that the forwarding client sets itself. */
  private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "proxy-connection", "te", "trailer", "trailers", "transfer-encoding", "upgrade", "host",
      "content-length", "expect");
  private static final String INVOCATION_ID = "amz-sdk-invocation-id";
  private static final int SERVER_THREADS = 16;
  private static final int MAX_RECORDED = 10_000;
  private static final int RECORDED_BODY_CHARS = 4_096;
  private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern CREATE_FUNCTION_NAME = Pattern.compile("\"FunctionName\"\\s*:\\s*\"([^\"]+)\"");

  private final URI target;
  private final HttpServer server;
  private final ExecutorService serverThreads;
  private final ExecutorService clientThreads;
  private final HttpClient client;
  private final URI uri;
  private final List<Fault> faults = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedDeque<Exchange> exchanges = new ConcurrentLinkedDeque<>();
  private final ConcurrentLinkedDeque<Arrival> arrivals = new ConcurrentLinkedDeque<>();
  private final Map<String, LongAdder> operations = new ConcurrentHashMap<>();
  /** Exchanges held open by a random timeout, closed (without a response) when their time is up or on clear. */
  private final Set<HttpExchange> held = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService timeouts;
  private volatile RandomFaults random;
  private volatile boolean closed;
  /** Every request's answer, while {@link #logTraffic} is on (unbounded: for benchmarks, one short record each). */
  private final ConcurrentLinkedQueue<Request> traffic = new ConcurrentLinkedQueue<>();
  private volatile boolean logTraffic;
  /** What the proxy answers or corrects where moto is not AWS (an emulation, labelled as such in MotoGaps). */
  private final MotoGaps gaps = new MotoGaps(java.time.Clock.systemUTC());

  /** Starts a proxy to {@code target} (for example {@code http://127.0.0.1:5000}) on a free port of 127.0.0.1. */
  public FaultProxy(URI target) {
    this(target, SERVER_THREADS);
  }

  /** A proxy that serves {@code requestsAtOnce} requests at once (each held request takes a server thread). */
  public FaultProxy(URI target, int requestsAtOnce) {
    this.target = Objects.requireNonNull(target, "target");
    int instance = INSTANCES.incrementAndGet();
    this.serverThreads = Executors.newFixedThreadPool(requestsAtOnce, daemon("fault-proxy-" + instance + "-server-"));
    this.clientThreads = Executors.newFixedThreadPool(4, daemon("fault-proxy-" + instance + "-client-"));
    this.timeouts = Executors.newSingleThreadScheduledExecutor(daemon("fault-proxy-" + instance + "-timeouts-"));
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(Duration.ofSeconds(5))
        .executor(clientThreads)
        .build();
    try {
      this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    } catch (IOException e) {
      serverThreads.shutdownNow();
      clientThreads.shutdownNow();
      timeouts.shutdownNow();
      throw new UncheckedIOException("cannot open the fault proxy's port on 127.0.0.1", e);
    }
    server.setExecutor(serverThreads);
    server.createContext("/", this::handle);
    server.start();
    this.uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    LOG.info("fault proxy {} -> {}", uri, target);
  }

  /** Where clients send their requests: {@code http://127.0.0.1:<port>} (an {@code AWS_ENDPOINT_URL}). */
  public URI uri() {
    return uri;
  }

  /** The endpoint requests are forwarded to. */
  public URI target() {
    return target;
  }

  /**
   * Arms a fault and returns it (for its counters). Faults are checked in the order they were armed; a request that
   * several match counts as matched for each, and is answered by the first that has injections left.
   */
  public Fault inject(Fault fault) {
    Objects.requireNonNull(fault, "fault");
    fault.armed = true;
    faults.add(fault);
    return fault;
  }

  /** Disarms a fault: matching requests are forwarded again. Its counters keep their values. */
  public void clear(Fault fault) {
    fault.armed = false;
    faults.remove(fault);
    fault.release();
  }

  /** Disarms every fault, random faults included. */
  public void clearAll() {
    for (Fault fault : faults) {
      clear(fault);
    }
    clearRandom();
  }

  /**
   * Arms random faults (replacing any armed before) and returns them, for their counters. Faults armed with
   * {@link #inject} come first: a request one of them answers is not counted here.
   */
  public RandomFaults injectRandom(RandomFaults faults) {
    this.random = Objects.requireNonNull(faults, "faults");
    return faults;
  }

  /**
   * Disarms the random faults; the exchanges their timeouts still hold are closed now (their clients see the
   * connection end without a response).
   */
  public void clearRandom() {
    this.random = null;
    for (HttpExchange exchange : List.copyOf(held)) {
      release(exchange);
    }
  }

  /** Every request that reached the proxy so far, by AWS operation ({@link #operation}), answered or not. */
  public Map<String, Long> operations() {
    Map<String, Long> counts = new TreeMap<>();
    operations.forEach((op, n) -> counts.put(op, n.sum()));
    return counts;
  }

  /** How many requests on this route reached the proxy so far (answered by a fault or forwarded). */
  public long requests(Route route) {
    return requests(route, null);
  }

  /**
   * How many requests on this route whose body contains {@code bodyContains} (null: any body; only the first
   * {@value #RECORDED_BODY_CHARS} characters are kept) reached the proxy so far.
   */
  public long requests(Route route, String bodyContains) {
    return exchanges.stream().filter(e -> route.matches(e.method(), e.path())
        && (bodyContains == null || e.requestBody().contains(bodyContains))).count();
  }

  /**
   * How many requests on this route with this request header (case-insensitive name; null name: any) arrived so far,
   * answered or not (a held one counts as it arrives). For example the RequestResponse invocations of a function:
   * {@code arrived(Route.INVOKE.forFunction("smoke"), "X-Amz-Invocation-Type", "RequestResponse")}.
   */
  public long arrived(Route route, String headerName, String headerValue) {
    return arrivals.stream().filter(a -> route.matches(a.method(), a.path())
        && (headerName == null || Objects.equals(headerValue, a.header(headerName)))).count();
  }

  /** The requests seen so far, in the order they were answered (at most the last {@value #MAX_RECORDED}). */
  public List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  /**
   * When each API call on this route (with {@code bodyContains} in its body; null: any) started, oldest first: the
   * AWS SDK's attempts of one call (its own retries) share an {@code amz-sdk-invocation-id} and count once, at the
   * arrival of the first. This is how often the client itself (the operator) tried.
   */
  public List<Instant> callStarts(Route route, String bodyContains) {
    Map<String, Instant> first = new HashMap<>();
    int anonymous = 0;
    for (Exchange e : exchanges) {
      if (route.matches(e.method(), e.path()) && (bodyContains == null || e.requestBody().contains(bodyContains))) {
        String key = e.invocationId() != null ? e.invocationId() : "no-invocation-id-" + anonymous++;
        first.merge(key, e.at(), (a, b) -> a.isBefore(b) ? a : b);
      }
    }
    return first.values().stream().sorted().toList();
  }

  /**
   * Starts keeping a short {@link Request} record of every request from now on (when it arrived, how long its answer
   * took, service, operation, function and alias, status), for {@link #traffic()}. Unlike {@link #exchanges()} it is
   * not bounded: a benchmark turns it on for its run and reads it by time.
   */
  public void logTraffic() {
    logTraffic = true;
  }

  /** The requests answered since {@link #logTraffic()}, in the order they were answered. */
  public List<Request> traffic() {
    return List.copyOf(traffic);
  }

  /** Which AWS service a request is for (what a quota is counted in). */
  public enum Service {
    /** Lambda's REST API: paths that start with its API version, /2015-03-31/functions, /2017-03-31/tags, ... */
    LAMBDA,
    /** CloudWatch: the Query protocol (Action=...), or its JSON and CBOR protocols (GraniteServiceVersion20100801). */
    CLOUDWATCH,
    /** Anything else: S3 (path-style /bucket/key). */
    OTHER
  }

  /**
   * One request in the {@link #traffic()} log.
   *
   * @param atMs when it arrived (epoch milliseconds)
   * @param tookMs how long until its answer (or its fault) was recorded
   * @param operation as {@link #operation} names it
   * @param function the function a Lambda request names (by name; the name inside an ARN), or null
   * @param alias the alias a Lambda alias request names, or null
   * @param status as in {@link Exchange#status()}
   */
  public record Request(long atMs, long tookMs, Service service, String operation, String function, String alias,
      int status) {}

  /** The service of a request, from its path, content type, body and X-Amz-Target header. */
  static Service service(String rawPath, String contentType, String body, String amzTarget) {
    if (rawPath.matches("^/20[0-9]{2}-[0-9]{2}-[0-9]{2}/.*")) {
      return Service.LAMBDA;
    }
    if (isQueryProtocol(contentType, body) || rawPath.contains("GraniteServiceVersion20100801")
        || (amzTarget != null && amzTarget.startsWith("GraniteServiceVersion20100801"))) {
      return Service.CLOUDWATCH;
    }
    return Service.OTHER;
  }

  /**
   * The function (its name, also when the path names it by ARN, without a qualifier) and the alias a Lambda path
   * names: {@code /2015-03-31/functions/<f>/aliases/<a>}, {@code /2017-03-31/tags/<function ARN>}; nulls for none.
   */
  static String[] lambdaTarget(String rawPath) {
    String[] p = rawPath.replaceAll("/+$", "").split("/");
    String function = null;
    String alias = null;
    if (p.length >= 4 && (p[2].equals("functions") || p[2].equals("tags"))) {
      function = java.net.URLDecoder.decode(p[3], StandardCharsets.UTF_8);
      int at = function.indexOf(":function:");
      if (at >= 0) {
        function = function.substring(at + ":function:".length());
      }
      int colon = function.indexOf(':');
      if (colon >= 0) {
        function = function.substring(0, colon);
      }
      if (p[2].equals("functions") && p.length >= 6 && p[4].equals("aliases")) {
        alias = java.net.URLDecoder.decode(p[5], StandardCharsets.UTF_8);
      }
    }
    return new String[] {function, alias};
  }

  /** Stops the server (open exchanges are cut) and its threads. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    faults.forEach(Fault::release);
    faults.clear();
    clearRandom();
    server.stop(0);
    serverThreads.shutdownNow();
    clientThreads.shutdownNow();
    timeouts.shutdownNow();
    try {
      serverThreads.awaitTermination(10, TimeUnit.SECONDS);
      clientThreads.awaitTermination(10, TimeUnit.SECONDS);
      timeouts.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // JDK 21+ HttpClient is AutoCloseable (its selector thread stops now); on 17 that thread ends once the client
    // is unreachable.
    if ((Object) client instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.debug("closing the forwarding client: {}", e.toString());
      }
    }
    LOG.info("fault proxy {} stopped", uri);
  }

  private void handle(HttpExchange exchange) {
    Instant arrived = Instant.now();
    String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    URI requested = exchange.getRequestURI();
    String path = requested.getRawPath();
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readAllBytes();
    } catch (IOException e) {
      exchange.close();
      return;
    }
    String bodyText = new String(body, StandardCharsets.UTF_8);
    Headers requestHeaders = exchange.getRequestHeaders();
    String contentType = requestHeaders.getFirst("Content-Type");
    boolean query = isQueryProtocol(contentType, bodyText);
    String operation = operation(method, path, contentType, bodyText);
    operations.computeIfAbsent(operation, k -> new LongAdder()).increment();
    Seen seen = new Seen(method, path, bodyText, arrived, requestHeaders.getFirst(INVOCATION_ID),
        service(path, contentType, bodyText, requestHeaders.getFirst("X-Amz-Target")), operation);
    arrivals.add(new Arrival(method, path, Map.copyOf(requestHeaders)));
    while (arrivals.size() > MAX_RECORDED) {
      arrivals.pollFirst();
    }
    Fault fault = null;
    for (Fault candidate : faults) {
      if (candidate.matches(method, path, bodyText, requestHeaders)) {
        candidate.matched.incrementAndGet();
        if (fault == null && candidate.take()) {
          fault = candidate;
        }
      }
    }
    RandomFaults chaos = fault == null ? random : null;
    RandomFaults.Kind kind = chaos == null ? null : chaos.pick(operation, method, path, query);
    boolean keepOpen = false;
    try {
      if (fault != null) {
        fault.injected.incrementAndGet();
        LOG.debug("fault proxy: {} {} -> injected {}", method, path, fault);
        if (fault.delay != null) {
          // A slow answer: held (until the delay passed or the test released it), then forwarded as it is.
          fault.released.await(fault.delay.toMillis(), TimeUnit.MILLISECONDS);
          if (closed) {
            return;
          }
          forward(exchange, seen, requested, body);
          return;
        }
        if (fault.drop) {
          record(seen, -1, Map.of(), "");
          // Closing an exchange before its response headers were sent closes the connection: the client sees the
          // connection end without a response.
          exchange.close();
          return;
        }
        // a Query-protocol request (CloudWatch, STS) gets its error as Query XML, which its SDK client reads
        answerError(exchange, seen, fault.status, fault.errorCode, query
            ? queryErrorBody(fault.status, fault.errorCode, fault.message) : fault.errorBody());
        return;
      }
      if (kind != null) {
        LOG.debug("fault proxy: {} {} -> random {}", method, path, kind);
        switch (kind) {
          case SERVER_ERROR, THROTTLE, CONFLICT -> {
            if (query) {
              int status = kind.queryStatus;
              answerError(exchange, seen, status, kind.queryCode, queryErrorBody(status, kind.queryCode,
                  kind.message));
            } else {
              answerError(exchange, seen, kind.restStatus, kind.restCode,
                  restErrorBody(kind.restStatus, kind.restCode, kind.message));
            }
          }
          case TIMEOUT_APPLIED -> {
            HttpResponse<byte[]> discarded = send(exchange, seen, requested, body);
            record(seen, -3, discarded.headers().map(), new String(discarded.body(), StandardCharsets.UTF_8));
            keepOpen = hold(exchange, chaos.timeoutHold());
          }
          case TIMEOUT_NOT_APPLIED -> {
            record(seen, -3, Map.of(), "");
            keepOpen = hold(exchange, chaos.timeoutHold());
          }
          default -> throw new IllegalStateException(kind.name());
        }
        return;
      }
      forward(exchange, seen, requested, body);
    } catch (IOException | RuntimeException e) {
      LOG.debug("fault proxy: {} {} failed: {}", method, path, e.toString());
      if (!closed) {
        record(seen, -2, Map.of(), String.valueOf(e));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (!keepOpen) {
        exchange.close();
      }
    }
  }

  private void answerError(HttpExchange exchange, Seen seen, int status, String code, String errorBody)
      throws IOException {
    byte[] answer = errorBody.getBytes(StandardCharsets.UTF_8);
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", errorBody.startsWith("<") ? "text/xml" : "application/json");
    headers.set("x-amzn-ErrorType", code);
    headers.set("x-amzn-RequestId", UUID.randomUUID().toString());
    record(seen, status, Map.of("x-amzn-ErrorType", List.of(code)), errorBody);
    respond(exchange, seen.method(), status, answer);
  }

  /**
   * Keeps the exchange open, without a response, for {@code duration} (or until {@link #clearRandom}); then closes
   * it. Returns false (the caller closes it now) when the proxy is closing.
   */
  private boolean hold(HttpExchange exchange, Duration duration) {
    if (closed) {
      return false;
    }
    held.add(exchange);
    try {
      timeouts.schedule(() -> release(exchange), duration.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException rejected) {
      held.remove(exchange);
      return false;
    }
    return true;
  }

  private void release(HttpExchange exchange) {
    if (held.remove(exchange)) {
      exchange.close();
    }
  }

  /** AWS Query protocol (CloudWatch, IAM, STS): a form-encoded body naming its Action. */
  static boolean isQueryProtocol(String contentType, String body) {
    return contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")
        && body.contains("Action=");
  }

  /**
   * The AWS operation a request calls: for the Lambda REST API from its method and path (CreateFunction,
   * GetAlias, UpdateAlias, PublishVersion, TagResource, ...), for the Query protocol its {@code Action}; otherwise
   * the method and the path's first segment.
   */
  public static String operation(String method, String rawPath, String contentType, String body) {
    String m = method.toUpperCase(Locale.ROOT);
    if (isQueryProtocol(contentType, body)) {
      java.util.regex.Matcher action = Pattern.compile("(?:^|&)Action=([A-Za-z0-9]+)").matcher(body);
      return action.find() ? action.group(1) : "Query";
    }
    String[] p = rawPath.replaceAll("/+$", "").split("/");
    // p[0] is empty (the path starts with /); p[1] the API version
    if (p.length >= 3 && p[2].equals("functions")) {
      if (p.length == 3) {
        return m.equals("POST") ? "CreateFunction" : m.equals("GET") ? "ListFunctions" : m + " functions";
      }
      if (p.length == 4) {
        return switch (m) {
          case "GET" -> "GetFunction";
          case "DELETE" -> "DeleteFunction";
          default -> m + " function";
        };
      }
      String sub = p[4];
      if (p.length == 5) {
        return switch (sub + " " + m) {
          case "configuration GET" -> "GetFunctionConfiguration";
          case "configuration PUT" -> "UpdateFunctionConfiguration";
          case "code PUT" -> "UpdateFunctionCode";
          case "versions POST" -> "PublishVersion";
          case "versions GET" -> "ListVersionsByFunction";
          case "aliases POST" -> "CreateAlias";
          case "aliases GET" -> "ListAliases";
          case "invocations POST" -> "Invoke";
          case "concurrency PUT" -> "PutFunctionConcurrency";
          case "concurrency DELETE" -> "DeleteFunctionConcurrency";
          case "concurrency GET" -> "GetFunctionConcurrency";
          case "policy POST" -> "AddPermission";
          case "policy GET" -> "GetPolicy";
          case "url POST" -> "CreateFunctionUrlConfig";
          case "url GET" -> "GetFunctionUrlConfig";
          case "url PUT" -> "UpdateFunctionUrlConfig";
          case "url DELETE" -> "DeleteFunctionUrlConfig";
          case "event-invoke-config PUT" -> "PutFunctionEventInvokeConfig";
          case "event-invoke-config POST" -> "UpdateFunctionEventInvokeConfig";
          case "event-invoke-config GET" -> "GetFunctionEventInvokeConfig";
          case "event-invoke-config DELETE" -> "DeleteFunctionEventInvokeConfig";
          case "provisioned-concurrency PUT" -> "PutProvisionedConcurrencyConfig";
          case "provisioned-concurrency GET" -> "GetProvisionedConcurrencyConfig";
          case "provisioned-concurrency DELETE" -> "DeleteProvisionedConcurrencyConfig";
          default -> m + " function " + sub;
        };
      }
      if (sub.equals("policy") && m.equals("DELETE")) {
        return "RemovePermission";
      }
      if (sub.equals("aliases")) {
        return switch (m) {
          case "GET" -> "GetAlias";
          case "PUT" -> "UpdateAlias";
          case "DELETE" -> "DeleteAlias";
          default -> m + " alias";
        };
      }
      return m + " function " + sub;
    }
    if (p.length >= 3 && p[2].equals("tags")) {
      return switch (m) {
        case "GET" -> "ListTags";
        case "POST" -> "TagResource";
        case "DELETE" -> "UntagResource";
        default -> m + " tags";
      };
    }
    if (p.length >= 3 && p[2].equals("event-source-mappings")) {
      return p.length == 3 ? (m.equals("POST") ? "CreateEventSourceMapping" : "ListEventSourceMappings")
          : switch (m) {
            case "GET" -> "GetEventSourceMapping";
            case "PUT" -> "UpdateEventSourceMapping";
            case "DELETE" -> "DeleteEventSourceMapping";
            default -> m + " event-source-mapping";
          };
    }
    if (p.length >= 3 && p[2].equals("account-settings")) {
      return "GetAccountSettings";
    }
    return m + " /" + (p.length > 1 ? p[1] : "");
  }

  /** The body Lambda (REST-JSON) sends with an error: {"Type":"User","message":"..."}, plus __type. */
  static String restErrorBody(int status, String code, String message) {
    return "{\"Type\":\"" + (status >= 500 ? "Service" : "User") + "\",\"message\":\"" + Fault.json(message)
        + "\",\"__type\":\"" + Fault.json(code) + "\"}";
  }

  /** The body a Query-protocol service (CloudWatch) sends with an error. */
  static String queryErrorBody(int status, String code, String message) {
    return "<ErrorResponse xmlns=\"http://monitoring.amazonaws.com/doc/2010-08-01/\"><Error><Type>"
        + (status >= 500 ? "Receiver" : "Sender") + "</Type><Code>" + code + "</Code><Message>" + message
        + "</Message></Error><RequestId>" + UUID.randomUUID() + "</RequestId></ErrorResponse>";
  }

  /** The emulation of what moto lacks (provisioned concurrency, ...): see {@link MotoGaps}. */
  public MotoGaps motoGaps() {
    return gaps;
  }

  private void forward(HttpExchange exchange, Seen seen, URI requested, byte[] body)
      throws IOException, InterruptedException {
    java.util.Optional<MotoGaps.Answer> emulated = gaps.answer(seen.method(), seen.path(), requested.getRawQuery(),
        seen.body(), MotoGaps.region(exchange.getRequestHeaders().getFirst("Authorization")));
    if (emulated.isPresent()) {
      MotoGaps.Answer a = emulated.get();
      Headers headers = exchange.getResponseHeaders();
      headers.set("Content-Type", "application/json");
      headers.set("x-amzn-RequestId", UUID.randomUUID().toString());
      if (a.errorCode() != null) {
        headers.set("x-amzn-ErrorType", a.errorCode());
      }
      record(seen, a.status(), a.errorCode() == null ? Map.of() : Map.of("x-amzn-ErrorType", List.of(a.errorCode())),
          a.body());
      respond(exchange, seen.method(), a.status(), a.body().getBytes(StandardCharsets.UTF_8));
      return;
    }
    if (gaps.deleteFirst(seen.method(), seen.path())) {
      send(exchange, new Seen("DELETE", seen.path(), "", seen.at(), seen.invocationId(), seen.service(),
          seen.operation()), requested, new byte[0]);
    }
    HttpResponse<byte[]> response = send(exchange, seen, requested, body);
    String moto = new String(response.body(), StandardCharsets.UTF_8);
    String answer = gaps.correct(seen.method(), seen.path(), seen.body(), response.statusCode(), moto);
    boolean corrected = !answer.equals(moto);
    boolean head = seen.method().equals("HEAD");
    Headers out = exchange.getResponseHeaders();
    for (Map.Entry<String, List<String>> header : response.headers().map().entrySet()) {
      String name = header.getKey().toLowerCase(Locale.ROOT);
      if (name.startsWith(":") || (NOT_FORWARDED.contains(name) && !(head && name.equals("content-length")))
          || (corrected && name.equals("x-amz-crc32"))) {
        continue;
      }
      out.put(header.getKey(), new ArrayList<>(header.getValue()));
    }
    record(seen, response.statusCode(), response.headers().map(), answer);
    respond(exchange, seen.method(), response.statusCode(), corrected ? answer.getBytes(StandardCharsets.UTF_8)
        : response.body());
  }

  /** Sends the request on to the target and returns its response. */
  private HttpResponse<byte[]> send(HttpExchange exchange, Seen seen, URI requested, byte[] body)
      throws IOException, InterruptedException {
    String method = seen.method();
    String path = seen.path();
    String query = requested.getRawQuery();
    String base = target.toString().endsWith("/") ? target.toString().substring(0, target.toString().length() - 1)
        : target.toString();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path + (query == null ? "" : "?" + query)))
        .timeout(FORWARD_TIMEOUT)
        .method(method, body.length == 0 && !method.equals("POST") && !method.equals("PUT")
            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
      if (NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        continue;
      }
      for (String value : header.getValue()) {
        try {
          request.header(header.getKey(), value);
        } catch (IllegalArgumentException restricted) {
          LOG.debug("fault proxy: header {} not forwarded: {}", header.getKey(), restricted.getMessage());
        }
      }
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void respond(HttpExchange exchange, String method, int status, byte[] body) throws IOException {
    boolean noBody = method.equals("HEAD") || status == 204 || status == 304 || (status >= 100 && status < 200);
    if (noBody || body.length == 0) {
      exchange.sendResponseHeaders(status, -1);
    } else {
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(body);
      }
    }
  }

  /** A request as it arrived. */
  private record Seen(String method, String path, String body, Instant at, String invocationId, Service service,
      String operation) {}

  /** A request's arrival, with its headers. */
  private record Arrival(String method, String path, Map<String, List<String>> headers) {
    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
    }
  }

  private void record(Seen seen, int status, Map<String, List<String>> headers, String responseBody) {
    if (logTraffic) {
      long at = seen.at().toEpochMilli();
      String[] target = seen.service() == Service.LAMBDA ? lambdaTarget(seen.path()) : new String[2];
      if (target[0] == null && "CreateFunction".equals(seen.operation())) { // named in the body
        java.util.regex.Matcher name = CREATE_FUNCTION_NAME.matcher(seen.body());
        target[0] = name.find() ? name.group(1) : null;
      }
      traffic.add(new Request(at, System.currentTimeMillis() - at, seen.service(), seen.operation(), target[0],
          target[1], status));
    }
    exchanges.add(new Exchange(seen.method(), seen.path(), truncate(seen.body()), seen.at(), seen.invocationId(),
        status, Map.copyOf(headers), truncate(responseBody)));
    while (exchanges.size() > MAX_RECORDED) {
      exchanges.pollFirst();
    }
  }

  private static String truncate(String text) {
    return text.length() <= RECORDED_BODY_CHARS ? text : text.substring(0, RECORDED_BODY_CHARS);
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * One request the proxy saw, with the answer it gave.
   *
   * @param requestBody the first characters of the request body
   * @param at when the request arrived
   * @param invocationId the AWS SDK's {@code amz-sdk-invocation-id} header: the same for every attempt of one API
   *     call (the SDK retries some errors itself), or null
   * @param status the response status; -1 for a dropped connection, -2 when forwarding failed, -3 for a random
   *     timeout (no response; the body is the target's, when the request was forwarded)
   * @param responseHeaders the response headers (for an injected error, only x-amzn-ErrorType)
   * @param responseBody the first characters of the response body
   */
  public record Exchange(String method, String path, String requestBody, Instant at, String invocationId, int status,
      Map<String, List<String>> responseHeaders, String responseBody) {
    /** The first value of a response header, by case-insensitive name, or null. */
    public String responseHeader(String name) {
      return responseHeaders.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
    }

    @Override
    public String toString() {
      return method + " " + path + " at " + at + " -> " + status + " " + responseHeaders + " " + responseBody;
    }
  }

  /**
   * Which requests a fault applies to: an HTTP method and a regular expression that the raw path (without the query)
   * must match. The constants are the Lambda operations (REST paths of API version 2015-03-31) for any function;
   * {@link #forFunction} narrows one to a function name.
   */
  public record Route(String method, Pattern path) {
    private static final String NAME = "[^/]+";
    private static final String FUNCTIONS = "^/2015-03-31/functions";

    public static final Route CREATE_FUNCTION = of("POST", FUNCTIONS + "/?$");
    public static final Route GET_FUNCTION = of("GET", FUNCTIONS + "/" + NAME + "$");
    public static final Route GET_FUNCTION_CONFIGURATION = of("GET", FUNCTIONS + "/" + NAME + "/configuration$");
    public static final Route UPDATE_FUNCTION_CONFIGURATION = of("PUT", FUNCTIONS + "/" + NAME + "/configuration$");
    public static final Route UPDATE_FUNCTION_CODE = of("PUT", FUNCTIONS + "/" + NAME + "/code$");
    public static final Route PUBLISH_VERSION = of("POST", FUNCTIONS + "/" + NAME + "/versions$");
    public static final Route LIST_VERSIONS = of("GET", FUNCTIONS + "/" + NAME + "/versions$");
    public static final Route UPDATE_ALIAS = of("PUT", FUNCTIONS + "/" + NAME + "/aliases/" + NAME + "$");
    /** Invoke, of any type: RequestResponse, Event or DryRun (header {@code X-Amz-Invocation-Type}). */
    public static final Route INVOKE = of("POST", FUNCTIONS + "/" + NAME + "/invocations$");

    public Route {
      method = method.toUpperCase(Locale.ROOT);
      Objects.requireNonNull(path, "path");
    }

    public static Route of(String method, String pathRegex) {
      return new Route(method, Pattern.compile(pathRegex));
    }

    /**
     * The same operation on one function only (for routes whose path names the function; CreateFunction names it
     * in its body, see {@link Fault#whereBodyContains}).
     */
    public Route forFunction(String functionName) {
      String regex = path.pattern();
      int at = regex.indexOf(NAME);
      if (at < 0) {
        throw new IllegalArgumentException(this + " does not name a function in its path");
      }
      return of(method, regex.substring(0, at) + Pattern.quote(functionName) + regex.substring(at + NAME.length()));
    }

    public boolean matches(String requestMethod, String rawPath) {
      return method.equalsIgnoreCase(requestMethod) && path.matcher(rawPath).find();
    }

    @Override
    public String toString() {
      return method + " " + path.pattern();
    }
  }

  /**
   * A fault to arm with {@link FaultProxy#inject}: which requests it matches ({@link #on}, optionally
   * {@link #whereBodyContains} and {@link #whereHeader}), how many of them it answers ({@link #times}; unlimited by
   * default, that is until {@link FaultProxy#clear}), and what it does ({@link #error}, {@link #dropConnection}, or
   * {@link #delay}: forwarded late). The configuring methods return a new fault; the counters are those of the
   * instance that was injected.
   */
  public static final class Fault {
    private final Route route;
    private final String bodyContains;
    private final String headerName;
    private final String headerValue;
    private final int times;
    private final boolean drop;
    private final Duration delay;
    private final int status;
    private final String errorCode;
    private final String message;
    private final AtomicInteger remaining;
    private final AtomicInteger matched = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean armed;

    private Fault(Route route, String bodyContains, String headerName, String headerValue, int times, boolean drop,
        Duration delay, int status, String errorCode, String message) {
      this.route = Objects.requireNonNull(route, "route");
      this.bodyContains = bodyContains;
      this.headerName = headerName;
      this.headerValue = headerValue;
      this.times = times;
      this.drop = drop;
      this.delay = delay;
      this.status = status;
      this.errorCode = errorCode;
      this.message = message;
      this.remaining = new AtomicInteger(times);
    }

    /** A fault on these requests; by default it answers 500 ServiceException to every one of them. */
    public static Fault on(Route route) {
      return new Fault(route, null, null, null, -1, false, null, 500, "ServiceException", "injected by FaultProxy");
    }

    /** Only requests whose body (as UTF-8 text) contains this text, e.g. {@code "FunctionName":"orders"}. */
    public Fault whereBodyContains(String text) {
      return new Fault(route, text, headerName, headerValue, times, drop, delay, status, errorCode, message);
    }

    /**
     * Only requests with this header value (case-insensitive name), e.g. {@code X-Amz-Invocation-Type:
     * RequestResponse} for a hook's invocation but not its DryRun check.
     */
    public Fault whereHeader(String name, String value) {
      return new Fault(route, bodyContains, Objects.requireNonNull(name, "name"), value, times, drop, delay, status,
          errorCode, message);
    }

    /** Answers only the next {@code n} matching requests, then lets them through. */
    public Fault times(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("times must be at least 0: " + n);
      }
      return new Fault(route, bodyContains, headerName, headerValue, n, drop, delay, status, errorCode, message);
    }

    /** Answers with an AWS error: this status, {@code x-amzn-ErrorType: code}, and a JSON body with the message. */
    public Fault error(int statusCode, String code, String errorMessage) {
      if (statusCode < 400 || statusCode > 599) {
        throw new IllegalArgumentException("an AWS error has a 4xx or 5xx status: " + statusCode);
      }
      return new Fault(route, bodyContains, headerName, headerValue, times, false, null, statusCode,
          Objects.requireNonNull(code, "code"), Objects.requireNonNull(errorMessage, "errorMessage"));
    }

    /** Closes the connection without any response. */
    public Fault dropConnection() {
      return new Fault(route, bodyContains, headerName, headerValue, times, true, null, 0, null, null);
    }

    /**
     * Holds each matching request for {@code duration} (or until {@link #release}), then forwards it and its answer
     * unchanged: a slow answer. Each held request takes one of the proxy's server threads.
     */
    public Fault delay(Duration duration) {
      return new Fault(route, bodyContains, headerName, headerValue, times, false,
          Objects.requireNonNull(duration, "duration"), 0, null, null);
    }

    /**
     * Holds each matching request, unanswered, until {@link #release} (or {@link FaultProxy#clear}, or the proxy
     * closes; at most the forwarding timeout), then forwards it unchanged: the client's call stays in flight while
     * the test does something else. {@link #injected} counts the requests held so far.
     */
    public Fault hold() {
      return delay(FORWARD_TIMEOUT);
    }

    /** Forwards the requests this (delaying or holding) fault holds now, and later ones at once. */
    public void release() {
      released.countDown();
    }

    /** Requests that matched while this fault was armed (answered by it or, once it was used up, forwarded). */
    public int matched() {
      return matched.get();
    }

    /** Requests this fault answered. */
    public int injected() {
      return injected.get();
    }

    public Route route() {
      return route;
    }

    boolean matches(String method, String path, String body, Headers headers) {
      return armed && route.matches(method, path) && (bodyContains == null || body.contains(bodyContains))
          && (headerName == null || Objects.equals(headerValue, headers.getFirst(headerName)));
    }

    /** Takes one of the remaining injections; true if this request is to be answered by the fault. */
    boolean take() {
      if (times < 0) {
        return true;
      }
      return remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    /** The body Lambda sends with an error: {"Type":"User","message":"..."}, plus __type for other readers. */
    String errorBody() {
      return restErrorBody(status, errorCode, message);
    }

    static String json(String text) {
      StringBuilder out = new StringBuilder(text.length() + 8);
      for (char c : text.toCharArray()) {
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> {
            if (c < 0x20) {
              out.append(String.format("\\u%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      return out.toString();
    }

    @Override
    public String toString() {
      return "Fault[" + route + (bodyContains == null ? "" : " body~" + bodyContains)
          + (headerName == null ? "" : " " + headerName + "=" + headerValue)
          + (times < 0 ? "" : " x" + times) + " -> "
          + (delay != null ? "forward after " + delay : drop ? "drop connection" : status + " " + errorCode) + "]";
    }
  }
  /**
   * Faults on a share of all requests, chosen at random (seeded, so that a run can be repeated as far as the timing
   * of its requests allows): each request is answered by a fault with probability {@code rate}, and then by one of
   * the {@link Kind kinds}, each equally likely among those that apply to the request (a conflict only to a Lambda
   * write). Counts what it saw and did, by kind and by operation.
   *
   * <pre>{@code
   * RandomFaults chaos = proxy.injectRandom(RandomFaults.of(0.2, seed));
   * ...
   * proxy.clearRandom();
   * }</pre>
   */
  public static final class RandomFaults {
    /** What a random fault does to a request. */
    public enum Kind {
      /** 500 ServiceException (Query: 500 InternalFailure). */
      SERVER_ERROR(500, "ServiceException", 500, "InternalFailure", "injected by FaultProxy: internal error"),
      /** 429 TooManyRequestsException (Query: 400 Throttling). */
      THROTTLE(429, "TooManyRequestsException", 400, "Throttling", "Rate exceeded"),
      /** 409 ResourceConflictException, only to Lambda writes (Lambda's answer while a function updates). */
      CONFLICT(409, "ResourceConflictException", 0, null,
          "The operation cannot be performed at this time. An update is in progress for resource (FaultProxy)"),
      /** Forwarded, so that it takes effect; the response is never sent (the connection closes after the hold). */
      TIMEOUT_APPLIED(0, null, 0, null, null),
      /** Not forwarded; no response (the connection closes after the hold). */
      TIMEOUT_NOT_APPLIED(0, null, 0, null, null);

      final int restStatus;
      final String restCode;
      final int queryStatus;
      final String queryCode;
      final String message;

      Kind(int restStatus, String restCode, int queryStatus, String queryCode, String message) {
        this.restStatus = restStatus;
        this.restCode = restCode;
        this.queryStatus = queryStatus;
        this.queryCode = queryCode;
        this.message = message;
      }

      boolean isTimeout() {
        return this == TIMEOUT_APPLIED || this == TIMEOUT_NOT_APPLIED;
      }
    }

    /** The four families of fault: 5xx, throttling, conflict, timeout (half of the timeouts applied). */
    private static final List<Kind> FAMILIES = List.of(Kind.SERVER_ERROR, Kind.THROTTLE, Kind.CONFLICT,
        Kind.TIMEOUT_APPLIED);

    private final double rate;
    private final long seed;
    private final Duration timeoutHold;
    private final Random random;
    private final LongAdder seen = new LongAdder();
    private final Map<Kind, LongAdder> injected = new EnumMap<>(Kind.class);
    private final Map<String, LongAdder> injectedByOperation = new ConcurrentHashMap<>();

    /** Only throttling (429 TooManyRequestsException), only to Lambda's control plane: {@link #lambdaThrottling}. */
    private final boolean lambdaThrottlingOnly;

    private RandomFaults(double rate, long seed, Duration timeoutHold) {
      this(rate, seed, timeoutHold, false);
    }

    private RandomFaults(double rate, long seed, Duration timeoutHold, boolean lambdaThrottlingOnly) {
      this.lambdaThrottlingOnly = lambdaThrottlingOnly;
      if (!(rate >= 0 && rate <= 1)) {
        throw new IllegalArgumentException("rate must be 0 to 1: " + rate);
      }
      if (timeoutHold.isNegative()) {
        throw new IllegalArgumentException("timeoutHold must not be negative: " + timeoutHold);
      }
      this.rate = rate;
      this.seed = seed;
      this.timeoutHold = timeoutHold;
      this.random = new Random(seed);
      for (Kind kind : Kind.values()) {
        injected.put(kind, new LongAdder());
      }
    }

    /**
     * Faults on {@code rate} (0 to 1) of the requests, from this seed; a timeout holds its exchange 25 s (longer than
     * an SDK attempt timeout of 20 s).
     */
    public static RandomFaults of(double rate, long seed) {
      return new RandomFaults(rate, seed, Duration.ofSeconds(25));
    }

    /**
     * Throttling of Lambda's control plane: {@code rate} (0 to 1) of the Lambda requests other than Invoke, chosen at
     * random from this seed, answered 429 {@code TooManyRequestsException} in Lambda's JSON error shape; every other
     * request (CloudWatch, S3, invocations) goes through and is not counted in {@link #seen()}.
     */
    public static RandomFaults lambdaThrottling(double rate, long seed) {
      return new RandomFaults(rate, seed, Duration.ofSeconds(25), true);
    }

    /** How long a timeout keeps its exchange open without a response before closing it. */
    public RandomFaults timeoutHold(Duration hold) {
      return new RandomFaults(rate, seed, hold, lambdaThrottlingOnly);
    }

    public double rate() {
      return rate;
    }

    public long seed() {
      return seed;
    }

    public Duration timeoutHold() {
      return timeoutHold;
    }

    /** Requests that reached these faults while armed. */
    public long seen() {
      return seen.sum();
    }

    /** Requests answered by a fault of this kind. */
    public long injected(Kind kind) {
      return injected.get(kind).sum();
    }

    /** Requests answered by any fault. */
    public long injected() {
      return injected.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** Faults injected by operation ({@link FaultProxy#operation}). */
    public Map<String, Long> injectedByOperation() {
      Map<String, Long> counts = new TreeMap<>();
      injectedByOperation.forEach((op, n) -> counts.put(op, n.sum()));
      return counts;
    }

    /** The fault for this request, or null: it goes through. */
    Kind pick(String operation, String method, String rawPath, boolean query) {
      if (lambdaThrottlingOnly && (query || !rawPath.startsWith("/20") || operation.equals("Invoke"))) {
        return null;
      }
      seen.increment();
      if (random.nextDouble() >= rate) {
        return null;
      }
      if (lambdaThrottlingOnly) {
        injected.get(Kind.THROTTLE).increment();
        injectedByOperation.computeIfAbsent(operation, k -> new LongAdder()).increment();
        return Kind.THROTTLE;
      }
      boolean lambdaWrite = !query && !method.equals("GET") && !method.equals("HEAD")
          && rawPath.startsWith("/20") && !operation.equals("Invoke");
      List<Kind> kinds = lambdaWrite ? FAMILIES : FAMILIES.stream().filter(k -> k != Kind.CONFLICT).toList();
      Kind kind = kinds.get(random.nextInt(kinds.size()));
      if (kind == Kind.TIMEOUT_APPLIED && random.nextBoolean()) {
        kind = Kind.TIMEOUT_NOT_APPLIED;
      }
      injected.get(kind).increment();
      injectedByOperation.computeIfAbsent(operation, k -> new LongAdder()).increment();
      return kind;
    }

    @Override
    public String toString() {
      if (lambdaThrottlingOnly) {
        return String.format(Locale.ROOT, "RandomFaults[429 to %.0f%% of Lambda requests, seed %d]", rate * 100, seed);
      }
      return String.format(Locale.ROOT, "RandomFaults[%.0f%% of requests, seed %d, timeouts held %s]", rate * 100,
          seed, timeoutHold);
    }
  }
}
