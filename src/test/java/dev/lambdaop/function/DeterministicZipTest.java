package dev.lambdaop.function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.lambdaop.aws.CodeSource;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

class DeterministicZipTest {
  private static Map<String, String> files(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  @Test
  void sameFilesInAnyOrderGiveTheSameBytesAndHash() {
    CodeSource.Zip a = DeterministicZip.of(files("index.py", "x = 1\n", "lib/util.py", "y = 2\n"));
    CodeSource.Zip b = DeterministicZip.of(files("lib/util.py", "y = 2\n", "index.py", "x = 1\n"));
    assertArrayEquals(a.bytes(), b.bytes());
    assertEquals(a.sha256(), b.sha256());
  }

  @Test
  void theTimeZoneOfTheOperatorDoesNotChangeTheZip() {
    TimeZone original = TimeZone.getDefault();
    try {
      TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Auckland"));
      String auckland = DeterministicZip.of(files("index.py", "x")).sha256();
      TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"));
      String losAngeles = DeterministicZip.of(files("index.py", "x")).sha256();
      assertEquals(auckland, losAngeles);
    } finally {
      TimeZone.setDefault(original);
    }
  }

  @Test
  void anyChangeOfContentOrNameChangesTheHash() {
    String base = DeterministicZip.of(files("index.py", "x = 1\n")).sha256();
    assertNotEquals(base, DeterministicZip.of(files("index.py", "x = 2\n")).sha256());
    assertNotEquals(base, DeterministicZip.of(files("main.py", "x = 1\n")).sha256());
  }

  @Test
  void theZipHoldsTheFilesSortedWithTheFixedTimestamp() throws Exception {
    CodeSource.Zip zip = DeterministicZip.of(files("b.py", "B", "a.py", "A"));
    List<String> names = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip.bytes()))) {
      ZipEntry entry;
      while ((entry = in.getNextEntry()) != null) {
        names.add(entry.getName() + "=" + new String(in.readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(LocalDateTime.of(2000, 1, 1, 0, 0), entry.getTimeLocal());
      }
    }
    assertEquals(List.of("a.py=A", "b.py=B"), names);
  }

  @Test
  void hashIsBase64OfSha256AsAwsReportsIt() {
    // SHA-256 of the empty input, base64
    assertEquals("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", DeterministicZip.sha256Base64(new byte[0]));
  }
}
