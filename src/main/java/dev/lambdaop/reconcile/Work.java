package dev.lambdaop.reconcile;

import java.util.function.Supplier;

/**
 * What the current thread is doing for whom: the resource a reconcile is for (its key, such as
 * {@code LambdaAlias/shop/live}) and how urgent its AWS calls are. {@link ResourceReconciler} sets it around every
 * reconcile and cleanup; the AWS adapter reads it to take budget tokens in the right class and to keep a deferred
 * resource's place in the queue. Code outside a reconcile runs as {@link #NONE}.
 *
 * @param key the resource's key, or null outside a reconcile
 * @param urgency the class of its AWS calls
 * @param identity who the operator acts as in AWS for this resource (its namespace's role, or its own)
 */
public record Work(String key, Urgency urgency, dev.lambdaop.aws.AwsIdentity identity) {
  /** Outside any reconcile: no key, the urgency of a deployment, the operator's own identity. */
  public static final Work NONE = new Work(null, Urgency.DEPLOY, dev.lambdaop.aws.AwsIdentity.OPERATOR);

  public Work {
    identity = identity == null ? dev.lambdaop.aws.AwsIdentity.OPERATOR : identity;
  }

  /** Work for a resource as the operator's own identity. */
  public Work(String key, Urgency urgency) {
    this(key, urgency, dev.lambdaop.aws.AwsIdentity.OPERATOR);
  }

  private static final ThreadLocal<Work> CURRENT = ThreadLocal.withInitial(() -> NONE);

  /** The work of the current thread. */
  public static Work current() {
    return CURRENT.get();
  }

  /** Runs {@code body} as this work, then restores the thread's previous work. */
  public <T> T run(Supplier<T> body) {
    Work before = CURRENT.get();
    CURRENT.set(this);
    try {
      return body.get();
    } finally {
      CURRENT.set(before);
    }
  }

  /** The same resource at another urgency (a pass that finds a rollback due raises its class). */
  public Work at(Urgency other) {
    return new Work(key, other, identity);
  }

  /** The same resource and urgency, acting as {@code other} in AWS. */
  public Work as(dev.lambdaop.aws.AwsIdentity other) {
    return new Work(key, urgency, other);
  }

  /** Runs {@code body} at {@code urgency}, for the current thread's resource. */
  public static <T> T at(Urgency urgency, Supplier<T> body) {
    return current().at(urgency).run(body);
  }
}
