package dev.stevedore.agent.push;

import dev.stevedore.common.security.PushSignatures;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The gate's check of a signed push request ({@link PushSignatures}): one of {@code push.keys}
 * verifies it and its time lies within {@code push.maxAge} of the host's clock, so a captured
 * request is good only for that service, that version and a few minutes (deploying the version
 * that already runs again is a no-op).
 */
final class PushSignature {
  private PushSignature() {}

  /** Null when the command's signature is good; otherwise why not. */
  static String rejection(DeployCommand c, List<PublicKey> keys, Duration maxAge, Instant now) {
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
    for (PublicKey key : keys) {
      if (PushSignatures.verify(key, c.signature(), c.service(), c.version(), c.at())) {
        return null;
      }
    }
    return "the push request's signature does not verify with any key in push.keys";
  }
}
