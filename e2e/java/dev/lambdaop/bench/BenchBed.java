package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.seconds;
import static dev.lambdaop.bench.BenchSupport.withRetries;

import dev.lambdaop.LambdaOperator;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.aws.sdk.RequestBudget;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.testbed.Crds;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * What both scenarios stand on: the test bed with the CRDs and a Lambda role, the operator in this JVM, a fresh
 * namespace and a pool of client threads. Closing it stops the recorders, the operator and the test bed, in that
 * order, and says how long that took.
 */
final class BenchBed implements AutoCloseable {
  private static final String ROLE_NAME = "lambda-exec";

  final Testbed testbed;
  final ExecutorService pool;
  KubernetesClient kube;
  String role;
  LambdaOperator operator;
  String ns;
  /** Informers and pollers, closed last-registered first, before the operator stops. */
  private final Deque<AutoCloseable> recorders = new ArrayDeque<>();

  private BenchBed(Testbed testbed, int threads) {
    this.testbed = testbed;
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "bench-client");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts the test bed and the operator with these settings; namespace {@code <prefix>-<base 36 time>}. */
  static BenchBed start(Path projectDir, OperatorSettings settings, String namespacePrefix, int threads) {
    BenchBed b = new BenchBed(Testbed.start(), threads);
    try {
      b.kube = b.testbed.kubernetesClient();
      Crds.install(b.kube, projectDir.resolve("crds"));
      b.role = b.testbed.ensureLambdaRole(ROLE_NAME);
      b.operator = new LambdaOperator(b.kube, new AwsSettings(b.testbed.awsRegion(), b.testbed.awsEndpoint(),
          b.testbed.awsCredentials()), settings);
      b.operator.start();
      b.ns = namespacePrefix + "-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
      b.kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(b.ns).endMetadata().build())
          .create();
      return b;
    } catch (RuntimeException | Error e) {
      b.close();
      throw e;
    }
  }

  RequestBudget budget() {
    return operator.budget(testbed.awsRegion(), dev.lambdaop.aws.Quota.LAMBDA);
  }

  /** An informer on this namespace's resources of the type, started (within 60 s), closed with the bed. */
  <T extends HasMetadata> SharedIndexInformer<T> inform(Class<T> type, ResourceEventHandler<T> handler)
      throws Exception {
    SharedIndexInformer<T> informer = kube.resources(type).inNamespace(ns).runnableInformer(0);
    informer.addEventHandler(handler);
    closeFirst(informer);
    informer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return informer;
  }

  /** Closes the recorder before the operator stops. */
  <C extends AutoCloseable> C closeFirst(C recorder) {
    recorders.push(recorder);
    return recorder;
  }

  /** Closes the recorder now (for example an informer whose cache should not count in the heap). */
  void closeNow(AutoCloseable recorder) throws Exception {
    recorders.remove(recorder);
    recorder.close();
  }

  <T extends HasMetadata> T create(Class<T> type, T resource) throws InterruptedException {
    return withRetries(() -> kube.resources(type).inNamespace(ns).resource(resource).create());
  }

  /** New inline code for the function: index.py only. */
  LambdaFunction patchCode(String name, String source) throws InterruptedException {
    String patch = Serialization.asJson(Map.of("spec", Map.of("code", Map.of("inline", Map.of("files",
        Map.of("index.py", source))))));
    return withRetries(() -> kube.resources(LambdaFunction.class).inNamespace(ns).withName(name)
        .patch(PatchContext.of(PatchType.JSON_MERGE), patch));
  }

  @Override
  public void close() {
    pool.shutdownNow();
    while (!recorders.isEmpty()) {
      try {
        recorders.pop().close();
      } catch (Exception e) {
        System.out.println("closing a recorder failed: " + e);
      }
    }
    long stop = System.nanoTime();
    if (operator != null) {
      operator.close();
    }
    testbed.close();
    System.out.printf(Locale.ROOT, "stopped the operator and the test bed in %.1f s%n", seconds(stop));
  }
}
