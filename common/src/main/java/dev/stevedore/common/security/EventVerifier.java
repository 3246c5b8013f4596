package dev.stevedore.common.security;

import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.SignedByAgent;
import dev.stevedore.common.event.StevedoreEvent;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Verifies the events agents sign against a set of trusted agent keys, each bound to the one host
 * id it may speak for: a key trusted for {@code web-1} cannot vouch for an event about
 * {@code web-2}. Events agents do not sign (requests) pass as {@link Verdict#notApplicable()}.
 * With no trusted keys configured, verification is off and every event passes as not checked.
 *
 * <p>Verifies with Bouncy Castle's Ed25519 (RFC 8032), as {@link RequestVerifier} does: about six
 * times cheaper per event than the JDK 17 provider's, and the trigger and the audit service verify
 * every outcome and heartbeat they read.
 */
public final class EventVerifier {
  /** One trusted agent: its host id and public key. */
  public record TrustedAgent(String host, PublicKey publicKey) {}

  /** A trusted agent with its key parsed once for Bouncy Castle. */
  private record Trusted(String host, Ed25519PublicKeyParameters key) {}

  /** What verification found: {@code verified}, or {@code reason} why not; {@code checked} false when off or not applicable. */
  public record Verdict(boolean checked, boolean verified, String reason) {
    public static Verdict ok() {
      return new Verdict(true, true, null);
    }

    public static Verdict notApplicable() {
      return new Verdict(false, true, null);
    }

    public static Verdict failed(String reason) {
      return new Verdict(true, false, reason);
    }
  }

  private final Map<String, Trusted> byKeyId = new HashMap<>();
  private final EventCodec codec;

  public EventVerifier(Collection<TrustedAgent> trusted, EventCodec codec) {
    for (TrustedAgent agent : trusted) {
      Trusted before = byKeyId.putIfAbsent(Ed25519Keys.keyId(agent.publicKey()),
          new Trusted(agent.host(), RequestVerifier.parameters(agent.publicKey())));
      if (before != null && !before.host().equals(agent.host())) {
        throw new IllegalArgumentException("one agent key is trusted for two hosts: " + before.host() + " and "
            + agent.host());
      }
    }
    this.codec = codec;
  }

  /** True when trusted keys are configured, so agent events are checked. */
  public boolean enabled() {
    return !byKeyId.isEmpty();
  }

  public Verdict verify(StevedoreEvent event) {
    if (!(event instanceof SignedByAgent<?> signed) || !enabled()) {
      return Verdict.notApplicable();
    }
    if (signed.signature() == null || signed.keyId() == null) {
      return Verdict.failed("unsigned");
    }
    Trusted agent = byKeyId.get(signed.keyId());
    if (agent == null) {
      return Verdict.failed("signed by untrusted key " + signed.keyId());
    }
    if (!agent.host().equals(signed.host())) {
      return Verdict.failed("key " + signed.keyId() + " speaks for host " + agent.host() + ", not " + signed.host());
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(signed.signature());
    } catch (IllegalArgumentException e) {
      return Verdict.failed("signature is not base64");
    }
    if (raw.length != Ed25519PublicKeyParameters.KEY_SIZE * 2) {
      return Verdict.failed("signature does not verify: " + raw.length + " bytes, not 64");
    }
    Ed25519Signer verifier = new Ed25519Signer();
    verifier.init(false, agent.key());
    byte[] message = codec.signedBytes(event);
    verifier.update(message, 0, message.length);
    return verifier.verifySignature(raw) ? Verdict.ok() : Verdict.failed("signature does not verify");
  }
}
