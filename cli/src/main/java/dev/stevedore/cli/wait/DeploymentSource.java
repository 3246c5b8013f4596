package dev.stevedore.cli.wait;

import dev.stevedore.cli.api.Deployment;
import java.util.Optional;

/**
 * Where {@link DeploymentWatch} learns a deployment's state: today the audit API, polled. A trigger
 * endpoint that waits ({@code GET /api/v1/deployments/{id}?wait=}) would be a second implementation.
 */
public interface DeploymentSource {
  /** The deployment with its hosts and steps, or empty while nothing of it is stored. */
  Optional<Deployment> fetch(String deploymentId);
}
