package dev.lambdaop.function;

/**
 * A spec that cannot be applied as written, found by the operator rather than the CRD schema (a missing Secret, a
 * size known only after references are resolved). Retrying cannot help until the spec or the referenced object
 * changes; {@link #reason()} becomes the Ready condition's reason.
 */
public class SpecProblem extends RuntimeException {
  private final String reason;

  public SpecProblem(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
