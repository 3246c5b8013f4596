package dev.stevedore.common.event;

import java.time.Instant;

/**
 * The new version runs and passed its health check on this host.
 *
 * <p>{@code attempts}: how many times the agent ran the cycle for it (more than one after an
 * outage or a restart of the agent); {@code waitedMs}: the time it spent waiting between attempts.
 * Both are absent in events of older agents.
 */
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
    long durationMs,
    Integer attempts,
    Long waitedMs,
    String keyId,
    String signature)
    implements Outcome, SignedByAgent<DeploySucceeded> {

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
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  /** Unsigned: as agents published it before events were signed, and as it is signed. */
  public DeploySucceeded(String id, String source, Instant time, String deploymentId, String host, String
      service, String environment, String version, String digest, long durationMs, Integer attempts, Long
      waitedMs) {
    this(id, source, time, deploymentId, host, service, environment, version, digest, durationMs, attempts, waitedMs, null, null);
  }

  @Override
  public DeploySucceeded withSignature(String keyId, String signature) {
    return new DeploySucceeded(id, source, time, deploymentId, host, service, environment, version, digest,
        durationMs, attempts, waitedMs, keyId, signature);
  }

  /** Without attempt figures (one attempt, no waiting): events of agents before they were counted. */
  public DeploySucceeded(String id, String source, Instant time, String deploymentId, String host,
      String service, String environment, String version, String digest, long durationMs) {
    this(id, source, time, deploymentId, host, service, environment, version, digest, durationMs, null,
        null);
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_SUCCEEDED;
  }
}
