package dev.lambdaop.testbed;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Comparator;
import java.util.Map;
import java.util.ServiceLoader;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.NoSuchEntityException;

/**
 * A Kubernetes API server plus an AWS API endpoint (Lambda, S3, IAM, STS, CloudWatch) for the
 * end-to-end tests. Which one {@link #start()} provides is chosen by the system property
 * {@code lambdaop.testbed} or the environment variable {@code LAMBDAOP_TESTBED}:
 * <ul>
 *   <li>{@code local} (default): {@link LocalTestbed}, etcd + kube-apiserver + moto started as
 *       processes on 127.0.0.1 from the binaries that {@code testbed/install.sh} installs;</li>
 *   <li>{@code k3s}: {@link K3sTestbed}, Testcontainers k3s + LocalStack (needs Docker);</li>
 *   <li>{@code kubeconfig}: {@link KubeconfigTestbed}, the cluster in {@code KUBECONFIG} and the
 *       AWS endpoint in {@code AWS_ENDPOINT_URL}.</li>
 * </ul>
 * Tests normally use {@link SharedTestbed#get()} so that one JVM starts one test bed.
 */
public interface Testbed extends AutoCloseable {

  String PROPERTY = "lambdaop.testbed";
  String ENVIRONMENT_VARIABLE = "LAMBDAOP_TESTBED";

  /** A client authenticated as a cluster administrator (group {@code system:masters}). */
  KubernetesClient kubernetesClient();

  /** A kubeconfig file for the same administrator, usable by {@code kubectl --kubeconfig}. */
  String kubeconfigPath();

  /** The endpoint that all AWS services are served on. */
  URI awsEndpoint();

  /** The AWS region, {@code us-east-1} unless the test bed says otherwise. */
  String awsRegion();

  /**
   * The API server's audit log (JSON lines, requests made by ServiceAccounts), where the test bed keeps one: the
   * least-privilege test reads what the operator's ServiceAccount did with it.
   */
  default java.util.Optional<java.nio.file.Path> auditLog() {
    return java.util.Optional.empty();
  }

  /** Static test credentials. */
  AwsCredentialsProvider awsCredentials();

  /** Stops everything this test bed started and deletes its files. Idempotent. */
  @Override
  void close();

  /**
   * The environment that an operator process needs to reach this test bed: {@code KUBECONFIG},
   * {@code AWS_REGION}, {@code AWS_ENDPOINT_URL}, {@code AWS_ACCESS_KEY_ID},
   * {@code AWS_SECRET_ACCESS_KEY} (and {@code AWS_EC2_METADATA_DISABLED=true}, so that no SDK
   * ever looks for the instance metadata service).
   */
  default Map<String, String> operatorEnvironment() {
    AwsCredentials credentials = awsCredentials().resolveCredentials();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KUBECONFIG", kubeconfigPath());
    env.put("AWS_REGION", awsRegion());
    env.put("AWS_ENDPOINT_URL", awsEndpoint().toString());
    env.put("AWS_ACCESS_KEY_ID", credentials.accessKeyId());
    env.put("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    return env;
  }

  /**
   * Points an AWS SDK client builder at this test bed (endpoint, region, credentials), e.g.
   * {@code testbed.configureAws(LambdaClient.builder()).build()}. For S3 also set
   * {@code forcePathStyle(true)}: bucket host names do not resolve to 127.0.0.1.
   */
  default <B extends AwsClientBuilder<B, ?>> B configureAws(B builder) {
    return builder.endpointOverride(awsEndpoint())
        .region(Region.of(awsRegion()))
        .credentialsProvider(awsCredentials());
  }

  /**
   * Makes sure an IAM role exists that Lambda may assume (moto refuses CreateFunction for a
   * role its IAM does not know) and returns its ARN.
   */
  default String ensureLambdaRole(String roleName) {
    try (IamClient iam = configureAws(IamClient.builder()).build()) {
      try {
        return iam.getRole(r -> r.roleName(roleName)).role().arn();
      } catch (NoSuchEntityException absent) {
        String trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
            + "\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
        return iam.createRole(r -> r.roleName(roleName).assumeRolePolicyDocument(trust)).role().arn();
      }
    }
  }

  /**
   * A Fabric8 client for {@code config}, with the same HTTP client implementation every time:
   * the JDK's if it is on the class path (Fabric8 itself picks randomly among implementations
   * of equal priority, and both the Vert.x and the JDK one are on this project's class path).
   */
  static KubernetesClient newKubernetesClient(Config config) {
    HttpClient.Factory factory = ServiceLoader.load(HttpClient.Factory.class).stream()
        .map(ServiceLoader.Provider::get)
        .min(Comparator.comparingInt((HttpClient.Factory f) -> -f.priority())
            .thenComparing(f -> f.getClass().getName().contains("jdkhttp") ? 0 : 1)
            .thenComparing(f -> f.getClass().getName()))
        .orElseThrow(() -> new IllegalStateException("no Fabric8 HTTP client implementation on the class path"));
    return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(factory).build();
  }

  /** Starts the test bed selected by {@value #PROPERTY} / {@value #ENVIRONMENT_VARIABLE}. */
  static Testbed start() {
    String kind = System.getProperty(PROPERTY);
    if (kind == null || kind.isBlank()) {
      kind = System.getenv(ENVIRONMENT_VARIABLE);
    }
    kind = kind == null || kind.isBlank() ? "local" : kind.trim().toLowerCase(Locale.ROOT);
    switch (kind) {
      case "local":
        return LocalTestbed.start();
      case "k3s":
        return K3sTestbed.start();
      case "kubeconfig":
        return KubeconfigTestbed.start();
      default:
        throw new IllegalArgumentException("unknown test bed '" + kind + "' (" + PROPERTY + " / "
            + ENVIRONMENT_VARIABLE + "): expected local, k3s or kubeconfig");
    }
  }
}
