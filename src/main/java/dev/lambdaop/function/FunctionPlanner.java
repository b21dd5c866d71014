package dev.lambdaop.function;

import dev.lambdaop.aws.CodeSource;
import dev.lambdaop.aws.FunctionConfig;
import dev.lambdaop.aws.ObservedFunction;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
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
    // Logging left unset in the spec means "whatever AWS defaults to": nothing to compare.
    FunctionConfig have = want.logging() == null ? observed.config().withLogging(null) : observed.config();
    List<String> changed = changedFields(want, have);
    // Architecture can only change with new code (UpdateFunctionCode takes it); everything else is configuration.
    boolean updateConfiguration = changed.stream().anyMatch(f -> !f.equals("architecture"));
    if (changed.contains("architecture")) {
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
    return new FunctionPlan(updateCode, updateConfiguration, changed, tagsToSet, tagsToRemove);
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
    List<String> changed = new ArrayList<>();
    for (RecordComponent component : FunctionConfig.class.getRecordComponents()) {
      if (component.getName().equals("tags")) {
        continue;
      }
      try {
        Object a = component.getAccessor().invoke(want);
        Object b = component.getAccessor().invoke(have);
        if (!Objects.equals(a, b)) {
          changed.add(component.getName());
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    return changed;
  }
}
