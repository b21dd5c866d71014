package dev.lambdaop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** Points to a LambdaFunction in the same namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class FunctionRef {
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
  @JsonPropertyDescription("Name of a LambdaFunction in the same namespace.")
  public String name;

  public FunctionRef() {}

  public FunctionRef(String name) {
    this.name = name;
  }
}
