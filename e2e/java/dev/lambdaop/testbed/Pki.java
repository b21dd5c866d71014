package dev.lambdaop.testbed;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Just enough X.509 to run a local API server with the JDK alone (no BouncyCastle, no
 * openssl): RSA keys, a CA, and certificates it signs, DER-encoded by hand. Per test-bed run,
 * never persisted beyond the run's temporary directory.
 */
final class Pki {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  /** A certificate with its private key. */
  record Issued(X509Certificate certificate, PrivateKey key, byte[] subjectName) {
    String certificatePem() {
      return pem("CERTIFICATE", encoded(certificate));
    }

    String keyPem() {
      return pem("PRIVATE KEY", key.getEncoded());
    }
  }

  private Pki() {
  }

  static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A self-signed CA. */
  static Issued certificateAuthority(String commonName, Duration validity) {
    KeyPair keys = rsaKeyPair();
    byte[] name = name(commonName, null);
    List<byte[]> extensions = List.of(
        extension("2.5.29.19", true, seq(bool(true))),               // basicConstraints CA:TRUE
        extension("2.5.29.15", true, keyUsage(0x86, 1)));            // digitalSignature, keyCertSign, cRLSign
    return new Issued(sign(name, keys.getPublic(), name, keys.getPrivate(), validity, extensions),
        keys.getPrivate(), name);
  }

  /** A server certificate for the given names and addresses, signed by {@code ca}. */
  static Issued serverCertificate(Issued ca, String commonName, List<String> dnsNames,
      List<InetAddress> addresses, Duration validity) {
    return leaf(ca, name(commonName, null), validity, "1.3.6.1.5.5.7.3.1", dnsNames, addresses);
  }

  /** A client certificate: Kubernetes reads the user from CN and the groups from O. */
  static Issued clientCertificate(Issued ca, String user, String group, Duration validity) {
    return leaf(ca, name(user, group), validity, "1.3.6.1.5.5.7.3.2", List.of(), List.of());
  }

  static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  static String publicKeyPem(PublicKey key) {
    return pem("PUBLIC KEY", key.getEncoded());
  }

  static String privateKeyPem(PrivateKey key) {
    return pem("PRIVATE KEY", key.getEncoded());
  }

  static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Issued leaf(Issued ca, byte[] subject, Duration validity, String extendedKeyUsage,
      List<String> dnsNames, List<InetAddress> addresses) {
    KeyPair keys = rsaKeyPair();
    List<byte[]> extensions = new ArrayList<>();
    extensions.add(extension("2.5.29.19", true, seq()));                      // basicConstraints CA:FALSE
    extensions.add(extension("2.5.29.15", true, keyUsage(0xA0, 5)));          // digitalSignature, keyEncipherment
    extensions.add(extension("2.5.29.37", false, seq(oid(extendedKeyUsage))));
    if (!dnsNames.isEmpty() || !addresses.isEmpty()) {
      List<byte[]> general = new ArrayList<>();
      dnsNames.forEach(dns -> general.add(tlv(0x82, dns.getBytes(StandardCharsets.US_ASCII))));
      addresses.forEach(ip -> general.add(tlv(0x87, ip.getAddress())));
      extensions.add(extension("2.5.29.17", false, seq(general.toArray(byte[][]::new))));
    }
    return new Issued(sign(subject, keys.getPublic(), ca.subjectName(), ca.key(), validity, extensions),
        keys.getPrivate(), subject);
  }

  private static X509Certificate sign(byte[] subject, PublicKey subjectKey, byte[] issuer, PrivateKey issuerKey,
      Duration validity, List<byte[]> extensions) {
    try {
      Instant now = Instant.now();
      byte[] algorithm = seq(oid(SHA256_WITH_RSA), new byte[] {0x05, 0x00});
      byte[] tbs = seq(
          tlv(0xA0, integer(BigInteger.TWO)),                               // version v3
          integer(new BigInteger(63, RANDOM).add(BigInteger.ONE)),          // serial
          algorithm,
          issuer,
          seq(utcTime(now.minus(Duration.ofHours(1))), utcTime(now.plus(validity))),
          subject,
          subjectKey.getEncoded(),                                          // SubjectPublicKeyInfo
          tlv(0xA3, seq(extensions.toArray(byte[][]::new))));
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(issuerKey);
      signature.update(tbs);
      byte[] der = seq(tbs, algorithm, bitString(signature.sign()));
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot issue a certificate", e);
    }
  }

  // ---- DER -------------------------------------------------------------------------------

  private static byte[] name(String commonName, String organization) {
    List<byte[]> rdns = new ArrayList<>();
    if (organization != null) {
      rdns.add(tlv(0x31, seq(oid("2.5.4.10"), utf8(organization))));
    }
    rdns.add(tlv(0x31, seq(oid("2.5.4.3"), utf8(commonName))));
    return seq(rdns.toArray(byte[][]::new));
  }

  private static byte[] extension(String id, boolean critical, byte[] value) {
    return critical ? seq(oid(id), bool(true), tlv(0x04, value)) : seq(oid(id), tlv(0x04, value));
  }

  /** KeyUsage as a DER BIT STRING: one byte of flags, {@code unused} trailing zero bits. */
  private static byte[] keyUsage(int flags, int unused) {
    return tlv(0x03, new byte[] {(byte) unused, (byte) flags});
  }

  private static byte[] bitString(byte[] bytes) {
    byte[] content = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, content, 1, bytes.length);
    return tlv(0x03, content);
  }

  private static byte[] bool(boolean value) {
    return tlv(0x01, new byte[] {(byte) (value ? 0xFF : 0x00)});
  }

  private static byte[] integer(BigInteger value) {
    return tlv(0x02, value.toByteArray());
  }

  private static byte[] utf8(String value) {
    return tlv(0x0C, value.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] utcTime(Instant instant) {
    return tlv(0x17, UTC_TIME.format(instant).getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] oid(String dotted) {
    String[] parts = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Integer.parseInt(parts[0]) * 40 + Integer.parseInt(parts[1]));
    for (int i = 2; i < parts.length; i++) {
      long value = Long.parseLong(parts[i]);
      int groups = Math.max(1, (64 - Long.numberOfLeadingZeros(value) + 6) / 7);
      for (int g = groups - 1; g >= 0; g--) {
        int septet = (int) ((value >>> (7 * g)) & 0x7F);
        out.write(g == 0 ? septet : septet | 0x80);
      }
    }
    return tlv(0x06, out.toByteArray());
  }

  private static byte[] seq(byte[]... items) {
    return tlv(0x30, items);
  }

  private static byte[] tlv(int tag, byte[]... contents) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (byte[] content : contents) {
      body.writeBytes(content);
    }
    int length = body.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    if (length < 0x80) {
      out.write(length);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(length >>> (8 * i));
      }
    }
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }
}
