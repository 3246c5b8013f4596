package dev.stevedore.trigger.core;

import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /api/v1/deployments/{id}/cancel}: the deployment to withdraw and, optionally, why
 * (the body is optional and holds only {@code reason}).
 */
public record CancelRequest(String deploymentId, Optional<String> reason) {
  static final Set<String> FIELDS = Set.of("reason");

  public CancelRequest {
    reason = reason == null ? Optional.empty() : reason.map(r -> Validation.text("reason", r));
  }

  /** {@code deploymentId}: already checked to be a UUID; {@code body}: empty or a JSON object. */
  public static CancelRequest parse(String deploymentId, byte[] body) {
    if (body == null || body.length == 0) {
      return new CancelRequest(deploymentId, Optional.empty());
    }
    return new CancelRequest(deploymentId, Optional.ofNullable(JsonBodies.text(JsonBodies.object(body, FIELDS), "reason")));
  }
}
