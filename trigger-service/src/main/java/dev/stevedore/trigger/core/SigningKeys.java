package dev.stevedore.trigger.core;

import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.trigger.TriggerConfig.Signing;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/** The trigger's Ed25519 key pair from config, checked to belong together, or an ephemeral one. */
public final class SigningKeys {
  private SigningKeys() {}

  /** The configured key pair; a clear {@link IllegalStateException} when there is none or it is wrong. */
  public static KeyPair load(Signing signing) {
    if (signing.privateKey() == null) {
      if (signing.generateEphemeralKey()) {
        return Ed25519Keys.generate();
      }
      throw new IllegalStateException("no signing key: set signing.privateKey (PEM) or signing.privateKeyFile / "
          + "STEVEDORE_SIGNING_PRIVATE_KEY_FILE, and signing.publicKey; for local development only, "
          + "signing.generateEphemeralKey: true");
    }
    if (signing.publicKey() == null) {
      throw new IllegalStateException("signing.publicKey (PEM) is required with signing.privateKey: "
          + "agents identify the key by it (openssl pkey -in key.pem -pubout)");
    }
    PrivateKey privateKey;
    PublicKey publicKey;
    try {
      privateKey = Ed25519Keys.privateKeyFromPem(signing.privateKey());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("signing.privateKey: " + e.getMessage(), e);
    }
    try {
      publicKey = Ed25519Keys.publicKeyFromPem(signing.publicKey());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("signing.publicKey: " + e.getMessage(), e);
    }
    if (!belongTogether(privateKey, publicKey)) {
      throw new IllegalStateException("signing.publicKey is not the public half of signing.privateKey");
    }
    return new KeyPair(publicKey, privateKey);
  }

  static boolean belongTogether(PrivateKey privateKey, PublicKey publicKey) {
    try {
      byte[] probe = "stevedore key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] sig = signer.sign();
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(publicKey);
      verifier.update(probe);
      return verifier.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
