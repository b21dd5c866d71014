package dev.lambdaop.function;

import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionConfig;
import dev.lambdaop.aws.ObservedFunction;
import dev.lambdaop.reconcile.Owner;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares the desired function with what AWS holds and decides which writes are needed. Pure: no AWS or Kubernetes
 * calls, so every case is unit-tested.
 */
public final class FunctionPlanner {
  private FunctionPlanner() {}

  /**
   * @param desired the resolved spec
   * @param observed the function as AWS reports it
   * @param lastCodeIdentity identity of the code the operator last deployed (status), or null
   * @param lastCodeSha256 CodeSha256 AWS reported after that deployment (status), or null
   */
  public static FunctionPlan plan(DesiredFunction desired, ObservedFunction observed, String lastCodeIdentity,
      String lastCodeSha256) {
    boolean updateCode = codeDiffers(desired.code(), observed, lastCodeIdentity, lastCodeSha256);

    FunctionConfig want = desired.config();
    FunctionConfig have = observed.config();
    List<FunctionConfig.Field<?>> changed = changes(want, have);
    // Architecture can only change with new code (UpdateFunctionCode takes it); everything else is configuration.
    boolean updateConfiguration = changed.stream().anyMatch(f -> !f.appliedWithCode());
    if (changed.stream().anyMatch(FunctionConfig.Field::appliedWithCode)) {
      updateCode = true;
    }

    Map<String, String> tagsToSet = new TreeMap<>();
    want.tags().forEach((k, v) -> {
      if (!v.equals(have.tags().get(k))) {
        tagsToSet.put(k, v);
      }
    });
    Set<String> tagsToRemove = new TreeSet<>(have.tags().keySet());
    tagsToRemove.removeAll(want.tags().keySet());
    tagsToRemove.removeIf(k -> k.startsWith("aws:")); // AWS-managed tags are not ours to remove
    tagsToRemove.removeIf(Owner::isRecord); // owner records of aliases and reservations: their kinds keep them
    return new FunctionPlan(updateCode, updateConfiguration, names(changed), tagsToSet, tagsToRemove);
  }

  static boolean codeDiffers(CodeSource code, ObservedFunction observed, String lastCodeIdentity, String lastCodeSha256) {
    String observedSha = observed.snapshot().codeSha256();
    if (code instanceof CodeSource.Zip zip) {
      return !zip.sha256().equals(observedSha);
    }
    if (code instanceof CodeSource.Image image) {
      return !image.uri().equals(observed.imageUri());
    }
    // S3: AWS keeps no reference to the object, so compare with what the operator last deployed, and notice code
    // replaced outside the operator by its hash.
    return !code.identity().equals(lastCodeIdentity) || !Objects.equals(observedSha, lastCodeSha256);
  }

  /** Names of the versioned configuration fields that differ (tags are handled apart). */
  static List<String> changedFields(FunctionConfig want, FunctionConfig have) {
    return names(changes(want, have));
  }

  /**
   * Names of the fields UpdateFunctionConfiguration sets that still differ: after that call succeeded, the ones AWS
   * did not apply.
   */
  static List<String> configurationChanges(FunctionConfig want, FunctionConfig have) {
    return names(changes(want, have).stream().filter(f -> !f.appliedWithCode()).toList());
  }

  private static List<FunctionConfig.Field<?>> changes(FunctionConfig want, FunctionConfig have) {
    return FunctionConfig.FIELDS.stream().filter(f -> f.versioned() && !f.matches(want, have)).toList();
  }

  private static List<String> names(List<FunctionConfig.Field<?>> fields) {
    return fields.stream().map(FunctionConfig.Field::name).toList();
  }
}
