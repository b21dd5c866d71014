package dev.lambdaop.aws.sdk;

import dev.lambdaop.reconcile.Failure;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * A token bucket for AWS control-plane writes. Lambda allows 15 such writes per second per account and region,
 * across all its APIs; every write the operator makes takes a token first, so that many resources changing at once
 * queue here instead of being throttled by AWS. Tokens refill at {@code perSecond}; up to {@code burst} can be
 * taken at once after a quiet period.
 */
public final class WriteBudget {
  private final double perSecond;
  private final double burst;
  private final LongSupplier nanoTime;
  private final Sleeper sleeper;
  private final LongAdder waits = new LongAdder();
  private final LongAdder waitedNanos = new LongAdder();
  private double tokens;
  private long last;

  /** How the budget waits; tests replace it. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(long nanos) throws InterruptedException;
  }

  public WriteBudget(double perSecond, double burst) {
    this(perSecond, burst, System::nanoTime, nanos -> Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000)));
  }

  WriteBudget(double perSecond, double burst, LongSupplier nanoTime, Sleeper sleeper) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("a write budget needs a positive rate and a burst of at least 1");
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.sleeper = sleeper;
    this.tokens = burst;
    this.last = nanoTime.getAsLong();
  }

  /** Takes one token, waiting as long as needed. Returns how long it waited. */
  public Duration acquire() {
    long wait = reserve();
    if (wait > 0) {
      waits.increment();
      waitedNanos.add(wait);
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Failure.interrupted("waiting for the AWS write budget", e);
      }
    }
    return Duration.ofNanos(wait);
  }

  /** Reserves a token now (the count may go below zero) and says how long until it is really there. */
  synchronized long reserve() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) / 1e9 * perSecond);
    last = now;
    tokens -= 1;
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perSecond * 1e9);
  }

  public double perSecond() {
    return perSecond;
  }

  /** How many writes had to wait, and for how long in total. */
  public long waits() {
    return waits.sum();
  }

  public Duration waited() {
    return Duration.ofNanos(waitedNanos.sum());
  }
}
