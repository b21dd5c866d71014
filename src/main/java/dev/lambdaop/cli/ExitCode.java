package dev.lambdaop.cli;

/** The plugin's exit codes; the usage text documents them. */
public final class ExitCode {
  /** Done: the action was applied; status: Healthy, Progressing or Paused; status --watch: promoted. */
  public static final int OK = 0;
  /** status: Degraded (rolled back or aborted); an action refused because it makes no sense now. */
  public static final int FAILED = 1;
  /** The command line could not be understood. */
  public static final int USAGE = 2;
  /** The LambdaAlias or LambdaFunction does not exist. */
  public static final int NOT_FOUND = 3;
  /** The API server could not be reached or refused the request. */
  public static final int API_ERROR = 4;
  /** status --watch: --timeout elapsed before the shift ended. */
  public static final int TIMEOUT = 5;

  private ExitCode() {}
}
