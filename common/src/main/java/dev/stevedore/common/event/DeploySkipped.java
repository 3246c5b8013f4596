package dev.stevedore.common.event;

import java.time.Instant;

/**
 * The agent did not act on a request meant for it, and says why: already done, superseded by a
 * newer request, a blocked version, cancelled, or rejected by the agent's own rules.
 */
public record DeploySkipped(
    String id,
    String source,
    Instant time,
    String deploymentId,
    String host,
    String service,
    String environment,
    String version,
    String reason)
    implements Outcome {

  public DeploySkipped {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    deploymentId = Fields.required("deploymentId", deploymentId);
    host = Fields.required("host", host);
    service = Fields.required("service", service);
    environment = Fields.required("environment", environment);
    version = Fields.required("version", version);
    reason = Fields.required("reason", reason);
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_SKIPPED;
  }
}
