package dev.stevedore.agent.registry;

/**
 * Why the agent could not authenticate to a registry: an unreadable challenge or token answer,
 * credentials refused, a credential helper that failed, a realm it will not send credentials to.
 * The message is meant for the log as it is and never holds a secret.
 */
public final class RegistryAuthException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RegistryAuthException(String message) {
    super(message, null, false, false);
  }
}
