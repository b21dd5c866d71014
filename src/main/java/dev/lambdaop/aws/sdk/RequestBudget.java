package dev.lambdaop.aws.sdk;

import dev.lambdaop.reconcile.Urgency;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The operator's share of one AWS request quota in one account and region (Lambda's 15 requests per second, or
 * GetFunction's own 100, ...): a token bucket that never makes a thread wait. {@link #take} either grants a token
 * now or says how long until the caller's turn; the reconcile that asked is then rescheduled for that time, and its
 * thread serves other work meanwhile.
 *
 * <p><b>Priorities.</b> Each {@link Urgency} may only take a token while the bucket keeps a reserve for the classes
 * above it: a rollback may take the last token, a step all but one, a deployment all but {@link #reserve} of
 * {@link Urgency#DEPLOY}, a drift read at resync all but half the burst. Bulk work therefore holds the bucket at its
 * reserve, and a step that comes due finds a token at once however long the bulk queue is.
 *
 * <p><b>Turns.</b> A request that cannot go now gets a turn: a time, and a ticket kept under the resource's key.
 * Turns of one class are handed out {@code 1/rate} apart after the last one (a queue in time, first come first
 * served), so that a thousand deferred reconciles come back one by one instead of all at once. A resource that comes
 * back before its turn is told to wait for it; at its turn it goes before newcomers of its class (which queue behind
 * the last turn). A resource that got a token in the last few seconds (a pass in the middle of its requests) goes
 * before the queue and past the reserves while a token is there, for at most one burst of requests: a pass deferred
 * half-way starts over at its next turn and spends its first tokens again. Work started is finished first. That
 * window lasts {@link #IN_PROGRESS} from the grant that opened it and is not renewed
 * by the key's own grants: a pass longer than that (a reservation scan of many functions, which resumes from what it
 * read) takes its turn again, and never holds the bucket for others. A turn not claimed soon after its time lapses.
 *
 * <p><b>Throttling (AIMD).</b> When AWS answers that the quota is exceeded (other users of the account take their
 * share), {@link #throttled} halves the rate at once and empties the bucket; every {@link #RECOVERY_STEP} without a
 * throttle gives back a tenth of the configured rate, up to the configured rate.
 *
 * <p>All times come from {@code nanoTime}, so that tests drive the budget with a fake clock.
 */
public final class RequestBudget {
  /** How long after its time a turn may still be claimed. */
  static final Duration TURN_GRACE = Duration.ofSeconds(5);
  /** A resource that got a token within this time is in the middle of its writes: it goes before the queue. */
  static final Duration IN_PROGRESS = Duration.ofSeconds(2);
  /** How often the rate recovers by a tenth of the configured rate after a throttle. */
  static final Duration RECOVERY_STEP = Duration.ofSeconds(5);
  /** Throttles within this time of a decrease are the same congestion: the rate is halved once for them. */
  static final Duration DECREASE_HOLD = Duration.ofSeconds(1);
  /** The lowest rate AIMD goes down to, as a share of the configured rate. */
  static final double FLOOR_SHARE = 0.05;

  private final String name;
  private final double configured;
  private final double burst;
  private final LongSupplier nanoTime;
  private final Map<Urgency, Integer> reserves = new EnumMap<>(Urgency.class);
  private final Map<Urgency, Long> lastTurn = new EnumMap<>(Urgency.class);
  private final Map<String, Long> turns = new HashMap<>();
  /** When a key's window of work in progress opened: at a grant by the normal rules, not renewed by its own grants. */
  private final Map<String, Long> progressSince = new HashMap<>();
  private final Map<String, Integer> progressGrants = new HashMap<>();
  private double rate;
  private double tokens;
  private long last;
  private long lastDecrease = Long.MIN_VALUE;
  private long lastRecovery;
  private long nextSweep;
  private long granted;
  private long deferred;
  private long throttles;
  private long deferredNanos;

  /** What {@link #take} decided: go now, or come back after {@code wait}. */
  public record Decision(boolean granted, Duration delay) {
    static final Decision GO = new Decision(true, Duration.ZERO);

    static Decision after(long nanos) {
      return new Decision(false, Duration.ofNanos(Math.max(nanos, 1_000_000)));
    }
  }

  /**
   * @param name what the budget is for, in messages (such as {@code Lambda requests in eu-west-1})
   * @param perSecond the configured rate
   * @param burst how many tokens the bucket holds (may go at once after a quiet period)
   */
  public RequestBudget(String name, double perSecond, double burst) {
    this(name, perSecond, burst, System::nanoTime);
  }

  RequestBudget(String name, double perSecond, double burst, LongSupplier nanoTime) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("a request budget needs a positive rate and a burst of at least 1");
    }
    this.name = name;
    this.configured = perSecond;
    this.rate = perSecond;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.last = nanoTime.getAsLong();
    this.lastRecovery = last;
    this.nextSweep = last;
    int b = (int) Math.floor(burst);
    int step = b >= 2 ? 1 : 0;
    int deploy = Math.max(step, (int) Math.floor(b * 0.3));
    reserves.put(Urgency.ROLLBACK, 0);
    reserves.put(Urgency.STEP, step);
    reserves.put(Urgency.DEPLOY, deploy);
    reserves.put(Urgency.DRIFT, Math.max(deploy, (int) Math.floor(b * 0.5)));
  }

  /**
   * A token for one request of {@code key} (a resource, or null outside a reconcile) at {@code urgency}: granted
   * now, or a wait until its turn. Never blocks.
   */
  public synchronized Decision take(Urgency urgency, String key) {
    long now = nanoTime.getAsLong();
    refill(now);
    sweep(now);
    double need = 1 + reserves.get(urgency);
    Long turn = key == null ? null : turns.get(key);
    if (turn != null && now - turn > nanos(TURN_GRACE)) {
      turns.remove(key);
      turn = null;
    }
    if (turn != null && now < turn && urgency != Urgency.ROLLBACK) {
      return defer(turn - now);
    }
    boolean inProgress = key != null && progressSince.containsKey(key)
        && now - progressSince.get(key) < nanos(IN_PROGRESS) && progressGrants.getOrDefault(key, 0) < burst;
    boolean queueAhead = lastTurn.getOrDefault(urgency, Long.MIN_VALUE) > now;
    boolean mayGo = turn != null || inProgress || !queueAhead
        || urgency == Urgency.ROLLBACK;
    // A pass in the middle of its requests goes on before the queue (deferred half-way it would start over at its
    // next turn and spend its first tokens again), within its class's reserve like everyone: a pass longer than the
    // bucket resumes from what it read (the reservation scan), and never holds the bucket for others.
    if (inProgress && tokens >= 1 || mayGo && tokens >= need) {
      tokens -= 1;
      granted++;
      if (key != null) {
        turns.remove(key);
        if (!inProgress) {
          // A window opens: for IN_PROGRESS (and at most one burst of requests) the key may finish its requests
          // before the queue and past the reserves; then it takes its turn again like everyone, so that no pass
          // holds the bucket for longer.
          progressSince.put(key, now);
          progressGrants.put(key, 0);
        } else {
          progressGrants.merge(key, 1, Integer::sum);
        }
      }
      return Decision.GO;
    }
    double wanted = inProgress ? 1 : need;
    long untilTokens = (long) Math.ceil(Math.max(0, wanted - tokens) / rate * 1e9);
    long at;
    if (turn != null || inProgress || urgency == Urgency.ROLLBACK) {
      // Keeps its place before the queue: only waits for the tokens.
      at = now + untilTokens;
    } else {
      at = Math.max(now + untilTokens, lastTurn.getOrDefault(urgency, Long.MIN_VALUE));
      lastTurn.put(urgency, at + (long) (1e9 / rate));
    }
    if (key != null && !(inProgress && turn == null)) {
      // A pass deferred within its window keeps no turn: should the window close before it is back, it queues behind
      // those who waited meanwhile, instead of winning every tie.
      turns.put(key, at);
    }
    return defer(at - now);
  }

  private Decision defer(long nanos) {
    Decision decision = Decision.after(nanos);
    deferred++;
    deferredNanos += decision.delay().toNanos();
    return decision;
  }

  /** AWS answered that the quota is exceeded: halve the rate (once per congestion) and empty the bucket. */
  public synchronized void throttled() {
    long now = nanoTime.getAsLong();
    refill(now);
    throttles++;
    if (lastDecrease != Long.MIN_VALUE && now - lastDecrease < nanos(DECREASE_HOLD)) {
      return;
    }
    rate = Math.max(configured * FLOOR_SHARE, rate / 2);
    tokens = Math.min(tokens, 0);
    lastDecrease = now;
    lastRecovery = now;
  }

  private void refill(long now) {
    if (rate < configured) {
      long steps = (now - lastRecovery) / nanos(RECOVERY_STEP);
      if (steps > 0) {
        rate = Math.min(configured, rate + steps * configured / 10);
        lastRecovery += steps * nanos(RECOVERY_STEP);
      }
    } else {
      lastRecovery = now;
    }
    tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
    last = now;
  }

  /** Forgets lapsed turns and old grants, at most once a second. */
  private void sweep(long now) {
    if (now < nextSweep) {
      return;
    }
    nextSweep = now + 1_000_000_000L;
    for (Iterator<Long> it = turns.values().iterator(); it.hasNext(); ) {
      if (now - it.next() > nanos(TURN_GRACE)) {
        it.remove();
      }
    }
    for (Iterator<Map.Entry<String, Long>> it = progressSince.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Long> e = it.next();
      if (now - e.getValue() >= nanos(IN_PROGRESS)) {
        progressGrants.remove(e.getKey());
        it.remove();
      }
    }
  }

  private static long nanos(Duration d) {
    return d.toNanos();
  }

  public String name() {
    return name;
  }

  /** The configured rate. */
  public double perSecond() {
    return configured;
  }

  /** The rate now: lower than the configured one for a while after AWS throttled. */
  public synchronized double currentRate() {
    refill(nanoTime.getAsLong());
    return rate;
  }

  /** The tokens a class must leave in the bucket (for the classes above it). */
  int reserve(Urgency urgency) {
    return reserves.get(urgency);
  }

  /** Requests granted so far. */
  public synchronized long granted() {
    return granted;
  }

  /** Requests told to come back later so far. */
  public synchronized long deferred() {
    return deferred;
  }

  /** How long the deferred requests were told to wait, in total. */
  public synchronized Duration deferredFor() {
    return Duration.ofNanos(deferredNanos);
  }

  /** Throttling answers from AWS so far. */
  public synchronized long throttles() {
    return throttles;
  }

  /** Resources holding a turn now. */
  synchronized int waiting() {
    return turns.size();
  }
}
