package dev.stevedore.common.event;

/**
 * An event the trigger signs and agents verify before acting on it ({@link DeployRequested},
 * {@link DeployCancelled}, {@link VersionUnblocked}): the signature covers the canonical bytes of
 * {@link #unsigned()}.
 *
 * @param <T> the record itself
 */
public interface SignedRequest<T extends StevedoreEvent & SignedRequest<T>> {
  /** Which trigger key signed it; {@code null} while unsigned. */
  String keyId();

  /** Base64 Ed25519 signature; {@code null} while unsigned. */
  String signature();

  /** This event without key id and signature: the form that is signed. */
  T unsigned();

  T withSignature(String keyId, String signature);
}
