package dev.lambdaop.bench;

import static dev.lambdaop.bench.BenchSupport.seconds;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.testbed.Crds;
import dev.lambdaop.testbed.FaultProxy;
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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * What the chaos benchmark stands on: the test bed with the CRDs and a Lambda role, the fault proxy in front of its
 * AWS endpoint, a fresh namespace, the operator as a process of its own (its AWS endpoint the proxy; not started
 * yet), AWS clients of the benchmark's own straight to the endpoint, and a pool of client threads. Closing it stops
 * the recorders, the operator process, the proxy and the test bed, in that order.
 */
final class ChaosBed implements AutoCloseable {
  private static final String ROLE_NAME = "lambda-exec";

  final Testbed testbed;
  final ExecutorService pool;
  FaultProxy proxy;
  KubernetesClient kube;
  String role;
  String ns;
  Path logDirectory;
  OperatorProcess operator;
  /** The benchmark's own clients, not through the proxy. */
  LambdaClient lambda;
  CloudWatchClient cloudWatch;
  private final Deque<AutoCloseable> recorders = new ArrayDeque<>();

  private ChaosBed(Testbed testbed, int threads) {
    this.testbed = testbed;
    this.pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "bench-client");
      t.setDaemon(true);
      return t;
    });
  }

  static ChaosBed start(ChaosSettings s) {
    ChaosBed b = new ChaosBed(Testbed.start(), s.threads());
    try {
      b.kube = b.testbed.kubernetesClient();
      Crds.install(b.kube, s.projectDir().resolve("crds"));
      b.role = b.testbed.ensureLambdaRole(ROLE_NAME);
      b.proxy = new FaultProxy(b.testbed.awsEndpoint());
      b.lambda = b.testbed.configureAws(LambdaClient.builder())
          .httpClient(ApacheHttpClient.builder().maxConnections(8).build()).build();
      b.cloudWatch = b.testbed.configureAws(CloudWatchClient.builder())
          .httpClient(ApacheHttpClient.builder().maxConnections(4).build()).build();
      b.ns = "chaos-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
      b.kube.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(b.ns).endMetadata().build())
          .create();
      b.logDirectory = s.projectDir().resolve("target").resolve("bench-chaos").resolve(b.ns);
      Map<String, String> env = new java.util.LinkedHashMap<>(b.testbed.operatorEnvironment());
      env.put("AWS_ENDPOINT_URL", b.proxy.uri().toString());
      env.put("LAMBDAOP_WATCH_NAMESPACES", b.ns);
      if (s.resync() != null) {
        env.put("LAMBDAOP_RESYNC_PERIOD", s.resync());
      }
      b.operator = new OperatorProcess(env, List.of(), b.logDirectory);
      return b;
    } catch (RuntimeException | Error e) {
      b.close();
      throw e;
    }
  }

  /** An informer on this namespace's resources of the type, started (within 60 s), closed with the bed. */
  <T extends HasMetadata> SharedIndexInformer<T> inform(Class<T> type, ResourceEventHandler<T> handler)
      throws Exception {
    SharedIndexInformer<T> informer = kube.resources(type).inNamespace(ns).runnableInformer(0);
    if (handler != null) {
      informer.addEventHandler(handler);
    }
    closeFirst(informer);
    informer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return informer;
  }

  /** Closes the recorder before the operator stops. */
  <C extends AutoCloseable> C closeFirst(C recorder) {
    recorders.push(recorder);
    return recorder;
  }

  void closeNow(AutoCloseable recorder) throws Exception {
    recorders.remove(recorder);
    recorder.close();
  }

  <T extends HasMetadata> T create(Class<T> type, T resource) throws InterruptedException {
    return BenchSupport.withRetries(() -> kube.resources(type).inNamespace(ns).resource(resource).create());
  }

  /** New inline code for the function: index.py only. */
  LambdaFunction patchCode(String name, String source) throws InterruptedException {
    String patch = Serialization.asJson(Map.of("spec", Map.of("code", Map.of("inline", Map.of("files",
        Map.of("index.py", source))))));
    return BenchSupport.withRetries(() -> kube.resources(LambdaFunction.class).inNamespace(ns).withName(name)
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
    if (proxy != null) {
      proxy.close();
    }
    if (lambda != null) {
      lambda.close();
    }
    if (cloudWatch != null) {
      cloudWatch.close();
    }
    testbed.close();
    System.out.printf(Locale.ROOT, "stopped the operator process, the fault proxy and the test bed in %.1f s%n",
        seconds(stop));
  }
}
