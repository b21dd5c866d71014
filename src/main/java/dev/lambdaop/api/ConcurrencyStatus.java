package dev.lambdaop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** What the operator applied for a Concurrency, and the account's figures when it did. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ConcurrencyStatus implements ReconciledStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("The AWS account (12 digits) this resource's AWS objects live in: the account of its namespace's role (annotation lambdaop.dev/aws-role-arn of the Namespace), else the operator's own. Recorded by the operator; a namespace mapped to another account afterwards is refused (AccountChanged).")
  public String accountId;

  @JsonPropertyDescription("Name of the function in AWS.")
  public String functionName;

  @JsonPropertyDescription("AWS region of the function, as the operator resolved it (spec.region, the region of a functionName ARN, the referenced LambdaFunction's, or the operator's).")
  public String region;

  @JsonPropertyDescription("Reserved concurrency as applied in AWS.")
  public Integer reservedConcurrentExecutions;

  @JsonPropertyDescription("The account's concurrency figures, read when the value was checked.")
  public AccountConcurrency account;

  @JsonPropertyDescription("Conditions, Kubernetes style. Ready tells whether AWS matches the spec.")
  public List<Condition> conditions = new ArrayList<>();

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class AccountConcurrency {
    @JsonPropertyDescription("The account's concurrency limit in the region.")
    public Integer concurrentExecutions;

    @JsonPropertyDescription("Concurrency not reserved by any function.")
    public Integer unreservedConcurrentExecutions;

    @JsonPropertyDescription("The least the account keeps unreserved.")
    public Integer unreservedMinimum;
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
