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
    // Logging settings left unset in the spec mean "whatever AWS defaults to": nothing to compare.
    FunctionConfig have = observed.config().withLogging(comparableLogging(want.logging(), observed.config().logging()));
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

  /**
   * The observed logging, with every setting the spec leaves out taken as it is, so that only set ones compare. An
   * endpoint that reports no logging configuration at all (AWS always does; moto does not implement it) cannot show
   * a difference, and must not cause an update at every resync.
   */
  static FunctionConfig.Logging comparableLogging(FunctionConfig.Logging want, FunctionConfig.Logging have) {
    if (want == null || have == null) {
      return want;
    }
    return new FunctionConfig.Logging(
        want.logGroup() == null ? null : have.logGroup(),
        want.logFormat() == null ? null : have.logFormat(),
        want.applicationLogLevel() == null ? null : have.applicationLogLevel(),
        want.systemLogLevel() == null ? null : have.systemLogLevel());
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
