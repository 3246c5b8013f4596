package dev.stevedore.common.event;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Deterministic ids: the same webhook delivery, received twice or by two trigger instances,
 * becomes the same deployment everywhere (a name-based UUID, version 5, SHA-1).
 */
public final class DeploymentIds {
  /** The namespace of Stevedore deployment ids: a fixed value; changing it changes every id. */
  private static final UUID NAMESPACE = UUID.fromString("0e6e1c2a-7b8f-5d4e-9a3c-5f1d2b7c8e90");

  private DeploymentIds() {}

  /** The deployment id for a delivery {@code deliveryId} from {@code source} (github, gitlab...). */
  public static String of(String source, String deliveryId) {
    return nameUuid(source + "\n" + deliveryId).toString();
  }

  /** An event id derived from a deployment, a host and a name: the same retry, the same id. */
  public static String eventId(String deploymentId, String host, String name) {
    return nameUuid(deploymentId + "\n" + host + "\n" + name).toString();
  }

  static UUID nameUuid(String name) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(toBytes(NAMESPACE));
      byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
      hash[6] = (byte) ((hash[6] & 0x0f) | 0x50);
      hash[8] = (byte) ((hash[8] & 0x3f) | 0x80);
      long msb = 0;
      long lsb = 0;
      for (int i = 0; i < 8; i++) {
        msb = (msb << 8) | (hash[i] & 0xff);
      }
      for (int i = 8; i < 16; i++) {
        lsb = (lsb << 8) | (hash[i] & 0xff);
      }
      return new UUID(msb, lsb);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] toBytes(UUID uuid) {
    byte[] out = new byte[16];
    long msb = uuid.getMostSignificantBits();
    long lsb = uuid.getLeastSignificantBits();
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (msb >>> (56 - 8 * i));
      out[8 + i] = (byte) (lsb >>> (56 - 8 * i));
    }
    return out;
  }
}
