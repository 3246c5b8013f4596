package dev.stevedore.trigger.hooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256 signatures of webhook bodies, compared in constant time. */
public final class Hmac {
  private static final String PREFIX = "sha256=";

  private Hmac() {}

  public static byte[] sha256(String secret, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      for (byte[] part : parts) {
        mac.update(part);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  /** {@code sha256=HEX}, the form GitHub sends in {@code X-Hub-Signature-256}. */
  public static String header(String secret, byte[]... parts) {
    return PREFIX + HexFormat.of().formatHex(sha256(secret, parts));
  }

  /**
   * True when {@code header} is {@code sha256=HEX} of the parts. The comparison of the digests takes
   * the same time wherever they differ; a header of the wrong shape is simply false.
   */
  public static boolean verifies(String secret, String header, byte[]... parts) {
    if (header == null || !header.startsWith(PREFIX) || header.length() != PREFIX.length() + 64) {
      return false;
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(header.substring(PREFIX.length()).toLowerCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(sha256(secret, parts), given);
  }
}
