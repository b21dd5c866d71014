package dev.lambdaop.bench;

import static dev.lambdaop.bench.AliasShiftScenario.ALIAS;
import static dev.lambdaop.bench.AliasShiftScenario.NEW;

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

/**
 * Records AWS's view of a few aliases: polls GetAlias at a fixed rate, with its own client (so that its calls are not
 * counted as the operator's), and keeps each result that differs from the previous one.
 */
final class AliasPoller implements AutoCloseable {
  /** One GetAlias result that differed from the previous one for that function ({@code weight} of version 2). */
  record AwsObs(long atMs, long sentMs, String version, int weight, String error) {}

  /** How the polling went: how many aliases, polls and failures, and the mean time of a GetAlias. */
  record PollStats(int aliases, long polls, long errors, double meanCallMs, String lastError) {}

  private final List<String> functions;
  private final Duration every;
  private final LambdaClient lambda;
  private final ScheduledExecutorService scheduler;
  private final Map<String, List<AwsObs>> changes = new ConcurrentHashMap<>();
  private final AtomicLong polls = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong callNanos = new AtomicLong();
  private final AtomicReference<String> lastError = new AtomicReference<>();
  private volatile boolean closed;

  AliasPoller(Testbed bed, List<String> functions, Duration every) {
    this.functions = List.copyOf(functions);
    this.every = every;
    this.lambda = bed.configureAws(LambdaClient.builder())
        .httpClient(ApacheHttpClient.builder().maxConnections(Math.max(2, functions.size() + 2)).build()).build();
    this.scheduler = Executors.newScheduledThreadPool(Math.max(1, functions.size()), r -> {
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
    long sent = System.currentTimeMillis();
    long t = System.nanoTime();
    AwsObs o;
    try {
      GetAliasResponse a = lambda.getAlias(r -> r.functionName(fn).name(ALIAS));
      int weight;
      if (NEW.equals(a.functionVersion())) {
        weight = 100;
      } else {
        Double w = a.routingConfig() == null || !a.routingConfig().hasAdditionalVersionWeights() ? null
            : a.routingConfig().additionalVersionWeights().get(NEW);
        weight = w == null ? 0 : (int) Math.round(w * 100);
      }
      o = new AwsObs(System.currentTimeMillis(), sent, a.functionVersion(), weight, null);
    } catch (RuntimeException e) {
      if (closed) {
        return;
      }
      errors.incrementAndGet();
      lastError.set(String.valueOf(e.getMessage()));
      o = new AwsObs(System.currentTimeMillis(), sent, null, -1, String.valueOf(e.getMessage()));
    }
    callNanos.addAndGet(System.nanoTime() - t);
    polls.incrementAndGet();
    List<AwsObs> list = changes.get(fn);
    AwsObs last = null;
    for (int i = list.size() - 1; i >= 0 && last == null; i--) {
      if (list.get(i).error == null) {
        last = list.get(i);
      }
    }
    if (o.error != null || last == null || last.weight != o.weight || !Objects.equals(last.version, o.version)) {
      list.add(o);
    }
  }

  /** A copy of the changes seen so far, by function name. */
  Map<String, List<AwsObs>> changes() {
    Map<String, List<AwsObs>> copy = new TreeMap<>();
    changes.forEach((fn, list) -> copy.put(fn, List.copyOf(list)));
    return copy;
  }

  PollStats stats() {
    long p = polls.get();
    return new PollStats(functions.size(), p, errors.get(), p == 0 ? Double.NaN : callNanos.get() / 1e6 / p,
        lastError.get());
  }

  /** Whether the last poll of every sampled alias showed all traffic on this version. */
  boolean allOn(String version) {
    for (String fn : functions) {
      List<AwsObs> list = changes.getOrDefault(fn, List.of());
      AwsObs last = list.isEmpty() ? null : list.get(list.size() - 1);
      if (last == null || last.error != null || !version.equals(last.version) || last.weight != 100) {
        return false;
      }
    }
    return true;
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
