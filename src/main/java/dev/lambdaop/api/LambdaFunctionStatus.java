package dev.lambdaop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator observed and did for a LambdaFunction. Written only by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LambdaFunctionStatus implements ReconciledStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("The AWS account (12 digits) this resource's AWS objects live in: the account of its namespace's role (annotation lambdaop.dev/aws-role-arn of the Namespace), else the operator's own. Recorded by the operator; a namespace mapped to another account afterwards is refused (AccountChanged).")
  public String accountId;

  @JsonPropertyDescription("Name of the function in AWS.")
  public String functionName;

  @JsonPropertyDescription("AWS region of the function, as the operator resolved it (spec.region, the region of a functionName ARN, the referenced LambdaFunction's, or the operator's).")
  public String region;

  @JsonPropertyDescription("ARN of the function (unqualified).")
  public String functionArn;

  @JsonPropertyDescription("AWS State of the function: Pending, Active, Inactive or Failed.")
  public String state;

  @JsonPropertyDescription("AWS LastUpdateStatus: InProgress, Successful or Failed.")
  public String lastUpdateStatus;

  @JsonPropertyDescription("SHA-256 (base64) of the deployed code package, as AWS reports it.")
  public String codeSha256;

  @JsonPropertyDescription("Identity of the code last deployed: zip:<sha256>, s3:<bucket>/<key>?versionId=..., or image:<uri>.")
  public String codeIdentity;

  @JsonPropertyDescription("AWS revision of $LATEST, where the endpoint reports one.")
  public String revisionId;

  @JsonPropertyDescription("Digest of the code and configuration last applied; a different digest means the spec changed.")
  public String specDigest;

  @JsonPropertyDescription("Digest of a spec AWS refused in a way no retry can fix (the whole spec, every field, with referenced values; not specDigest); the operator waits for the spec (or a referenced Secret or ConfigMap value) to change.")
  public String rejectedSpecDigest;

  @JsonPropertyDescription("Newest version published for the current spec.")
  public String latestVersion;

  @JsonPropertyDescription("Published versions, newest first (bounded).")
  public List<PublishedVersion> versions = new ArrayList<>();

  @JsonPropertyDescription("Conditions, Kubernetes style. Ready tells whether AWS matches the spec.")
  public List<Condition> conditions = new ArrayList<>();

  /** One version the operator published. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class PublishedVersion {
    @JsonPropertyDescription("Version number.")
    public String version;

    @JsonPropertyDescription("SHA-256 (base64) of the code of this version.")
    public String codeSha256;

    @JsonPropertyDescription("Digest of the code and configuration this version was published from.")
    public String specDigest;

    @JsonPropertyDescription("When it was published (RFC 3339).")
    public String publishedAt;

    public PublishedVersion() {}

    public PublishedVersion(String version, String codeSha256, String specDigest, String publishedAt) {
      this.version = version;
      this.codeSha256 = codeSha256;
      this.specDigest = specDigest;
      this.publishedAt = publishedAt;
    }
  }

  @Override
  public List<Condition> conditions() {
    return conditions;
  }

  @Override
  public void observedGeneration(Long generation) {
    observedGeneration = generation;
  }

  @Override
  public String accountId() {
    return accountId;
  }

  @Override
  public void accountId(String accountId) {
    this.accountId = accountId;
  }
}
