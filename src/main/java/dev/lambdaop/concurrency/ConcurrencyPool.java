package dev.lambdaop.concurrency;

/**
 * The account's pool of concurrency: reserving for one function takes from what stays unreserved, and AWS keeps at
 * least a minimum unreserved. Pure arithmetic, so the operator refuses a request before calling AWS.
 *
 * @param limit the account's concurrency limit in the region
 * @param reservedByOthers what the other functions reserve
 * @param unreservedMinimum what must stay unreserved
 */
public record ConcurrencyPool(int limit, int reservedByOthers, int unreservedMinimum) {

  /** The most one function may reserve now. */
  public int largestAllowed() {
    return Math.max(0, limit - reservedByOthers - unreservedMinimum);
  }

  public boolean allows(int requested) {
    return requested <= largestAllowed();
  }

  /** What would stay unreserved with {@code reserved} for this function. */
  public int unreservedWith(int reserved) {
    return limit - reservedByOthers - reserved;
  }

  /** The message of a refusal: every number that explains it. */
  public String refusal(int requested) {
    return "reserving " + requested + " would leave " + unreservedWith(requested) + " unreserved, below the account's"
        + " minimum of " + unreservedMinimum + " (limit " + limit + ", reserved by other functions "
        + reservedByOthers + "); the largest value allowed now is " + largestAllowed();
  }
}
