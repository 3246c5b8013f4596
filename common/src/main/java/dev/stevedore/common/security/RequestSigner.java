package dev.stevedore.common.security;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/** Signs deploy requests with the trigger service's Ed25519 private key. Thread-safe. */
public final class RequestSigner {
  private final PrivateKey privateKey;
  private final String keyId;
  private final EventCodec codec;

  public RequestSigner(PrivateKey privateKey, PublicKey publicKey, EventCodec codec) {
    this.privateKey = privateKey;
    this.keyId = Ed25519Keys.keyId(publicKey);
    this.codec = codec;
  }

  public RequestSigner(KeyPair keys, EventCodec codec) {
    this(keys.getPrivate(), keys.getPublic(), codec);
  }

  public String keyId() {
    return keyId;
  }

  /** The request with {@code keyId} and {@code signature} set over its canonical unsigned form. */
  public DeployRequested sign(DeployRequested request) {
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(privateKey);
      signature.update(codec.canonicalBytes(request.unsigned()));
      return request.withSignature(keyId, Base64.getEncoder().encodeToString(signature.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with Ed25519", e);
    }
  }
}
