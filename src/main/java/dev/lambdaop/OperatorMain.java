package dev.lambdaop;

import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.config.ProcessSettings;
import dev.lambdaop.observability.HttpEndpoints;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * The operator process. Kubernetes: in-cluster config or KUBECONFIG. AWS: the SDK's standard settings. Operator
 * settings: LAMBDAOP_* environment variables (see --help and the README).
 */
public final class OperatorMain {
  private OperatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(help());
      return;
    }
    OperatorSettings settings;
    ProcessSettings process;
    AwsSettings aws;
    try {
      process = ProcessSettings.fromEnvironment(System.getenv());
      settings = OperatorSettings.fromEnvironment(System.getenv());
      aws = AwsSettings.fromEnvironment();
    } catch (RuntimeException e) {
      System.err.println("lambda-operator: " + e.getMessage());
      System.exit(2);
      return;
    }
    KubernetesClient kubernetes = new KubernetesClientBuilder().build();
    LambdaOperator operator = new LambdaOperator(kubernetes, aws, settings);
    HttpEndpoints endpoints = process.metricsPort() == 0 ? null
        : new HttpEndpoints(process.metricsPort(), operator.metrics()::scrape, operator::isAlive, operator::isReady)
            .start();
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM, SIGINT or System.exit: a bounded stop (LambdaOperator.close), then the JVM exits (143 after SIGTERM)
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      long begin = System.nanoTime();
      LoggerFactory.getLogger(OperatorMain.class).info("Stopping");
      if (endpoints != null) {
        endpoints.close();
      }
      operator.close();
      kubernetes.close();
      LoggerFactory.getLogger(OperatorMain.class).info("Stopped in {} ms", (System.nanoTime() - begin) / 1_000_000);
      stopped.countDown();
    }, "shutdown"));
    try {
      operator.start();
    } catch (RuntimeException e) {
      // threads that did start (watches, the HTTP server) would keep the process alive, doing nothing: exit, and the
      // hook stops them
      Throwable cause = e;
      while (cause.getCause() != null) {
        cause = cause.getCause();
      }
      LoggerFactory.getLogger(OperatorMain.class).error("Could not start: {}", cause.getMessage(), e);
      System.exit(1);
    }
    stopped.await();
  }

  static String help() {
    return """
        lambda-operator: manages AWS Lambda functions, versions, aliases and concurrency from Kubernetes resources.

        Kubernetes: in-cluster service account, or KUBECONFIG.
        AWS: the AWS SDK's standard settings: AWS_REGION, credentials chain (environment, profile, web identity/IRSA,
             EKS Pod Identity), AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_LAMBDA for another endpoint.

        Operator settings (environment variables):
          LAMBDAOP_WATCH_NAMESPACES               comma-separated namespaces to watch (default: all)
          LAMBDAOP_LABEL_SELECTOR                 manage only resources matching this label selector (default: all)
          LAMBDAOP_AWS_REQUESTS_PER_SECOND        Lambda requests per second and region, reads too (default 10 of AWS's 15; 0.1-1000)
          LAMBDAOP_AWS_REQUEST_BURST              Lambda requests that may go at once after a quiet period (default 10; 1-1000)
          LAMBDAOP_AWS_GETFUNCTION_PER_SECOND     GetFunction requests per second and region (default 50 of AWS's 100)
          LAMBDAOP_AWS_GETPOLICY_PER_SECOND       GetPolicy requests per second and region (default 10 of AWS's 15)
          LAMBDAOP_CLOUDWATCH_PER_SECOND          CloudWatch requests per second and region (default 5; DescribeAlarms allows 9)
          LAMBDAOP_RESYNC_PERIOD                  re-check every resource against AWS this often (default 10m; 1s-24h)
          LAMBDAOP_RESYNC_BUDGET_SHARE            share of each budget drift reads may take; resync stretches beyond it (default 0.2)
          LAMBDAOP_LEADER_ELECTION                true to elect a leader among replicas (default false)
          LAMBDAOP_LEADER_ELECTION_NAMESPACE      namespace of the leader Lease (default: the operator's own)
          LAMBDAOP_CLUSTER_ID                     this cluster's id in the owner tags on AWS objects (default: the UID of kube-system)
          LAMBDAOP_REQUIRE_NAMESPACE_POLICY       true: a namespace without the lambdaop.dev/ policy annotations creates nothing (default false)
          LAMBDAOP_REQUIRE_ACCOUNT_MAPPING        true: a namespace without the lambdaop.dev/aws-role-arn annotation does nothing in AWS (default false)
          LAMBDAOP_AWS_EXTERNAL_ID                external ID passed to sts:AssumeRole for the namespaces' roles (default: none)
          LAMBDAOP_HOOK_CONCURRENCY               traffic hooks that run at once, on threads of their own; more wait (default 20, 1-1000)
          LAMBDAOP_ACCOUNT_CONCURRENCY_LIMIT      account concurrency limit where GetAccountSettings is not offered (default 1000)
          LAMBDAOP_UNRESERVED_CONCURRENCY_MINIMUM concurrency AWS keeps unreserved (default 100)
          LAMBDAOP_METRICS_PORT                   port of /metrics, /healthz and /readyz (default 8080; 0 turns them off)
          LAMBDAOP_LOG_LEVEL                      TRACE, DEBUG, INFO, WARN or ERROR (default INFO)
          LAMBDAOP_SDK_LOG_LEVEL                  level of the Java Operator SDK's own logs, as above (default INFO)
          LAMBDAOP_LOG_FORMAT                     text, or json for one JSON object per line (default text)
        """;
  }
}
