package dev.lambdaop.alias;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.aws.AliasTriggers;
import dev.lambdaop.aws.AliasTriggers.AsyncConfig;
import dev.lambdaop.aws.AliasTriggers.Permission;
import dev.lambdaop.aws.AliasTriggers.Provisioned;
import dev.lambdaop.aws.AliasTriggers.UrlConfig;
import dev.lambdaop.reconcile.AwsFailure;
import dev.lambdaop.reconcile.SpecProblem;
import dev.lambdaop.status.Events;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Makes the alias's trigger targets (policy statements, function URL, asynchronous invocation, provisioned
 * concurrency) what the spec says, after the routing: decisions are {@link TriggerPlan}'s. It reads only what the
 * spec asks for or the status records (the request budget), and changes only what the operator added: the status
 * records each write as soon as AWS took it, so a failure later in the pass loses no record. All of it is on the
 * alias, not a version: routing never touches it.
 */
final class TriggerTargets {
  private final AliasTriggers aws;
  private final Events events;

  TriggerTargets(AliasTriggers aws, Events events) {
    this.aws = aws;
    this.events = events;
  }

  /**
   * @param aliasArn the alias in AWS (its policy statements name it as their resource)
   * @param status the pass's status: its trigger fields are updated here
   * @param provisionedOnly only read the provisioned concurrency (a pass that watches a running shift: the rest was
   *     made to match at this generation already, and is checked again when the shift ends)
   * @param provisionedRead what {@link #beforeStep} read in this pass, when the routing did not change since; null
   *     to read it
   */
  void apply(LambdaAlias resource, AliasTarget target, String aliasArn, LambdaAliasStatus status,
      boolean provisionedOnly, Optional<Provisioned> provisionedRead) {
    LambdaAliasSpec spec = resource.getSpec();
    if (!provisionedOnly) {
      permissions(resource, target, aliasArn, spec, status);
      url(resource, target, spec, status);
      asyncInvoke(resource, target, spec, status);
    }
    provisioned(resource, target, spec, status, provisionedOnly, provisionedRead);
  }

  /**
   * The alias's provisioned concurrency before the decision, read only when it matters to it: the spec asks for
   * some and a shift has traffic on both versions (AWS spreads it over them by weight, IN_PROGRESS until it is
   * done). Null when not read.
   */
  Optional<Provisioned> beforeStep(AliasTarget target, LambdaAliasSpec spec, LambdaAliasStatus known) {
    if (TriggerPlan.wantedProvisioned(spec) == 0 || !known.shifting() || known.canaryPercent() <= 0
        || known.canaryPercent() >= 100) {
      return null;
    }
    return aws.provisionedConcurrency(target.region(), target.functionName(), target.alias());
  }

  private void permissions(LambdaAlias resource, AliasTarget target, String aliasArn, LambdaAliasSpec spec,
      LambdaAliasStatus status) {
    List<Permission> wanted = TriggerPlan.desiredPermissions(spec);
    List<String> recorded = status.permissions == null ? List.of() : status.permissions;
    if (wanted.isEmpty() && recorded.isEmpty()) {
      return;
    }
    Map<String, TriggerPlan.Statement> observed = TriggerPlan.statements(
        aws.policy(target.region(), target.functionName(), target.alias()).orElse(null), aliasArn);
    TriggerPlan.PermissionChanges changes = TriggerPlan.permissions(wanted, observed, recorded);
    List<String> ours = new ArrayList<>(recorded);
    // Recorded statements that are gone from AWS and not wanted any more: nothing to remove.
    ours.removeIf(id -> !observed.containsKey(id) && wanted.stream().noneMatch(p -> p.statementId().equals(id)));
    for (String id : changes.adopted()) {
      ours.add(id);
    }
    try {
      for (String id : changes.remove()) {
        aws.removePermission(target.region(), target.functionName(), target.alias(), id);
        ours.remove(id);
      }
      for (Permission p : changes.add()) {
        refusedFor("spec.permissions (statement " + p.statementId() + ")", () -> {
          aws.addPermission(target.region(), target.functionName(), target.alias(), p);
          return null;
        });
        if (!ours.contains(p.statementId())) {
          ours.add(p.statementId());
        }
      }
    } finally {
      status.permissions = ours.isEmpty() ? null : ours;
    }
    if (!changes.remove().isEmpty() || !changes.add().isEmpty()) {
      events.normal(resource, "PermissionsUpdated", "alias " + target.alias() + ": added "
          + changes.add().stream().map(Permission::statementId).toList() + ", removed " + changes.remove());
    }
    if (!changes.conflicts().isEmpty()) {
      // Looked at again after the recheck period: the statement may be removed, and a running shift goes on.
      throw new SpecProblem("StatementIdInUse", "the policy of alias " + target.alias() + " of "
          + target.functionName() + " already has statement " + String.join(", ", changes.conflicts())
          + " with another content, which this LambdaAlias did not add: give spec.permissions[].statementId"
          + " another value (the existing statement is left as it is)", true);
    }
  }

  private void url(LambdaAlias resource, AliasTarget target, LambdaAliasSpec spec, LambdaAliasStatus status) {
    if (spec.functionUrl == null && status.functionUrl == null) {
      return;
    }
    String region = target.region();
    String function = target.functionName();
    String alias = target.alias();
    Optional<UrlConfig> observed = aws.url(region, function, alias);
    if (spec.functionUrl == null) {
      if (observed.isPresent()) {
        aws.deleteUrl(region, function, alias);
        events.normal(resource, "FunctionUrlDeleted", "deleted the function URL of alias " + alias);
      }
      status.functionUrl = null;
      return;
    }
    UrlConfig wanted = TriggerPlan.desiredUrl(spec.functionUrl);
    if (observed.isEmpty()) {
      UrlConfig created = refusedFor("spec.functionUrl", () -> aws.createUrl(region, function, alias, wanted));
      status.functionUrl = created.url();
      events.normal(resource, "FunctionUrlCreated", "alias " + alias + " has the function URL " + created.url());
    } else if (!TriggerPlan.urlMatches(wanted, observed.get())) {
      UrlConfig updated = refusedFor("spec.functionUrl", () -> aws.updateUrl(region, function, alias, wanted));
      status.functionUrl = updated.url() != null ? updated.url() : observed.get().url();
      events.normal(resource, "FunctionUrlUpdated", "updated the function URL of alias " + alias);
    } else {
      status.functionUrl = observed.get().url();
    }
  }

  private void asyncInvoke(LambdaAlias resource, AliasTarget target, LambdaAliasSpec spec,
      LambdaAliasStatus status) {
    boolean recorded = Boolean.TRUE.equals(status.asyncInvokeConfigured);
    if (spec.asyncInvoke == null && !recorded) {
      return;
    }
    String region = target.region();
    String function = target.functionName();
    String alias = target.alias();
    Optional<AsyncConfig> observed = aws.asyncInvoke(region, function, alias);
    if (spec.asyncInvoke == null) {
      if (observed.isPresent()) {
        aws.deleteAsyncInvoke(region, function, alias);
        events.normal(resource, "AsyncInvokeDeleted", "deleted the asynchronous invocation configuration of alias "
            + alias);
      }
      status.asyncInvokeConfigured = null;
      return;
    }
    AsyncConfig wanted = TriggerPlan.desiredAsync(spec.asyncInvoke);
    if (observed.isEmpty() || !TriggerPlan.asyncMatches(wanted, observed.get())) {
      refusedFor("spec.asyncInvoke", () -> {
        aws.putAsyncInvoke(region, function, alias, wanted);
        return null;
      });
      events.normal(resource, "AsyncInvokeUpdated", "set the asynchronous invocation configuration of alias "
          + alias);
    }
    status.asyncInvokeConfigured = true;
  }

  private void provisioned(LambdaAlias resource, AliasTarget target, LambdaAliasSpec spec, LambdaAliasStatus status,
      boolean readOnly, Optional<Provisioned> alreadyRead) {
    int wanted = TriggerPlan.wantedProvisioned(spec);
    if (wanted == 0 && status.provisionedConcurrency == null) {
      return;
    }
    String region = target.region();
    String function = target.functionName();
    String alias = target.alias();
    Optional<Provisioned> observed = alreadyRead != null ? alreadyRead
        : aws.provisionedConcurrency(region, function, alias);
    if (wanted == 0) {
      if (readOnly) {
        return;
      }
      if (observed.isPresent()) {
        aws.deleteProvisionedConcurrency(region, function, alias);
        events.normal(resource, "ProvisionedConcurrencyDeleted", "removed the provisioned concurrency of alias "
            + alias);
      }
      status.provisionedConcurrency = null;
      return;
    }
    Provisioned now = observed.orElse(null);
    if (!readOnly && (now == null || now.requested() == null || now.requested() != wanted)) {
      now = refusedFor("spec.provisionedConcurrency",
          () -> aws.putProvisionedConcurrency(region, function, alias, wanted));
      events.normal(resource, "ProvisionedConcurrencySet", "alias " + alias + ": provisioned concurrency "
          + wanted + " requested");
    }
    if (now != null) {
      status.provisionedConcurrency = TriggerPlan.status(now);
    }
  }

  /** A request AWS refused as invalid names the spec field it came from; anything else is as AWS said. */
  private static <T> T refusedFor(String field, Supplier<T> write) {
    try {
      return write.get();
    } catch (AwsFailure f) {
      if ("InvalidParameter".equals(f.reason())) {
        throw f.withMessage(f.getMessage() + " (check " + field + ")");
      }
      throw f;
    }
  }
}
