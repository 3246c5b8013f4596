package dev.stevedore.common.security;

import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.SignedByAgent;
import dev.stevedore.common.event.StevedoreEvent;
import java.security.KeyPair;
import java.security.interfaces.EdECPrivateKey;
import java.util.Base64;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Signs the events an agent publishes (outcomes, steps, heartbeats) with the agent's own Ed25519
 * key, over the canonical bytes of the unsigned event; {@link EventVerifier} checks them.
 * Thread-safe.
 */
public final class AgentSigner {
  private final Ed25519PrivateKeyParameters key;
  private final String keyId;
  private final EventCodec codec;

  public AgentSigner(KeyPair keys, EventCodec codec) {
    if (!(keys.getPrivate() instanceof EdECPrivateKey edec) || edec.getBytes().isEmpty()) {
      throw new IllegalArgumentException("not an Ed25519 private key with its seed");
    }
    this.key = new Ed25519PrivateKeyParameters(edec.getBytes().get(), 0);
    this.keyId = Ed25519Keys.keyId(keys.getPublic());
    this.codec = codec;
  }

  public String keyId() {
    return keyId;
  }

  /** The event signed, when it is one agents sign; any other event as it is. */
  @SuppressWarnings("unchecked")
  public <E extends StevedoreEvent> E sign(E event) {
    if (!(event instanceof SignedByAgent<?> signable)) {
      return event;
    }
    byte[] message = codec.canonicalBytes((StevedoreEvent) signable.unsigned());
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, key);
    signer.update(message, 0, message.length);
    return (E) signable.withSignature(keyId, Base64.getEncoder().encodeToString(signer.generateSignature()));
  }
}
