package dev.stevedore.common.event;

import java.time.Instant;

/** An agent took the per-service lock and begins the cycle from one version to another. */
public record DeployStarted(
    String id,
    String source,
    Instant time,
    String deploymentId,
    String host,
    String service,
    String environment,
    String fromVersion,
    String toVersion,
    String strategy)
    implements AgentEvent {

  public DeployStarted {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    deploymentId = Fields.required("deploymentId", deploymentId);
    host = Fields.required("host", host);
    service = Fields.required("service", service);
    environment = Fields.required("environment", environment);
    fromVersion = Fields.optional("fromVersion", fromVersion);
    toVersion = Fields.required("toVersion", toVersion);
    strategy = Fields.optional("strategy", strategy);
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_STARTED;
  }
}
