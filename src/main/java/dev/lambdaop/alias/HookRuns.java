package dev.lambdaop.alias;

import dev.lambdaop.aws.Invoker;
import dev.lambdaop.reconcile.Work;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs traffic hooks on a bounded pool of threads of their own (LAMBDAOP_HOOK_CONCURRENCY), so that a hook, which
 * may take up to 15 minutes, never holds a reconcile thread: a reconcile starts an attempt and returns, and later
 * reconciles ask here how it went.
 *
 * <p>The attempts live in this process only, the newest per alias and hook; the alias's status names the attempt
 * (its version and {@code startedAt}). An attempt the status names but this process does not know was interrupted
 * (the operator restarted): {@link ShiftChecks} starts a new one. When an attempt ends, or leaves the queue for a
 * thread, the listener is told the alias: the reconciler's event source turns that into a reconcile at once.
 */
public final class HookRuns implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HookRuns.class);

  /** The two hooks of a shift. */
  public enum Hook {
    PRE_TRAFFIC("pre-traffic"),
    POST_TRAFFIC("post-traffic");

    private final String words;

    Hook(String words) {
      this.words = words;
    }

    /** As the payload and the messages say it: pre-traffic. */
    public String words() {
      return words;
    }
  }

  /** One invocation of one hook for one version. Its outcome is set once, when the invocation ended. */
  public static final class Attempt {
    private final String version;
    private final String functionName;
    private final String startedAt;
    private final Duration timeout;
    private final String note;
    private volatile boolean invoking;
    private volatile boolean queued;
    private volatile Invoker.Result outcome;
    private volatile Instant finishedAt;

    Attempt(String version, String functionName, String startedAt, Duration timeout, String note) {
      this.version = version;
      this.functionName = functionName;
      this.startedAt = startedAt;
      this.timeout = timeout;
      this.note = note;
    }

    public String version() {
      return version;
    }

    public String functionName() {
      return functionName;
    }

    /** When the operator started it (RFC 3339, as the status records it). */
    public String startedAt() {
      return startedAt;
    }

    public Duration timeout() {
      return timeout;
    }

    /** Why it was started (an earlier attempt was interrupted), or null. */
    public String note() {
      return note;
    }

    /** The invocation was sent (else it waits for a free hook thread). */
    public boolean invoking() {
      return invoking;
    }

    public boolean done() {
      return outcome != null;
    }

    /** What the hook answered, once {@link #done()}. */
    public Invoker.Result outcome() {
      return outcome;
    }

    public Instant finishedAt() {
      return finishedAt;
    }

  }

  private record Key(String uid, Hook hook) {}

  private final Invoker invoker;
  private final Executor executor;
  private final int threads;
  private final Clock clock;
  private final Map<Key, Attempt> attempts = new ConcurrentHashMap<>();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger waiting = new AtomicInteger();
  private volatile Consumer<ResourceID> listener = id -> {};
  private volatile boolean closed;

  private HookRuns(Invoker invoker, Executor executor, int threads, Clock clock) {
    this.invoker = invoker;
    this.executor = executor;
    this.threads = threads;
    this.clock = clock;
  }

  /** Hooks on {@code threads} threads of their own (named hook-1, hook-2...); more wait in a queue. */
  public static HookRuns pool(Invoker invoker, int threads, Clock clock) {
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory = r -> {
      Thread t = new Thread(r, "hook-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    return new HookRuns(invoker, Executors.newFixedThreadPool(threads, factory), threads, clock);
  }

  /** For tests: each hook runs on the thread that starts it, to its end, before {@link #start} returns. */
  static HookRuns onCallingThread(Invoker invoker, Clock clock) {
    return new HookRuns(invoker, Runnable::run, Integer.MAX_VALUE, clock);
  }

  /** Tells {@code listener} the alias whose hook ended or began its invocation after waiting for a thread. */
  public void onChange(Consumer<ResourceID> listener) {
    this.listener = listener;
  }

  /** The newest attempt of this hook of this alias that this process started, if any. */
  public Optional<Attempt> attempt(HasMetadata alias, Hook hook) {
    return Optional.ofNullable(attempts.get(new Key(alias.getMetadata().getUid(), hook)));
  }

  /**
   * Starts an attempt (it replaces the one remembered for this alias and hook: an older one that still runs ends
   * unheeded) and returns at once; on a pool with no free thread it waits in the queue.
   *
   * @param note why it is started (an earlier attempt was interrupted), or null
   */
  public Attempt start(HasMetadata alias, Hook hook, String region, String function, String payload,
      Duration timeout, String version, String startedAt, String note) {
    Attempt attempt = new Attempt(version, function, startedAt, timeout, note);
    ResourceID id = ResourceID.fromResource(alias);
    attempts.put(new Key(alias.getMetadata().getUid(), hook), attempt);
    attempt.queued = running.get() + waiting.get() >= threads;
    waiting.incrementAndGet();
    Work work = Work.current(); // the starting reconcile's: its namespace's AWS identity
    try {
      executor.execute(() -> work.run(() -> {
        invoke(attempt, id, region, payload);
        return null;
      }));
    } catch (RejectedExecutionException e) {
      // The operator stops: the attempt never runs, and the next operator process starts it again.
      waiting.decrementAndGet();
      LOG.info("{} hook {} of {} not started: the operator stops", hook.words(), function, id);
    }
    return attempt;
  }

  private void invoke(Attempt attempt, ResourceID id, String region, String payload) {
    waiting.decrementAndGet();
    running.incrementAndGet();
    attempt.invoking = true;
    if (attempt.queued) {
      tell(id);
    }
    Invoker.Result outcome;
    try {
      outcome = invoker.invoke(region, attempt.functionName, payload, attempt.timeout);
    } catch (RuntimeException e) {
      outcome = new Invoker.Result(false, "Error", "the invocation failed in the operator: " + e);
    } finally {
      running.decrementAndGet();
    }
    if (closed || Thread.currentThread().isInterrupted()) {
      // Cut by the operator's stop, not answered by the hook: the next operator process starts it again.
      return;
    }
    attempt.finishedAt = clock.instant();
    attempt.outcome = outcome;
    tell(id);
  }

  private void tell(ResourceID id) {
    try {
      listener.accept(id);
    } catch (RuntimeException e) {
      LOG.warn("could not trigger the reconcile of {} after its hook: {} (the next resync picks it up)", id,
          e.toString());
    }
  }

  /** Forgets a deleted alias's attempts (one that still runs ends unheeded). */
  public void forget(HasMetadata alias) {
    String uid = alias.getMetadata().getUid();
    attempts.keySet().removeIf(k -> k.uid().equals(uid));
  }

  /** How many hooks may run at once. */
  public int threads() {
    return threads;
  }

  /** Hooks being invoked now. */
  public int running() {
    return running.get();
  }

  /** Hooks waiting for a free thread. */
  public int waiting() {
    return waiting.get();
  }

  /** Stops the threads: invocations in flight are cut (the hooks go on in AWS); call after the controllers stopped. */
  @Override
  public void close() {
    closed = true;
    if (!(executor instanceof ExecutorService pool)) {
      return;
    }
    pool.shutdownNow();
    try {
      if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.warn("hook threads still running 10 s after the stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
