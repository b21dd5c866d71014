package dev.lambdaop.config;

/**
 * The operator's share of AWS's request quotas, per account and region (README, "Request budgets"). The defaults
 * leave AWS's remainder to the account's other users: CI pipelines, the console, other tools.
 *
 * @param lambdaPerSecond Lambda control-plane requests per second, reads and writes (AWS: 15 for all APIs but the two
 *     below); default 10
 * @param lambdaBurst Lambda requests that may go at once after a quiet period; default 10
 * @param getFunctionPerSecond GetFunction per second (AWS: 100 of its own); default 50
 * @param getPolicyPerSecond GetPolicy per second (AWS: 15 of its own); default 10
 * @param cloudWatchPerSecond CloudWatch DescribeAlarms and metric reads per second (AWS: DescribeAlarms 9); default 5
 * @param resyncShare the share of each budget drift reads at resync may take; the resync period stretches beyond
 *     LAMBDAOP_RESYNC_PERIOD when the resources are too many for it; default 0.2
 */
public record RequestBudgets(double lambdaPerSecond, double lambdaBurst, double getFunctionPerSecond,
    double getPolicyPerSecond, double cloudWatchPerSecond, double resyncShare) {
  /** The defaults a user gets. */
  public static final RequestBudgets DEFAULTS = new RequestBudgets(10, 10, 50, 10, 5, 0.2);

  /** The same budgets with another Lambda rate and burst. */
  public RequestBudgets withLambda(double perSecond, double burst) {
    return new RequestBudgets(perSecond, burst, getFunctionPerSecond, getPolicyPerSecond, cloudWatchPerSecond,
        resyncShare);
  }

  /** Every budget raised to {@code perSecond} (for endpoints without AWS's quotas: a test bed). */
  public RequestBudgets unlimited(double perSecond) {
    return new RequestBudgets(perSecond, perSecond, perSecond, perSecond, perSecond, resyncShare);
  }
}
