package dev.lambdaop.cli;

/**
 * How text is drawn: with ANSI colours or without, with block characters or ASCII only.
 *
 * @param color ANSI colours (a terminal, and NO_COLOR unset)
 * @param unicode block characters and arrows; ASCII otherwise
 */
public record Style(boolean color, boolean unicode) {
  /** No colour, Unicode glyphs: what the tests and piped output use. */
  public static final Style PLAIN = new Style(false, true);
  public static final Style ASCII = new Style(false, false);

  static final String RESET = "\u001b[0m";

  String bold(String text) {
    return wrap("1", text);
  }

  String dim(String text) {
    return wrap("2", text);
  }

  String green(String text) {
    return wrap("32", text);
  }

  String red(String text) {
    return wrap("31", text);
  }

  String yellow(String text) {
    return wrap("33", text);
  }

  String cyan(String text) {
    return wrap("36", text);
  }

  String arrow() {
    return unicode ? "→" : "->";
  }

  String dot() {
    return unicode ? "·" : "|";
  }

  String filled() {
    return unicode ? "█" : "#";
  }

  String empty() {
    return unicode ? "░" : ".";
  }

  String ok() {
    return unicode ? "✔" : "OK";
  }

  String fail() {
    return unicode ? "✘" : "FAILED";
  }

  private String wrap(String code, String text) {
    return color && !text.isEmpty() ? "\u001b[" + code + "m" + text + RESET : text;
  }
}
