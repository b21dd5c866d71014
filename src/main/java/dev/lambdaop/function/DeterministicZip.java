package dev.lambdaop.function;

import dev.lambdaop.aws.CodeSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Zips inline sources so that the same files always give the same bytes, hence the same CodeSha256 in AWS and
 * no needless new version: entries sorted by path, one fixed timestamp (in local DOS time, so the time zone of
 * the operator does not matter), fixed compression level, no extra fields. The timestamp is not the DOS epoch
 * (1980): for that date the JDK adds an extended-timestamp field computed in the operator's time zone.
 */
public final class DeterministicZip {
  private static final LocalDateTime FIXED_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);

  private DeterministicZip() {}

  public static CodeSource.Zip of(Map<String, String> files) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
      zip.setLevel(Deflater.DEFAULT_COMPRESSION);
      for (Map.Entry<String, String> file : new TreeMap<>(files).entrySet()) {
        ZipEntry entry = new ZipEntry(file.getKey());
        entry.setTimeLocal(FIXED_TIME);
        zip.putNextEntry(entry);
        zip.write(file.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] zipped = bytes.toByteArray();
    return new CodeSource.Zip(zipped, sha256Base64(zipped));
  }

  /** SHA-256 in base64, the form AWS reports as CodeSha256. */
  public static String sha256Base64(byte[] data) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
