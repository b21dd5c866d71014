package dev.lambdaop;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.config.OperatorSettings;
import dev.lambdaop.config.ProcessSettings;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every LAMBDAOP_* setting the operator reads is in {@code --help} and in the README's settings table. */
class SettingsDocumentedTest {
  @Test
  void everySettingIsInTheHelpAndTheReadme() throws IOException {
    List<String> names = new ArrayList<>();
    for (Class<?> type : List.of(OperatorSettings.class, ProcessSettings.class)) {
      for (Field field : type.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers()) && Modifier.isPublic(field.getModifiers())
            && field.getType() == String.class) {
          try {
            String value = (String) field.get(null);
            if (value.startsWith("LAMBDAOP_")) {
              names.add(value);
            }
          } catch (IllegalAccessException e) {
            throw new AssertionError(e);
          }
        }
      }
    }
    assertFalse(names.size() < 15, "settings found: " + names);
    String help = OperatorMain.help();
    String readme = Files.readString(Path.of("README.md"));
    for (String name : names) {
      assertTrue(help.contains("  " + name + " "), name + " is missing from --help");
      assertTrue(readme.contains("| `" + name + "` |"), name + " is missing from the README's settings table");
    }
  }
}
