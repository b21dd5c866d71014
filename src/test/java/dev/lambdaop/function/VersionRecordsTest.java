package dev.lambdaop.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lambdaop.api.LambdaFunctionStatus.PublishedVersion;
import dev.lambdaop.aws.VersionSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionRecordsTest {
  private static PublishedVersion record(String version, String sha) {
    return new PublishedVersion(version, sha, "digest-" + version, "2025-03-01T10:00:00Z");
  }

  private static VersionSnapshot inAws(String version, String sha) {
    return new VersionSnapshot(version, sha, "", "t");
  }

  private static List<String> numbers(List<PublishedVersion> records) {
    return records.stream().map(r -> r.version).toList();
  }

  @Test
  void versionsAwsStillHasAreKeptAndNothingIsMissing() {
    VersionRecords.Check c = VersionRecords.check(List.of(record("2", "b"), record("1", "a")), "2",
        List.of(inAws("1", "a"), inAws("2", "b"), inAws("3", "c")));
    assertEquals(List.of("2", "1"), numbers(c.kept()));
    assertEquals(List.of(), c.missing());
    assertEquals("2", c.latestVersion());
    assertFalse(c.anyMissing());
  }

  @Test
  void aDeletedOlderVersionIsDroppedAndTheLatestStays() {
    VersionRecords.Check c = VersionRecords.check(List.of(record("3", "c"), record("2", "b"), record("1", "a")),
        "3", List.of(inAws("1", "a"), inAws("3", "c")));
    assertEquals(List.of("3", "1"), numbers(c.kept()), "the order (newest first) is kept");
    assertEquals(List.of("2"), c.missing());
    assertEquals("3", c.latestVersion());
    assertFalse(c.latestMissing());
    assertTrue(c.anyMissing());
  }

  @Test
  void aDeletedLatestVersionIsNoLongerTheLatest() {
    VersionRecords.Check c = VersionRecords.check(List.of(record("2", "b"), record("1", "a")), "2",
        List.of(inAws("1", "a")));
    assertEquals(List.of("1"), numbers(c.kept()));
    assertEquals(List.of("2"), c.missing());
    assertNull(c.latestVersion());
    assertTrue(c.latestMissing());
  }

  @Test
  void aFunctionCreatedAgainReusesNumbersForOtherCodeWhichDoNotCount() {
    // the function was deleted and created again: its new version 1 holds the current code, not the recorded one
    VersionRecords.Check c = VersionRecords.check(List.of(record("2", "b"), record("1", "a")), "2",
        List.of(inAws("1", "b")));
    assertEquals(List.of(), c.kept());
    assertEquals(List.of("2", "1"), c.missing());
    assertNull(c.latestVersion());
  }

  @Test
  void nothingListedMeansEveryRecordIsMissing() {
    VersionRecords.Check c = VersionRecords.check(List.of(record("1", "a")), "1", List.of());
    assertEquals(List.of("1"), c.missing());
    assertTrue(c.latestMissing());
  }

  @Test
  void aLatestVersionWithoutARecordCountsWhenAwsListsIt() {
    assertEquals("7", VersionRecords.check(List.of(), "7", List.of(inAws("7", "x"))).latestVersion());
    VersionRecords.Check gone = VersionRecords.check(List.of(), "7", List.of(inAws("6", "x")));
    assertNull(gone.latestVersion());
    assertTrue(gone.anyMissing());
  }

  @Test
  void anEmptyStatusHasNothingMissing() {
    VersionRecords.Check c = VersionRecords.check(List.of(), null, List.of(inAws("1", "a")));
    assertFalse(c.anyMissing());
    assertNull(c.latestVersion());
  }
}
