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
    String strategy,
    String keyId,
    String signature)
    implements AgentEvent, SignedByAgent<DeployStarted> {

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
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  /** Unsigned: as agents published it before events were signed, and as it is signed. */
  public DeployStarted(String id, String source, Instant time, String deploymentId, String host, String
      service, String environment, String fromVersion, String toVersion, String strategy) {
    this(id, source, time, deploymentId, host, service, environment, fromVersion, toVersion, strategy, null, null);
  }

  @Override
  public DeployStarted withSignature(String keyId, String signature) {
    return new DeployStarted(id, source, time, deploymentId, host, service, environment, fromVersion,
        toVersion, strategy, keyId, signature);
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_STARTED;
  }
}
