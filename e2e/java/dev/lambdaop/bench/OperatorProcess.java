package dev.lambdaop.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
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
 * The operator as its own OS process ({@code java -cp <this classpath> dev.lambdaop.OperatorMain}, or the packaged
 * jar as the image runs it, configured by environment variables only, as in a cluster), which can be killed with
 * SIGKILL and started again, and a killer thread that does so at random intervals. Each process logs to its own
 * file. Everything it started is stopped by {@link #close()}, and by a shutdown hook when the JVM ends otherwise
 * (Ctrl-C, the watchdog).
 *
 * <p>Its JVM runs with the chart's JVM options ({@link ChartJvm}, read from charts/lambda-operator/values.yaml, so
 * that the benchmarks measure what a cluster runs): {@code JAVA_TOOL_OPTIONS} is the chart's {@code javaToolOptions},
 * and {@code -XX:MaxRAM} the chart's memory limit, which is what the JVM sees as the machine's memory in the
 * container. The caller's Java options come after them on the command line and win where they set the same thing.
 */
final class OperatorProcess implements AutoCloseable {
  /**
   * The JVM the chart runs with its default values: {@code javaToolOptions} and {@code resources.limits.memory}
   * ({@code null}: none) of charts/lambda-operator/values.yaml.
   */
  record ChartJvm(String javaToolOptions, String memoryLimit) {
    static final Path VALUES = Path.of("charts", "lambda-operator", "values.yaml");

    /** From the chart in the project directory ({@code lambdaop.projectDir}, else the working directory). */
    static ChartJvm read() {
      return read(Path.of(System.getProperty("lambdaop.projectDir", ".")).resolve(VALUES));
    }

    static ChartJvm read(Path values) {
      try {
        JsonNode v = new YAMLMapper().readTree(values.toFile());
        JsonNode limit = v.path("resources").path("limits").path("memory");
        return new ChartJvm(v.path("javaToolOptions").asText(""), limit.isMissingNode() || limit.isNull() ? null
            : limit.asText());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the chart's JVM options from " + values, e);
      }
    }

    /**
     * What the JVM reads as the machine's memory in the chart's container (its cgroup limit): {@code -XX:MaxRAM}
     * with the limit in bytes, so that heap sizes given as percentages of it (MaxRAMPercentage) come out as in the
     * cluster. (It does not make the JVM choose its GC as in a small container, where it picks the serial GC: the
     * chart names the GC.) None without a limit.
     */
    List<String> containerOptions() {
      return memoryLimit == null ? List.of() : List.of("-XX:MaxRAM=" + bytes(memoryLimit));
    }

    /** A Kubernetes quantity of memory (512Mi, 1Gi, 500M, 1000000) in bytes. */
    static long bytes(String quantity) {
      String q = quantity.strip();
      String[][] units = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"k", "1000"}, {"M", "1000000"},
          {"G", "1000000000"}};
      for (String[] u : units) {
        if (q.endsWith(u[0])) {
          return Long.parseLong(q.substring(0, q.length() - u[0].length())) * Long.parseLong(u[1]);
        }
      }
      return Long.parseLong(q);
    }
  }

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
  private final ChartJvm jvm;
  /** The packaged jar to run ({@code java -jar}); null: this JVM's class path and {@code OperatorMain}. */
  private final Path jar;
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
    this(environment, javaOptions, logDirectory, ChartJvm.read(), null);
  }

  /**
   * @param jvm the JVM options ({@link ChartJvm#read()}: the chart's)
   * @param jar the packaged jar (target/lambda-operator.jar), run as the image runs it; null: this class path
   */
  OperatorProcess(Map<String, String> environment, List<String> javaOptions, Path logDirectory, ChartJvm jvm,
      Path jar) {
    this.environment = new LinkedHashMap<>(environment);
    this.javaOptions = List.copyOf(javaOptions);
    this.jvm = jvm;
    this.jar = jar;
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
    ProcessBuilder builder = new ProcessBuilder(command()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    if (!jvm.javaToolOptions().isBlank()) {
      builder.environment().put("JAVA_TOOL_OPTIONS", jvm.javaToolOptions());
    }
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

  /** The command line: the container's memory as the chart limits it, the caller's options, the operator. */
  List<String> command() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvm.containerOptions());
    command.addAll(javaOptions);
    if (jar != null) {
      command.add("-jar");
      command.add(jar.toString());
    } else {
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add("dev.lambdaop.OperatorMain");
    }
    return command;
  }

  /** The JVM options of the process: the chart's. */
  ChartJvm jvm() {
    return jvm;
  }

  /** The process id of the current process; -1: none runs. */
  synchronized long pid() {
    return process != null && process.isAlive() ? process.pid() : -1;
  }

  /** The current process's LAMBDAOP_METRICS_PORT (/metrics, /healthz, /readyz). */
  synchronized int metricsPort() {
    return metricsPort;
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
