package dev.lambdaop.aws.sdk;

import dev.lambdaop.aws.ReservedConcurrency;
import dev.lambdaop.reconcile.AwsFailure;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;

/** {@link ReservedConcurrency} with the AWS SDK. */
final class SdkConcurrency implements ReservedConcurrency {
  private final AwsClients clients;
  private final AwsCalls calls;

  SdkConcurrency(AwsClients clients, AwsCalls calls) {
    this.clients = clients;
    this.calls = calls;
  }

  @Override
  public Optional<Integer> get(String region, String function) {
    LambdaClient lambda = clients.lambda(region);
    return calls.read(region, "GetFunctionConcurrency", function, () -> Optional.ofNullable(
        lambda.getFunctionConcurrency(r -> r.functionName(function)).reservedConcurrentExecutions()));
  }

  @Override
  public void put(String region, String function, int reserved) {
    LambdaClient lambda = clients.lambda(region);
    calls.write(region, "PutFunctionConcurrency", function,
        () -> lambda.putFunctionConcurrency(r -> r.functionName(function).reservedConcurrentExecutions(reserved)));
    forget(region, function);
  }

  @Override
  public boolean delete(String region, String function) {
    LambdaClient lambda = clients.lambda(region);
    boolean existed = Sdk.absentIfNotFound(() -> calls.write(region, "DeleteFunctionConcurrency", function,
        () -> lambda.deleteFunctionConcurrency(r -> r.functionName(function)))).isPresent();
    forget(region, function);
    return existed;
  }

  @Override
  public Optional<Account> account(String region) {
    LambdaClient lambda = clients.lambda(region);
    try {
      return calls.read(region, "GetAccountSettings", null, () -> {
        var limit = lambda.getAccountSettings().accountLimit();
        return limit == null ? Optional.<Account>empty()
            : Optional.of(new Account(limit.concurrentExecutions(), limit.unreservedConcurrentExecutions()));
      });
    } catch (AwsFailure f) {
      if (f.getCause() instanceof AwsServiceException e && (e.statusCode() == 404 || e.statusCode() == 501)) {
        return Optional.empty();
      }
      throw f;
    }
  }

  /**
   * Where GetAccountSettings is not offered: ListFunctions, then GetFunctionConcurrency of each function, one
   * quota-counted request each. The scan is resumable: what it read in the last {@link #SCAN_REUSE} is kept, so a
   * pass whose request budget runs out half-way (the reconcile is deferred) goes on from there at its turn, instead
   * of starting over and never finishing with many functions.
   */
  @Override
  public Map<String, Integer> reservations(String region) {
    LambdaClient lambda = clients.lambda(region);
    Scan scan = scans.computeIfAbsent(scanKey(region), r -> new Scan());
    long now = System.nanoTime();
    List<String> names = scan.names(now);
    if (names == null) {
      names = calls.read(region, "ListFunctions", null, () -> lambda.listFunctionsPaginator().functions().stream()
          .map(FunctionConfiguration::functionName).toList());
      scan.names(names, now);
    }
    Map<String, Integer> reserved = new TreeMap<>();
    for (String name : names) {
      Optional<Integer> known = scan.reserved(name, now);
      if (known == null) {
        known = Sdk.absentIfNotFound(() -> get(region, name)).flatMap(o -> o);
        scan.reserved(name, known, now);
      }
      known.ifPresent(n -> reserved.put(name, n));
    }
    return reserved;
  }

  /** How long a scan's reads are reused. */
  static final Duration SCAN_REUSE = Duration.ofSeconds(30);

  private final Map<String, Scan> scans = new ConcurrentHashMap<>();

  /**
   * A scan is of one account and region (the pool guard is per account and region): the current work's identity and
   * the region.
   */
  private String scanKey(String region) {
    return dev.lambdaop.reconcile.Work.current().identity().key() + "\n" + clients.region(region);
  }

  /** One account and region's scan of reservations: the function names and each function's reservation, with when read. */
  private static final class Scan {
    private List<String> names;
    private long namesAt;
    private final Map<String, Optional<Integer>> reserved = new HashMap<>();
    private final Map<String, Long> readAt = new HashMap<>();

    synchronized List<String> names(long now) {
      return names != null && now - namesAt < SCAN_REUSE.toNanos() ? names : null;
    }

    synchronized void names(List<String> list, long now) {
      names = list;
      namesAt = now;
      reserved.keySet().retainAll(list);
      readAt.keySet().retainAll(list);
    }

    /** The reservation read lately, or null when it must be read. */
    synchronized Optional<Integer> reserved(String name, long now) {
      Long at = readAt.get(name);
      return at != null && now - at < SCAN_REUSE.toNanos() ? reserved.get(name) : null;
    }

    synchronized void reserved(String name, Optional<Integer> value, long now) {
      reserved.put(name, value);
      readAt.put(name, now);
    }
  }

  /** A reservation the operator just wrote is what the next scan must see. */
  private void forget(String region, String function) {
    Scan scan = scans.get(scanKey(region));
    if (scan != null) {
      synchronized (scan) {
        scan.readAt.remove(function);
      }
    }
  }
}
