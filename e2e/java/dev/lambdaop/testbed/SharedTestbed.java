package dev.lambdaop.testbed;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * One test bed per JVM, shared by all end-to-end test classes: started by the first
 * {@link #get()}, stopped by a JVM shutdown hook. If starting fails, every later {@link #get()}
 * fails the same way instead of trying again.
 */
public final class SharedTestbed {

  private static Testbed instance;
  private static RuntimeException failure;

  private SharedTestbed() {
  }

  /**
   * The shared test bed, started on first use. Its {@code close()} does nothing, so that a test
   * class cannot stop it for the others; the JVM's shutdown stops it.
   */
  public static synchronized Testbed get() {
    if (failure != null) {
      throw new IllegalStateException("the shared test bed failed to start: " + failure.getMessage(), failure);
    }
    if (instance == null) {
      Testbed started;
      try {
        started = Testbed.start();
      } catch (RuntimeException e) {
        failure = e;
        throw e;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "lambdaop-shared-testbed-shutdown"));
      instance = new Unclosable(started);
    }
    return instance;
  }

  /** The shared test bed's own implementation, e.g. {@link LocalTestbed} for its log directory. */
  public static Testbed unwrap(Testbed testbed) {
    return testbed instanceof Unclosable ? ((Unclosable) testbed).delegate : testbed;
  }

  private static final class Unclosable implements Testbed {
    private final Testbed delegate;

    Unclosable(Testbed delegate) {
      this.delegate = delegate;
    }

    @Override
    public KubernetesClient kubernetesClient() {
      return delegate.kubernetesClient();
    }

    @Override
    public String kubeconfigPath() {
      return delegate.kubeconfigPath();
    }

    @Override
    public URI awsEndpoint() {
      return delegate.awsEndpoint();
    }

    @Override
    public String awsRegion() {
      return delegate.awsRegion();
    }

    @Override
    public AwsCredentialsProvider awsCredentials() {
      return delegate.awsCredentials();
    }

    @Override
    public java.util.Optional<java.nio.file.Path> auditLog() {
      return delegate.auditLog();
    }

    @Override
    public Map<String, String> operatorEnvironment() {
      return delegate.operatorEnvironment();
    }

    @Override
    public void close() {
      // shared: stopped at JVM shutdown
    }

    @Override
    public String toString() {
      return "shared " + delegate;
    }
  }
}
