package dev.lambdaop.cli;

import dev.lambdaop.alias.TriggerPlan;
import dev.lambdaop.api.EventSourceMapping;
import dev.lambdaop.api.EventSourceMappingSpec;
import dev.lambdaop.api.EventSourceMappingStatus;
import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaAliasSpec;
import dev.lambdaop.api.LambdaAliasStatus;
import dev.lambdaop.api.LambdaAliasStatus.HookResult;
import dev.lambdaop.api.LambdaAliasStatus.Phase;
import dev.lambdaop.api.LambdaAliasStatus.ShiftRecord;
import dev.lambdaop.api.LambdaAliasStatus.ShiftResult;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.shift.ShiftPlanner;
import dev.lambdaop.shift.ShiftStep;
import dev.lambdaop.shift.TrafficShiftPlan;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Draws a LambdaAlias's traffic shift as text: phase and message, a bar of the new version's weight, the current
 * step and the time to the next one, the plan, hooks, rollback settings, pauses, conditions and history. Pure: the
 * same alias, function and time always give the same text. The steps come from the project's own planner
 * ({@link TrafficShiftPlan}, {@link ShiftPlanner}), so the plugin and the operator never disagree on them.
 */
public final class StatusView {
  static final int BAR_WIDTH = 30;
  static final int HISTORY_LINES = 5;
  /** Items of the plan shown at once around the current step. */
  static final int PLAN_WINDOW = 9;
  private static final String INDENT = " ".repeat(13);

  private StatusView() {}

  /**
   * @param alias the LambdaAlias as the API server has it
   * @param function the LambdaFunction its spec.functionRef names, or null (functionName, or not found)
   * @param now the time countdowns count to
   */
  public static String render(LambdaAlias alias, LambdaFunction function, Instant now, Style style) {
    return render(alias, function, List.of(), now, style);
  }

  /**
   * @param mappings the EventSourceMappings of the alias's namespace that target it ({@link #targets})
   */
  public static String render(LambdaAlias alias, LambdaFunction function, List<EventSourceMapping> mappings,
      Instant now, Style style) {
    List<String> lines = new ArrayList<>();
    LambdaAliasSpec spec = alias.getSpec() == null ? new LambdaAliasSpec() : alias.getSpec();
    LambdaAliasStatus status = alias.getStatus();
    String name = alias.getMetadata().getName();
    lines.add(row("LambdaAlias", style.bold(alias.getMetadata().getNamespace() + "/" + name)
        + style.dim("  alias " + alias.aliasName())));
    lines.add(row("Function", function(spec, status, function, style)));

    List<ShiftStep> steps;
    String stepsProblem = null;
    try {
      steps = TrafficShiftPlan.steps(spec.deployment);
    } catch (RuntimeException e) {
      steps = List.of();
      stepsProblem = "cannot read spec.deployment: " + e.getMessage();
    }

    if (status == null || status.phase == null) {
      lines.add(row("Phase", style.dim("- (the operator has not reported on this alias yet)")));
      conditions(lines, status, style);
      lines.add(row("Plan", stepsProblem != null ? stepsProblem : plan(steps, -1, style)));
      return join(lines);
    }

    Long generation = alias.getMetadata().getGeneration();
    String stale = generation != null && !generation.equals(status.observedGeneration)
        ? style.dim("  (status of generation " + status.observedGeneration + ", spec at " + generation + ")") : "";
    lines.add(row("Phase", phase(status.phase, style) + stale));
    if (status.message != null && !status.message.isBlank()) {
      lines.add(row("Message", status.message));
    }
    lines.add(row("Traffic", traffic(Traffic.of(alias), style)));

    boolean shifting = status.shifting();
    String pending = pendingShift(spec, status, function, shifting);
    if (pending != null) {
      lines.add(row("Pending", style.cyan(pending)));
    }
    if (shifting) {
      lines.add(row("Step", stepsProblem != null ? stepsProblem : step(name, spec, status, steps, now, style)));
    }
    int current = shifting ? orZero(status.currentStepIndex) : -1;
    lines.add(row("Plan", stepsProblem != null ? stepsProblem : plan(steps, current, style)));
    LambdaAliasSpec.Deployment deployment = spec.deployment;
    LambdaAliasStatus.Hooks hooks = status.hooks;
    if ((deployment != null && deployment.preTrafficHook != null) || (hooks != null && hooks.preTraffic != null)) {
      lines.add(row("Pre-traffic", hook(deployment == null ? null : deployment.preTrafficHook,
          hooks == null ? null : hooks.preTraffic, false, status, now, style)));
    }
    if ((deployment != null && deployment.postTrafficHook != null) || (hooks != null && hooks.postTraffic != null)) {
      lines.add(row("Post-traffic", hook(deployment == null ? null : deployment.postTrafficHook,
          hooks == null ? null : hooks.postTraffic, true, status, now, style)));
    }
    if (deployment != null && deployment.rollback != null) {
      String rollback = rollback(deployment.rollback, status, shifting, style);
      if (rollback != null) {
        lines.add(row("Rollback", rollback));
      }
    }
    String paused = paused(spec, status, now);
    if (paused != null) {
      lines.add(row("Paused", style.yellow(paused)));
    }
    triggers(lines, spec, status, style);
    mappings(lines, mappings, style);
    conditions(lines, status, style);
    history(lines, status.history, now, style);
    return join(lines);
  }

  // ---- lines ------------------------------------------------------------------------------

  private static String function(LambdaAliasSpec spec, LambdaAliasStatus status, LambdaFunction function,
      Style style) {
    String aws = status != null && status.functionName != null ? status.functionName : null;
    if (spec.functionRef == null) {
      return (spec.functionName != null ? spec.functionName : "?") + style.dim("  (not managed by the operator)");
    }
    String ref = spec.functionRef.name;
    if (function == null) {
      return (aws != null ? aws + " " : "") + style.red("(LambdaFunction " + ref + " not found)");
    }
    StringBuilder b = new StringBuilder(aws != null ? aws : function.functionName());
    b.append(style.dim("  LambdaFunction " + ref));
    if (function.getStatus() != null && function.getStatus().latestVersion != null) {
      b.append(style.dim(", latest version " + function.getStatus().latestVersion));
    }
    if (function.getStatus() != null) {
      Long generation = function.getMetadata().getGeneration();
      if (generation != null && !generation.equals(function.getStatus().observedGeneration)) {
        b.append(", ").append(style.yellow("spec changed, not deployed yet"));
      } else {
        dev.lambdaop.status.Conditions.find(function.getStatus().conditions, "Ready")
            .filter(c -> !"True".equals(c.getStatus()))
            .ifPresent(c -> b.append(", ").append(style.red("Ready " + c.getStatus() + " " + c.getReason())));
      }
    }
    return b.toString();
  }

  /** A version the LambdaFunction published that the alias has not started shifting to yet, or null. */
  static String pendingShift(LambdaAliasSpec spec, LambdaAliasStatus status, LambdaFunction function,
      boolean shifting) {
    if (shifting || status.phase == Phase.Degraded || !spec.followsLatest() || spec.functionRef == null
        || function == null || function.getStatus() == null) {
      return null;
    }
    String version = spec.targetVersion(function.getStatus().latestVersion);
    if (version == null || version.equals(status.stableVersion)) {
      return null;
    }
    boolean preHook = spec.deployment != null && spec.deployment.preTrafficHook != null;
    return "version " + version + " published; the shift to it starts at the operator's next reconcile"
        + (preHook ? ", pre-traffic hook first" : "");
  }

  static String phase(Phase phase, Style style) {
    String text = phase.name();
    return switch (phase) {
      case Healthy -> style.green(text);
      case Progressing -> style.cyan(text);
      case Paused -> style.yellow(text);
      case Degraded -> style.red(text);
    };
  }

  /** stable 6 [██████░░░░] 30% → 7 */
  static String traffic(Traffic traffic, Style style) {
    if (traffic == null) {
      return "-";
    }
    if (traffic.additional() == null) {
      return "all on version " + traffic.primary() + " " + bar(100, style) + " 100%";
    }
    String arrow = " " + style.arrow() + " ";
    return switch (traffic.role()) {
      case "canary" -> "stable " + traffic.primary() + " " + bar(traffic.percent(), style) + " "
          + Traffic.percent(traffic.percent()) + arrow + traffic.additional();
      case "routing" -> "version " + traffic.primary() + " " + bar(traffic.percent(), style) + " "
          + Traffic.percent(traffic.percent()) + arrow + traffic.additional() + style.dim(" (spec.routing)");
      default -> "stable " + traffic.primary() + " " + bar(0, style) + " 0%" + arrow
          + traffic.additional() + " " + style.red("(" + traffic.role() + ")");
    };
  }

  /** [██████░░░░░░] with {@link #BAR_WIDTH} cells, the filled ones for the percent. */
  static String bar(double percent, Style style) {
    int filled = (int) Math.round(Math.max(0, Math.min(100, percent)) * BAR_WIDTH / 100.0);
    return "[" + style.cyan(style.filled().repeat(filled)) + style.empty().repeat(BAR_WIDTH - filled) + "]";
  }

  /** 2 of 4: wait 3s at 25% · next: setWeight 75 in 2s (at 18:03:00Z) */
  static String step(String name, LambdaAliasSpec spec, LambdaAliasStatus status, List<ShiftStep> steps,
      Instant now, Style style) {
    int weight = status.canaryPercent();
    if (steps.isEmpty()) {
      return "all at once";
    }
    int index = orZero(status.currentStepIndex);
    if (index >= steps.size()) {
      boolean postHook = spec.deployment != null && spec.deployment.postTrafficHook != null;
      return "all " + steps.size() + " steps done, " + weight + "% on version " + status.canaryVersion
          + (postHook ? "; post-traffic hook running" : "; promoting");
    }
    ShiftStep step = steps.get(index);
    String head = (index + 1) + " of " + steps.size() + ": " + describe(step) + " at " + weight + "%";
    String next = index + 1 < steps.size() ? describe(steps.get(index + 1))
        : "100% on version " + status.canaryVersion;
    Instant started = Times.parse(status.stepStartedAt);
    Instant pausedSince = Times.parse(status.specPauseStart());
    boolean specPaused = Boolean.TRUE.equals(spec.paused);
    ShiftPlanner.Decision d = ShiftPlanner.evaluate(steps,
        new ShiftPlanner.Position(index, started == null ? now : started, pausedSince),
        new ShiftPlanner.Controls(specPaused, false, false), now);
    String sep = " " + style.dot() + " ";
    return switch (d.state()) {
      case PAUSED -> {
        String left = "";
        if (step.pause() != null && started != null) {
          Instant since = d.pausedSince() == null ? now : d.pausedSince();
          Duration remaining = step.pause().minus(Duration.between(started, since));
          left = ", " + Times.duration(remaining) + " of it left on resume";
        }
        yield head + sep + "held by spec.paused" + left;
      }
      case WAITING_FOR_PROMOTE -> head + sep + "waiting for a promote (kubectl lambdaop promote " + name + ")";
      case WAITING -> d.stepIndex() == index && d.nextAt() != null
          ? head + sep + "next: " + next + " in " + Times.duration(Duration.between(now, d.nextAt())) + " (at "
              + Times.clock(d.nextAt(), now) + ")"
          : head + sep + "next: " + next + " due now";
      case COMPLETE -> head + sep + "next: " + next + " due now";
    };
  }

  /** setWeight 25, wait 3s, wait for promote */
  static String describe(ShiftStep step) {
    if (step.isWeight()) {
      return "setWeight " + step.setWeight();
    }
    return step.isIndefinitePause() ? "wait for promote" : "wait " + Times.duration(step.pause());
  }

  /** 25% → [wait 3s] → 75% → wait 3s → 100%, around the current step when the plan is long. */
  static String plan(List<ShiftStep> steps, int current, Style style) {
    if (steps.isEmpty()) {
      return "all at once";
    }
    List<String> items = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      ShiftStep s = steps.get(i);
      String item = s.isWeight() ? s.setWeight() + "%" : describe(s);
      items.add(i == current ? style.bold("[" + item + "]") : item);
    }
    items.add(current >= steps.size() ? style.bold("[100%]") : "100%");
    int from = 0;
    int to = items.size();
    if (items.size() > PLAN_WINDOW) {
      int anchor = Math.max(0, current);
      from = Math.max(0, Math.min(anchor - 3, items.size() - PLAN_WINDOW));
      to = from + PLAN_WINDOW;
    }
    String arrow = " " + style.arrow() + " ";
    String ellipsis = style.unicode() ? "…" : "...";
    return (from > 0 ? ellipsis + arrow : "") + String.join(arrow, items.subList(from, to))
        + (to < items.size() ? arrow + ellipsis : "") + style.dim("  (" + steps.size() + " steps)");
  }

  /** smoke: succeeded at 18:02:01Z (version 2) */
  static String hook(LambdaAliasSpec.Hook hook, HookResult result, boolean post, LambdaAliasStatus status,
      Instant now, Style style) {
    String name = hook != null ? hook.functionName : "(no longer in spec)";
    String shiftVersion = status.canaryVersion;
    String state;
    if (result != null && result.running() && (shiftVersion == null || shiftVersion.equals(result.version))) {
      Instant since = Times.parse(result.startedAt);
      state = style.cyan("running") + (since != null ? " since " + Times.clock(since, now) : "")
          + (result.version != null ? " (version " + result.version + ")" : "")
          + (result.message != null ? ": " + result.message : "");
    } else if (result != null && result.result != null
        && (shiftVersion == null || shiftVersion.equals(result.version))) {
      boolean failed = result.failed();
      String word = result.result.toLowerCase(Locale.ROOT);
      Instant at = Times.parse(result.finishedAt);
      state = (failed ? style.red(word) : style.green(word))
          + (at != null ? " at " + Times.clock(at, now) : "")
          + (result.version != null ? " (version " + result.version + ")" : "")
          + (failed && result.message != null ? ": " + result.message : "");
    } else if (hook == null) {
      state = "-";
    } else if (status.shifting()) {
      boolean full = status.canaryPercent() >= 100;
      state = post ? (full ? style.cyan("running") : "pending (runs once 100% is on version " + shiftVersion + ")")
          : style.cyan("running");
    } else {
      state = "pending" + (post ? " (runs at 100% of the next shift)" : " (runs before the next shift)");
    }
    return name + ": " + state;
  }

  /** alarms a, b · error rate > 0.05 after 20 invocations · watching (every 5s) */
  static String rollback(LambdaAliasSpec.Rollback rollback, LambdaAliasStatus status, boolean shifting,
      Style style) {
    List<String> parts = new ArrayList<>();
    if (rollback.alarms != null && !rollback.alarms.isEmpty()) {
      parts.add("alarms " + String.join(", ", rollback.alarms));
    }
    if (rollback.errorRate != null) {
      parts.add("error rate > " + rollback.errorRate.max + " after " + rollback.errorRate.invocationsNeeded()
          + " invocations");
    }
    if (parts.isEmpty()) {
      return null;
    }
    ShiftRecord last = status.lastShift();
    String state;
    if (status.phase == Phase.Degraded && last != null && ShiftResult.of(last.result) == ShiftResult.RolledBack) {
      state = style.red("rolled back: " + last.reason);
    } else if (shifting) {
      state = style.cyan("watching") + " (every " + Times.duration(LambdaAliasSpec.Rollback.CHECK_INTERVAL) + ")";
    } else {
      state = "idle (watched while a shift runs)";
    }
    return String.join(" " + style.dot() + " ", parts) + " " + style.dot() + " " + state;
  }

  static String paused(LambdaAliasSpec spec, LambdaAliasStatus status, Instant now) {
    List<String> parts = new ArrayList<>();
    boolean bySpec = false;
    for (LambdaAliasStatus.PauseCondition p : status.pauseConditions == null
        ? List.<LambdaAliasStatus.PauseCondition>of() : status.pauseConditions) {
      bySpec |= LambdaAliasStatus.PauseCondition.BY_SPEC.equals(p.reason);
      Instant since = Times.parse(p.startTime);
      parts.add(p.reason + (since == null ? "" : " since " + Times.clock(since, now) + " (" + Times.ago(since, now)
          + ")"));
    }
    boolean specPaused = Boolean.TRUE.equals(spec.paused);
    if (specPaused && !bySpec) {
      parts.add(!status.shifting()
          ? "spec.paused: the next shift holds at 0% until resumed"
          : "spec.paused: not applied by the operator yet");
    } else if (!specPaused && bySpec) {
      parts.add("resuming (spec.paused is false)");
    }
    return parts.isEmpty() ? null : String.join("; ", parts);
  }

  /**
   * What reaches the alias: its function URL, the permissions on it, its asynchronous invocation settings and its
   * provisioned concurrency, each as the spec asks and as the status says AWS has it.
   */
  static void triggers(List<String> lines, LambdaAliasSpec spec, LambdaAliasStatus status, Style style) {
    if (spec.functionUrl != null || status.functionUrl != null) {
      String url = status.functionUrl != null ? status.functionUrl : style.dim("(not created yet)");
      if (spec.functionUrl == null) {
        lines.add(row("URL", url + style.dim("  (no longer in spec: removed at the next pass)")));
      } else {
        List<String> parts = new ArrayList<>();
        parts.add(String.valueOf(spec.functionUrl.authType));
        if (spec.functionUrl.invokeMode != null) {
          parts.add(spec.functionUrl.invokeMode.name());
        }
        if (spec.functionUrl.cors != null && spec.functionUrl.cors.allowOrigins != null) {
          parts.add("CORS " + String.join(", ", spec.functionUrl.cors.allowOrigins));
        }
        lines.add(row("URL", url + style.dim("  (" + String.join(", ", parts) + ")")));
      }
    }
    List<String> added = status.permissions == null ? List.of() : status.permissions;
    String label = "Permissions";
    for (LambdaAliasSpec.Permission p : spec.permissions == null ? List.<LambdaAliasSpec.Permission>of()
        : spec.permissions) {
      String id = TriggerPlan.statementId(p);
      String action = p.action == null || p.action.equals("lambda:InvokeFunction") ? "" : " " + p.action;
      String from = p.sourceArn != null ? " from " + p.sourceArn
          : p.sourceAccount != null ? " from account " + p.sourceAccount
          : p.principalOrgId != null ? " from organization " + p.principalOrgId : "";
      String state = added.contains(id) ? "" : " " + style.yellow("(not in AWS yet)");
      lines.add(row(label, id + ": " + p.principal + action + from + state));
      label = "";
    }
    if (added.contains(TriggerPlan.PUBLIC_URL_STATEMENT)) {
      lines.add(row(label, TriggerPlan.PUBLIC_URL_STATEMENT + ": * lambda:InvokeFunctionUrl"
          + style.dim(" (the public URL's, added by the operator)")));
    }
    if (spec.asyncInvoke != null) {
      LambdaAliasSpec.AsyncInvoke a = spec.asyncInvoke;
      List<String> parts = new ArrayList<>();
      if (a.maximumRetryAttempts != null) {
        parts.add(a.maximumRetryAttempts + (a.maximumRetryAttempts == 1 ? " retry" : " retries"));
      }
      if (a.maximumEventAge != null) {
        parts.add("events up to " + a.maximumEventAge + " old");
      }
      String arrow = " " + style.arrow() + " ";
      if (a.onSuccess != null && a.onSuccess.destination != null) {
        parts.add("on success" + arrow + a.onSuccess.destination);
      }
      if (a.onFailure != null && a.onFailure.destination != null) {
        parts.add("on failure" + arrow + a.onFailure.destination);
      }
      lines.add(row("Async", parts.isEmpty() ? "AWS's defaults" : String.join(" " + style.dot() + " ", parts)));
    }
    LambdaAliasStatus.ProvisionedConcurrency pc = status.provisionedConcurrency;
    if (spec.provisionedConcurrency != null && spec.provisionedConcurrency > 0 || pc != null) {
      if (pc == null) {
        lines.add(row("Provisioned", spec.provisionedConcurrency + " requested " + style.dim("(not set in AWS yet)")));
      } else {
        String word = String.valueOf(pc.status);
        String state = LambdaAliasStatus.ProvisionedConcurrency.READY.equals(pc.status) ? style.green(word)
            : LambdaAliasStatus.ProvisionedConcurrency.FAILED.equals(pc.status) ? style.red(word) : style.cyan(word);
        lines.add(row("Provisioned", (pc.available == null ? 0 : pc.available) + " of " + pc.requested
            + " available " + state + (pc.statusReason == null ? "" : ": " + pc.statusReason)));
      }
    }
  }

  /** Whether the mapping sends its events to this alias: by aliasRef, or to its function with the alias as qualifier. */
  public static boolean targets(EventSourceMapping mapping, LambdaAlias alias) {
    EventSourceMappingSpec m = mapping.getSpec();
    LambdaAliasSpec a = alias.getSpec();
    if (m == null || a == null
        || !java.util.Objects.equals(mapping.getMetadata().getNamespace(), alias.getMetadata().getNamespace())) {
      return false;
    }
    if (m.aliasRef != null) {
      return alias.getMetadata().getName().equals(m.aliasRef.name);
    }
    String qualifier = m.qualifier;
    String function = m.functionName;
    if (function != null && qualifier == null && function.contains(":")) {
      String[] parts = function.split(":");
      qualifier = parts[parts.length - 1];
      function = function.startsWith("arn:") && parts.length >= 7 ? parts[6] : parts[0];
    } else if (function != null && function.startsWith("arn:")) {
      String[] parts = function.split(":");
      function = parts.length >= 7 ? parts[6] : function;
    }
    if (!alias.aliasName().equals(qualifier)) {
      return false;
    }
    if (m.functionRef != null) {
      return a.functionRef != null && m.functionRef.name.equals(a.functionRef.name);
    }
    String aliasFunction = alias.getStatus() != null && alias.getStatus().functionName != null
        ? alias.getStatus().functionName : a.functionName;
    return function != null && function.equals(aliasFunction);
  }

  /** orders-queue: sqs orders → Enabled · Ready True */
  private static void mappings(List<String> lines, List<EventSourceMapping> mappings, Style style) {
    String label = "Mappings";
    for (EventSourceMapping m : mappings) {
      EventSourceMappingStatus s = m.getStatus();
      String source = m.getSpec() == null ? "?" : source(m.getSpec().eventSourceArn);
      String state = s == null || s.state == null ? style.dim("not created yet") : s.state.equals("Enabled")
          ? style.green(s.state) : s.state.equals("Disabled") ? style.yellow(s.state) : style.cyan(s.state);
      String ready = s == null ? "" : dev.lambdaop.status.Conditions.find(s.conditions, "Ready")
          .map(c -> " " + style.dot() + " " + ("True".equals(c.getStatus()) ? "Ready True"
              : style.red("Ready " + c.getStatus() + " " + c.getReason())))
          .orElse("");
      String last = s == null || s.lastProcessingResult == null ? "" : style.dim("  last batch: "
          + s.lastProcessingResult);
      lines.add(row(label, m.getMetadata().getName() + ": " + source + " " + style.arrow() + " " + state + ready
          + last));
      label = "";
    }
  }

  /** arn:aws:sqs:eu-west-1:1:orders → sqs orders; arn:aws:kinesis:...:stream/clicks → kinesis stream/clicks */
  static String source(String arn) {
    if (arn == null) {
      return "?";
    }
    String[] parts = arn.split(":", 6);
    return parts.length == 6 ? parts[2] + " " + parts[5] : arn;
  }

  private static void conditions(List<String> lines, LambdaAliasStatus status, Style style) {
    if (status == null || status.conditions == null || status.conditions.isEmpty()) {
      return;
    }
    List<String> parts = new ArrayList<>();
    Condition notReady = null;
    for (Condition c : status.conditions) {
      String text = c.getType() + " " + c.getStatus() + (c.getReason() == null ? "" : " " + c.getReason());
      boolean ready = "Ready".equals(c.getType());
      if (ready && !"True".equals(c.getStatus())) {
        notReady = c;
        text = style.red(text);
      } else if ("Degraded".equals(c.getType()) && "True".equals(c.getStatus())) {
        text = style.red(text);
      }
      parts.add(text);
    }
    lines.add(row("Conditions", String.join(" " + style.dot() + " ", parts)));
    if (notReady != null && notReady.getMessage() != null && !notReady.getMessage().isBlank()) {
      lines.add(INDENT + style.red(notReady.getMessage()));
    }
  }

  private static void history(List<String> lines, List<ShiftRecord> history, Instant now, Style style) {
    if (history == null || history.isEmpty()) {
      lines.add(row("History", style.dim("no shift yet")));
      return;
    }
    String label = "History";
    int shown = Math.min(HISTORY_LINES, history.size());
    for (int i = 0; i < shown; i++) {
      ShiftRecord r = history.get(i);
      String versions = pad(r.fromVersion + " " + style.arrow() + " " + r.toVersion, 9);
      String result = pad(Objects.toString(r.result, "?"), 10);
      ShiftResult ended = ShiftResult.of(r.result);
      result = ended == ShiftResult.Promoted ? style.green(result)
          : ended != null && ended.failed() ? style.red(result) : style.yellow(result);
      Instant finished = Times.parse(r.finishedAt);
      Instant started = Times.parse(r.startedAt);
      String when = finished == null ? "" : " " + Times.clock(finished, now);
      String took = finished != null && started != null
          ? "  took " + Times.duration(Duration.between(started, finished)) : "";
      lines.add(row(label, versions + " " + result + when + took + (r.reason == null ? "" : "  " + r.reason)));
      label = "";
    }
    if (history.size() > shown) {
      lines.add(INDENT + style.dim("and " + (history.size() - shown) + " older"));
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  private static String row(String label, String value) {
    return pad(label, 13) + value;
  }

  private static String pad(String text, int width) {
    int visible = text.replaceAll("\u001b\\[[0-9;]*m", "").length();
    return visible >= width ? text + (text.isEmpty() ? "" : " ") : text + " ".repeat(width - visible);
  }

  private static int orZero(Integer i) {
    return i == null ? 0 : i;
  }

  private static String join(List<String> lines) {
    return String.join("\n", lines) + "\n";
  }
}
