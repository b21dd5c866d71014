package dev.lambdaop.function;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lambdaop.aws.VersionSnapshot;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class VersionRetentionTest {
  private static List<VersionSnapshot> versions(int... numbers) {
    return IntStream.of(numbers).mapToObj(n -> new VersionSnapshot(String.valueOf(n), "sha", "", "t")).toList();
  }

  @Test
  void keepsTheNewestAndDeletesTheRestOldestFirst() {
    assertEquals(List.of("1", "2", "3"), VersionRetention.toDelete(versions(5, 1, 4, 2, 3), 2, Set.of()));
  }

  @Test
  void versionsAliasesUseAreNeverDeleted() {
    assertEquals(List.of("2", "3"), VersionRetention.toDelete(versions(1, 2, 3, 4, 5), 2, Set.of("1")));
  }

  @Test
  void nothingToDeleteWithinTheLimit() {
    assertEquals(List.of(), VersionRetention.toDelete(versions(1, 2), 2, Set.of()));
    assertEquals(List.of(), VersionRetention.toDelete(versions(), 1, Set.of()));
  }

  @Test
  void numbersSortAsNumbersNotText() {
    assertEquals(List.of("9"), VersionRetention.toDelete(versions(9, 10, 11), 2, Set.of()));
  }
}
