package dev.stevedore.common.event;

import java.time.Instant;

/**
 * The new version failed after the switch ({@code failedStep}); the agent put the previous
 * version back and it passed its health check ({@code restoredHealthy}).
 *
 * <p>{@code attempts}: how many times the agent ran the cycle for it (more than one after an
 * outage or a restart of the agent); {@code waitedMs}: the time it spent waiting between attempts.
 * Both are absent in events of older agents.
 */
public record DeployRolledBack(
    String id,
    String source,
    Instant time,
    String deploymentId,
    String host,
    String service,
    String environment,
    String version,
    String restoredVersion,
    String failedStep,
    String reason,
    boolean restoredHealthy,
    long durationMs,
    Integer attempts,
    Long waitedMs,
    String keyId,
    String signature)
    implements Outcome, SignedByAgent<DeployRolledBack> {

  public DeployRolledBack {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    deploymentId = Fields.required("deploymentId", deploymentId);
    host = Fields.required("host", host);
    service = Fields.required("service", service);
    environment = Fields.required("environment", environment);
    version = Fields.required("version", version);
    restoredVersion = Fields.optional("restoredVersion", restoredVersion);
    failedStep = Fields.required("failedStep", failedStep);
    reason = Fields.required("reason", Fields.tail(reason, Fields.MAX_TEXT));
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  /** Unsigned: as agents published it before events were signed, and as it is signed. */
  public DeployRolledBack(String id, String source, Instant time, String deploymentId, String host, String
      service, String environment, String version, String restoredVersion, String failedStep, String reason,
      boolean restoredHealthy, long durationMs, Integer attempts, Long waitedMs) {
    this(id, source, time, deploymentId, host, service, environment, version, restoredVersion, failedStep, reason, restoredHealthy, durationMs, attempts, waitedMs, null, null);
  }

  @Override
  public DeployRolledBack withSignature(String keyId, String signature) {
    return new DeployRolledBack(id, source, time, deploymentId, host, service, environment, version,
        restoredVersion, failedStep, reason, restoredHealthy, durationMs, attempts, waitedMs, keyId,
        signature);
  }

  /** Without attempt figures (one attempt, no waiting): events of agents before they were counted. */
  public DeployRolledBack(String id, String source, Instant time, String deploymentId, String host,
      String service, String environment, String version, String restoredVersion, String failedStep,
      String reason, boolean restoredHealthy, long durationMs) {
    this(id, source, time, deploymentId, host, service, environment, version, restoredVersion,
        failedStep, reason, restoredHealthy, durationMs, null, null);
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_ROLLED_BACK;
  }
}
