package dev.lambdaop.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The operator as its own OS process ({@code java -cp <this classpath> dev.lambdaop.OperatorMain}, configured by
 * environment variables only, as in a cluster), which can be killed with SIGKILL and started again, and a killer
 * thread that does so at random intervals. Each process logs to its own file. Everything it started is stopped by
 * {@link #close()}, and by a shutdown hook when the JVM ends otherwise (Ctrl-C, the watchdog).
 */
final class OperatorProcess implements AutoCloseable {
  /** How a process ended. */
  enum End {
    /** SIGKILL by the killer. */
    KILLED,
    /** Stopped at the end of the run (SIGTERM). */
    STOPPED,
    /** It ended by itself: a crash or an exit, which the benchmark reports; it is started again. */
    EXITED
  }

  /**
   * One process: when it started, when /readyz first answered 200 (null: never), when and how it ended (null: it
   * runs) and its exit code.
   */
  record Run(int index, long startedMs, Long readyMs, Long endedMs, End end, Integer exitCode, Path log) {
    Long readyAfterMs() {
      return readyMs == null ? null : readyMs - startedMs;
    }

    boolean killed() {
      return end == End.KILLED;
    }
  }

  private final Map<String, String> environment;
  private final List<String> javaOptions;
  private final Path logDirectory;
  private final List<Run> runs = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Thread shutdownHook;
  private Process process;
  private int index;
  private int metricsPort;
  private Thread killer;
  private volatile boolean stopping;
  /** Counted down when the benchmark stops this: the waits below end at once then. */
  private final CountDownLatch closing = new CountDownLatch(1);

  OperatorProcess(Map<String, String> environment, List<String> javaOptions, Path logDirectory) {
    this.environment = new LinkedHashMap<>(environment);
    this.javaOptions = List.copyOf(javaOptions);
    this.logDirectory = logDirectory;
    try {
      Files.createDirectories(logDirectory);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.shutdownHook = new Thread(this::stopNow, "bench-operator-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Starts a new process (there is none running) and a thread that records when it is ready. */
  synchronized void start() {
    if (stopping) {
      return;
    }
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("the operator process " + process.pid() + " still runs");
    }
    index++;
    metricsPort = freePort();
    Path log = logDirectory.resolve(String.format("operator-%02d.log", index));
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(javaOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.lambdaop.OperatorMain");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    builder.environment().putAll(environment);
    builder.environment().put("LAMBDAOP_METRICS_PORT", String.valueOf(metricsPort));
    long started = System.currentTimeMillis();
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the operator process", e);
    }
    int runIndex = runs.size();
    runs.add(new Run(index, started, null, null, null, null, log));
    Process p = process;
    int port = metricsPort;
    Thread readiness = new Thread(() -> awaitReady(p, port, runIndex), "bench-operator-ready");
    readiness.setDaemon(true);
    readiness.start();
    p.onExit().thenRun(() -> exited(p, runIndex));
  }

  /** A process ended: unless the benchmark ended it, it crashed or exited; it is recorded and started again. */
  private void exited(Process p, int runIndex) {
    synchronized (this) {
      if (runs.get(runIndex).end() != null) {
        return; // killed or stopped: recorded there
      }
      ended(runIndex, End.EXITED, p.exitValue());
      if (stopping || p != process) {
        return;
      }
    }
    Thread restart = new Thread(() -> {
      synchronized (this) {
        if (!stopping && (process == null || !process.isAlive())) {
          start();
        }
      }
    }, "bench-operator-restart");
    restart.setDaemon(true);
    restart.start();
  }

  private void ended(int runIndex, End end, Integer exitCode) {
    Run run = runs.get(runIndex);
    runs.set(runIndex, new Run(run.index(), run.startedMs(), run.readyMs(), System.currentTimeMillis(), end,
        exitCode, run.log()));
  }

  private void awaitReady(Process p, int port, int runIndex) {
    URI readyz = URI.create("http://127.0.0.1:" + port + "/readyz");
    while (p.isAlive() && !stopping) {
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) {
          synchronized (this) {
            Run run = runs.get(runIndex);
            runs.set(runIndex, new Run(run.index(), run.startedMs(), System.currentTimeMillis(), run.endedMs(),
                run.end(), run.exitCode(), run.log()));
          }
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        return;
      }
      try {
        if (closing.await(200, TimeUnit.MILLISECONDS)) { // the next look at /readyz, unless stopped
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Whether the current process is alive and answered /readyz. */
  boolean ready() {
    Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
    synchronized (this) {
      return process != null && process.isAlive() && last != null && last.readyMs() != null;
    }
  }

  /** Waits until the current process is ready; false after the limit, or when it died. */
  boolean awaitReady(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (ready()) {
        return true;
      }
      synchronized (this) {
        if (process == null || !process.isAlive()) {
          return false;
        }
      }
      if (closing.await(100, TimeUnit.MILLISECONDS)) {
        return false;
      }
    }
    return false;
  }

  /** SIGKILL (Process.destroyForcibly on Unix), then waits for the process to end. */
  synchronized void kill() throws InterruptedException {
    int last = runs.size() - 1;
    if (process == null || runs.get(last).end() != null) {
      return;
    }
    ended(last, End.KILLED, null);
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * Kills the process every {@code min} to {@code max} (uniformly at random, from the start of each process, or from
   * now for the process that runs now) and starts a new one at once, until {@link #stopKilling}.
   */
  synchronized void startKilling(Random random, Duration min, Duration max) {
    if (min.isZero() || killer != null) {
      return;
    }
    long since = System.currentTimeMillis();
    killer = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted() && !stopping) {
          long spread = max.toMillis() - min.toMillis();
          long life = min.toMillis() + (spread == 0 ? 0 : (long) (random.nextDouble() * spread));
          long startedMs;
          synchronized (this) {
            startedMs = Math.max(since, runs.get(runs.size() - 1).startedMs());
          }
          long wait = startedMs + life - System.currentTimeMillis();
          if (wait > 0 && closing.await(wait, TimeUnit.MILLISECONDS)) {
            return; // until this process's kill is due, or the benchmark stops it (stopKilling interrupts)
          }
          synchronized (this) {
            if (stopping || Thread.currentThread().isInterrupted()) {
              return;
            }
            kill();
            if (process == null || !process.isAlive()) {
              start();
            }
          }
        }
      } catch (InterruptedException e) {
        // stopped
      }
    }, "bench-operator-killer");
    killer.setDaemon(true);
    killer.start();
  }

  /** Stops the killer; a process runs when this returns (one is started if the last was killed). */
  void stopKilling() throws InterruptedException {
    Thread k;
    synchronized (this) {
      k = killer;
      killer = null;
    }
    if (k != null) {
      k.interrupt();
      k.join(60_000);
    }
    synchronized (this) {
      if (process == null || !process.isAlive()) {
        start();
      }
    }
  }

  /** The current process's id, or -1 when none runs. */
  synchronized long pid() {
    return process != null && process.isAlive() ? process.pid() : -1;
  }

  /** The port of the current process's /metrics, /readyz and /healthz (0 before the first start). */
  synchronized int metricsPort() {
    return metricsPort;
  }

  List<Run> runs() {
    return List.copyOf(runs);
  }

  long kills() {
    return runs.stream().filter(Run::killed).count();
  }

  /** The processes that ended by themselves (crashed or exited). */
  List<Run> exits() {
    return runs.stream().filter(r -> r.end() == End.EXITED).toList();
  }

  /** Stops the killer and the process (SIGTERM, SIGKILL after 20 s). */
  @Override
  public void close() {
    stopNow();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs or has run
    }
  }

  private void stopNow() {
    stopping = true;
    closing.countDown();
    Thread k;
    synchronized (this) {
      k = killer;
      killer = null;
    }
    if (k != null) {
      k.interrupt();
    }
    Process p;
    synchronized (this) {
      p = process;
      int last = runs.size() - 1;
      if (p == null || runs.get(last).end() != null) {
        return;
      }
      ended(last, End.STOPPED, null);
    }
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
    try {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
