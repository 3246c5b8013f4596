package dev.stevedore.common.event;

import java.time.Instant;

/**
 * One step of an agent's cycle (pull, pre-deploy hook, down, up, health check, rollback...).
 *
 * @param ok whether the step succeeded
 * @param exitCode the process exit code, or {@code null} for steps that run no process
 * @param outputTail the last lines of the step's output (at most 16 KiB)
 */
public record DeployStep(
    String id,
    String source,
    Instant time,
    String deploymentId,
    String host,
    String service,
    String step,
    boolean ok,
    long durationMs,
    Integer exitCode,
    String outputTail,
    String keyId,
    String signature)
    implements AgentEvent, SignedByAgent<DeployStep> {

  public DeployStep {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    deploymentId = Fields.required("deploymentId", deploymentId);
    host = Fields.required("host", host);
    service = Fields.required("service", service);
    step = Fields.required("step", step);
    outputTail = Fields.tail(outputTail, Fields.MAX_OUTPUT_TAIL);
    keyId = Fields.optional("keyId", keyId);
    signature = Fields.optional("signature", signature);
  }

  /** Unsigned: as agents published it before events were signed, and as it is signed. */
  public DeployStep(String id, String source, Instant time, String deploymentId, String host, String service,
      String step, boolean ok, long durationMs, Integer exitCode, String outputTail) {
    this(id, source, time, deploymentId, host, service, step, ok, durationMs, exitCode, outputTail, null, null);
  }

  @Override
  public DeployStep withSignature(String keyId, String signature) {
    return new DeployStep(id, source, time, deploymentId, host, service, step, ok, durationMs, exitCode,
        outputTail, keyId, signature);
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_STEP;
  }
}
