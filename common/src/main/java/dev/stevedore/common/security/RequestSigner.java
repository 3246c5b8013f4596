package dev.stevedore.common.security;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.SignedRequest;
import dev.stevedore.common.event.StevedoreEvent;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.UnaryOperator;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Signs deploy requests (and the other requests agents act on, {@link SignedRequest}) with the trigger service's Ed25519 private key, over the canonical bytes
 * of the unsigned request. Uses Bouncy Castle's Ed25519 (tens of microseconds per signature; the
 * JDK 17 provider takes about 1.4 ms, which capped a trigger near 90 webhooks/s). Ed25519 is
 * deterministic, so the signatures are the ones the JDK would make, and {@link RequestVerifier}
 * (JDK) verifies them. Thread-safe.
 */
public final class RequestSigner implements UnaryOperator<DeployRequested> {
  private final Ed25519PrivateKeyParameters key;
  private final String keyId;
  private final EventCodec codec;

  public RequestSigner(PrivateKey privateKey, PublicKey publicKey, EventCodec codec) {
    if (!(privateKey instanceof EdECPrivateKey edec) || edec.getBytes().isEmpty()) {
      throw new IllegalArgumentException("not an Ed25519 private key with its seed");
    }
    this.key = new Ed25519PrivateKeyParameters(edec.getBytes().get(), 0);
    this.keyId = Ed25519Keys.keyId(publicKey);
    this.codec = codec;
    // The public half derived from the private key must be the configured one, or agents would reject us.
    byte[] encoded = publicKey.getEncoded();
    byte[] raw = Arrays.copyOfRange(encoded, encoded.length - 32, encoded.length);
    if (!Arrays.equals(key.generatePublicKey().getEncoded(), raw)) {
      throw new IllegalArgumentException("the public key is not the public half of the private key");
    }
  }

  public RequestSigner(KeyPair keys, EventCodec codec) {
    this(keys.getPrivate(), keys.getPublic(), codec);
  }

  public String keyId() {
    return keyId;
  }

  /**
   * The request ({@code deploy.requested}, {@code version.unblocked}) with {@code keyId} and
   * {@code signature} set over its canonical unsigned form.
   */
  public <T extends StevedoreEvent & SignedRequest<T>> T sign(T request) {
    byte[] message = codec.canonicalBytes(request.unsigned());
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, key);
    signer.update(message, 0, message.length);
    return request.withSignature(keyId, Base64.getEncoder().encodeToString(signer.generateSignature()));
  }

  @Override
  public DeployRequested apply(DeployRequested request) {
    return sign(request);
  }
}
