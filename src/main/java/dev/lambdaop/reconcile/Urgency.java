package dev.lambdaop.reconcile;

/**
 * How soon the AWS calls of a piece of work must go, most urgent first. The request budget
 * ({@code aws.sdk.RequestBudget}) serves a more urgent class before a less urgent one: a rollback never waits behind
 * a canary step, a step never behind a bulk roll-out of functions, and drift reads at resync take only what is left.
 */
public enum Urgency {
  /** Traffic goes back to the stable version: a rollback, an abort. */
  ROLLBACK,
  /** A traffic shift's step (or the step a hook's answer allows) is due. */
  STEP,
  /** Creates, updates and deletions that a spec change asked for, and anything not yet Ready. */
  DEPLOY,
  /** Comparing a converged resource with AWS at resync. */
  DRIFT
}
