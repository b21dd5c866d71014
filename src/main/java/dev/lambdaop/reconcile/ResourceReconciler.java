package dev.lambdaop.reconcile;

import dev.lambdaop.api.ReconciledStatus;
import dev.lambdaop.aws.AwsIdentity;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.status.Events;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.lang.reflect.InvocationTargetException;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every kind's reconciler shares, so that each one reads as its flow only: the SDK's entry points adapted to
 * a {@link Cluster} (which unit tests implement in memory), the status defaulted, written and cached in one way,
 * Ready conditions with observedGeneration, and one failure path: any exception becomes a Ready=False condition,
 * an event, a log line and the retry decision of {@link FailureReport}.
 *
 * <p>Every pass acts in the AWS account of the resource's namespace ({@link AccountMapping}, read from the Namespace
 * before anything else): its {@link Work} carries that identity, and every status write of the pass records the
 * account in {@code status.accountId}. A resource whose recorded account is not the one its namespace maps to now is
 * refused before any AWS call (AccountChanged); deleting it releases it without touching AWS, with a warning that
 * names the account its AWS objects stay in.
 *
 * @param <R> the kind
 * @param <S> its status
 */
public abstract class ResourceReconciler<R extends CustomResource<?, S>, S extends ReconciledStatus>
    implements Reconciler<R>, Cleaner<R> {
  private static final Logger LOG = LoggerFactory.getLogger(ResourceReconciler.class);

  /** The account the pass on this thread acts in, while it runs; what its status writes record. */
  private static final ThreadLocal<String> PASS_ACCOUNT = new ThreadLocal<>();

  protected final Events events;
  protected final Clock clock;
  private final Supplier<S> newStatus;
  private final Duration recheck;
  private final FunctionResolver resolver;

  /**
   * @param newStatus a status for a resource that has none yet
   * @param recheck when a failure that another object can end ({@link Failure.RetryPolicy#RECHECK}) is looked at
   *     again
   * @param resolver the namespace's account mapping ({@link FunctionResolver#identity}) and accounts
   */
  protected ResourceReconciler(Supplier<S> newStatus, Duration recheck, Events events, Clock clock,
      FunctionResolver resolver) {
    this.newStatus = newStatus;
    this.recheck = recheck;
    this.events = events;
    this.clock = clock;
    this.resolver = resolver;
  }

  /** The flow of one reconcile: resolve, observe, plan, apply, report. */
  public abstract UpdateControl<R> reconcile(R resource, Cluster<R> cluster);

  /** What deleting the resource does in AWS. */
  public abstract DeleteControl cleanup(R resource, Cluster<R> cluster);

  /** A spec AWS refused for good: kinds that remember it (so as not to try it again) override this. */
  protected void rememberRejectedSpec(S status, String specDigest) {}

  @Override
  public final UpdateControl<R> reconcile(R resource, Context<R> context) {
    return pass(resource, new ContextCluster<>(context));
  }

  /** One pass as JOSDK runs it: the resource's {@link Work} (key, urgency), then {@link #inAccount}. */
  public final UpdateControl<R> pass(R resource, Cluster<R> cluster) {
    return work(resource, urgency(resource)).run(() -> inAccount(resource, cluster));
  }

  /**
   * The kind's flow in the AWS account of the resource's namespace, within the thread's current {@link Work} (whose
   * urgency it keeps): the namespace's identity (failures AccountMappingInvalid, AccountMappingMissing,
   * AccountChanged, all before any AWS call), then {@link #reconcile(CustomResource, Cluster)} acting as that
   * identity, its status writes recording the account.
   */
  public final UpdateControl<R> inAccount(R resource, Cluster<R> cluster) {
    Account account = account(resource, cluster);
    if (account.changed()) {
      throw new SpecProblem("AccountChanged", account.changeMessage(resource), true);
    }
    String before = PASS_ACCOUNT.get();
    PASS_ACCOUNT.set(account.id());
    try {
      return Work.current().as(account.identity()).run(() -> reconcile(resource, cluster));
    } finally {
      PASS_ACCOUNT.set(before);
    }
  }

  /**
   * The account a resource is served in now, and the one its status recorded.
   *
   * @param id the account its namespace's identity acts in, or null when it cannot be told
   * @param recorded status.accountId, or null
   */
  private record Account(AwsIdentity identity, String id, String recorded) {
    /** The namespace maps to another account than the one the resource's AWS objects are in. */
    boolean changed() {
      return recorded != null && id != null && !recorded.equals(id);
    }

    String changeMessage(HasMetadata resource) {
      return "namespace " + resource.getMetadata().getNamespace() + " now maps to AWS account " + id + " (annotation "
          + AccountMapping.ROLE_ARN + " of its Namespace), but the AWS objects of " + resource.getKind() + " "
          + resource.getMetadata().getName() + " live in account " + recorded + " (status.accountId): nothing was"
          + " done in either account. Restore the Namespace's annotation, or delete the resource (its objects in "
          + recorded + " are left as they are) and create it again to be served in " + id + ".";
    }
  }

  private Account account(R resource, Cluster<R> cluster) {
    AwsIdentity identity = resolver.identity(resource, cluster);
    String id = resolver.accountId(identity);
    S status = resource.getStatus();
    return new Account(identity, id, status == null ? null : status.accountId());
  }

  @Override
  public final DeleteControl cleanup(R resource, Context<R> context) {
    return work(resource, Urgency.DEPLOY).run(() -> deferrable(resource, new ContextCluster<>(context)));
  }

  /**
   * A deletion whose AWS request waits for its turn in the budget keeps the finalizer and comes back at its turn
   * (JOSDK would otherwise retry a cleanup's exception with its backoff).
   */
  public DeleteControl deferrable(R resource, Cluster<R> cluster) {
    try {
      return delete(resource, cluster);
    } catch (RuntimeException e) {
      if (Failure.of(e) instanceof Deferred deferred) {
        LOG.debug("{}/{}: {}", resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
            deferred.getMessage());
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(deferred.waitFor());
      }
      throw e;
    }
  }

  /**
   * How urgent the AWS calls of this pass are, decided before it reads AWS: a resource whose current generation is
   * Ready compares itself with AWS ({@link Urgency#DRIFT}); anything else deploys. Kinds with steps and rollbacks
   * refine it.
   */
  protected Urgency urgency(R resource) {
    S status = resource.getStatus();
    Long generation = resource.getMetadata().getGeneration();
    boolean converged = status != null && Conditions.find(status.conditions(), Conditions.READY)
        .filter(c -> "True".equals(c.getStatus()) && generation != null
            && generation.equals(c.getObservedGeneration()))
        .isPresent();
    return converged ? Urgency.DRIFT : Urgency.DEPLOY;
  }

  /** How soon something of the resource falls due by time (a traffic shift's next step), or null. */
  protected Duration dueIn(R resource) {
    return null;
  }

  /** The work of a pass for {@code resource}: its key (kind/namespace/name) and urgency. */
  public static Work work(HasMetadata resource, Urgency urgency) {
    return new Work(resource.getKind() + "/" + resource.getMetadata().getNamespace() + "/"
        + resource.getMetadata().getName(), urgency);
  }

  /**
   * A deleted resource: what its kind does in AWS, unless the kind's CRD is being deleted. Deleting a CRD deletes
   * every resource of the kind (an uninstall with {@code kubectl delete -k}, a CRD removed by mistake): then the
   * finalizer is released and AWS is left as it is, instead of deleting every function of the cluster.
   */
  public DeleteControl delete(R resource, Cluster<R> cluster) {
    if (cluster.definitionDeleted(resource)) {
      String message = "the CustomResourceDefinition of " + resource.getKind() + " is being deleted: "
          + resource.getMetadata().getName() + " is released and its AWS objects are kept (deletionPolicy is not"
          + " applied when the CRD goes)";
      LOG.warn("{}/{}: {}", resource.getMetadata().getNamespace(), resource.getMetadata().getName(), message);
      events.warning(resource, "DefinitionDeleted", message);
      return DeleteControl.defaultDelete();
    }
    String name = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    Account account;
    try {
      account = account(resource, cluster);
    } catch (SpecProblem mapping) {
      // Whose account its AWS objects are in cannot be told: nothing is deleted, the finalizer stays until an
      // administrator fixes the Namespace's annotation.
      LOG.info("{}: {}: {} (deletion waits)", name, mapping.reason(), mapping.getMessage());
      events.warning(resource, mapping.reason(), mapping.getMessage() + " The deletion waits for the fix.");
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(recheck);
    }
    if (account.changed()) {
      // Never act in the new account (it could delete what another resource there manages): released, AWS untouched.
      String message = "namespace " + resource.getMetadata().getNamespace() + " now maps to AWS account "
          + account.id() + ": " + resource.getKind() + " " + resource.getMetadata().getName()
          + " is released without touching AWS, and its AWS objects stay in account " + account.recorded()
          + " (status.accountId); delete them there, or restore the Namespace's annotation before deleting to have"
          + " the operator do it";
      LOG.warn("{}: {}", name, message);
      events.warning(resource, "AccountChanged", message);
      return DeleteControl.defaultDelete();
    }
    return Work.current().as(account.identity()).run(() -> cleanup(resource, cluster));
  }

  /**
   * The account the pass on this thread acts in (the one its status writes record), or null outside a pass or when
   * it cannot be told: for checks that compare resources across accounts (a function name in two accounts is two
   * functions).
   */
  protected static String passAccount() {
    return PASS_ACCOUNT.get();
  }

  /** Whether a resource whose status recorded {@code otherAccount} may be in this pass's account. */
  protected static boolean sameAccount(String otherAccount) {
    String mine = PASS_ACCOUNT.get();
    return mine == null || otherAccount == null || mine.equals(otherAccount);
  }

  @Override
  public final ErrorStatusUpdateControl<R> updateErrorStatus(R resource, Context<R> context, Exception e) {
    return updateErrorStatus(resource, new ContextCluster<>(context), e);
  }

  /** The one failure path of every kind. */
  public ErrorStatusUpdateControl<R> updateErrorStatus(R resource, Cluster<R> cluster, Exception e) {
    if (Failure.of(e) instanceof Deferred deferred) {
      // Not the resource's problem: an AWS request waits for its turn. The status stays as it is.
      LOG.debug("{}/{}: {}", resource.getMetadata().getNamespace(), resource.getMetadata().getName(),
          deferred.getMessage());
      Duration wait = deferred.waitFor();
      Duration due = dueIn(resource);
      if (due != null && !due.isNegative() && !due.isZero() && due.compareTo(wait) < 0) {
        // JOSDK keeps one timer per resource: a turn far behind a bulk roll-out must not push out a step due sooner.
        wait = due;
      }
      return ErrorStatusUpdateControl.<R>noStatusUpdate().withNoRetry().rescheduleAfter(wait);
    }
    String reason = FailureReport.reason(e);
    String message = FailureReport.message(e);
    Failure.RetryPolicy policy = FailureReport.policy(e);
    String name = resource.getMetadata().getNamespace() + "/" + resource.getMetadata().getName();
    if (Failure.of(e) == null) {
      LOG.error("{}: unexpected failure", name, e);
    } else {
      LOG.info("{}: {}: {} (next: {})", name, reason, message, policy);
    }
    S status = statusOf(resource);
    Failure failure = Failure.of(e);
    if (failure != null && failure.rejectedSpec() != null) {
      rememberRejectedSpec(status, failure.rejectedSpec());
    }
    ready(resource, status, false, reason, message);
    events.warning(resource, reason, message);
    // The error being reported is what matters; its status is best effort.
    writeStatusBestEffort(resource, status, cluster);
    ErrorStatusUpdateControl<R> control = ErrorStatusUpdateControl.noStatusUpdate();
    return switch (policy) {
      case BACKOFF -> control;
      case RECHECK -> control.withNoRetry().rescheduleAfter(recheck);
      case UNTIL_SPEC_CHANGES -> control.withNoRetry();
    };
  }

  /** The resource's status, or a new one when it has none yet. Changes to it are written by {@link #writeStatus}. */
  protected S statusOf(R resource) {
    return resource.getStatus() == null ? newStatus.get() : resource.getStatus();
  }

  /** Sets the Ready condition for the resource's current generation, and the status's observedGeneration. */
  protected void ready(R resource, S status, boolean ready, String reason, String message) {
    Long generation = resource.getMetadata().getGeneration();
    status.observedGeneration(generation);
    Conditions.set(status.conditions(), Conditions.READY, ready, reason, message, generation, clock.instant());
  }

  /**
   * Writes the status: a fresh object with only name, namespace and status, so nothing else of the user's is sent.
   * Within a pass it records the account the pass acts in (status.accountId).
   */
  protected void writeStatus(R resource, S status, Cluster<R> cluster) {
    String account = PASS_ACCOUNT.get();
    if (account != null) {
      status.accountId(account);
    }
    R patch = newInstance(resource);
    patch.setMetadata(new ObjectMetaBuilder()
        .withName(resource.getMetadata().getName())
        .withNamespace(resource.getMetadata().getNamespace())
        .build());
    patch.setStatus(status);
    cluster.applyStatus(resource, patch);
  }

  /** Writes the status where a failure to write must not hide what is being reported (errors, waits). */
  protected void writeStatusBestEffort(R resource, S status, Cluster<R> cluster) {
    try {
      writeStatus(resource, status, cluster);
    } catch (RuntimeException writeFailed) {
      LOG.warn("{}/{}: could not write the status: {}", resource.getMetadata().getNamespace(),
          resource.getMetadata().getName(), writeFailed.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  private static <R> R newInstance(R resource) {
    try {
      return (R) resource.getClass().getDeclaredConstructor().newInstance();
    } catch (InstantiationException | IllegalAccessException | InvocationTargetException | NoSuchMethodException e) {
      throw new IllegalStateException("cannot create a " + resource.getClass().getSimpleName(), e);
    }
  }
}
