package dev.lambdaop.aws;

/** What AWS reports about a function's $LATEST. */
public record FunctionSnapshot(
    String functionName,
    String functionArn,
    String state,
    String stateReason,
    String lastUpdateStatus,
    String lastUpdateStatusReason,
    String codeSha256,
    String revisionId) {

  /** No update is running and the function can take the next write. */
  public boolean settled() {
    return !"Pending".equals(state) && !"InProgress".equals(lastUpdateStatus);
  }

  public boolean failed() {
    return "Failed".equals(state) || "Failed".equals(lastUpdateStatus);
  }
}
