package dev.lambdaop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** The event source mapping as AWS reports it. Its identity is {@link #uuid}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class EventSourceMappingStatus implements ReconciledStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("The AWS account (12 digits) this resource's AWS objects live in: the account of its namespace's role (annotation lambdaop.dev/aws-role-arn of the Namespace), else the operator's own. Recorded by the operator; a namespace mapped to another account afterwards is refused (AccountChanged).")
  public String accountId;

  @JsonPropertyDescription("UUID of the mapping in AWS: the operator's handle on it.")
  public String uuid;

  @JsonPropertyDescription("AWS state of the mapping: Creating, Enabling, Enabled, Disabling, Disabled, Updating or Deleting.")
  public String state;

  @JsonPropertyDescription("ARN of the function, version or alias the mapping invokes, as AWS reports it.")
  public String functionArn;

  @JsonPropertyDescription("ARN of the event source the mapping reads, as AWS reports it.")
  public String eventSourceArn;

  @JsonPropertyDescription("AWS region of the mapping.")
  public String region;

  @JsonPropertyDescription("Result of the last invocation AWS made for the mapping (for example OK, PROBLEM: ...).")
  public String lastProcessingResult;

  @JsonPropertyDescription("Why AWS last changed the mapping's state.")
  public String stateTransitionReason;

  @JsonPropertyDescription("UUID of a mapping this resource replaced (its eventSourceArn, topics or queues changed) and has not deleted yet.")
  public String replacedUuid;

  @JsonPropertyDescription("Conditions, Kubernetes style. Ready tells whether the mapping exists and matches the spec; Progressing whether AWS is still creating, updating, enabling or disabling it.")
  public List<Condition> conditions = new ArrayList<>();

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
