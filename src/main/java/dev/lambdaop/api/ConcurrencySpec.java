package dev.lambdaop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Reserved concurrency for one function. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.functionRef) != has(self.functionName)",
    message = "set exactly one of functionRef (a LambdaFunction in this namespace) or functionName (a function the operator does not manage)")
@ValidationRule(
    value = "has(oldSelf.functionRef) == has(self.functionRef) && has(oldSelf.functionName) == has(self.functionName) && (!has(self.functionRef) || self.functionRef.name == oldSelf.functionRef.name) && (!has(self.functionName) || self.functionName == oldSelf.functionName)",
    message = "functionRef and functionName are immutable: create a new Concurrency for another function (deleting this one releases what it holds)")
public class ConcurrencySpec {
  @JsonPropertyDescription("The LambdaFunction in this namespace. Exactly one of functionRef or functionName. Immutable.")
  public FunctionRef functionRef;

  @Pattern("^[a-zA-Z0-9_:.-]+$")
  @Size(min = 1, max = 140)
  @JsonPropertyDescription("Name or ARN of a function that no operator owns, or that a LambdaFunction in this namespace owns; an ARN gives the region. Exactly one of functionRef or functionName. Immutable.")
  public String functionName;

  @Required
  @Min(0)
  @JsonPropertyDescription("Concurrent executions reserved for the function, taken from the account's unreserved pool. 0 throttles every invocation.")
  public Integer reservedConcurrentExecutions;
}
