package dev.stevedore.agent.registry;

import io.vertx.core.Future;
import java.util.Optional;

/** Where the credentials for a registry come from; asked only when the registry demands them. */
public interface CredentialSource {
  /** Anonymous everywhere. */
  CredentialSource NONE = registry -> Future.succeededFuture(Optional.empty());

  /**
   * The credentials for {@code registry} (a host as in an image reference, {@code docker.io} for
   * Docker Hub), empty when there are none; fails with a {@link RegistryAuthException} when they
   * cannot be read.
   */
  Future<Optional<RegistryCredentials>> forRegistry(String registry);
}
