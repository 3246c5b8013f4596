package dev.stevedore.agent.push;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * The optional signed push request: an Ed25519 signature (base64url, no padding) over
 * {@code stevedore-push/v1\n<service>\n<version>\n<at>}, where {@code at} is the request's time in
 * seconds since the epoch. The gate accepts it when one of {@code push.keys} verifies it and
 * {@code at} lies within {@code push.maxAge} of the host's clock, so a captured request is good
 * only for that version, that service and a few minutes (and deploying the version that already
 * runs again is a no-op).
 */
public final class PushSignature {
  private PushSignature() {}

  static byte[] payload(String service, String version, long at) {
    return ("stevedore-push/v1\n" + service + "\n" + version + "\n" + at).getBytes(StandardCharsets.UTF_8);
  }

  public static String sign(PrivateKey key, String service, String version, long at) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(payload(service, version, at));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot sign the push request: " + e.getMessage(), e);
    }
  }

  /** Null when the command's signature is good; otherwise why not. */
  public static String rejection(DeployCommand c, List<PublicKey> keys, Duration maxAge, Instant now) {
    if (!c.signed()) {
      return "this host requires a signed push request (--at and --signature)";
    }
    if (keys.isEmpty()) {
      return "a signed push request cannot be checked: push.keys is empty on this host";
    }
    long skew = Math.abs(now.getEpochSecond() - c.at());
    if (skew > maxAge.toSeconds()) {
      return "the signed push request's time is " + skew + " s away from this host's clock (push.maxAge " + maxAge + ")";
    }
    byte[] sig;
    try {
      sig = Base64.getUrlDecoder().decode(c.signature());
    } catch (IllegalArgumentException e) {
      return "the signature is not base64url";
    }
    for (PublicKey key : keys) {
      try {
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(key);
        s.update(payload(c.service(), c.version(), c.at()));
        if (s.verify(sig)) {
          return null;
        }
      } catch (GeneralSecurityException e) {
        // not this key
      }
    }
    return "the push request's signature does not verify with any key in push.keys";
  }
}
