package dev.stevedore.cli.wait;

import dev.stevedore.cli.CliException;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.api.Deployment;
import dev.stevedore.cli.http.Api;
import dev.stevedore.cli.out.Json;
import java.util.Optional;

/** {@code GET /api/v1/deployments/{id}} on the audit API; 404 (not stored yet) is empty. */
public final class AuditDeployments implements DeploymentSource {
  private final Api audit;

  public AuditDeployments(Api audit) {
    this.audit = audit;
  }

  @Override
  public Optional<Deployment> fetch(String deploymentId) {
    return audit.find("/api/v1/deployments/" + Api.segment(deploymentId)).map(json -> {
      try {
        return Json.MAPPER.treeToValue(json, Deployment.class);
      } catch (Exception e) {
        throw new CliException(ExitCode.SERVER_ERROR, "the audit's deployment " + deploymentId + " cannot be read: " + e.getMessage());
      }
    });
  }
}
