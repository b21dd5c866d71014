package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.LambdaOperator;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.aws.sdk.AwsSettings;
import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.testbed.SampleFunctions;
import dev.lambdaop.testbed.Testbed;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.lambda.LambdaClient;

/** An operator stopped in the middle of a shift, and another started: the shift resumes at the same step. */
class OperatorRestartIT {
  private static final String LABEL = "restart";

  private static LambdaOperator startOperator() {
    Testbed bed = E2e.testbed();
    LambdaOperator operator = new LambdaOperator(E2e.kube(),
        new AwsSettings(bed.awsRegion(), bed.awsEndpoint(), bed.awsCredentials()),
        OperatorSettings.defaults().withResyncPeriod(Duration.ofSeconds(30))
            .withLabelSelector(E2e.PROCESS_LABEL + "=" + LABEL));
    operator.start();
    return E2e.track(operator);
  }

  @Test
  void aShiftResumesAtTheSameStepAfterARestart() {
    E2e.installCrds();
    KubernetesClient kube = E2e.kube();
    String ns = E2e.namespace("restart");
    Map<String, String> labels = Map.of(E2e.PROCESS_LABEL, LABEL);
    LambdaOperator first = startOperator();
    try (LambdaClient lambda = E2e.lambda()) {
      LambdaFunction fn = SampleFunctions.inline(ns, "restarted", E2e.roleArn(), "r = 1\n");
      fn.getMetadata().setLabels(labels);
      kube.resource(fn).create();
      LambdaAlias alias = new LambdaAlias();
      alias.setMetadata(new ObjectMetaBuilder().withName("restarted-live").withNamespace(ns).withLabels(labels).build());
      alias.setSpec(new LambdaAliasSpec());
      alias.getSpec().functionRef = new FunctionRef("restarted");
      alias.getSpec().aliasName = "live";
      alias.getSpec().deployment = new LambdaAliasSpec.Deployment();
      alias.getSpec().deployment.strategy = LambdaAliasSpec.Strategy.Steps;
      alias.getSpec().deployment.steps = List.of(weight(30), pause("8s"), weight(60), pause("8s"));
      kube.resource(alias).create();
      await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> "1".equals(status(kube, ns).stableVersion));

      LambdaFunction current = kube.resources(LambdaFunction.class).inNamespace(ns).withName("restarted").get();
      current.getSpec().code.inline.files = Map.of("index.py", "r = 2\n");
      E2e.update(current);
      await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> weightOf2(lambda) == 0.3
          && status(kube, ns).canaryWeight == 30);
      Instant stepStarted = Instant.parse(status(kube, ns).stepStartedAt);
      int step = status(kube, ns).currentStepIndex;

      first.close(); // the operator goes away in the middle of the 30% step
      LambdaOperator second = startOperator();
      try {
        // it goes on from the stored step: 60% when the 30% step's 8 s are over, not 30% from the start
        List<Double> seen = new ArrayList<>();
        await().atMost(E2e.TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
          var a = lambda.getAlias(r -> r.functionName("restarted").name("live"));
          double w = a.routingConfig() == null || a.routingConfig().additionalVersionWeights() == null ? 0
              : a.routingConfig().additionalVersionWeights().getOrDefault("2", 0.0);
          if (seen.isEmpty() || seen.get(seen.size() - 1) != w) {
            seen.add(w);
          }
          return a.functionVersion().equals("2");
        });
        assertEquals(List.of(0.3, 0.6, 0.0), seen, "weights seen after the restart");
        // the status is written right after the routing
        await().atMost(E2e.TIMEOUT).until(() -> "2".equals(status(kube, ns).stableVersion));
        LambdaAliasStatus done = status(kube, ns);
        assertEquals("Promoted", done.history.get(0).result);
        assertEquals(1, done.history.size());
        assertEquals(1, step, "the shift was in its first pause when the operator stopped");
        assertTrue(stepStarted.isBefore(Instant.now()));
        // no step written twice: at most the two remaining steps (60%, then 100%) by the new operator
        long writes = second.awsCalls().snapshot("restarted").getOrDefault("UpdateAlias", 0L);
        assertTrue(writes >= 1 && writes <= 2, "UpdateAlias by the restarted operator: " + writes);
      } finally {
        second.close();
      }
    }
  }

  private static LambdaAliasStatus status(KubernetesClient kube, String ns) {
    return kube.resources(LambdaAlias.class).inNamespace(ns).withName("restarted-live").get().getStatus();
  }

  private static double weightOf2(LambdaClient lambda) {
    var a = lambda.getAlias(r -> r.functionName("restarted").name("live"));
    return a.routingConfig() == null || a.routingConfig().additionalVersionWeights() == null ? 0
        : a.routingConfig().additionalVersionWeights().getOrDefault("2", 0.0);
  }

  private static LambdaAliasSpec.Step weight(int w) {
    LambdaAliasSpec.Step s = new LambdaAliasSpec.Step();
    s.setWeight = w;
    return s;
  }

  private static LambdaAliasSpec.Step pause(String duration) {
    LambdaAliasSpec.Step s = new LambdaAliasSpec.Step();
    s.pause = new LambdaAliasSpec.Pause();
    s.pause.duration = duration;
    return s;
  }
}
