package dev.lambdaop.e2e;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lambdaop.api.Deployments;
import dev.lambdaop.api.FunctionRef;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.function.DeterministicZip;
import dev.lambdaop.status.Conditions;
import dev.lambdaop.testbed.SampleFunctions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.core.ConditionTimeoutException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetAliasResponse;

/**
 * What the alias tests share, in one namespace: a function named NAME with an alias NAME-live (AWS alias "live"),
 * version 2 published by a code change, waits on the AWS side and on the status, the user's controls, Steps
 * deployments and hook functions. Function names are global in AWS: each test class uses names of its own.
 */
final class AliasScenario {
  private final String ns;
  private final KubernetesClient kube;
  private final LambdaClient lambda;
  private final Map<String, String> labels;

  AliasScenario(String ns, KubernetesClient kube, LambdaClient lambda) {
    this(ns, kube, lambda, Map.of());
  }

  /** With labels on the function and the alias: {@link E2e#PROCESS_LABEL} leaves them to a test's own operator. */
  AliasScenario(String ns, KubernetesClient kube, LambdaClient lambda, Map<String, String> labels) {
    this.ns = ns;
    this.kube = kube;
    this.lambda = lambda;
    this.labels = labels;
  }

  /** A function with version 1 published and an alias on it, serving version 1, Healthy. */
  void functionWithAlias(String name, LambdaAliasSpec.Deployment deployment) {
    LambdaFunction fn = SampleFunctions.inline(ns, name, E2e.roleArn(), "v = 1\n");
    fn.getMetadata().setLabels(labels);
    kube.resource(fn).create();
    E2e.awaitCondition(LambdaFunction.class, ns, name, Conditions.READY, "True",
        r -> r.getStatus() == null ? null : r.getStatus().conditions);
    LambdaAlias alias = new LambdaAlias();
    alias.setMetadata(new ObjectMetaBuilder().withName(name + "-live").withNamespace(ns).withLabels(labels).build());
    alias.setSpec(new LambdaAliasSpec());
    alias.getSpec().functionRef = new FunctionRef(name);
    alias.getSpec().aliasName = "live";
    alias.getSpec().deployment = deployment;
    kube.resource(alias).create();
    await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> awsAlias(name).functionVersion().equals("1")
        && status(name).phase == LambdaAliasStatus.Phase.Healthy && "1".equals(status(name).stableVersion));
  }

  /** A code change: the LambdaFunction publishes version 2. */
  void publishVersion2(String name) {
    publishVersion(name, 2);
  }

  /** A code change to {@code v = n}: the LambdaFunction publishes its next version (n, when each is published once). */
  void publishVersion(String name, int n) {
    LambdaFunction fn = kube.resources(LambdaFunction.class).inNamespace(ns).withName(name).get();
    fn.getSpec().code.inline.files = Map.of("index.py", "v = " + n + "\n");
    E2e.update(fn);
  }

  GetAliasResponse awsAlias(String function) {
    return lambda.getAlias(r -> r.functionName(function).name("live"));
  }

  /** The share of traffic AWS routes to version 2. */
  double weightOf2(String function) {
    GetAliasResponse a = awsAlias(function);
    if (a.routingConfig() == null || a.routingConfig().additionalVersionWeights() == null) {
      return 0;
    }
    return a.routingConfig().additionalVersionWeights().getOrDefault("2", 0.0);
  }

  LambdaAlias alias(String function) {
    return kube.resources(LambdaAlias.class).inNamespace(ns).withName(function + "-live").get();
  }

  LambdaAliasStatus status(String function) {
    return alias(function).getStatus();
  }

  /** Waits until AWS routes to {@code primary}, with {@code weightOn2} on version 2; says the status if never. */
  void awaitAws(String function, String primary, double weightOn2) {
    try {
      awaitAwsOnly(function, primary, weightOn2);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("alias of " + function + " never reached " + primary + " + " + weightOn2
          + "; status: " + Serialization.asJson(status(function)), e);
    }
  }

  void awaitAwsOnly(String function, String primary, double weightOn2) {
    await().atMost(E2e.TIMEOUT).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
        awsAlias(function).functionVersion().equals(primary) && Math.abs(weightOf2(function) - weightOn2) < 1e-9);
  }

  void awaitPhase(String function, LambdaAliasStatus.Phase phase) {
    try {
      await().atMost(E2e.TIMEOUT).ignoreExceptions().until(() -> status(function).phase == phase);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("alias of " + function + " never reached phase " + phase + "; status: "
          + Serialization.asJson(status(function)), e);
    }
  }

  /** A user's control, as {@code kubectl patch --subresource=status --type=merge} sets it. */
  void patchControls(String function, String json) {
    kube.resources(LambdaAlias.class).inNamespace(ns).withName(function + "-live").subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), json);
  }

  /** A Steps deployment: an Integer is setWeight, a String a timed pause, null a pause until promoted. */
  static LambdaAliasSpec.Deployment steps(Object... stepsAndPauses) {
    return Deployments.steps(stepsAndPauses);
  }

  /** A plain function (created directly in AWS) for hooks to invoke. */
  void hookFunction(String name) {
    lambda.createFunction(r -> r.functionName(name).role(E2e.roleArn()).runtime("python3.12").handler("index.handler")
        .code(c -> c.zipFile(SdkBytes.fromByteArray(DeterministicZip.of(Map.of("index.py", "h = 1\n")).bytes()))));
  }

  static LambdaAliasSpec.Hook hook(String function) {
    return Deployments.hook(function, "30s");
  }

  /**
   * moto runs no code without Docker: its invoke answers with the request's payload, or with the next result queued
   * through its API (a DryRun takes one too). A hook fails on demand by queueing Lambda's error payload.
   */
  static void nextInvokesAnswer(String... payloads) throws Exception {
    String body = "{\"region\":\"" + E2e.testbed().awsRegion() + "\",\"results\":"
        + Serialization.asJson(List.of(payloads)) + "}";
    URI uri = E2e.testbed().awsEndpoint().resolve("/moto-api/static/lambda-simple/response");
    HttpRequest request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    assertEquals(201, HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
  }
}
