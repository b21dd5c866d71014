package dev.lambdaop.function;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The writes that bring an existing function to its desired state. Empty in steady state: then a reconcile makes
 * no AWS write at all.
 *
 * @param updateCode the code differs (or was replaced outside the operator)
 * @param updateConfiguration the configuration differs
 * @param changedFields names of the configuration fields that differ (for events; never their values)
 * @param tagsToSet tags to add or change
 * @param tagsToRemove tag keys to remove
 */
public record FunctionPlan(
    boolean updateCode,
    boolean updateConfiguration,
    List<String> changedFields,
    Map<String, String> tagsToSet,
    Set<String> tagsToRemove) {

  public boolean isEmpty() {
    return !updateCode && !updateConfiguration && tagsToSet.isEmpty() && tagsToRemove.isEmpty();
  }

  /** What differs, for messages and events: field names only, since values may be secret. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    if (updateCode) {
      out.append("code");
    }
    if (!changedFields.isEmpty()) {
      out.append(out.length() > 0 ? ", " : "").append(String.join(", ", changedFields));
    }
    if (!tagsToSet.isEmpty() || !tagsToRemove.isEmpty()) {
      out.append(out.length() > 0 ? ", " : "").append("tags");
    }
    return out.toString();
  }
}
