package dev.lambdaop.testbed;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The test bed for machines with Docker: a whole k3s cluster and LocalStack, both from
 * Testcontainers. Only the provisioning differs from {@link LocalTestbed}; the tests are the same.
 * The images can be changed with the system properties {@value #K3S_IMAGE_PROPERTY} and
 * {@value #LOCALSTACK_IMAGE_PROPERTY}.
 *
 * <p>{@link #awsEndpoint()} and {@link #kubeconfigPath()} are the addresses mapped to the
 * Docker host, i.e. what an operator running on the host (as in the local test bed) uses.
 */
public final class K3sTestbed implements Testbed {

  public static final String K3S_IMAGE_PROPERTY = "lambdaop.k3s.image";
  public static final String LOCALSTACK_IMAGE_PROPERTY = "lambdaop.localstack.image";
  public static final String DEFAULT_K3S_IMAGE = "rancher/k3s:v1.33.1-k3s1";
  public static final String DEFAULT_LOCALSTACK_IMAGE = "localstack/localstack:4.4";

  private final K3sContainer k3s;
  private final LocalStackContainer localStack;
  private final Path kubeconfig;
  private final KubernetesClient kubernetesClient;
  private final Thread shutdownHook = new Thread(this::close, "lambdaop-k3s-testbed-shutdown");
  private boolean closed;

  private K3sTestbed(K3sContainer k3s, LocalStackContainer localStack) {
    this.k3s = k3s;
    this.localStack = localStack;
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    try {
      Startables.deepStart(k3s, localStack).join();
      String kubeconfigYaml = k3s.getKubeConfigYaml();
      kubeconfig = Files.createTempFile("lambdaop-k3s-kubeconfig-", ".yaml",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(kubeconfig, kubeconfigYaml);
      kubernetesClient = Testbed.newKubernetesClient(Config.fromKubeconfig(kubeconfigYaml));
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  public static K3sTestbed start() {
    K3sContainer k3s = new K3sContainer(
        DockerImageName.parse(System.getProperty(K3S_IMAGE_PROPERTY, DEFAULT_K3S_IMAGE)));
    LocalStackContainer localStack = new LocalStackContainer(
        DockerImageName.parse(System.getProperty(LOCALSTACK_IMAGE_PROPERTY, DEFAULT_LOCALSTACK_IMAGE)))
        .withServices("lambda", "s3", "iam", "sts", "cloudwatch");
    return new K3sTestbed(k3s, localStack);
  }

  /** The k3s container, e.g. to load an image into it or to install the chart. */
  public K3sContainer k3s() {
    return k3s;
  }

  public LocalStackContainer localStack() {
    return localStack;
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
    return localStack.getEndpoint();
  }

  @Override
  public String awsRegion() {
    return localStack.getRegion();
  }

  @Override
  public AwsCredentialsProvider awsCredentials() {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(localStack.getAccessKey(), localStack.getSecretKey()));
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (kubernetesClient != null) {
      kubernetesClient.close();
    }
    localStack.stop();
    k3s.stop();
    if (kubeconfig != null) {
      try {
        Files.deleteIfExists(kubeconfig);
      } catch (IOException ignored) {
        // a temp file
      }
    }
    if (Thread.currentThread() != shutdownHook) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs close() too, which is idempotent
      }
    }
  }
}
