package dev.stevedore.common.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * The optional signature of a push request ({@code stevedore push --signing-key}, checked by the
 * agent's SSH gate when {@code push.requireSignature} is on): Ed25519 over
 * {@code stevedore-push/v1\n<service>\n<version>\n<at>} ({@code at}: seconds since the epoch),
 * base64url without padding.
 */
public final class PushSignatures {
  private PushSignatures() {}

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

  /** True when {@code signature} (base64url) is {@code key}'s signature of the request. */
  public static boolean verify(PublicKey key, String signature, String service, String version, long at) {
    try {
      byte[] sig = Base64.getUrlDecoder().decode(signature);
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(payload(service, version, at));
      return s.verify(sig);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
