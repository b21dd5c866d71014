package dev.lambdaop.cli;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.api.LambdaAliasStatus.ShiftRecord;
import dev.lambdaop.api.LambdaAliasStatus.ShiftResult;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.status.Conditions;

/**
 * Whether a shift has ended, and how: the exit-code rules of {@code status} and {@code status --watch}. Pure.
 */
public final class ShiftVerdict {
  private ShiftVerdict() {}

  public enum Verdict {
    /** A shift runs, or the operator has not caught up with the spec or a control yet. */
    RUNNING,
    /** The alias serves the version its spec asks for, all traffic on it, no shift running. */
    PROMOTED,
    /** The shift was rolled back (hook, alarm, error rate) or aborted: phase Degraded. */
    FAILED
  }

  /** {@code status} without --watch: 1 for Degraded, 0 otherwise (Healthy, Progressing, Paused, no status yet). */
  public static int exitCode(LambdaAlias alias) {
    LambdaAliasStatus status = alias.getStatus();
    return status != null && status.phase == Phase.Degraded ? ExitCode.FAILED : ExitCode.OK;
  }

  public static int exitCode(Verdict verdict) {
    return verdict == Verdict.FAILED ? ExitCode.FAILED : ExitCode.OK;
  }

  /**
   * Where the shift stands for {@code status --watch}. It has ended only in a state the operator wrote for the
   * current spec: Degraded with status.abort set (a retry clears abort before the operator reacts, and must not
   * count as a failure), or Healthy on the version the spec targets. For {@code version: latest} with a
   * functionRef, the target is the LambdaFunction's latestVersion once that function has deployed its own spec;
   * so a watch started right after a code change waits for the new version instead of reporting the old one.
   *
   * @param function the LambdaFunction of spec.functionRef, or null
   */
  public static Verdict judge(LambdaAlias alias, LambdaFunction function) {
    LambdaAliasStatus status = alias.getStatus();
    if (status == null || status.phase == null) {
      return Verdict.RUNNING;
    }
    Long generation = alias.getMetadata().getGeneration();
    if (generation != null && !generation.equals(status.observedGeneration)) {
      return Verdict.RUNNING;
    }
    if (status.phase == Phase.Degraded) {
      return status.abortRequested() ? Verdict.FAILED : Verdict.RUNNING;
    }
    if (status.phase != Phase.Healthy || status.canaryVersion != null || status.abortRequested()) {
      return Verdict.RUNNING;
    }
    if (status.conditions != null && Conditions.find(status.conditions, Conditions.READY)
        .map(c -> "False".equals(c.getStatus())).orElse(false)) {
      return Verdict.RUNNING;
    }
    LambdaAliasSpec spec = alias.getSpec();
    boolean latest = spec == null || spec.followsLatest();
    String target = latest ? null : spec.version;
    if (latest && spec != null && spec.functionRef != null && function != null) {
      var fs = function.getStatus();
      Long fnGeneration = function.getMetadata().getGeneration();
      if (fs == null || (fnGeneration != null && !fnGeneration.equals(fs.observedGeneration))
          || !Conditions.isTrue(fs.conditions, Conditions.READY)) {
        return Verdict.RUNNING;
      }
      target = spec.targetVersion(fs.latestVersion);
    }
    if (target != null && !target.equals(status.stableVersion)) {
      return Verdict.RUNNING;
    }
    return Verdict.PROMOTED;
  }

  /** The last line of {@code status --watch}. */
  public static String summary(Verdict verdict, LambdaAlias alias, Style style) {
    LambdaAliasStatus status = alias.getStatus();
    ShiftRecord last = status == null ? null : status.lastShift();
    ShiftResult result = last == null ? null : ShiftResult.of(last.result);
    String name = alias.getMetadata().getName();
    return switch (verdict) {
      case FAILED -> {
        if (result != null && result.failed()) {
          yield style.red(style.fail() + " " + name + ": shift from version " + last.fromVersion + " to "
              + last.toVersion + " " + result.words()
              + (last.reason == null ? "" : ": " + last.reason)) + "; all traffic on version "
              + status.stableVersion;
        }
        yield style.red(style.fail() + " " + name + ": Degraded: " + (status == null ? "" : status.message));
      }
      case PROMOTED -> {
        if (result == ShiftResult.Promoted && last.toVersion != null
            && last.toVersion.equals(status.stableVersion)) {
          yield style.green(style.ok() + " " + name + ": version " + last.toVersion + " promoted (from version "
              + last.fromVersion + ")") + "; all traffic on version " + status.stableVersion;
        }
        yield style.green(style.ok() + " " + name + ": Healthy") + "; all traffic on version "
            + (status == null ? "?" : status.stableVersion);
      }
      case RUNNING -> name + ": " + (status == null || status.phase == null ? "waiting for the operator"
          : status.phase + (status.message == null ? "" : ": " + status.message));
    };
  }
}
