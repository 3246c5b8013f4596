package dev.stevedore.common.security;

import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.SignedRequest;
import dev.stevedore.common.event.StevedoreEvent;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Verifies signed requests ({@link SignedRequest}: deploy requests, cancellations, unblocks) against the trigger public keys an agent trusts (several, so keys can
 * be rotated). Write access to the requests topic is not enough to deploy.
 */
public final class RequestVerifier {
  private final Map<String, PublicKey> trusted;
  private final EventCodec codec;

  public RequestVerifier(Collection<PublicKey> trustedKeys, EventCodec codec) {
    if (trustedKeys.isEmpty()) {
      throw new IllegalArgumentException("at least one trusted public key is required");
    }
    this.trusted = trustedKeys.stream()
        .collect(Collectors.toUnmodifiableMap(Ed25519Keys::keyId, Function.identity(), (a, b) -> a));
    this.codec = codec;
  }

  /** Why a request is not trusted, or {@code null} when its signature verifies. */
  public <T extends StevedoreEvent & SignedRequest<T>> String rejection(T request) {
    if (request.signature() == null || request.keyId() == null) {
      return "unsigned request";
    }
    PublicKey key = trusted.get(request.keyId());
    if (key == null) {
      return "signed by untrusted key " + request.keyId();
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(request.signature());
    } catch (IllegalArgumentException e) {
      return "signature is not base64";
    }
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(codec.canonicalBytes(request.unsigned()));
      return verifier.verify(raw) ? null : "signature does not verify";
    } catch (GeneralSecurityException e) {
      return "signature does not verify: " + e.getMessage();
    }
  }

  public <T extends StevedoreEvent & SignedRequest<T>> boolean verifies(T request) {
    return rejection(request) == null;
  }
}
