package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;

import dev.lambdaop.LambdaOperator;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.Crds;
import dev.lambdaop.testbed.SharedTestbed;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What the end-to-end tests share: the test bed, the CRDs from crds/ installed once, one operator started once in
 * this JVM (against the test bed's API server and AWS endpoint), AWS clients for checking the AWS side, and waits.
 */
public final class E2e {
  /** Short, so that tests see resyncs (drift, steady state) within seconds. */
  public static final Duration RESYNC = Duration.ofSeconds(4);
  public static final Duration TIMEOUT = Duration.ofSeconds(60);
  public static final String ROLE_NAME = "lambda-exec";
  /**
   * Resources with this label are left to another operator instance that a test starts (OperatorProcessIT: value
   * "process"; AwsErrorsIT: "faults"); the shared operator manages only resources without it.
   */
  public static final String PROCESS_LABEL = "lambdaop.dev/test-operator";
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static volatile boolean crdsInstalled;
  private static volatile LambdaOperator operator;
  private static final List<LambdaOperator> OPERATORS = new java.util.concurrent.CopyOnWriteArrayList<>();

  private E2e() {}

  public static Testbed testbed() {
    return SharedTestbed.get();
  }

  /**
   * Updates a resource the test changed after reading it. The operator writes the status (and its finalizer) at any
   * time, and each write makes the read copy stale (409): then the change of the spec is put on the latest copy and
   * sent again, so that nothing the operator wrote in between is lost.
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public static <T extends HasMetadata> T update(T changed) {
    for (int attempt = 1; ; attempt++) {
      try {
        return kube().resource(changed).update();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10 || !(changed instanceof CustomResource cr)) {
          throw e;
        }
        T latest = kube().resource(changed).get();
        ((CustomResource) latest).setSpec(cr.getSpec());
        changed = latest;
      }
    }
  }

  public static KubernetesClient kube() {
    return testbed().kubernetesClient();
  }

  public static Path projectDir() {
    return Path.of(System.getProperty("lambdaop.projectDir", "."));
  }

  /** Installs crds/ as a user would, once per JVM. */
  public static synchronized void installCrds() {
    if (!crdsInstalled) {
      Crds.install(kube(), projectDir().resolve("crds"));
      crdsInstalled = true;
    }
  }

  /**
   * The operator, started once for the whole JVM with a short resync period, authenticated as the Helm chart's
   * ServiceAccount with only the chart's RBAC ({@link OperatorIdentity}), with leader election on.
   */
  public static synchronized LambdaOperator operator() {
    if (operator == null) {
      installCrds();
      testbed().ensureLambdaRole(ROLE_NAME);
      Testbed bed = testbed();
      KubernetesClient asServiceAccount = OperatorIdentity.client();
      LambdaOperator started = new LambdaOperator(asServiceAccount,
          new AwsSettings(bed.awsRegion(), bed.awsEndpoint(), bed.awsCredentials()),
          OperatorSettings.fromEnvironment(java.util.Map.of(
                  OperatorSettings.LEADER_ELECTION, "true",
                  OperatorSettings.LEADER_ELECTION_NAMESPACE, OperatorIdentity.NAMESPACE))
              .withResyncPeriod(RESYNC).withLabelSelector("!" + PROCESS_LABEL));
      started.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        started.close();
        asServiceAccount.close();
      }, "operator-shutdown"));
      operator = track(started);
    }
    return operator;
  }

  /**
   * Records an operator started in this JVM, so that {@link IamPolicyCoverage} checks the AWS operations it called
   * against the shipped IAM policy.
   */
  public static LambdaOperator track(LambdaOperator started) {
    OPERATORS.add(started);
    return started;
  }

  /** The operators started in this JVM so far. */
  static List<LambdaOperator> operators() {
    return List.copyOf(OPERATORS);
  }

  /** How long an operator process may take to end after SIGTERM (README, "Stopping and failover"). */
  public static final Duration SIGTERM_LIMIT = Duration.ofSeconds(10);
  /** The exit code of a JVM that SIGTERM ended after its shutdown hooks ran: 128 + 15. */
  public static final int SIGTERM_EXIT = 143;

  /**
   * Stops an operator process as Kubernetes stops a pod: SIGTERM. A process still running after
   * {@link #SIGTERM_LIMIT} is killed, so that no test leaves one behind, and reported: the caller asserts.
   *
   * @return whether SIGTERM alone ended it in time
   */
  public static boolean endsOnSigterm(Process process) throws InterruptedException {
    process.destroy();
    if (process.waitFor(SIGTERM_LIMIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      return true;
    }
    process.destroyForcibly().waitFor(SIGTERM_LIMIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return false;
  }

  /** A fresh namespace for one test class. */
  public static String namespace(String prefix) {
    String name = prefix + "-" + NAMESPACES.incrementAndGet() + "-" + Long.toString(System.nanoTime() % 100000, 36);
    kube().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    return name;
  }

  public static String roleArn() {
    return testbed().ensureLambdaRole(ROLE_NAME);
  }

  public static LambdaClient lambda() {
    return testbed().configureAws(LambdaClient.builder()).build();
  }

  public static S3Client s3() {
    return testbed().configureAws(S3Client.builder()).forcePathStyle(true).build();
  }

  /** Waits until the resource's condition of this type has this status, and returns the resource. */
  public static <T extends HasMetadata> T awaitCondition(Class<T> kind, String namespace, String name, String type,
      String status, Function<T, List<Condition>> conditions) {
    try {
      return await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(
          () -> kube().resources(kind).inNamespace(namespace).withName(name).get(),
          r -> r != null && Optional.ofNullable(conditions.apply(r)).flatMap(c -> Conditions.find(c, type))
              .map(c -> status.equals(c.getStatus())
                  && r.getMetadata().getGeneration().equals(c.getObservedGeneration()))
              .orElse(false));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      T last = kube().resources(kind).inNamespace(namespace).withName(name).get();
      throw new AssertionError(kind.getSimpleName() + " " + namespace + "/" + name + ": no " + type + "=" + status
          + " for generation " + (last == null ? "?" : last.getMetadata().getGeneration()) + " within " + TIMEOUT
          + "; conditions now: " + (last == null ? "(deleted)"
              : io.fabric8.kubernetes.client.utils.Serialization.asJson(conditions.apply(last))), e);
    }
  }
}
