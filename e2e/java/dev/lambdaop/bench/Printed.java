package dev.lambdaop.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** For the reports' tests: what a report returned (its RESULT line) and what it printed meanwhile. */
record Printed(String result, String output) {
  static Printed by(Supplier<String> report) {
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      String result = report.get();
      return new Printed(result, printed.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
    }
  }
}
