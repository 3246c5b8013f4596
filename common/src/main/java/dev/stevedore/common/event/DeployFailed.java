package dev.stevedore.common.event;

import java.time.Instant;

/**
 * The deployment failed at {@code step}; {@code runningVersion} is what serves now (the old
 * version, since a failed pull or hook changes nothing that runs).
 *
 * <p>{@code attempts}: how many times the agent ran the cycle for it (more than one after an
 * outage or a restart of the agent); {@code waitedMs}: the time it spent waiting between attempts.
 * Both are absent in events of older agents.
 */
public record DeployFailed(
    String id,
    String source,
    Instant time,
    String deploymentId,
    String host,
    String service,
    String environment,
    String version,
    String step,
    Integer exitCode,
    String outputTail,
    String reason,
    String runningVersion,
    long durationMs,
    Integer attempts,
    Long waitedMs,
    String keyId,
    String signature)
    implements Outcome, SignedByAgent<DeployFailed> {

  public DeployFailed {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    deploymentId = Fields.required("deploymentId", deploymentId);
    host = Fields.required("host", host);
    service = Fields.required("service", service);
    environment = Fields.required("environment", environment);
    version = Fields.required("version", version);
    step = Fields.required("step", step);
    outputTail = Fields.tail(outputTail, Fields.MAX_OUTPUT_TAIL);
    reason = Fields.required("reason", Fields.tail(reason, Fields.MAX_TEXT));
    runningVersion = Fields.optional("runningVersion", runningVersion);
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  /** Unsigned: as agents published it before events were signed, and as it is signed. */
  public DeployFailed(String id, String source, Instant time, String deploymentId, String host, String
      service, String environment, String version, String step, Integer exitCode, String outputTail, String
      reason, String runningVersion, long durationMs, Integer attempts, Long waitedMs) {
    this(id, source, time, deploymentId, host, service, environment, version, step, exitCode, outputTail, reason, runningVersion, durationMs, attempts, waitedMs, null, null);
  }

  @Override
  public DeployFailed withSignature(String keyId, String signature) {
    return new DeployFailed(id, source, time, deploymentId, host, service, environment, version, step,
        exitCode, outputTail, reason, runningVersion, durationMs, attempts, waitedMs, keyId, signature);
  }

  /** Without attempt figures (one attempt, no waiting): events of agents before they were counted. */
  public DeployFailed(String id, String source, Instant time, String deploymentId, String host,
      String service, String environment, String version, String step, Integer exitCode,
      String outputTail, String reason, String runningVersion, long durationMs) {
    this(id, source, time, deploymentId, host, service, environment, version, step, exitCode,
        outputTail, reason, runningVersion, durationMs, null, null);
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_FAILED;
  }
}
