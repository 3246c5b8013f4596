package dev.stevedore.common.event;

import java.time.Instant;

/** Withdraws a request that has not started yet (a cancelled schedule, an operator's stop). */
public record DeployCancelled(
    String id,
    String source,
    Instant time,
    String deploymentId,
    String service,
    String environment,
    String requestedBy,
    String reason)
    implements DeployEvent {

  public DeployCancelled {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    deploymentId = Fields.required("deploymentId", deploymentId);
    service = Fields.required("service", service);
    environment = Fields.required("environment", environment);
    requestedBy = Fields.optional("requestedBy", requestedBy);
    reason = Fields.optional("reason", reason);
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_CANCELLED;
  }
}
