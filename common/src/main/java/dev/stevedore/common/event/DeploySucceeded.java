package dev.stevedore.common.event;

import java.time.Instant;

/** The new version runs and passed its health check on this host. */
public record DeploySucceeded(
    String id,
    String source,
    Instant time,
    String deploymentId,
    String host,
    String service,
    String environment,
    String version,
    String digest,
    long durationMs)
    implements Outcome {

  public DeploySucceeded {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    deploymentId = Fields.required("deploymentId", deploymentId);
    host = Fields.required("host", host);
    service = Fields.required("service", service);
    environment = Fields.required("environment", environment);
    version = Fields.required("version", version);
    digest = Fields.optional("digest", digest);
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_SUCCEEDED;
  }
}
