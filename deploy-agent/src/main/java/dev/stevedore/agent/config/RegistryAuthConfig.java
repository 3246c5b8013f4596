package dev.stevedore.agent.config;

import java.time.Duration;

/**
 * Where polling finds registry credentials.
 *
 * @param dockerConfig the directory of Docker's {@code config.json}; empty: {@code DOCKER_CONFIG},
 *     else {@code ~/.docker} of the agent's user (a directory, as Docker's variable; not a file)
 * @param helperTimeout how long a credential helper ({@code docker-credential-<name> get}) may take
 */
public record RegistryAuthConfig(String dockerConfig, Duration helperTimeout) {
  public RegistryAuthConfig {
    dockerConfig = dockerConfig == null || dockerConfig.isBlank() ? null : dockerConfig;
    helperTimeout = ResilienceConfig.positive(helperTimeout, Duration.ofSeconds(10));
  }

  public static RegistryAuthConfig defaults() {
    return new RegistryAuthConfig(null, null);
  }
}
