package dev.stevedore.common.event;

import java.time.Instant;

/**
 * The deployment failed at {@code step}; {@code runningVersion} is what serves now (the old
 * version, since a failed pull or hook changes nothing that runs).
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
    long durationMs)
    implements Outcome {

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
  }

  @Override
  public EventType type() {
    return EventType.DEPLOY_FAILED;
  }
}
