package dev.lambdaop.e2e;

import dev.lambdaop.testbed.Tools;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The operator's identity as the Helm chart installs it: its ServiceAccount and RBAC, rendered from
 * charts/lambda-operator and applied to the test bed, and credentials for that ServiceAccount (a token from the API
 * server). Operators that tests start authenticate with them, so the suite passes only if the chart grants enough.
 */
public final class OperatorIdentity {
  public static final String NAMESPACE = "lambda-operator";
  public static final String SERVICE_ACCOUNT = "lambda-operator";
  /** The chart's values for the shared operator: leader election on, as with more than one replica. */
  static final List<String> VALUES = List.of("--set", "leaderElection.enabled=true");
  private static final java.util.Set<String> IDENTITY_KINDS = java.util.Set.of("ServiceAccount", "ClusterRole",
      "ClusterRoleBinding", "Role", "RoleBinding");
  private static volatile boolean installed;

  private OperatorIdentity() {}

  /** Renders the chart with {@link #VALUES} and applies its ServiceAccount and RBAC, once. */
  public static synchronized void install() {
    if (installed) {
      return;
    }
    E2e.installCrds();
    for (Path file : List.of(E2e.projectDir().resolve("operator/namespace.yaml"))) {
      Manifests.documents(file).forEach(OperatorIdentity::apply);
    }
    // the identity only: the Deployment (no pod runs here) is left to operator/ and HelmChartIT
    Manifests.documents(helmTemplate(VALUES)).stream()
        .filter(d -> IDENTITY_KINDS.contains(d.getKind()))
        .forEach(OperatorIdentity::apply);
    installed = true;
  }

  private static void apply(GenericKubernetesResource doc) {
    E2e.kube().resource(doc).fieldManager("e2e-operator-identity").forceConflicts().serverSideApply();
  }

  /** {@code helm template lambda-operator charts/lambda-operator --namespace lambda-operator <args>}. */
  static String helmTemplate(List<String> args) {
    return helmTemplate("lambda-operator", NAMESPACE, args);
  }

  /** {@code helm template <release> charts/lambda-operator --namespace <namespace> <args>}. */
  static String helmTemplate(String release, String namespace, List<String> args) {
    List<String> command = new ArrayList<>(List.of(Tools.helm().toString(), "template", release,
        E2e.projectDir().resolve("charts/lambda-operator").toString(), "--namespace", namespace));
    command.addAll(args);
    try {
      Process helm = new ProcessBuilder(command).start();
      // stdout first, then stderr: helm writes at most a few lines to stderr, never enough to fill the pipe
      String out = new String(helm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(helm.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!helm.waitFor(120, TimeUnit.SECONDS) || helm.exitValue() != 0) {
        throw new IllegalStateException(command + " failed: " + err);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A token of the ServiceAccount, valid for an hour (the suite takes minutes). */
  static String token(String namespace, String name) {
    return E2e.kube().serviceAccounts().inNamespace(namespace).withName(name)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus().getToken();
  }

  /** A client of the test bed's API server authenticated as the chart's ServiceAccount. */
  public static KubernetesClient client() {
    install();
    Config admin = E2e.kube().getConfiguration();
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(admin.getMasterUrl())
        .withCaCertData(caData(admin))
        .withOauthToken(token(NAMESPACE, SERVICE_ACCOUNT))
        .withNamespace(NAMESPACE)
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** A kubeconfig file that authenticates as a ServiceAccount (for operator processes). */
  public static Path kubeconfig(String namespace, String name, Path file) {
    Config admin = E2e.kube().getConfiguration();
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, String.join("\n",
          "apiVersion: v1",
          "kind: Config",
          "clusters: [{name: testbed, cluster: {server: '" + admin.getMasterUrl() + "', certificate-authority-data: "
              + caData(admin) + "}}]",
          "users: [{name: " + name + ", user: {token: " + token(namespace, name) + "}}]",
          "contexts: [{name: operator, context: {cluster: testbed, user: " + name + "}}]",
          "current-context: operator", ""), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file.toAbsolutePath();
  }

  private static String caData(Config admin) {
    try {
      return admin.getCaCertData() != null ? admin.getCaCertData()
          : Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(admin.getCaCertFile())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
