package dev.lambdaop.aws;

import java.util.Map;
import java.util.Optional;

/** Reserved concurrency of functions, and the account's pool. */
public interface ReservedConcurrency {
  /** The function's reservation; empty when none. An AwsFailure with reason NotFound when the function is absent. */
  Optional<Integer> get(String region, String function);

  void put(String region, String function, int reserved);

  /** Removes the reservation; false when the function is gone. */
  boolean delete(String region, String function);

  /** The account's limit and unreserved concurrency, or empty where the endpoint does not offer them. */
  Optional<Account> account(String region);

  /** Reserved concurrency of every function in the region, by name (for endpoints without account settings). */
  Map<String, Integer> reservations(String region);

  /** The account's concurrency figures as GetAccountSettings reports them. */
  record Account(Integer limit, Integer unreserved) {}
}
