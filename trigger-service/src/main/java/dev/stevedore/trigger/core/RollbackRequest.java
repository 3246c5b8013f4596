package dev.stevedore.trigger.core;

import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /api/v1/deployments/{id}/rollback}: the deployment to roll back and, optionally,
 * why (the body is optional and holds only {@code reason}).
 */
public record RollbackRequest(String deploymentId, Optional<String> reason) {
  static final Set<String> FIELDS = Set.of("reason");

  public RollbackRequest {
    reason = reason == null ? Optional.empty() : reason.map(r -> Validation.text("reason", r));
  }

  /** {@code deploymentId}: already checked to be a UUID; {@code body}: empty or a JSON object. */
  public static RollbackRequest parse(String deploymentId, byte[] body) {
    if (body == null || body.length == 0) {
      return new RollbackRequest(deploymentId, Optional.empty());
    }
    return new RollbackRequest(deploymentId,
        Optional.ofNullable(JsonBodies.text(JsonBodies.object(body, FIELDS), "reason")));
  }
}
