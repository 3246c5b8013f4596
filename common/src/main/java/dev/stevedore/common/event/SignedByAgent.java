package dev.stevedore.common.event;

/**
 * An event an agent publishes and signs with its own Ed25519 key: {@code keyId} names the key,
 * {@code signature} (base64) covers {@link EventCodec#canonicalBytes} of the event without
 * {@code keyId} and {@code signature} ({@link #unsigned()}). Readers check the key is trusted for
 * {@link #host()}, the only host id that key may speak for.
 */
public interface SignedByAgent<E extends StevedoreEvent> {
  /** The host the event speaks for. */
  String host();

  String keyId();

  String signature();

  /** This event with {@code keyId} and {@code signature} replaced. */
  E withSignature(String keyId, String signature);

  /** This event without key id and signature: the form that is signed. */
  default E unsigned() {
    return withSignature(null, null);
  }
}
