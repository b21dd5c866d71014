package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lambdaop.api.Concurrency;
import dev.lambdaop.api.EventSourceMapping;
import dev.lambdaop.api.EventSourceMappingSpec;
import dev.lambdaop.api.ConcurrencySpec;
import dev.lambdaop.api.EnvVars;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The chart's RBAC is least privilege, shown with the API server's audit log: the shared operator runs as the
 * chart's ServiceAccount (with leader election on, see {@link OperatorIdentity}); after it has done everything an
 * operator does (functions with Secret and ConfigMap values, an alias, a queue mapped to it, a reservation,
 * deletions, events, leader
 * Lease renewals), it was refused nothing (no 403), and every permission the chart grants it was used at least once.
 * A permission the code stops using, or one added "just in case", fails this test.
 */
class LeastPrivilegeIT {
  private static final String USER = "system:serviceaccount:" + OperatorIdentity.NAMESPACE + ":"
      + OperatorIdentity.SERVICE_ACCOUNT;

  /** One audited request: API group, resource (with /subresource), verb. */
  record Access(String group, String resource, String verb) implements Comparable<Access> {
    @Override
    public int compareTo(Access o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return (group.isEmpty() ? "core" : group) + "/" + resource + ":" + verb;
    }
  }

  @Test
  void theChartGrantsWhatTheOperatorUsesAndNothingMore() throws IOException {
    Path auditLog = E2e.testbed().auditLog().orElse(null);
    Assumptions.assumeTrue(auditLog != null, "this test bed keeps no audit log (the local one does)");
    E2e.operator();
    exerciseEverything();

    // the leader renews its Lease every few seconds: wait until a renewal is in the log
    await().atMost(E2e.TIMEOUT).until(() -> audited(auditLog).used().contains(
        new Access("coordination.k8s.io", "leases", "patch")));
    Audit audit = audited(auditLog);
    assertTrue(audit.denied().isEmpty(), "the operator was refused " + audit.denied()
        + ": the chart's RBAC (charts/lambda-operator/templates/_helpers.tpl, lambda-operator.rules) lacks them");
    Set<Access> granted = granted();
    Set<Access> unused = new TreeSet<>(granted);
    unused.removeAll(audit.used());
    // The SDK refuses to start leader election unless a SelfSubjectRulesReview shows get, create and update on
    // Leases; renewals are patches, so update is required without being called.
    unused.remove(new Access("coordination.k8s.io", "leases", "update"));
    assertEquals(Set.of(), unused, "the chart grants permissions the operator never used: remove them (used: "
        + audit.used() + ")");
  }

  /** What an operator does: every kind created, reconciled with referenced values, and deleted. */
  private static void exerciseEverything() {
    KubernetesClient kube = E2e.kube();
    String ns = E2e.namespace("rbac");
    kube.resource(new SecretBuilder().withNewMetadata().withName("creds").withNamespace(ns).endMetadata()
        .withStringData(Map.of("token", "not-logged")).build()).create();
    kube.resource(new ConfigMapBuilder().withNewMetadata().withName("settings").withNamespace(ns).endMetadata()
        .withData(Map.of("mode", "fast")).build()).create();
    LambdaFunction fn = SampleFunctions.inline(ns, "rbac-fn", E2e.roleArn(), "r = 1\n");
    fn.getSpec().environment = List.of(EnvVars.fromSecret("TOKEN", "creds", "token"),
        EnvVars.fromConfigMap("MODE", "settings", "mode"));
    kube.resource(fn).create();
    E2e.awaitCondition(LambdaFunction.class, ns, "rbac-fn", Conditions.READY, "True",
        r -> r.getStatus() == null ? null : r.getStatus().conditions);

    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName("rbac-live").withNamespace(ns).build());
    alias.setSpec(new LambdaAliasSpec());
    alias.getSpec().functionRef = new FunctionRef("rbac-fn");
    kube.resource(alias).create();
    E2e.awaitCondition(LambdaAlias.class, ns, "rbac-live", Conditions.READY, "True",
        r -> r.getStatus() == null ? null : r.getStatus().conditions);

    // An SQS queue mapped to the alias: the mapping reads its LambdaAlias (get) and writes its own status.
    String queueArn;
    try (SqsClient sqs = E2e.testbed().configureAws(SqsClient.builder()).build()) {
      String url = sqs.createQueue(r -> r.queueName(ns + "-queue")).queueUrl();
      queueArn = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
          .attributes().get(QueueAttributeName.QUEUE_ARN);
    }
    EventSourceMapping mapping = new EventSourceMapping();
    mapping.setMetadata(new ObjectMetaBuilder().withName("rbac-queue").withNamespace(ns).build());
    mapping.setSpec(new EventSourceMappingSpec());
    mapping.getSpec().aliasRef = new EventSourceMappingSpec.AliasRef();
    mapping.getSpec().aliasRef.name = "rbac-live";
    mapping.getSpec().eventSourceArn = queueArn;
    kube.resource(mapping).create();
    await().atMost(E2e.TIMEOUT).until(() -> {
      EventSourceMapping m = kube.resources(EventSourceMapping.class).inNamespace(ns).withName("rbac-queue").get();
      return m.getStatus() != null && m.getStatus().uuid != null;
    });
    kube.resource(mapping).delete();
    await().atMost(E2e.TIMEOUT).until(() -> kube.resources(EventSourceMapping.class).inNamespace(ns).list()
        .getItems().isEmpty());

    Concurrency concurrency = new Concurrency();
    concurrency.setMetadata(new ObjectMetaBuilder().withName("rbac-fn").withNamespace(ns).build());
    concurrency.setSpec(new ConcurrencySpec());
    concurrency.getSpec().functionRef = new FunctionRef("rbac-fn");
    concurrency.getSpec().reservedConcurrentExecutions = 5;
    kube.resource(concurrency).create();
    E2e.awaitCondition(Concurrency.class, ns, "rbac-fn", Conditions.READY, "True",
        r -> r.getStatus() == null ? null : r.getStatus().conditions);

    kube.resource(concurrency).delete();
    kube.resource(alias).delete();
    kube.resource(fn).delete();
    await().atMost(E2e.TIMEOUT).until(() -> kube.resources(LambdaFunction.class).inNamespace(ns).list().getItems()
        .isEmpty() && kube.resources(LambdaAlias.class).inNamespace(ns).list().getItems().isEmpty()
        && kube.resources(Concurrency.class).inNamespace(ns).list().getItems().isEmpty());
  }


  record Audit(Set<Access> used, Set<Access> denied) {}

  /** The operator's requests in the audit log: those allowed, and those refused (403). */
  private static Audit audited(Path auditLog) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Set<Access> used = new TreeSet<>();
    Set<Access> denied = new TreeSet<>();
    for (String line : Files.readAllLines(auditLog)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode event = json.readTree(line);
      JsonNode ref = event.path("objectRef");
      // a watch is logged when it starts (ResponseStarted) and again when it ends; other requests once
      if (!USER.equals(event.path("user").path("username").asText()) || ref.isMissingNode()) {
        continue;
      }
      String resource = ref.path("resource").asText()
          + (ref.hasNonNull("subresource") ? "/" + ref.path("subresource").asText() : "");
      Access access = new Access(ref.path("apiGroup").asText(""), resource, event.path("verb").asText());
      int code = event.path("responseStatus").path("code").asInt();
      if (code == 403) {
        denied.add(access);
      } else {
        used.add(access);
      }
    }
    return new Audit(used, denied);
  }

  /**
   * Every (group, resource, verb) the chart's ClusterRole, leader election Role and digest key Role grant, as the API
   * server has them.
   */
  private static Set<Access> granted() {
    KubernetesClient kube = E2e.kube();
    List<PolicyRule> rules = new ArrayList<>(kube.rbac().clusterRoles().withName("lambda-operator").get().getRules());
    rules.addAll(kube.rbac().roles().inNamespace(OperatorIdentity.NAMESPACE)
        .withName("lambda-operator-leader-election").get().getRules());
    rules.addAll(kube.rbac().roles().inNamespace(OperatorIdentity.NAMESPACE)
        .withName("lambda-operator-digest-key").get().getRules());
    Set<Access> granted = new TreeSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            granted.add(new Access(group, resource, verb));
          }
        }
      }
    }
    return granted;
  }
}
