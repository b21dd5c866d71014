package dev.lambdaop.concurrency;

import dev.lambdaop.api.Concurrency;
import dev.lambdaop.api.ConcurrencySpec;
import dev.lambdaop.api.ConcurrencyStatus;
import dev.lambdaop.aws.Quota;
import dev.lambdaop.aws.ReservedConcurrency;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.function.FunctionReferences;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.Cluster;
import dev.lambdaop.reconcile.FunctionResolver;
import dev.lambdaop.reconcile.Owner;
import dev.lambdaop.reconcile.OwnerRecords;
import dev.lambdaop.reconcile.ResourceReconciler;
import dev.lambdaop.reconcile.ResyncSpread;
import dev.lambdaop.reconcile.SpecProblem;
import dev.lambdaop.status.Events;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes a function's reserved concurrency match a Concurrency, within the account's pool: a request that would leave
 * less than the unreserved minimum is refused before AWS is called. LambdaFunction never touches reserved
 * concurrency, so the two controllers never fight.
 */
@ControllerConfiguration(name = "concurrency")
public class ConcurrencyReconciler extends ResourceReconciler<Concurrency, ConcurrencyStatus> {
  private static final Duration WAIT_FOR_FUNCTION = Duration.ofSeconds(5);

  private final ReservedConcurrency concurrency;
  private final FunctionResolver functions;
  private final OwnerRecords records;
  private final OperatorSettings settings;
  private final ResyncSpread resync;

  /** @param resync when each reservation's next drift check is due */
  public ConcurrencyReconciler(ReservedConcurrency concurrency, FunctionResolver functions, OperatorSettings settings,
      Events events, Clock clock, ResyncSpread resync) {
    super(ConcurrencyStatus::new, WAIT_FOR_FUNCTION, events, clock, functions);
    this.concurrency = concurrency;
    this.functions = functions;
    this.records = functions.records();
    this.settings = settings;
    this.resync = resync;
  }

  /**
   * What one resync of a reservation in place reads from AWS, by quota (for {@link ResyncSpread}): the reservation
   * (GetFunctionConcurrency), the account's pool (GetAccountSettings) and the function's tags (GetFunction, the owner
   * record); by functionName, the function's owner once more (GetFunction). (Where an endpoint lacks
   * GetAccountSettings, the pool is every function's reservation: no AWS region is such an endpoint.)
   */
  static Map<Quota, Double> driftCost(ConcurrencySpec spec) {
    return Map.of(Quota.LAMBDA, 2.0, Quota.LAMBDA_GET_FUNCTION, spec.functionRef == null ? 2.0 : 1.0);
  }

  @Override
  public List<EventSource<?, Concurrency>> prepareEventSources(EventSourceContext<Concurrency> context) {
    return List.of(FunctionReferences.eventSource(context, Concurrency.class,
        r -> r.getSpec() == null ? null : r.getSpec().functionRef));
  }

  @Override
  public UpdateControl<Concurrency> reconcile(Concurrency resource, Cluster<Concurrency> cluster) {
    resync.seen(ResyncSpread.key(resource));
    ConcurrencyStatus status = statusOf(resource);
    FunctionResolver.Target target = target(resource, cluster);
    String region = target.region();
    String function = target.functionName();
    status.functionName = function;
    status.region = region;
    refuseDuplicate(resource, cluster, function);
    Optional<Integer> current = observe(region, function);
    OwnerRecords.Recorded recorded = claim(resource, cluster, region, function);
    int requested = resource.getSpec().reservedConcurrentExecutions;
    ConcurrencyPool pool = pool(region, function, current.orElse(0));
    status.account = account(pool, current.orElse(0));
    if (current.isEmpty() || current.get() != requested) {
      // The status says the operator applied this very value: AWS was changed outside the operator (or the function
      // was deleted and created again, without its reservation).
      boolean restore = Integer.valueOf(requested).equals(status.reservedConcurrentExecutions);
      reserve(resource, region, function, pool, requested, current, restore);
      status.account = account(pool, requested);
    }
    records.record(recorded, region, function, Owner.CONCURRENCY_TAG, resource);
    status.reservedConcurrentExecutions = requested;
    ready(resource, status, true, "Synced", requested + " concurrent executions reserved for " + function);
    writeStatus(resource, status, cluster);
    String key = ResyncSpread.key(resource);
    resync.record(key, driftCost(resource.getSpec()));
    return UpdateControl.<Concurrency>noUpdate().rescheduleAfter(resync.next(key));
  }

  /** One resource per function across the cluster: the older one wins, on a tie the name decides. */
  private static void refuseDuplicate(Concurrency resource, Cluster<Concurrency> cluster, String function) {
    Optional<Concurrency> earlier = cluster.cached()
        .filter(other -> !other.getMetadata().getUid().equals(resource.getMetadata().getUid()))
        .filter(other -> other.getMetadata().getDeletionTimestamp() == null)
        .filter(other -> sameFunction(other, resource, function))
        // The same function name in another account is another function (each status records its account).
        .filter(other -> sameAccount(other.getStatus() == null ? null : other.getStatus().accountId))
        .filter(other -> firstComes(other, resource))
        .findFirst();
    if (earlier.isPresent()) {
      throw new SpecProblem("DuplicateConcurrency", "Concurrency " + earlier.get().getMetadata().getNamespace() + "/"
          + earlier.get().getMetadata().getName() + " already manages the reserved concurrency of " + function
          + "; delete one of the two", true);
    }
  }

  /**
   * The function's record of who manages its reserved concurrency: another cluster's refuses (OwnedElsewhere), a
   * Concurrency of this cluster that still exists refuses (DuplicateConcurrency); a record of one that is gone is
   * stale and taken over.
   */
  private OwnerRecords.Recorded claim(Concurrency resource, Cluster<Concurrency> cluster, String region,
      String function) {
    OwnerRecords.Recorded recorded = records.read(region, function, Owner.CONCURRENCY_TAG);
    if (recorded.value() == null || functions.owns(resource, recorded.value())) {
      return recorded;
    }
    Owner owner = recorded.owner();
    if (recorded.elsewhere()) {
      throw new SpecProblem("OwnedElsewhere", "the reserved concurrency of " + function + " is managed by "
          + owner.describe(functions.clusterId()) + " (tag " + Owner.CONCURRENCY_TAG + "); nothing was changed in AWS",
          true);
    }
    if (cluster.get(Concurrency.class, owner.namespace(), owner.name()).isPresent()) {
      throw new SpecProblem("DuplicateConcurrency", "Concurrency " + owner.namespace() + "/" + owner.name()
          + " already manages the reserved concurrency of " + function + "; delete one of the two", true);
    }
    return recorded;
  }

  private Optional<Integer> observe(String region, String function) {
    try {
      return concurrency.get(region, function);
    } catch (AwsFailure f) {
      if ("NotFound".equals(f.reason())) {
        throw new SpecProblem("FunctionNotFound", "function " + function + " does not exist (yet); the reservation is"
            + " applied as soon as it does", true);
      }
      throw f;
    }
  }

  private void reserve(Concurrency resource, String region, String function, ConcurrencyPool pool, int requested,
      Optional<Integer> current, boolean restore) {
    if (!pool.allows(requested)) {
      throw new SpecProblem("InsufficientUnreservedConcurrency", pool.refusal(requested));
    }
    try {
      concurrency.put(region, function, requested);
    } catch (AwsFailure f) {
      if (String.valueOf(f.getMessage()).contains("UnreservedConcurrentExecution")) {
        // Another writer took from the pool since it was read.
        throw new SpecProblem("InsufficientUnreservedConcurrency", pool.refusal(requested)
            + " (AWS refused: " + f.getMessage() + ")", true);
      }
      throw f;
    }
    if (restore) {
      events.warning(resource, "ReservationRestored", "the reserved concurrency of " + function + " was "
          + current.map(c -> "changed outside the operator to " + c).orElse("removed outside the operator (or the"
              + " function was deleted and created again)") + "; reserved " + requested + " again");
      return;
    }
    events.normal(resource, current.isPresent() ? "Updated" : "Reserved", "reserved " + requested
        + " concurrent executions for " + function + (current.isPresent() ? " (was " + current.get() + ")" : ""));
  }

  /** Whether another Concurrency names the same function (by name, by the same LambdaFunction, or as resolved). */
  private static boolean sameFunction(Concurrency other, Concurrency resource, String function) {
    ConcurrencySpec o = other.getSpec();
    ConcurrencySpec r = resource.getSpec();
    return function.equals(o.functionName)
        || (o.functionRef != null && r.functionRef != null && o.functionRef.name.equals(r.functionRef.name)
            && other.getMetadata().getNamespace().equals(resource.getMetadata().getNamespace()))
        || (other.getStatus() != null && function.equals(other.getStatus().functionName));
  }

  private static boolean firstComes(Concurrency a, Concurrency b) {
    return Comparator.comparing((Concurrency c) -> c.getMetadata().getCreationTimestamp())
        .thenComparing(c -> c.getMetadata().getNamespace() + "/" + c.getMetadata().getName())
        .compare(a, b) < 0;
  }

  private ConcurrencyPool pool(String region, String function, int currentForThis) {
    Optional<ReservedConcurrency.Account> account = concurrency.account(region);
    if (account.isPresent() && account.get().limit() != null && account.get().unreserved() != null) {
      int reservedByOthers = account.get().limit() - account.get().unreserved() - currentForThis;
      return new ConcurrencyPool(account.get().limit(), reservedByOthers, settings.unreservedConcurrencyMinimum());
    }
    Map<String, Integer> reservations = concurrency.reservations(region);
    int byOthers = reservations.entrySet().stream().filter(e -> !e.getKey().equals(function))
        .mapToInt(Map.Entry::getValue).sum();
    return new ConcurrencyPool(settings.accountConcurrencyLimit(), byOthers, settings.unreservedConcurrencyMinimum());
  }

  private static ConcurrencyStatus.AccountConcurrency account(ConcurrencyPool pool, int reservedForThis) {
    ConcurrencyStatus.AccountConcurrency a = new ConcurrencyStatus.AccountConcurrency();
    a.concurrentExecutions = pool.limit();
    a.unreservedConcurrentExecutions = pool.unreservedWith(reservedForThis);
    a.unreservedMinimum = pool.unreservedMinimum();
    return a;
  }

  private FunctionResolver.Target target(Concurrency resource, Cluster<Concurrency> cluster) {
    ConcurrencySpec spec = resource.getSpec();
    FunctionResolver.Target target = functions.resolve(resource, spec.functionRef, spec.functionName, cluster);
    if (!target.created()) {
      throw new SpecProblem("FunctionNotFound", "waiting for LambdaFunction " + spec.functionRef.name
          + " to create its function; the reservation is applied as soon as it exists", true);
    }
    return target;
  }

  @Override
  public DeleteControl cleanup(Concurrency resource, Cluster<Concurrency> cluster) {
    resync.forget(ResyncSpread.key(resource)); // no more resyncs, whatever the release below does
    ConcurrencyStatus status = resource.getStatus();
    if (status != null && status.reservedConcurrentExecutions != null && status.functionName != null) {
      ConcurrencySpec spec = resource.getSpec();
      String region = functions.regionForCleanup(resource, status.region, spec.functionRef, spec.functionName,
          cluster);
      OwnerRecords.Recorded recorded = records.read(region, status.functionName, Owner.CONCURRENCY_TAG);
      Optional<String> notOurs = notOurs(resource, recorded, status.functionName);
      if (recorded.function().isEmpty()) {
        return DeleteControl.defaultDelete(); // the function went, and its reservation with it
      }
      if (notOurs.isPresent()) {
        events.warning(resource, "NotReleased", notOurs.get() + "; its reserved concurrency is left in place");
        return DeleteControl.defaultDelete();
      }
      concurrency.delete(region, status.functionName);
      records.erase(recorded, region, status.functionName, Owner.CONCURRENCY_TAG);
      events.normal(resource, "Released", "removed the reserved concurrency of " + status.functionName);
    }
    return DeleteControl.defaultDelete();
  }

  /** Why the reservation is not this resource's to release, if it is not: another owner's record or function. */
  private Optional<String> notOurs(Concurrency resource, OwnerRecords.Recorded recorded, String function) {
    if (recorded.value() != null && !functions.owns(resource, recorded.value())) {
      return Optional.of("the reserved concurrency of " + function + " is recorded for "
          + recorded.owner().describe(functions.clusterId()));
    }
    try {
      functions.checkOwner(resource, function, recorded.tags());
      return Optional.empty();
    } catch (SpecProblem p) {
      return Optional.of(p.getMessage());
    }
  }
}
