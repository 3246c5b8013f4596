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
    String reason,
    String keyId,
    String signature)
    implements Outcome, SignedByAgent<DeploySkipped> {

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
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  /** Unsigned: as agents published it before events were signed, and as it is signed. */
  public DeploySkipped(String id, String source, Instant time, String deploymentId, String host, String
      service, String environment, String version, String reason) {
    this(id, source, time, deploymentId, host, service, environment, version, reason, null, null);
  }

  @Override
  public DeploySkipped withSignature(String keyId, String signature) {
    return new DeploySkipped(id, source, time, deploymentId, host, service, environment, version, reason,
        keyId, signature);
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_SKIPPED;
  }
}
