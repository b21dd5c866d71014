package dev.lambdaop.reconcile;

/**
 * A spec that cannot be applied as written, found by the operator rather than the CRD schema (a missing Secret, a
 * size known only after references are resolved). Retrying cannot help until the spec or the referenced object
 * changes; {@link #reason()} becomes the Ready condition's reason. Problems that another object can end (a
 * Secret created later, a function AWS reports Failed) are looked at again after the kind's recheck period (LambdaFunction: the resync period; LambdaAlias 10 s; Concurrency 5 s).
 */
public final class SpecProblem extends Failure {

  public SpecProblem(String reason, String message) {
    this(reason, message, false);
  }

  public SpecProblem(String reason, String message, boolean recheck) {
    super(reason, recheck ? RetryPolicy.RECHECK : RetryPolicy.UNTIL_SPEC_CHANGES, message, null);
  }

  @Override
  public SpecProblem withMessage(String message) {
    SpecProblem p = new SpecProblem(reason(), message, recheck());
    return rejectedSpec() == null ? p : (SpecProblem) p.rejecting(rejectedSpec());
  }

  /** Whether to look again at the next resync even though the spec did not change. */
  public boolean recheck() {
    return retryPolicy() == RetryPolicy.RECHECK;
  }
}
