package dev.stevedore.cli.api;

import java.util.List;

/** A deployment as the audit API shows it ({@code GET /api/v1/deployments[/{id}]}); {@code hosts} only in the single view. */
public record Deployment(String id, String service, String environment, String version, String requestedBy,
    String trigger, String reason, String requestedAt, String status, String finishedAt, List<HostRun> hosts) {
  public Deployment {
    hosts = hosts == null ? List.of() : List.copyOf(hosts);
  }

  /** The statuses after which nothing changes any more. */
  public boolean finished() {
    return DeploymentStatus.of(status).finished();
  }

  /** One host's part in a deployment. */
  public record HostRun(String host, String status, String fromVersion, String version, String runningVersion,
      String failedStep, Integer exitCode, String reason, String startedAt, String finishedAt, Long durationMs,
      List<Step> steps) {
    public HostRun {
      steps = steps == null ? List.of() : List.copyOf(steps);
    }
  }

  /** One step the agent ran on a host. */
  public record Step(String name, Boolean ok, Long durationMs, Integer exitCode, String outputTail, String time) {}
}
