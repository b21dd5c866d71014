package dev.lambdaop.concurrency;

import dev.lambdaop.api.Concurrency;
import dev.lambdaop.api.ConcurrencySpec;
import dev.lambdaop.api.ConcurrencyStatus;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.aws.sdk.LambdaGateway;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.function.FunctionReferences;
import dev.lambdaop.reconcile.SpecProblem;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.Failures;
import dev.lambdaop.status.EventRecorder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
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
public class ConcurrencyReconciler implements Reconciler<Concurrency>, Cleaner<Concurrency> {
  private static final Duration WAIT_FOR_FUNCTION = Duration.ofSeconds(5);

  private final LambdaGateway gateway;
  private final String region;
  private final OperatorSettings settings;
  private final EventRecorder events;
  private final Clock clock;

  public ConcurrencyReconciler(LambdaGateway gateway, String region, OperatorSettings settings, EventRecorder events,
      Clock clock) {
    this.gateway = gateway;
    this.region = region;
    this.settings = settings;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, Concurrency>> prepareEventSources(EventSourceContext<Concurrency> context) {
    return List.of(FunctionReferences.eventSource(context, Concurrency.class,
        r -> r.getSpec() == null ? null : r.getSpec().functionRef));
  }

  @Override
  public UpdateControl<Concurrency> reconcile(Concurrency resource, Context<Concurrency> context) {
    ConcurrencyStatus status = resource.getStatus() == null ? new ConcurrencyStatus() : resource.getStatus();
    String function = functionName(resource, context);
    status.functionName = function;
    Optional<Concurrency> earlier = context.getPrimaryCache().list()
        .filter(other -> !other.getMetadata().getUid().equals(resource.getMetadata().getUid()))
        .filter(other -> other.getMetadata().getDeletionTimestamp() == null)
        .filter(other -> sameFunction(other, resource, function))
        .filter(other -> firstComes(other, resource))
        .findFirst();
    if (earlier.isPresent()) {
      throw new SpecProblem("DuplicateConcurrency", "Concurrency " + earlier.get().getMetadata().getNamespace() + "/"
          + earlier.get().getMetadata().getName() + " already manages the reserved concurrency of " + function
          + "; delete one of the two", true);
    }
    Optional<Integer> current;
    try {
      current = gateway.reservedConcurrency(region, function);
    } catch (AwsFailure f) {
      if ("NotFound".equals(f.reason())) {
        throw new SpecProblem("FunctionNotFound", "function " + function + " does not exist (yet); the reservation is"
            + " applied as soon as it does", true);
      }
      throw f;
    }
    int requested = resource.getSpec().reservedConcurrentExecutions;
    ConcurrencyPool pool = pool(function, current.orElse(0));
    status.account = account(pool, current.orElse(0));
    if (current.isEmpty() || current.get() != requested) {
      if (!pool.allows(requested)) {
        throw new SpecProblem("InsufficientUnreservedConcurrency", pool.refusal(requested));
      }
      try {
        gateway.putReservedConcurrency(region, function, requested);
      } catch (AwsFailure f) {
        if (String.valueOf(f.getMessage()).contains("UnreservedConcurrentExecution")) {
          // Another writer took from the pool since it was read.
          throw new SpecProblem("InsufficientUnreservedConcurrency", pool.refusal(requested)
              + " (AWS refused: " + f.getMessage() + ")", true);
        }
        throw f;
      }
      events.normal(resource, current.isPresent() ? "Updated" : "Reserved", "reserved " + requested
          + " concurrent executions for " + function + (current.isPresent() ? " (was " + current.get() + ")" : ""));
      status.account = account(pool, requested);
    }
    status.reservedConcurrentExecutions = requested;
    Long generation = resource.getMetadata().getGeneration();
    status.observedGeneration = generation;
    Conditions.set(status.conditions, Conditions.READY, true, "Synced", requested + " concurrent executions reserved"
        + " for " + function, generation, clock.instant());
    save(resource, status, context);
    return UpdateControl.<Concurrency>noUpdate().rescheduleAfter(settings.resyncPeriod());
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

  /** The older resource wins; on a tie, the name decides. */
  private static boolean firstComes(Concurrency a, Concurrency b) {
    return Comparator.comparing((Concurrency c) -> c.getMetadata().getCreationTimestamp())
        .thenComparing(c -> c.getMetadata().getNamespace() + "/" + c.getMetadata().getName())
        .compare(a, b) < 0;
  }

  private ConcurrencyPool pool(String function, int currentForThis) {
    Optional<LambdaGateway.AccountConcurrency> account = gateway.accountConcurrency(region);
    if (account.isPresent() && account.get().limit() != null && account.get().unreserved() != null) {
      int reservedByOthers = account.get().limit() - account.get().unreserved() - currentForThis;
      return new ConcurrencyPool(account.get().limit(), reservedByOthers, settings.unreservedConcurrencyMinimum());
    }
    Map<String, Integer> reservations = gateway.reservations(region);
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

  private static String functionName(Concurrency resource, Context<Concurrency> context) {
    ConcurrencySpec spec = resource.getSpec();
    if (spec.functionName != null) {
      return spec.functionName;
    }
    LambdaFunction fn = context.getClient().resources(LambdaFunction.class)
        .inNamespace(resource.getMetadata().getNamespace()).withName(spec.functionRef.name).get();
    if (fn == null || fn.getStatus() == null || fn.getStatus().functionArn == null) {
      throw new SpecProblem("FunctionNotFound", "waiting for LambdaFunction " + spec.functionRef.name
          + " to create its function; the reservation is applied as soon as it exists", true);
    }
    return fn.getStatus().functionName;
  }

  @Override
  public DeleteControl cleanup(Concurrency resource, Context<Concurrency> context) {
    ConcurrencyStatus status = resource.getStatus();
    if (status != null && status.reservedConcurrentExecutions != null && status.functionName != null) {
      gateway.deleteReservedConcurrency(region, status.functionName);
      events.normal(resource, "Released", "removed the reserved concurrency of " + status.functionName);
    }
    return DeleteControl.defaultDelete();
  }

  @Override
  public ErrorStatusUpdateControl<Concurrency> updateErrorStatus(Concurrency resource, Context<Concurrency> context,
      Exception e) {
    ConcurrencyStatus status = resource.getStatus() == null ? new ConcurrencyStatus() : resource.getStatus();
    Long generation = resource.getMetadata().getGeneration();
    status.observedGeneration = generation;
    String reason = Failures.reason(e);
    Conditions.set(status.conditions, Conditions.READY, false, reason, e.getMessage(), generation, clock.instant());
    events.warning(resource, reason, String.valueOf(e.getMessage()));
    try {
      save(resource, status, context);
    } catch (RuntimeException ignored) {
      // the error is what matters; the status is best effort
    }
    return Failures.control(e, WAIT_FOR_FUNCTION);
  }

  private static void save(Concurrency resource, ConcurrencyStatus status, Context<Concurrency> context) {
    Concurrency patch = new Concurrency();
    patch.setMetadata(new ObjectMetaBuilder().withName(resource.getMetadata().getName())
        .withNamespace(resource.getMetadata().getNamespace()).build());
    patch.setStatus(status);
    PrimaryUpdateAndCacheUtils.ssaPatchStatusAndCacheResource(resource, patch, context);
  }
}
