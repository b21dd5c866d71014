package dev.lambdaop.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * What the operator observed and did for a LambdaAlias. The shift's timings live here as stored times, so a
 * restarted operator resumes where it stopped. abort and promoteFull are the user's manual controls.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LambdaAliasStatus implements ReconciledStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("The AWS account (12 digits) this resource's AWS objects live in: the account of its namespace's role (annotation lambdaop.dev/aws-role-arn of the Namespace), else the operator's own. Recorded by the operator; a namespace mapped to another account afterwards is refused (AccountChanged).")
  public String accountId;

  @JsonPropertyDescription("Healthy, Progressing, Paused or Degraded.")
  public Phase phase;

  @JsonPropertyDescription("What is happening and what happens next, and when.")
  public String message;

  @JsonPropertyDescription("Name of the function in AWS.")
  public String functionName;

  @JsonPropertyDescription("AWS region of the function, as the operator resolved it (spec.region, the region of a functionName ARN, the referenced LambdaFunction's, or the operator's).")
  public String region;

  @JsonPropertyDescription("ARN of the alias.")
  public String aliasArn;

  @JsonPropertyDescription("AWS revision of the alias.")
  public String revisionId;

  @JsonPropertyDescription("Version that serves traffic when no shift runs.")
  public String stableVersion;

  @JsonPropertyDescription("Version traffic is moving to during a shift.")
  public String canaryVersion;

  @JsonPropertyDescription("Percent of traffic on canaryVersion.")
  public Integer canaryWeight;

  @JsonPropertyDescription("Index of the current step of the shift.")
  public Integer currentStepIndex;

  @JsonPropertyDescription("When the current step started (RFC 3339).")
  public String stepStartedAt;

  @JsonPropertyDescription("When the running shift started (RFC 3339).")
  public String shiftStartedAt;

  @JsonPropertyDescription("Why the shift is paused, if it is.")
  public List<PauseCondition> pauseConditions = new ArrayList<>();

  @JsonPropertyDescription("Results of the pre- and post-traffic hooks of the current shift.")
  public Hooks hooks;

  @JsonPropertyDescription("Manual control: true rolls back to stableVersion now (phase Degraded); setting it back to false retries.")
  public Boolean abort;

  @JsonPropertyDescription("Manual control: true moves 100% of traffic to canaryVersion now.")
  public Boolean promoteFull;

  @JsonPropertyDescription("Manual control: true ends the current pause (an indefinite one, or the rest of a timed one) and goes on with the next step; the operator sets it back to false.")
  public Boolean promote;

  @JsonPropertyDescription("The generation at which the operator rolled a shift back (alarm, error rate, hook); a new generation, or the user setting status.abort back to false, ends the rollback.")
  public Long rolledBackAtGeneration;

  @JsonPropertyDescription("Past shifts, newest first (bounded).")
  public List<ShiftRecord> history = new ArrayList<>();

  @JsonPropertyDescription("Ids of the statements the operator added to the alias's policy (spec.permissions, and the public statement of a function URL with authType NONE): the only ones it changes or removes.")
  public List<String> permissions;

  @JsonPropertyDescription("The URL of the alias's function URL (spec.functionUrl), which the operator manages.")
  public String functionUrl;

  @JsonPropertyDescription("true while the operator manages the alias's asynchronous invocation configuration (spec.asyncInvoke).")
  public Boolean asyncInvokeConfigured;

  @JsonPropertyDescription("The alias's provisioned concurrency (spec.provisionedConcurrency) as AWS reports it.")
  public ProvisionedConcurrency provisionedConcurrency;

  @JsonPropertyDescription("Conditions Ready, Progressing and Degraded, Kubernetes style.")
  public List<Condition> conditions = new ArrayList<>();

  /** A shift runs: traffic is moving to canaryVersion, and it was not rolled back or aborted. */
  public boolean shifting() {
    return canaryVersion != null && phase != Phase.Degraded;
  }

  /** The percent of traffic on canaryVersion (0 when no shift runs). */
  public int canaryPercent() {
    return canaryWeight == null ? 0 : canaryWeight;
  }

  /** status.abort is set: by the user, or by the operator's rollback. */
  public boolean abortRequested() {
    return Boolean.TRUE.equals(abort);
  }

  public boolean promoteRequested() {
    return Boolean.TRUE.equals(promote);
  }

  public boolean promoteFullRequested() {
    return Boolean.TRUE.equals(promoteFull);
  }

  /** The operator rolled the shift back (hook, alarm, error rate); otherwise a Degraded alias was aborted. */
  public boolean rolledBack() {
    return rolledBackAtGeneration != null;
  }

  /** The operator's rollback holds: until the spec changes or the user clears status.abort. */
  public boolean rollbackHeld() {
    return abortRequested() && rolledBack();
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ProvisionedConcurrency {
    public static final String IN_PROGRESS = "IN_PROGRESS";
    public static final String READY = "READY";
    public static final String FAILED = "FAILED";

    @JsonPropertyDescription("Provisioned concurrency asked for.")
    public Integer requested;

    @JsonPropertyDescription("Provisioned concurrency available now.")
    public Integer available;

    @JsonPropertyDescription("Provisioned concurrency allocated (across the alias's versions during a shift).")
    public Integer allocated;

    @JsonPropertyDescription("IN_PROGRESS, READY or FAILED.")
    public String status;

    @JsonPropertyDescription("Why AWS could not allocate it (FAILED).")
    public String statusReason;
  }

  /** How a Degraded alias got there: rolled back by the operator, or aborted by the user. */
  public ShiftResult degradedAs() {
    return rolledBack() ? ShiftResult.RolledBack : ShiftResult.Aborted;
  }

  /** The newest entry of the history, or null. */
  public ShiftRecord lastShift() {
    return history == null || history.isEmpty() ? null : history.get(0);
  }

  /** When spec.paused took hold (the start of the PausedBySpec pause condition), or null. */
  public String specPauseStart() {
    return pauseConditions == null ? null : pauseConditions.stream()
        .filter(p -> PauseCondition.BY_SPEC.equals(p.reason)).findFirst().map(p -> p.startTime).orElse(null);
  }

  public enum Phase {
    Healthy,
    Progressing,
    Paused,
    Degraded
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class PauseCondition {
    /** spec.paused holds the shift. */
    public static final String BY_SPEC = "PausedBySpec";
    /** An indefinite pause step holds the shift until a promote. */
    public static final String BY_STEP = "PausedByStep";

    @JsonPropertyDescription("PausedBySpec, or PausedByStep for an indefinite pause step.")
    public String reason;

    @JsonPropertyDescription("When the pause began (RFC 3339).")
    public String startTime;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Hooks {
    @JsonPropertyDescription("Result of the pre-traffic hook.")
    public HookResult preTraffic;

    @JsonPropertyDescription("Result of the post-traffic hook.")
    public HookResult postTraffic;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HookResult {
    public static final String SUCCEEDED = "Succeeded";
    public static final String FAILED = "Failed";
    /** Invoked (or waiting for a free hook thread): the shift waits for its answer. */
    public static final String RUNNING = "Running";
    /** The shift it ran for ended or changed while it ran: its answer is not used. */
    public static final String ABANDONED = "Abandoned";

    @JsonPropertyDescription("The version the hook tested.")
    public String version;

    @JsonPropertyDescription("Running, Succeeded, Failed, or Abandoned (the shift it ran for ended or changed while it ran; its answer is not used).")
    public String result;

    @JsonPropertyDescription("What it is doing while Running; why it failed or was abandoned.")
    public String message;

    @JsonPropertyDescription("When the operator started this attempt (RFC 3339); with version, it names the attempt.")
    public String startedAt;

    @JsonPropertyDescription("When it finished (RFC 3339).")
    public String finishedAt;

    public boolean running() {
      return RUNNING.equals(result);
    }

    /** Whether the hook passed for this version (a result for another version is of an earlier shift). */
    public boolean passedFor(String shiftVersion) {
      return SUCCEEDED.equals(result) && shiftVersion.equals(version);
    }

    public boolean failed() {
      return FAILED.equalsIgnoreCase(result);
    }
  }

  /** How a shift ended: the values of {@link ShiftRecord#result}. */
  public enum ShiftResult {
    Promoted("promoted"),
    RolledBack("rolled back"),
    Aborted("aborted"),
    Superseded("superseded");

    private final String words;

    ShiftResult(String words) {
      this.words = words;
    }

    /** As a sentence says it: "rolled back". */
    public String words() {
      return words;
    }

    /** Traffic went back to the stable version. */
    public boolean failed() {
      return this == RolledBack || this == Aborted;
    }

    /** The result a history record names, or null for none or an unknown one. */
    public static ShiftResult of(String result) {
      for (ShiftResult r : values()) {
        if (r.name().equals(result)) {
          return r;
        }
      }
      return null;
    }
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ShiftRecord {
    @JsonPropertyDescription("Version traffic moved from.")
    public String fromVersion;

    @JsonPropertyDescription("Version traffic moved to.")
    public String toVersion;

    @JsonPropertyDescription("Promoted, RolledBack, Aborted or Superseded.")
    public String result;

    @JsonPropertyDescription("Why it ended so.")
    public String reason;

    @JsonPropertyDescription("When the shift started (RFC 3339).")
    public String startedAt;

    @JsonPropertyDescription("When it ended (RFC 3339).")
    public String finishedAt;
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
