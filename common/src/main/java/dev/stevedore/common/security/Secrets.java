package dev.stevedore.common.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Secret comparison that takes the same time whatever the inputs share. */
public final class Secrets {
  private Secrets() {}

  public static boolean constantTimeEquals(String expected, String given) {
    if (expected == null || given == null) {
      return false;
    }
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  /** Masks a secret for logs: never more than its length and first two characters. */
  public static String mask(String secret) {
    if (secret == null || secret.isEmpty()) {
      return "(none)";
    }
    return secret.substring(0, Math.min(2, secret.length())) + "***(" + secret.length() + ")";
  }
}
