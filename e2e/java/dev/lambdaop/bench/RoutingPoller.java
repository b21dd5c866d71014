package dev.lambdaop.bench;

import dev.lambdaop.testbed.Testbed;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetAliasResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * AWS's view of the aliases, independent of the operator: GetAlias of every alias every {@code poll}, with its own
 * client straight to the AWS endpoint (not through the fault proxy), keeping each result that differs from the
 * previous one for that alias.
 */
final class RoutingPoller implements AutoCloseable {
  /**
   * What GetAlias showed: the version the alias routes to (null: no alias), the additional version (null: none) and
   * its weight in percent.
   */
  record Seen(long atMs, String version, String additional, int weight) {
    static Seen absent(long atMs) {
      return new Seen(atMs, null, null, 0);
    }

    /** Percent of traffic on {@code v}. */
    int weightOf(String v) {
      if (v == null || version == null) {
        return 0;
      }
      if (v.equals(additional)) {
        return weight;
      }
      return v.equals(version) ? 100 - (additional == null ? 0 : weight) : 0;
    }

    /** All traffic on one version. */
    boolean atRest() {
      return version != null && additional == null;
    }

    boolean sameRouting(Seen o) {
      return o != null && Objects.equals(version, o.version) && Objects.equals(additional, o.additional)
          && weight == o.weight;
    }

    @Override
    public String toString() {
      return version == null ? "no alias" : additional == null ? "v" + version
          : "v" + version + "+v" + additional + "@" + weight + "%";
    }
  }

  /** How the polling went. */
  record PollStats(int aliases, long polls, long errors, double meanCallMs, String lastError) {}

  private final List<String> functions;
  private final String alias;
  private final Duration every;
  private final LambdaClient lambda;
  private final ScheduledExecutorService scheduler;
  private final Map<String, List<Seen>> changes = new ConcurrentHashMap<>();
  private final Map<String, Seen> latest = new ConcurrentHashMap<>();
  private final AtomicLong polls = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong callNanos = new AtomicLong();
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private volatile boolean closed;

  RoutingPoller(Testbed bed, List<String> functions, String alias, Duration every, int threads) {
    this.functions = List.copyOf(functions);
    this.alias = alias;
    this.every = every;
    this.lambda = bed.configureAws(LambdaClient.builder())
        .httpClient(ApacheHttpClient.builder().maxConnections(threads + 2).build()).build();
    this.scheduler = Executors.newScheduledThreadPool(threads, r -> {
      Thread t = new Thread(r, "bench-aws-poll");
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    long spread = functions.isEmpty() ? 0 : every.toNanos() / functions.size();
    for (int i = 0; i < functions.size(); i++) {
      String fn = functions.get(i);
      changes.put(fn, new CopyOnWriteArrayList<>());
      scheduler.scheduleAtFixedRate(() -> pollOnce(fn), i * spread, every.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void pollOnce(String fn) {
    if (closed) {
      return;
    }
    long t = System.nanoTime();
    Seen seen;
    try {
      GetAliasResponse a = lambda.getAlias(r -> r.functionName(fn).name(alias));
      String additional = null;
      int weight = 0;
      if (a.routingConfig() != null && a.routingConfig().hasAdditionalVersionWeights()
          && !a.routingConfig().additionalVersionWeights().isEmpty()) {
        Map.Entry<String, Double> e = a.routingConfig().additionalVersionWeights().entrySet().iterator().next();
        additional = e.getKey();
        weight = (int) Math.round(e.getValue() * 100);
      }
      seen = new Seen(System.currentTimeMillis(), a.functionVersion(), additional, weight);
    } catch (ResourceNotFoundException e) {
      seen = Seen.absent(System.currentTimeMillis());
    } catch (RuntimeException e) {
      if (!closed) {
        errors.incrementAndGet();
        lastError.set(String.valueOf(e.getMessage()));
      }
      return;
    } finally {
      callNanos.addAndGet(System.nanoTime() - t);
      polls.incrementAndGet();
    }
    Seen last = latest.put(fn, seen);
    if (!seen.sameRouting(last)) {
      changes.get(fn).add(seen);
    }
  }

  /** The last result for the function's alias, or null before the first. */
  Seen latest(String fn) {
    return latest.get(fn);
  }

  /** A copy of the changes seen so far, by function name. */
  Map<String, List<Seen>> changes() {
    Map<String, List<Seen>> copy = new TreeMap<>();
    changes.forEach((fn, list) -> copy.put(fn, List.copyOf(list)));
    return copy;
  }

  PollStats stats() {
    long p = polls.get();
    return new PollStats(functions.size(), p, errors.get(), p == 0 ? Double.NaN : callNanos.get() / 1e6 / p,
        lastError.get());
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lambda.close();
  }
}
