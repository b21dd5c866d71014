package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionSpec;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.Tools;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FieldValidateable;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * The Helm chart (charts/lambda-operator) and the plain manifests rendered from it (operator/): lint, what the
 * main value combinations render (parsed, not grepped), values the schema refuses, a real install, upgrade and
 * uninstall against the test bed's API server, and an operator process that runs with exactly the environment and
 * the namespaced RBAC the chart installs.
 */
class HelmChartIT {
  private static final KubernetesSerialization YAML = new KubernetesSerialization();
  private static final AtomicInteger FILES = new AtomicInteger();
  /** The rules of the operator's ClusterRole (or of each Role with watchNamespaces): exactly these, nothing more. */
  private static final List<Map<String, List<String>>> RULES = List.of(
      rule("lambdaop.dev", "lambdafunctions", "get,list,watch,patch"),
      rule("lambdaop.dev", "lambdaaliases,concurrencies,eventsourcemappings", "list,watch,patch"),
      rule("lambdaop.dev", "lambdaaliases", "get"),
      rule("lambdaop.dev",
          "lambdafunctions/status,lambdaaliases/status,concurrencies/status,eventsourcemappings/status", "patch"),
      rule("", "secrets,configmaps", "get,list,watch"),
      rule("", "namespaces", "get"),
      rule("events.k8s.io", "events", "create"));
  /** Read cluster-wide whatever the namespaces: the operator's own CRDs (is one being deleted: an uninstall?). */
  private static final Map<String, List<String>> DEFINITIONS_RULE = Map.of("apiGroups", List.of("apiextensions.k8s.io"),
      "resources", List.of("customresourcedefinitions"), "verbs", List.of("get"), "resourceNames",
      List.of("lambdafunctions.lambdaop.dev", "lambdaaliases.lambdaop.dev", "concurrencies.lambdaop.dev",
          "eventsourcemappings.lambdaop.dev"));
  /** The ClusterRole when every namespace is watched: the namespaced rules and the definitions rule. */
  private static final List<Map<String, List<String>>> CLUSTER_RULES = Stream.concat(RULES.stream(),
      Stream.of(DEFINITIONS_RULE)).toList();
  private static final List<Map<String, List<String>>> LEASE_RULES =
      List.of(rule("coordination.k8s.io", "leases", "get,create,update,patch"));

  private static Path chart;
  private static Path work;

  @BeforeAll
  static void paths() throws IOException {
    chart = E2e.projectDir().resolve("charts/lambda-operator").toAbsolutePath();
    work = Files.createDirectories(Path.of("target", "helm-it").toAbsolutePath());
  }

  // ---- lint and rendering ------------------------------------------------------------------

  @Test
  void lintPassesStrictWithDefaultsAndWithANamespacedHighlyAvailableSetup() {
    Result defaults = helm("lint", "--strict", chart.toString());
    assertEquals(0, defaults.exit(), defaults.toString());
    Result namespaced = helm("lint", "--strict", chart.toString(), "-f", values("""
        replicaCount: 3
        watchNamespaces: [shop, billing]
        aws: {region: eu-west-1}
        """).toString());
    assertEquals(0, namespaced.exit(), namespaced.toString());
  }

  @Test
  void defaultsRenderOneReplicaWithClusterWideLeastPrivilegeAndAHardenedPod() {
    Rendered r = withClusterIdGrant(render("lambda-operator", "ops", "{}"), "lambda-operator", "ops");
    assertEquals(List.of("ClusterRole/lambda-operator", "ClusterRoleBinding/lambda-operator",
        "Deployment/ops/lambda-operator", "Role/ops/lambda-operator-digest-key", "RoleBinding/ops/lambda-operator-digest-key",
        "Service/ops/lambda-operator-metrics", "ServiceAccount/ops/lambda-operator"),
        r.names());
    assertDigestKeyRole(r, "ops", "lambda-operator-digest-key", "lambda-operator");

    ClusterRole role = r.one(ClusterRole.class);
    assertEquals(CLUSTER_RULES, rules(role.getRules()));
    ClusterRoleBinding binding = r.one(ClusterRoleBinding.class);
    assertEquals("lambda-operator", binding.getRoleRef().getName());
    assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind());
    assertEquals("lambda-operator", binding.getSubjects().get(0).getName());
    assertEquals("ops", binding.getSubjects().get(0).getNamespace());

    Deployment deployment = r.one(Deployment.class);
    assertEquals(1, deployment.getSpec().getReplicas());
    assertEquals("Recreate", deployment.getSpec().getStrategy().getType(),
        "without leader election two operators must never run at once");
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertEquals("lambda-operator", pod.getServiceAccountName());
    assertTrue(pod.getAutomountServiceAccountToken());
    PodSecurityContext podSecurity = pod.getSecurityContext();
    assertTrue(podSecurity.getRunAsNonRoot());
    assertEquals(65532L, podSecurity.getRunAsUser());
    assertEquals(65532L, podSecurity.getRunAsGroup());
    assertEquals(65532L, podSecurity.getFsGroup());
    assertEquals("RuntimeDefault", podSecurity.getSeccompProfile().getType());

    Container container = pod.getContainers().get(0);
    assertEquals("lambda-operator:0.1.0", container.getImage(), "the default image names no registry");
    assertEquals("IfNotPresent", container.getImagePullPolicy());
    SecurityContext security = container.getSecurityContext();
    assertFalse(security.getAllowPrivilegeEscalation());
    assertTrue(security.getReadOnlyRootFilesystem());
    assertEquals(List.of("ALL"), security.getCapabilities().getDrop());
    assertEquals("/tmp", container.getVolumeMounts().get(0).getMountPath());
    assertNotNull(pod.getVolumes().stream().filter(v -> v.getName().equals(container.getVolumeMounts().get(0).getName()))
        .findFirst().orElseThrow().getEmptyDir(), "/tmp is an emptyDir");
    assertEquals("100m", container.getResources().getRequests().get("cpu").toString());
    assertEquals("256Mi", container.getResources().getRequests().get("memory").toString());
    assertEquals("512Mi", container.getResources().getLimits().get("memory").toString());

    assertEquals("http-metrics", container.getPorts().get(0).getName());
    assertEquals(8080, container.getPorts().get(0).getContainerPort());
    assertEquals("/healthz", container.getLivenessProbe().getHttpGet().getPath());
    assertEquals("http-metrics", container.getLivenessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("/readyz", container.getReadinessProbe().getHttpGet().getPath());
    assertEquals("http-metrics", container.getReadinessProbe().getHttpGet().getPort().getStrVal());
    assertEquals("/healthz", container.getStartupProbe().getHttpGet().getPath());

    Map<String, String> env = env(container);
    assertEquals(Map.ofEntries(
        Map.entry("LAMBDAOP_WATCH_NAMESPACES", ""),
        Map.entry("LAMBDAOP_LABEL_SELECTOR", ""),
        Map.entry("LAMBDAOP_RESYNC_PERIOD", "10m"),
        Map.entry("LAMBDAOP_REQUIRE_NAMESPACE_POLICY", "false"),
        Map.entry("LAMBDAOP_REQUIRE_ACCOUNT_MAPPING", "false"),
        Map.entry("LAMBDAOP_AWS_EXTERNAL_ID", ""),
        Map.entry("LAMBDAOP_HOOK_CONCURRENCY", "20"),
        Map.entry("LAMBDAOP_AWS_REQUESTS_PER_SECOND", "10"),
        Map.entry("LAMBDAOP_AWS_REQUEST_BURST", "10"),
        Map.entry("LAMBDAOP_AWS_GETFUNCTION_PER_SECOND", "50"),
        Map.entry("LAMBDAOP_AWS_GETPOLICY_PER_SECOND", "10"),
        Map.entry("LAMBDAOP_CLOUDWATCH_PER_SECOND", "5"),
        Map.entry("LAMBDAOP_RESYNC_BUDGET_SHARE", "0.2"),
        Map.entry("LAMBDAOP_ACCOUNT_CONCURRENCY_LIMIT", "1000"),
        Map.entry("LAMBDAOP_UNRESERVED_CONCURRENCY_MINIMUM", "100"),
        Map.entry("LAMBDAOP_LEADER_ELECTION", "false"),
        Map.entry("LAMBDAOP_LEADER_ELECTION_NAMESPACE", "ops"),
        Map.entry("LAMBDAOP_LOG_LEVEL", "INFO"),
        Map.entry("LAMBDAOP_LOG_FORMAT", "text"),
        Map.entry("LAMBDAOP_METRICS_PORT", "8080"),
        Map.entry("JAVA_TOOL_OPTIONS", "-XX:+UseSerialGC -XX:MaxRAMPercentage=60 -Xss256k -XX:TieredStopAtLevel=1"
            + " -XX:ReservedCodeCacheSize=32m -XX:MaxMetaspaceSize=128m -XX:-UsePerfData")), env);
    // the operator accepts what the chart renders, and reads the documented defaults from it
    OperatorSettings defaults = OperatorSettings.defaults();
    OperatorSettings rendered = OperatorSettings.fromEnvironment(env);
    assertEquals(defaults.watchNamespaces(), rendered.watchNamespaces());
    assertEquals(defaults.labelSelector(), rendered.labelSelector());
    assertEquals(defaults.resyncPeriod(), rendered.resyncPeriod());
    assertEquals(defaults.budgets(), rendered.budgets());
    assertEquals(defaults.accountConcurrencyLimit(), rendered.accountConcurrencyLimit());
    assertEquals(defaults.unreservedConcurrencyMinimum(), rendered.unreservedConcurrencyMinimum());
    assertFalse(rendered.leaderElection());
    assertEquals("ops", rendered.leaderElectionNamespace());
    assertEquals(defaults.requireNamespacePolicy(), rendered.requireNamespacePolicy());
    assertEquals(defaults.hookConcurrency(), rendered.hookConcurrency());

    Service service = r.one(Service.class);
    assertEquals("http-metrics", service.getSpec().getPorts().get(0).getName());
    assertEquals(8080, service.getSpec().getPorts().get(0).getPort());
    assertEquals("http-metrics", service.getSpec().getPorts().get(0).getTargetPort().getStrVal());
    assertEquals(deployment.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());
  }

  @Test
  void threeReplicasElectALeaderWithALeaseRoleAndKeepOneUpWithAPodDisruptionBudget() {
    Rendered r = withClusterIdGrant(render("lambda-operator", "ops", "replicaCount: 3"), "lambda-operator", "ops");
    Deployment deployment = r.one(Deployment.class);
    assertEquals(3, deployment.getSpec().getReplicas());
    assertEquals("RollingUpdate", deployment.getSpec().getStrategy().getType());
    Map<String, String> env = env(deployment.getSpec().getTemplate().getSpec().getContainers().get(0));
    assertEquals("true", env.get("LAMBDAOP_LEADER_ELECTION"));
    assertEquals("ops", env.get("LAMBDAOP_LEADER_ELECTION_NAMESPACE"));
    assertTrue(OperatorSettings.fromEnvironment(env).leaderElection());

    Role lease = r.withoutDigestKey().one(Role.class);
    assertEquals("ops", lease.getMetadata().getNamespace());
    assertEquals("lambda-operator-leader-election", lease.getMetadata().getName());
    assertEquals(LEASE_RULES, rules(lease.getRules()));
    RoleBinding leaseBinding = r.withoutDigestKey().one(RoleBinding.class);
    assertEquals("ops", leaseBinding.getMetadata().getNamespace());
    assertEquals(lease.getMetadata().getName(), leaseBinding.getRoleRef().getName());
    assertEquals("lambda-operator", leaseBinding.getSubjects().get(0).getName());
    assertEquals(CLUSTER_RULES, rules(r.one(ClusterRole.class).getRules()), "the Lease rule is not cluster-wide");

    PodDisruptionBudget pdb = r.one(PodDisruptionBudget.class);
    assertEquals(1, pdb.getSpec().getMinAvailable().getIntVal());
    assertNull(pdb.getSpec().getMaxUnavailable());
    assertEquals(deployment.getSpec().getSelector().getMatchLabels(), pdb.getSpec().getSelector().getMatchLabels());

    PodDisruptionBudget byMaxUnavailable = render("lambda-operator", "ops", """
        replicaCount: 3
        podDisruptionBudget: {maxUnavailable: 34%}
        """).one(PodDisruptionBudget.class);
    assertEquals("34%", byMaxUnavailable.getSpec().getMaxUnavailable().getStrVal());
    assertNull(byMaxUnavailable.getSpec().getMinAvailable());

    Rendered explicitOff = render("lambda-operator", "ops", """
        replicaCount: 2
        leaderElection: {enabled: true}
        podDisruptionBudget: {enabled: false}
        """);
    assertTrue(explicitOff.all(PodDisruptionBudget.class).isEmpty());
    Rendered singleWithElection = withClusterIdGrant(render("lambda-operator", "ops",
        "leaderElection: {enabled: true}"), "lambda-operator", "ops");
    assertEquals("true", env(singleWithElection.one(Deployment.class).getSpec().getTemplate().getSpec()
        .getContainers().get(0)).get("LAMBDAOP_LEADER_ELECTION"));
    assertEquals(1, singleWithElection.withoutDigestKey().all(Role.class).size());
  }

  @Test
  void watchNamespacesGiveARoleInEachAndClusterWideOnlyTheOperatorsCrds() {
    Rendered r = withClusterIdGrant(render("ops", "operators", "watchNamespaces: [a, b]"), "ops-lambda-operator",
        "operators");
    ClusterRole definitions = r.one(ClusterRole.class);
    assertEquals("ops-lambda-operator-definitions", definitions.getMetadata().getName());
    assertEquals(List.of(DEFINITIONS_RULE), rules(definitions.getRules()));
    assertEquals("ops-lambda-operator-definitions", r.one(ClusterRoleBinding.class).getRoleRef().getName());
    assertDigestKeyRole(r, "operators", "ops-lambda-operator-digest-key", "ops-lambda-operator");
    List<Role> roles = r.withoutDigestKey().all(Role.class);
    assertEquals(List.of("a", "b"), roles.stream().map(x -> x.getMetadata().getNamespace()).sorted().toList());
    for (Role role : roles) {
      assertEquals("ops-lambda-operator", role.getMetadata().getName());
      assertEquals(RULES, rules(role.getRules()));
    }
    List<RoleBinding> bindings = r.withoutDigestKey().all(RoleBinding.class);
    assertEquals(List.of("a", "b"), bindings.stream().map(x -> x.getMetadata().getNamespace()).sorted().toList());
    for (RoleBinding binding : bindings) {
      assertEquals("Role", binding.getRoleRef().getKind());
      assertEquals("ops-lambda-operator", binding.getRoleRef().getName());
      assertEquals("ops-lambda-operator", binding.getSubjects().get(0).getName());
      assertEquals("operators", binding.getSubjects().get(0).getNamespace());
    }
    Map<String, String> env = env(r.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0));
    assertEquals("a,b", env.get("LAMBDAOP_WATCH_NAMESPACES"));
    assertEquals(Set.of("a", "b"), OperatorSettings.fromEnvironment(env).watchNamespaces());
  }

  @Test
  void aClusterIdIsPassedOnAndNeedsNoGrantOnKubeSystem() {
    Rendered r = render("lambda-operator", "ops", "clusterId: prod-eu");
    Map<String, String> env = env(r.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0));
    assertEquals("prod-eu", env.get("LAMBDAOP_CLUSTER_ID"));
    assertEquals("prod-eu", OperatorSettings.fromEnvironment(env).clusterId());
    assertTrue(r.documents().stream().noneMatch(d -> "kube-system".equals(d.getMetadata().getNamespace())));
    Result refused = helm("template", "x", chart.toString(), "--set", "clusterId=a/b");
    assertTrue(refused.exit() != 0, "the schema refuses a cluster id with '/'");
  }

  /**
   * Without clusterId the operator reads the UID of namespace kube-system (the default cluster id): exactly get on
   * that one namespace, by a Role and RoleBinding in kube-system (a GET of a Namespace is authorized in it), nothing
   * cluster-wide. Returns the rest of what was rendered.
   */
  private static Rendered withClusterIdGrant(Rendered r, String fullname, String releaseNamespace) {
    String name = fullname + "-cluster-id";
    List<GenericKubernetesResource> grant = r.documents().stream()
        .filter(d -> "kube-system".equals(d.getMetadata().getNamespace())).toList();
    assertEquals(List.of("Role/" + name, "RoleBinding/" + name),
        grant.stream().map(d -> d.getKind() + "/" + d.getMetadata().getName()).sorted().toList());
    Role role = YAML.convertValue(grant.stream().filter(d -> d.getKind().equals("Role")).findFirst().orElseThrow(),
        Role.class);
    assertEquals(1, role.getRules().size());
    PolicyRule rule = role.getRules().get(0);
    assertEquals(List.of(List.of(""), List.of("namespaces"), List.of("kube-system"), List.of("get")),
        List.of(rule.getApiGroups(), rule.getResources(), rule.getResourceNames(), rule.getVerbs()));
    RoleBinding binding = YAML.convertValue(grant.stream().filter(d -> d.getKind().equals("RoleBinding"))
        .findFirst().orElseThrow(), RoleBinding.class);
    assertEquals(name, binding.getRoleRef().getName());
    assertEquals(List.of(fullname, releaseNamespace),
        List.of(binding.getSubjects().get(0).getName(), binding.getSubjects().get(0).getNamespace()));
    return new Rendered(r.documents().stream().filter(d -> !grant.contains(d)).toList());
  }

  @Test
  void serviceAccountAnnotationsCarryTheIrsaRole() {
    Rendered r = render("lambda-operator", "ops", """
        serviceAccount:
          annotations: {eks.amazonaws.com/role-arn: "arn:aws:iam::123456789012:role/lambda-operator"}
        """);
    assertEquals(Map.of("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/lambda-operator"),
        r.one(ServiceAccount.class).getMetadata().getAnnotations());

    Rendered existing = render("lambda-operator", "ops", "serviceAccount: {create: false, name: mine}");
    assertTrue(existing.all(ServiceAccount.class).isEmpty());
    assertEquals("mine", existing.one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName());
    assertEquals("mine", existing.one(ClusterRoleBinding.class).getSubjects().get(0).getName());
  }

  @Test
  void serviceMonitorScrapesTheMetricsService() {
    Rendered r = render("lambda-operator", "ops", """
        metrics:
          serviceMonitor: {enabled: true, interval: 15s, labels: {release: prometheus}}
        """);
    GenericKubernetesResource monitor = r.generic("ServiceMonitor");
    assertEquals("monitoring.coreos.com/v1", monitor.getApiVersion());
    assertEquals("ops", monitor.getMetadata().getNamespace());
    assertEquals("prometheus", monitor.getMetadata().getLabels().get("release"));
    Map<String, Object> endpoint = monitor.<List<Map<String, Object>>>get("spec", "endpoints").get(0);
    assertEquals("http-metrics", endpoint.get("port"));
    assertEquals("/metrics", endpoint.get("path"));
    assertEquals("15s", endpoint.get("interval"));
    Map<String, String> selector = monitor.get("spec", "selector", "matchLabels");
    Service service = r.one(Service.class);
    assertTrue(service.getMetadata().getLabels().entrySet().containsAll(selector.entrySet()),
        "the ServiceMonitor selects the metrics Service");

    Result withoutService = helm("template", "x", chart.toString(), "-f", values("""
        metrics: {service: {enabled: false}, serviceMonitor: {enabled: true}}
        """).toString());
    assertNotEquals(0, withoutService.exit());
    assertTrue(withoutService.stderr().contains("metrics.service.enabled"), withoutService.stderr());
  }

  @Test
  void awsSettingsImageAndPodOptionsReachTheDeployment() {
    Rendered r = render("lambda-operator", "ops", """
        image: {repository: team/lambda-operator, tag: "1.2.3", pullPolicy: Always}
        imagePullSecrets: [{name: pull}]
        aws:
          region: eu-west-1
          endpointUrl: http://127.0.0.1:4566
          requestsPerSecond: 2.5
          requestBurst: 5
          accountConcurrencyLimit: 3000
        resyncPeriod: 1h30m
        requireNamespacePolicy: true
        hookConcurrency: 50
        labelSelector: team=shop
        logLevel: DEBUG
        logFormat: json
        metrics: {port: 9090}
        extraEnv: [{name: AWS_ENDPOINT_URL_LAMBDA, value: "http://127.0.0.1:4567"}]
        podLabels: {team: shop}
        podAnnotations: {note: x}
        nodeSelector: {kubernetes.io/os: linux}
        tolerations: [{key: dedicated, operator: Exists, effect: NoSchedule}]
        priorityClassName: system-cluster-critical
        terminationGracePeriodSeconds: 60
        """);
    var pod = r.one(Deployment.class).getSpec().getTemplate();
    Container container = pod.getSpec().getContainers().get(0);
    assertEquals("team/lambda-operator:1.2.3", container.getImage());
    assertEquals("Always", container.getImagePullPolicy());
    assertEquals("pull", pod.getSpec().getImagePullSecrets().get(0).getName());
    Map<String, String> env = env(container);
    assertEquals("eu-west-1", env.get("AWS_REGION"));
    assertEquals("http://127.0.0.1:4566", env.get("AWS_ENDPOINT_URL"));
    assertEquals("2.5", env.get("LAMBDAOP_AWS_REQUESTS_PER_SECOND"));
    assertEquals("5", env.get("LAMBDAOP_AWS_REQUEST_BURST"));
    assertEquals("3000", env.get("LAMBDAOP_ACCOUNT_CONCURRENCY_LIMIT"));
    assertEquals("1h30m", env.get("LAMBDAOP_RESYNC_PERIOD"));
    assertEquals("team=shop", env.get("LAMBDAOP_LABEL_SELECTOR"));
    assertEquals("DEBUG", env.get("LAMBDAOP_LOG_LEVEL"));
    assertEquals("json", env.get("LAMBDAOP_LOG_FORMAT"));
    assertEquals("9090", env.get("LAMBDAOP_METRICS_PORT"));
    assertEquals("http://127.0.0.1:4567", env.get("AWS_ENDPOINT_URL_LAMBDA"));
    OperatorSettings settings = OperatorSettings.fromEnvironment(env);
    assertEquals(Duration.ofMinutes(90), settings.resyncPeriod());
    assertTrue(settings.requireNamespacePolicy());
    assertEquals(50, settings.hookConcurrency());
    assertEquals(2.5, settings.budgets().lambdaPerSecond());
    assertEquals(9090, container.getPorts().get(0).getContainerPort());
    assertEquals("shop", pod.getMetadata().getLabels().get("team"));
    assertEquals("lambda-operator", pod.getMetadata().getLabels().get("app.kubernetes.io/name"));
    assertEquals("x", pod.getMetadata().getAnnotations().get("note"));
    assertEquals("linux", pod.getSpec().getNodeSelector().get("kubernetes.io/os"));
    assertEquals("dedicated", pod.getSpec().getTolerations().get(0).getKey());
    assertEquals("system-cluster-critical", pod.getSpec().getPriorityClassName());
    assertEquals(60L, pod.getSpec().getTerminationGracePeriodSeconds());

    Map<String, String> defaults = env(render("lambda-operator", "ops", "{}").one(Deployment.class).getSpec()
        .getTemplate().getSpec().getContainers().get(0));
    assertFalse(defaults.containsKey("AWS_ENDPOINT_URL"), "no endpoint by default: the real AWS");
    assertFalse(defaults.containsKey("AWS_REGION"), "no region by default: the pod's environment may bring one");
  }

  @ParameterizedTest(name = "{0} is refused, naming {1}")
  @CsvSource(delimiter = '|', value = {
      "replicaCount: 0                                 | replicaCount",
      "replicaCount: true                              | replicaCount",
      "logFormat: xml                                  | logFormat",
      "logLevel: LOUD                                  | logLevel",
      "aws: {writesPerSecond: 50}                      | writesPerSecond",
      "aws: {writesPerSecond: 0}                       | writesPerSecond",
      "aws: {writeBurst: -1}                           | writeBurst",
      "aws: {writeBurst: 0.5}                          | writeBurst",
      "resyncPeriod: soon                              | resyncPeriod",
      "hookConcurrency: 0                              | hookConcurrency",
      "hookConcurrency: 1001                           | hookConcurrency",
      "replicas: 2                                     | replicas",
      "aws: {regoin: eu-west-1}                        | regoin",
      "watchNamespaces: shop                           | watchNamespaces",
      "watchNamespaces: [Shop_1]                       | watchNamespaces",
      "leaderElection: {enabled: maybe}                | leaderElection",
      "podDisruptionBudget: {minAvailable: half}       | minAvailable",
      "metrics: {port: 70000}                          | port",
      "{replicaCount: 2, leaderElection: {enabled: false}} | leaderElection.enabled"})
  void wrongValuesFailNamingTheValue(String values, String named) {
    Result result = helm("template", "lambda-operator", chart.toString(), "-f", values(values).toString());
    assertNotEquals(0, result.exit(), "helm template accepted " + values + ":\n" + result.stdout());
    assertTrue(result.stderr().contains(named), "the error should name " + named + ": " + result.stderr());
  }

  // ---- operator/: the plain manifests ------------------------------------------------------

  @Test
  void operatorManifestIsTheChartRenderedWithDefaults() throws IOException {
    Path file = E2e.projectDir().resolve("operator/lambda-operator.yaml");
    String text = Files.readString(file);
    int body = text.indexOf("\n---\n");
    assertTrue(body > 0, file + " should start with its header comment, then the rendered documents");
    String header = text.substring(0, body + 1);
    assertTrue(header.lines().allMatch(l -> l.startsWith("#")), "header: " + header);
    assertTrue(header.contains("make manifests") && header.contains("do not edit"), header);
    Result render = helm("template", "lambda-operator", chart.toString(), "--namespace", "lambda-operator");
    assertEquals(0, render.exit(), render.toString());
    assertEquals(render.stdout(), text.substring(body + 1),
        "operator/lambda-operator.yaml differs from the chart rendered with default values: run make manifests");
  }

  @Test
  void kustomizationListsTheCrdsTheNamespaceAndTheRenderedChartAndTheyApply() throws IOException {
    Path operator = E2e.projectDir().resolve("operator");
    List<String> resources = kustomizationResources(operator);
    assertEquals(List.of("../crds", "namespace.yaml", "lambda-operator.yaml"), resources);
    List<Path> files = new ArrayList<>();
    for (String resource : resources) {
      Path path = operator.resolve(resource).normalize();
      assertTrue(Files.exists(path), "operator/kustomization.yaml lists " + resource + ", which does not exist");
      if (Files.isDirectory(path)) {
        for (String inner : kustomizationResources(path)) {
          assertTrue(Files.isRegularFile(path.resolve(inner)), path + "/kustomization.yaml lists missing " + inner);
          files.add(path.resolve(inner));
        }
      } else {
        files.add(path);
      }
    }
    List<GenericKubernetesResource> documents = files.stream().flatMap(f -> Manifests.documents(f).stream()).toList();
    assertEquals(4, documents.stream().filter(d -> d.getKind().equals("CustomResourceDefinition")).count());
    assertEquals(1, documents.stream().filter(d -> d.getKind().equals("Deployment")).count());
    for (GenericKubernetesResource doc : documents) {
      boolean clusterScoped = List.of("Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding")
          .contains(doc.getKind());
      boolean clusterIdGrant = doc.getMetadata().getName().equals("lambda-operator-cluster-id");
      assertEquals(clusterScoped ? null : clusterIdGrant ? "kube-system" : "lambda-operator",
          doc.getMetadata().getNamespace(),
          doc.getKind() + " " + doc.getMetadata().getName() + " needs its namespace in the file (kubectl apply -k)");
    }
    KubernetesClient kube = E2e.kube();
    // the namespace for real (OperatorProcessIT creates it too), everything else as a strict server-side dry run
    for (GenericKubernetesResource doc : documents) {
      if (doc.getKind().equals("Namespace")) {
        kube.resource(doc).fieldManager("helm-chart-it").forceConflicts().serverSideApply();
      }
    }
    for (GenericKubernetesResource doc : documents) {
      if (!doc.getKind().equals("Namespace")) {
        HasMetadata applied = kube.resource(doc).dryRun().fieldValidation(FieldValidateable.Validation.STRICT)
            .fieldManager("helm-chart-it").forceConflicts().serverSideApply();
        assertEquals(doc.getMetadata().getName(), applied.getMetadata().getName());
      }
    }
  }

  // ---- helm install, upgrade, uninstall against the test bed --------------------------------

  @Test
  void installUpgradeAndUninstallAgainstTheApiServer() {
    KubernetesClient kube = E2e.kube();
    String ns = E2e.namespace("helm");
    String release = "lop-" + ns;
    String fullname = release + "-lambda-operator";
    Result install = helm("install", release, chart.toString(), "--namespace", ns, "--kubeconfig", kubeconfig(),
        "--set", "aws.region=us-east-1");
    assertEquals(0, install.exit(), install.toString());
    assertTrue(install.stdout().contains("rollout status deployment/" + fullname), "NOTES:\n" + install.stdout());

    for (String crd : List.of("lambdafunctions.lambdaop.dev", "lambdaaliases.lambdaop.dev", "concurrencies.lambdaop.dev",
        "eventsourcemappings.lambdaop.dev")) {
      assertNotNull(kube.apiextensions().v1().customResourceDefinitions().withName(crd).get(),
          crd + " installed by the chart (or present before)");
    }
    Deployment deployment = kube.apps().deployments().inNamespace(ns).withName(fullname).get();
    assertNotNull(deployment);
    assertEquals("us-east-1", env(deployment.getSpec().getTemplate().getSpec().getContainers().get(0)).get("AWS_REGION"));
    assertNotNull(kube.serviceAccounts().inNamespace(ns).withName(fullname).get());
    assertNotNull(kube.services().inNamespace(ns).withName(fullname + "-metrics").get());
    ClusterRole role = kube.rbac().clusterRoles().withName(fullname).get();
    assertNotNull(role);
    assertEquals(CLUSTER_RULES, rules(role.getRules()));
    assertEquals(ns, kube.rbac().clusterRoleBindings().withName(fullname).get().getSubjects().get(0).getNamespace());

    Result upgrade = helm("upgrade", release, chart.toString(), "--namespace", ns, "--kubeconfig", kubeconfig(),
        "--reuse-values", "--set", "resyncPeriod=2m", "--set", "logFormat=json");
    assertEquals(0, upgrade.exit(), upgrade.toString());
    Map<String, String> env = env(kube.apps().deployments().inNamespace(ns).withName(fullname).get()
        .getSpec().getTemplate().getSpec().getContainers().get(0));
    assertEquals("2m", env.get("LAMBDAOP_RESYNC_PERIOD"));
    assertEquals("json", env.get("LAMBDAOP_LOG_FORMAT"));
    assertEquals("us-east-1", env.get("AWS_REGION"), "--reuse-values keeps the region");

    Result uninstall = helm("uninstall", release, "--namespace", ns, "--kubeconfig", kubeconfig());
    assertEquals(0, uninstall.exit(), uninstall.toString());
    await().atMost(E2e.TIMEOUT).until(() -> kube.apps().deployments().inNamespace(ns).withName(fullname).get() == null
        && kube.rbac().clusterRoles().withName(fullname).get() == null
        && kube.serviceAccounts().inNamespace(ns).withName(fullname).get() == null);
    assertNotNull(kube.apiextensions().v1().customResourceDefinitions().withName("lambdafunctions.lambdaop.dev").get(),
        "uninstall leaves the CRDs (and so every resource) in place");
  }

  /**
   * The chart's namespaced mode for real: installed with watchNamespaces and two replicas (so leader election), the
   * operator process runs with the Deployment's environment as the API server returns it and a token of the chart's
   * ServiceAccount, so with only the Roles the chart made (one in the watched namespace, the Lease one in the
   * release namespace), and creates, then deletes, a function.
   */
  @Test
  void anOperatorWithTheInstalledEnvironmentAndOnlyTheNamespacedRolesManagesAFunction() throws Exception {
    KubernetesClient kube = E2e.kube();
    E2e.roleArn();
    String ns = E2e.namespace("helm-ha");
    String watched = E2e.namespace("helm-watched");
    String release = "lop-" + ns;
    String fullname = release + "-lambda-operator";
    Result install = helm("install", release, chart.toString(), "--namespace", ns, "--kubeconfig", kubeconfig(),
        "-f", values("""
            replicaCount: 2
            watchNamespaces: [%s]
            labelSelector: %s=helm
            resyncPeriod: 5s
            aws:
              region: %s
              endpointUrl: %s
            """.formatted(watched, E2e.PROCESS_LABEL, E2e.testbed().awsRegion(), E2e.testbed().awsEndpoint()))
            .toString());
    assertEquals(0, install.exit(), install.toString());
    assertNull(kube.rbac().clusterRoles().withName(fullname).get(), "namespaced: no cluster-wide operator rules");
    assertNotNull(kube.rbac().clusterRoles().withName(fullname + "-definitions").get(), "the CRDs are read");
    assertNotNull(kube.rbac().roles().inNamespace(watched).withName(fullname).get());
    assertNotNull(kube.rbac().roles().inNamespace(ns).withName(fullname + "-leader-election").get());

    Map<String, String> env = env(kube.apps().deployments().inNamespace(ns).withName(fullname).get()
        .getSpec().getTemplate().getSpec().getContainers().get(0));
    assertEquals("true", env.get("LAMBDAOP_LEADER_ELECTION"));
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "dev.lambdaop.OperatorMain");
    builder.environment().putAll(E2e.testbed().operatorEnvironment()); // AWS credentials of the test bed
    env.forEach((name, value) -> builder.environment().put(name, value == null ? "" : value));
    builder.environment().put("LAMBDAOP_METRICS_PORT", Integer.toString(freePort())); // not 8080 on a shared host
    builder.environment().put("KUBECONFIG", serviceAccountKubeconfig(kube, ns, fullname).toString());
    Process operator = builder.redirectErrorStream(true)
        .redirectOutput(work.resolve("operator-" + ns + ".log").toFile()).start();
    boolean endedOnSigterm;
    try (LambdaClient lambda = E2e.lambda()) {
      String functionName = "by-chart-" + ns;
      LambdaFunction fn = new LambdaFunction();
      fn.setMetadata(new ObjectMetaBuilder().withName("by-chart").withNamespace(watched)
          .withLabels(Map.of(E2e.PROCESS_LABEL, "helm")).build());
      fn.setSpec(new LambdaFunctionSpec());
      fn.getSpec().functionName = functionName;
      fn.getSpec().role = E2e.roleArn();
      fn.getSpec().runtime = "python3.12";
      fn.getSpec().handler = "index.handler";
      fn.getSpec().code = new LambdaFunctionSpec.Code();
      fn.getSpec().code.inline = new LambdaFunctionSpec.InlineCode();
      fn.getSpec().code.inline.files = Map.of("index.py", "h = 1\n");
      kube.resource(fn).create();

      LambdaFunction ready = E2e.awaitCondition(LambdaFunction.class, watched, "by-chart", Conditions.READY, "True",
          x -> x.getStatus() == null ? null : x.getStatus().conditions);
      assertEquals(functionName, lambda.getFunctionConfiguration(x -> x.functionName(functionName)).functionName());
      // the leader renews its Lease in the release namespace (Fabric8 renews with PATCH): the renew time moves on
      Lease lease = kube.leases().inNamespace(ns).withName("lambda-operator").get();
      assertNotNull(lease, "the leader's Lease, in the release namespace");
      await("the leader renews its Lease").atMost(Duration.ofSeconds(20)).until(() -> {
        Lease now = kube.leases().inNamespace(ns).withName("lambda-operator").get();
        return now.getSpec().getRenewTime().isAfter(now.getSpec().getAcquireTime().plusSeconds(3));
      });

      kube.resource(ready).delete();
      await().atMost(E2e.TIMEOUT).until(() -> kube.resources(LambdaFunction.class).inNamespace(watched)
          .withName("by-chart").get() == null);
      await().atMost(E2e.TIMEOUT).until(() -> {
        try {
          lambda.getFunction(x -> x.functionName(functionName));
          return false;
        } catch (ResourceNotFoundException gone) {
          return true;
        }
      });
      assertTrue(operator.isAlive());
    } finally {
      // the leader, stopped as Kubernetes stops its pod (killed if SIGTERM does not end it: nothing outlives the test)
      endedOnSigterm = E2e.endsOnSigterm(operator);
      helm("uninstall", release, "--namespace", ns, "--kubeconfig", kubeconfig());
    }
    assertTrue(endedOnSigterm, "SIGTERM did not end the leader within " + E2e.SIGTERM_LIMIT.toSeconds()
        + " s (it was killed)");
    assertEquals(E2e.SIGTERM_EXIT, operator.exitValue());
    Lease released = kube.leases().inNamespace(ns).withName("lambda-operator").get();
    assertTrue(released == null || released.getSpec().getHolderIdentity() == null,
        "the stopped leader released its Lease");
  }

  // ---- helpers ------------------------------------------------------------------------------

  record Result(int exit, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exit + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
    }
  }

  /** Runs the helm binary that testbed/install.sh built, with its own home under target/ (nothing in ~). */
  private static Result helm(String... args) {
    int n = FILES.incrementAndGet();
    Path out = work.resolve("helm-" + n + ".out");
    Path err = work.resolve("helm-" + n + ".err");
    List<String> command = new ArrayList<>();
    command.add(Tools.helm().toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = builder.environment();
    env.remove("KUBECONFIG");
    env.put("HELM_CACHE_HOME", work.resolve("home/cache").toString());
    env.put("HELM_CONFIG_HOME", work.resolve("home/config").toString());
    env.put("HELM_DATA_HOME", work.resolve("home/data").toString());
    try {
      Process process = builder.start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("helm " + String.join(" ", args) + " did not finish within 120 s");
      }
      return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The test bed's administrator kubeconfig (a file the test bed writes for kubectl). */
  private static String kubeconfig() {
    return E2e.testbed().kubeconfigPath();
  }

  private static Path values(String yaml) {
    Path file = work.resolve("values-" + FILES.incrementAndGet() + ".yaml");
    try {
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  private static Rendered render(String release, String namespace, String values) {
    Result result = helm("template", release, chart.toString(), "--namespace", namespace, "-f", values(values).toString());
    assertEquals(0, result.exit(), result.toString());
    return new Rendered(Manifests.documents(result.stdout()));
  }

  /** What helm template printed, as objects. */
  record Rendered(List<GenericKubernetesResource> documents) {
    /** kind/namespace/name of every object, sorted. */
    List<String> names() {
      return documents.stream().map(d -> d.getKind() + "/" + (d.getMetadata().getNamespace() == null ? ""
          : d.getMetadata().getNamespace() + "/") + d.getMetadata().getName()).sorted().toList();
    }

    <T extends HasMetadata> List<T> all(Class<T> type) {
      String kind = type.getSimpleName();
      return documents.stream().filter(d -> d.getKind().equals(kind)).map(d -> YAML.convertValue(d, type)).toList();
    }

    <T extends HasMetadata> T one(Class<T> type) {
      List<T> all = all(type);
      assertEquals(1, all.size(), "one " + type.getSimpleName() + " expected in " + names());
      return all.get(0);
    }

    /** Without the digest key's Role and RoleBinding, which every rendering has ({@link #assertDigestKeyRole}). */
    Rendered withoutDigestKey() {
      return new Rendered(documents.stream().filter(d -> !d.getMetadata().getName().endsWith("-digest-key")).toList());
    }

    GenericKubernetesResource generic(String kind) {
      List<GenericKubernetesResource> found = documents.stream().filter(d -> d.getKind().equals(kind)).toList();
      assertEquals(1, found.size(), "one " + kind + " expected in " + names());
      return found.get(0);
    }
  }

  /**
   * The digest key's Role in the release namespace: get on that one Secret, create on Secrets (create cannot be
   * limited to a name), bound to the operator's ServiceAccount.
   */
  private static void assertDigestKeyRole(Rendered r, String namespace, String name, String serviceAccount) {
    Role role = r.all(Role.class).stream().filter(x -> x.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no Role " + name + " in " + r.names()));
    assertEquals(namespace, role.getMetadata().getNamespace());
    assertEquals(List.of(
        List.of(List.of(""), List.of("secrets"), List.of("lambda-operator-digest-key"), List.of("get")),
        List.of(List.of(""), List.of("secrets"), List.of(), List.of("create"))),
        role.getRules().stream().map(x -> List.of(x.getApiGroups(), x.getResources(),
            x.getResourceNames() == null ? List.<String>of() : x.getResourceNames(), x.getVerbs())).toList());
    RoleBinding binding = r.all(RoleBinding.class).stream().filter(x -> x.getMetadata().getName().equals(name))
        .findFirst().orElseThrow(() -> new AssertionError("no RoleBinding " + name + " in " + r.names()));
    assertEquals(namespace, binding.getMetadata().getNamespace());
    assertEquals(List.of("Role", name), List.of(binding.getRoleRef().getKind(), binding.getRoleRef().getName()));
    assertEquals(List.of(serviceAccount, namespace), List.of(binding.getSubjects().get(0).getName(),
        binding.getSubjects().get(0).getNamespace()));
  }

  private static Map<String, List<String>> rule(String group, String resources, String verbs) {
    return Map.of("apiGroups", List.of(group), "resources", List.of(resources.split(",")),
        "verbs", List.of(verbs.split(",")));
  }

  private static List<Map<String, List<String>>> rules(List<PolicyRule> rules) {
    return rules.stream().map(r -> {
      assertTrue(r.getNonResourceURLs() == null || r.getNonResourceURLs().isEmpty());
      return r.getResourceNames() == null || r.getResourceNames().isEmpty()
          ? Map.of("apiGroups", r.getApiGroups(), "resources", r.getResources(), "verbs", r.getVerbs())
          : Map.of("apiGroups", r.getApiGroups(), "resources", r.getResources(), "verbs", r.getVerbs(),
              "resourceNames", r.getResourceNames());
    }).toList();
  }

  private static Map<String, String> env(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      assertNull(env.put(var.getName(), var.getValue()), "twice in env: " + var.getName());
    }
    return env;
  }

  private static List<String> kustomizationResources(Path directory) {
    try {
      Map<String, Object> kustomization = YAML.unmarshal(Files.readString(directory.resolve("kustomization.yaml")),
          Map.class);
      @SuppressWarnings("unchecked")
      List<String> resources = (List<String>) kustomization.get("resources");
      return resources;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A kubeconfig that authenticates as the chart's ServiceAccount (a token from the API server). */
  private static Path serviceAccountKubeconfig(KubernetesClient kube, String namespace, String name) {
    return OperatorIdentity.kubeconfig(namespace, name, work.resolve("serviceaccount-" + namespace + ".kubeconfig"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
