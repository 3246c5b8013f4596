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
    String outputTail)
    implements AgentEvent {

  public DeployStep {
    id = Fields.required("id", id);
    source = Fields.required("source", source);
    time = Fields.required("time", time);
    deploymentId = Fields.required("deploymentId", deploymentId);
    host = Fields.required("host", host);
    service = Fields.required("service", service);
    step = Fields.required("step", step);
    outputTail = Fields.tail(outputTail, Fields.MAX_OUTPUT_TAIL);
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_STEP;
  }
}
