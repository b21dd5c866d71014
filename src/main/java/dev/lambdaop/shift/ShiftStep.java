package dev.lambdaop.shift;

import java.time.Duration;

/**
 * One step of a traffic shift: set the new version's weight, or hold it for a while, or hold it until promoted.
 *
 * @param setWeight percent of traffic on the new version from this step on, or null for a pause
 * @param pause how long to hold, for a pause step; null for a pause that waits for a promote
 */
public record ShiftStep(Integer setWeight, Duration pause) {
  public static ShiftStep weight(int percent) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("weight must be 0..100, was " + percent);
    }
    return new ShiftStep(percent, null);
  }

  public static ShiftStep pauseFor(Duration duration) {
    return new ShiftStep(null, duration);
  }

  public static ShiftStep pauseUntilPromoted() {
    return new ShiftStep(null, null);
  }

  public boolean isWeight() {
    return setWeight != null;
  }

  public boolean isIndefinitePause() {
    return setWeight == null && pause == null;
  }
}
