package dev.stevedore.agent.deploy;

import dev.stevedore.common.event.DeployRequested;
import java.time.Instant;

/**
 * One deployment this agent is asked to run: from a verified request, or from the poller.
 *
 * @param eventSource the CloudEvents source of the agent's events for it ({@code .../poll} for polling)
 * @param force deploy even when the version already runs
 */
public record DeployJob(String deploymentId, String service, String environment, String version,
    Instant requestTime, String trigger, String eventSource, boolean force) {

  public DeployJob(String deploymentId, String service, String environment, String version, Instant requestTime,
      String trigger, String eventSource) {
    this(deploymentId, service, environment, version, requestTime, trigger, eventSource, false);
  }

  public static DeployJob of(DeployRequested request, String agentSource) {
    return new DeployJob(request.deploymentId(), request.service(), request.environment(), request.version(),
        request.time(), request.trigger(), agentSource, request.forced());
  }

  /** Polling deploys a tag whose digest changed: "the same version" says nothing there. */
  public boolean polled() {
    return "poll".equals(trigger);
  }
}
