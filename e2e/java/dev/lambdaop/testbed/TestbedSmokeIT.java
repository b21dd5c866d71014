package dev.lambdaop.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.Runtime;
import software.amazon.awssdk.services.s3.S3Client;

/** The test bed itself works: a real API server with RBAC, and an AWS endpoint. */
class TestbedSmokeIT {

  private static Testbed testbed;
  private static final String SUFFIX = UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void startTestbed() {
    testbed = SharedTestbed.get();
  }

  @Test
  void apiServerListsAndCreatesNamespaces() {
    KubernetesClient client = testbed.kubernetesClient();
    assertFalse(client.namespaces().list().getItems().isEmpty());
    String name = "smoke-" + SUFFIX;
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    assertNotNull(client.namespaces().withName(name).get());
  }

  @Test
  void rbacForbidsAServiceAccountWithoutRoles() {
    KubernetesClient admin = testbed.kubernetesClient();
    String namespace = "rbac-" + SUFFIX;
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    admin.serviceAccounts().inNamespace(namespace)
        .resource(new ServiceAccountBuilder().withNewMetadata().withName("nobody").endMetadata().build())
        .create();
    TokenRequest issued = admin.serviceAccounts().inNamespace(namespace).withName("nobody")
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(600L).endSpec().build());
    String token = issued.getStatus().getToken();
    assertNotNull(token);

    Config asNobody = new ConfigBuilder(Config.empty())
        .withMasterUrl(admin.getConfiguration().getMasterUrl())
        .withCaCertData(admin.getConfiguration().getCaCertData())
        .withCaCertFile(admin.getConfiguration().getCaCertFile())
        .withOauthToken(token)
        .withNamespace(namespace)
        .withNoProxy(admin.getConfiguration().getNoProxy())
        .build();
    try (KubernetesClient nobody = Testbed.newKubernetesClient(asNobody)) {
      KubernetesClientException forbidden = assertThrows(KubernetesClientException.class,
          () -> nobody.configMaps().inNamespace(namespace).list());
      assertEquals(403, forbidden.getCode(), forbidden.getMessage());
      assertTrue(forbidden.getMessage().contains("system:serviceaccount:" + namespace + ":nobody"),
          forbidden.getMessage());
    }
  }

  @Test
  void lambdaCreatesFunctionsWithoutDockerAndEnforcesTheConcurrencyQuota() {
    String role = testbed.ensureLambdaRole("smoke-lambda-role");
    assertEquals(role, testbed.ensureLambdaRole("smoke-lambda-role"));
    try (LambdaClient lambda = testbed.configureAws(LambdaClient.builder()).build()) {
      String name = "smoke-" + SUFFIX;
      lambda.createFunction(f -> f.functionName(name).runtime(Runtime.PYTHON3_12).handler("index.handler")
          .role(role).code(c -> c.zipFile(SdkBytes.fromByteArray(zip("index.py",
              "def handler(event, context):\n    return event\n")))));
      assertEquals(name, lambda.getFunction(g -> g.functionName(name)).configuration().functionName());
      // an account quota of 1000 must leave 100 unreserved, as on AWS
      assertThrows(InvalidParameterValueException.class, () -> lambda.putFunctionConcurrency(
          c -> c.functionName(name).reservedConcurrentExecutions(950)));
      lambda.deleteFunction(d -> d.functionName(name));
    }
  }

  private static byte[] zip(String entry, String content) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry(entry));
      zip.write(content.getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @Test
  void awsEndpointServesLambdaAndS3() {
    try (LambdaClient lambda = testbed.configureAws(LambdaClient.builder()).build()) {
      assertNotNull(lambda.listFunctions().functions());
    }
    try (S3Client s3 = testbed.configureAws(S3Client.builder()).forcePathStyle(true).build()) {
      String bucket = "smoke-" + SUFFIX;
      s3.createBucket(b -> b.bucket(bucket));
      assertTrue(s3.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(bucket)));
    }
  }
}
