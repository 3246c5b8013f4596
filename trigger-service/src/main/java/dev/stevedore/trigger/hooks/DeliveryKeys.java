package dev.stevedore.trigger.hooks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Delivery keys made from authenticated bytes only (the raw body, the signature over it), never from
 * a header the signature does not cover ({@code X-GitHub-Delivery}, {@code X-Gitlab-Event-UUID},
 * {@code X-Stevedore-Delivery}). A captured request resent under a new delivery id therefore has
 * the same key, hence the same deployment id, and is answered as a duplicate. Deterministic: the
 * same bytes always give the same key, on every trigger instance.
 */
public final class DeliveryKeys {
  private DeliveryKeys() {}

  /** {@code b-} and the first 128 bits (hex) of SHA-256 over each part, each preceded by its length. */
  public static String of(String label, byte[]... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(label.getBytes(StandardCharsets.UTF_8));
      for (byte[] part : parts) {
        sha.update(java.nio.ByteBuffer.allocate(8).putLong(part.length).array());
        sha.update(part);
      }
      return "b-" + HexFormat.of().formatHex(sha.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
