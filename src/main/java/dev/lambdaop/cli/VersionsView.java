package dev.lambdaop.cli;

import dev.lambdaop.api.LambdaAlias;
import dev.lambdaop.api.LambdaFunction;
import dev.lambdaop.api.LambdaFunctionStatus.PublishedVersion;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A LambdaFunction's published versions (from its status) and, for each, the LambdaAliases of the namespace that
 * route to it and with what weight. Pure.
 */
public final class VersionsView {
  static final int SHA_CHARS = 12;

  private VersionsView() {}

  /**
   * @param aliases the LambdaAliases of the function's namespace; those of other functions are ignored
   */
  public static String render(LambdaFunction function, List<LambdaAlias> aliases, Style style) {
    String name = function.getMetadata().getName();
    var status = function.getStatus();
    String awsName = status != null && status.functionName != null ? status.functionName : function.functionName();
    List<LambdaAlias> own = aliases.stream().filter(a -> belongsTo(a, name, awsName))
        .sorted(Comparator.comparing(a -> a.getMetadata().getName())).toList();

    Map<String, List<String>> routes = new LinkedHashMap<>();
    List<String> unreported = new ArrayList<>();
    for (LambdaAlias alias : own) {
      Traffic t = Traffic.of(alias);
      String aliasName = alias.getMetadata().getName();
      if (t == null) {
        unreported.add(aliasName);
        continue;
      }
      boolean split = t.additional() != null;
      routes.computeIfAbsent(t.primary(), k -> new ArrayList<>()).add(aliasName + " "
          + Traffic.percent(t.primaryPercent()) + (split && !"routing".equals(t.role()) ? " stable" : ""));
      if (split) {
        routes.computeIfAbsent(t.additional(), k -> new ArrayList<>()).add(aliasName + " "
            + Traffic.percent(t.percent()) + " " + t.role());
      }
    }

    StringBuilder out = new StringBuilder();
    out.append(style.bold("LambdaFunction " + function.getMetadata().getNamespace() + "/" + name))
        .append("  function ").append(awsName);
    if (status != null && status.latestVersion != null) {
      out.append("  latest version ").append(status.latestVersion);
    }
    out.append('\n');

    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"VERSION", "CODE SHA256", "PUBLISHED", "ALIASES"});
    TreeSet<String> listed = new TreeSet<>();
    List<PublishedVersion> versions = status == null || status.versions == null ? List.of() : status.versions;
    for (PublishedVersion v : versions) {
      listed.add(v.version);
      Instant at = Times.parse(v.publishedAt);
      rows.add(new String[] {
          v.version + (v.version != null && v.version.equals(status.latestVersion) ? " *" : ""),
          v.codeSha256 == null ? "-" : v.codeSha256.substring(0, Math.min(SHA_CHARS, v.codeSha256.length())),
          at == null ? "-" : Times.dateClock(at),
          String.join(", ", routes.getOrDefault(v.version, List.of("-")))});
    }
    routes.keySet().stream().filter(v -> !listed.contains(v))
        .sorted(Comparator.comparingLong(VersionsView::number).reversed())
        .forEach(v -> rows.add(new String[] {v, "-", "(not in status)", String.join(", ", routes.get(v))}));
    if (rows.size() == 1) {
      out.append("no version published yet\n");
    } else {
      out.append(table(rows));
      out.append(style.dim("* latest version")).append('\n');
    }
    for (String alias : unreported) {
      out.append(style.dim("LambdaAlias " + alias + ": the operator has not reported on it yet")).append('\n');
    }
    if (own.isEmpty()) {
      out.append(style.dim("no LambdaAlias in " + function.getMetadata().getNamespace() + " uses " + name))
          .append('\n');
    }
    return out.toString();
  }

  /** A LambdaAlias of this function: its functionRef names it, or its functionName is the AWS function's. */
  static boolean belongsTo(LambdaAlias alias, String name, String awsName) {
    var spec = alias.getSpec();
    if (spec == null) {
      return false;
    }
    if (spec.functionRef != null) {
      return name.equals(spec.functionRef.name);
    }
    return spec.functionName != null && awsName != null
        && (spec.functionName.equals(awsName) || spec.functionName.endsWith(":function:" + awsName));
  }

  private static long number(String version) {
    try {
      return Long.parseLong(version);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String table(List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(i == row.length - 1 ? row[i] : String.format("%-" + (widths[i] + 3) + "s", row[i]));
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
    return b.toString();
  }
}
