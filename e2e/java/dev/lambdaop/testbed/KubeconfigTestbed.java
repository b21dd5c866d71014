package dev.lambdaop.testbed;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A test bed that somebody else runs: the cluster of the current context in {@code KUBECONFIG}
 * (or {@code ~/.kube/config}) and the AWS emulator at {@code AWS_ENDPOINT_URL}, which is
 * required so that the suite never talks to real AWS by accident. Region: {@code AWS_REGION},
 * else {@code us-east-1}; credentials: {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY},
 * else {@code test} / {@code test}. {@link #close()} only closes the client.
 */
public final class KubeconfigTestbed implements Testbed {

  private final Path kubeconfig;
  private final KubernetesClient kubernetesClient;
  private final URI awsEndpoint;
  private final String region;
  private final AwsCredentialsProvider credentials;

  private KubeconfigTestbed(Path kubeconfig, URI awsEndpoint, String region, AwsCredentialsProvider credentials) {
    this.kubeconfig = kubeconfig;
    this.awsEndpoint = awsEndpoint;
    this.region = region;
    this.credentials = credentials;
    this.kubernetesClient = Testbed.newKubernetesClient(Config.fromKubeconfig((String) null, kubeconfig.toFile()));
  }

  public static KubeconfigTestbed start() {
    String endpoint = System.getenv("AWS_ENDPOINT_URL");
    if (endpoint == null || endpoint.isBlank()) {
      throw new IllegalStateException("The kubeconfig test bed needs AWS_ENDPOINT_URL (an AWS emulator such as"
          + " moto or LocalStack); it never uses real AWS.");
    }
    String kubeconfigVariable = System.getenv("KUBECONFIG");
    Path kubeconfig = kubeconfigVariable == null || kubeconfigVariable.isBlank()
        ? Paths.get(System.getProperty("user.home"), ".kube", "config")
        : Paths.get(kubeconfigVariable.split(File.pathSeparator)[0]);
    if (!Files.isRegularFile(kubeconfig)) {
      throw new IllegalStateException("The kubeconfig test bed needs a kubeconfig: " + kubeconfig + " does not exist");
    }
    String region = firstNonBlank(System.getenv("AWS_REGION"), System.getenv("AWS_DEFAULT_REGION"), "us-east-1");
    AwsCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(
        firstNonBlank(System.getenv("AWS_ACCESS_KEY_ID"), "test"),
        firstNonBlank(System.getenv("AWS_SECRET_ACCESS_KEY"), "test")));
    return new KubeconfigTestbed(kubeconfig.toAbsolutePath(), URI.create(endpoint.trim()), region, credentials);
  }

  @Override
  public KubernetesClient kubernetesClient() {
    return kubernetesClient;
  }

  @Override
  public String kubeconfigPath() {
    return kubeconfig.toString();
  }

  @Override
  public URI awsEndpoint() {
    return awsEndpoint;
  }

  @Override
  public String awsRegion() {
    return region;
  }

  @Override
  public AwsCredentialsProvider awsCredentials() {
    return credentials;
  }

  @Override
  public void close() {
    kubernetesClient.close();
  }

  private static String firstNonBlank(String... values) {
    for (String value : values) {
      if (value != null && !value.isBlank()) {
        return value.trim();
      }
    }
    return null;
  }
}
