package dev.lambdaop.observability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The operator's HTTP port ({@code LAMBDAOP_METRICS_PORT}): {@code /metrics} (Prometheus text format),
 * {@code /healthz} (liveness: 200 while the operator runs) and {@code /readyz} (readiness: 200 once its controllers
 * are started and their caches synced). Plain JDK server, one thread: scrapes and probes are small and rare.
 */
public final class HttpEndpoints implements AutoCloseable {
  private final HttpServer server;

  public HttpEndpoints(int port, Supplier<String> metrics, BooleanSupplier alive, BooleanSupplier ready) {
    try {
      server = HttpServer.create(new InetSocketAddress(port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port + " (LAMBDAOP_METRICS_PORT)", e);
    }
    server.createContext("/metrics", x -> respond(x, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
    server.createContext("/healthz", x -> probe(x, alive));
    server.createContext("/readyz", x -> probe(x, ready));
    server.createContext("/", x -> respond(x, 404, "text/plain", "not found: try /metrics, /healthz, /readyz\n"));
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "http-endpoints");
      t.setDaemon(true);
      return t;
    }));
  }

  public HttpEndpoints start() {
    server.start();
    return this;
  }

  /** The port listened on (useful when 0 asked for any free port). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void probe(HttpExchange exchange, BooleanSupplier check) throws IOException {
    boolean ok = check.getAsBoolean();
    respond(exchange, ok ? 200 : 503, "text/plain", ok ? "ok\n" : "not ready\n");
  }

  private static void respond(HttpExchange exchange, int code, String type, String body) throws IOException {
    try (exchange) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      if ("HEAD".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(code, -1);
        return;
      }
      exchange.sendResponseHeaders(code, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
