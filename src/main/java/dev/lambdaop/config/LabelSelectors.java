package dev.lambdaop.config;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The syntax of a Kubernetes label selector, as the API server parses {@code labelSelector}: requirements separated
 * by commas, each {@code key}, {@code !key}, {@code key=value}, {@code key==value}, {@code key!=value},
 * {@code key in (v1,v2)}, {@code key notin (v1,v2)}, or {@code key>n} / {@code key<n}. Keys may have a DNS
 * subdomain prefix ({@code lambdaop.dev/canary}). A selector the API server would refuse stops the operator at
 * start rather than leaving its informers failing.
 */
final class LabelSelectors {
  private static final String NAME = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
  private static final String PREFIX = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
  private static final String KEY = "((?<prefix>" + PREFIX + ")/)?" + NAME;
  private static final String VALUE = "(" + NAME + ")?";
  private static final Pattern REQUIREMENT = Pattern.compile(
      "\\s*(!\\s*)?" + KEY + "\\s*"
          + "|\\s*" + KEY.replace("prefix", "prefix2") + "\\s*(==|=|!=)\\s*" + VALUE + "\\s*"
          + "|\\s*" + KEY.replace("prefix", "prefix3") + "\\s+(in|notin)\\s*\\(\\s*" + VALUE + "(\\s*,\\s*" + VALUE
          + ")*\\s*\\)\\s*"
          + "|\\s*" + KEY.replace("prefix", "prefix4") + "\\s*(<|>)\\s*[0-9]+\\s*");

  private LabelSelectors() {}

  /** Whether {@code selector} is a label selector; empty is (it selects everything). */
  static boolean valid(String selector) {
    if (selector.isBlank()) {
      return true;
    }
    for (String requirement : requirements(selector)) {
      var m = REQUIREMENT.matcher(requirement);
      if (!m.matches() || tooLongPrefix(m)) {
        return false;
      }
    }
    return true;
  }

  /** The requirements: split at commas outside parentheses. */
  private static List<String> requirements(String selector) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < selector.length(); i++) {
      char c = selector.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(selector.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(selector.substring(start));
    return parts;
  }

  /** A key's prefix is a DNS subdomain: at most 253 characters. */
  private static boolean tooLongPrefix(java.util.regex.Matcher m) {
    for (String group : List.of("prefix", "prefix2", "prefix3", "prefix4")) {
      String prefix = m.group(group);
      if (prefix != null && prefix.length() > 253) {
        return true;
      }
    }
    return false;
  }
}
