package dev.stevedore.agent.deploy;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.TraceContext;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One deployment this agent is asked to run: from a verified request, or from the poller.
 *
 * @param eventSource the CloudEvents source of the agent's events for it ({@code .../poll} for polling)
 * @param force deploy even when the version already runs
 * @param trace the W3C trace context the request carried (its {@code traceparent}/{@code tracestate}
 *     extension attributes): every event of the deployment carries it on
 */
public record DeployJob(String deploymentId, String service, String environment, String version,
    Instant requestTime, String trigger, String eventSource, boolean force, Optional<TraceContext> trace) {

  public DeployJob {
    trace = trace == null ? Optional.empty() : trace;
  }

  public DeployJob(String deploymentId, String service, String environment, String version, Instant requestTime,
      String trigger, String eventSource, boolean force) {
    this(deploymentId, service, environment, version, requestTime, trigger, eventSource, force, Optional.empty());
  }

  public DeployJob(String deploymentId, String service, String environment, String version, Instant requestTime,
      String trigger, String eventSource) {
    this(deploymentId, service, environment, version, requestTime, trigger, eventSource, false);
  }

  public static DeployJob of(DeployRequested request, String agentSource) {
    return of(request, agentSource, Optional.empty());
  }

  /**
   * @param trace the request's trace context, read as strictly as the trigger reads the headers
   *     ({@link TraceContext#fromExtensions}); no other extension attribute of a request is passed on
   */
  public static DeployJob of(DeployRequested request, String agentSource, Optional<TraceContext> trace) {
    return new DeployJob(request.deploymentId(), request.service(), request.environment(), request.version(),
        request.time(), request.trigger(), agentSource, request.forced(), trace);
  }

  /** The extension attributes of this deployment's events: its trace context, or none. */
  public Map<String, String> extensions() {
    return TraceContext.extensions(trace);
  }

  /** Polling deploys a tag whose digest changed: "the same version" says nothing there. */
  public boolean polled() {
    return "poll".equals(trigger);
  }
}
