package dev.stevedore.audit.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The audit log's hash chain: each stored event's hash is
 * {@code sha256(previous hash as lower-case hex, UTF-8 || canonical event bytes)}, starting from
 * {@link #GENESIS}. Changing, removing or reordering any row changes every hash after it.
 */
public final class HashChain {
  public static final String GENESIS = "0".repeat(64);

  private HashChain() {}

  public static String next(String previousHash, byte[] canonicalEvent) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(previousHash.getBytes(StandardCharsets.US_ASCII));
      return HexFormat.of().formatHex(sha.digest(canonicalEvent));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
