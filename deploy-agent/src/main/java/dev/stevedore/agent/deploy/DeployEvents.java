package dev.stevedore.agent.deploy;

import dev.stevedore.agent.driver.StepResult;
import dev.stevedore.agent.state.AgentState.Desired;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.VersionUnblocked;
import java.time.Clock;
import java.time.Instant;

/**
 * The one place that turns what happened to a deployment on this host into events. Event ids are
 * deterministic ({@link DeploymentIds#eventId}): the same step or outcome published again after a
 * crash has the same id.
 */
public final class DeployEvents {
  static final int TAIL = 4096;

  private final String host;
  private final Clock clock;

  public DeployEvents(String host, Clock clock) {
    this.host = host;
    this.clock = clock;
  }

  private String id(DeployJob job, String name) {
    return DeploymentIds.eventId(job.deploymentId(), host, name);
  }

  private Instant now() {
    return clock.instant();
  }

  public DeployStarted started(DeployJob job, String fromVersion, String strategy) {
    return new DeployStarted(id(job, "started"), job.eventSource(), now(), job.deploymentId(), host, job.service(),
        job.environment(), fromVersion, job.version(), strategy);
  }

  /** Step {@code number} of the deployment (numbers go on across attempts). */
  public DeployStep step(DeployJob job, int number, String name, StepResult r) {
    return new DeployStep(id(job, "step:" + number + ":" + name), job.eventSource(), now(), job.deploymentId(), host,
        job.service(), name, r.ok(), r.durationMs(), r.exitCode(),
        tail(r.output().isEmpty() && r.reason() != null ? r.reason() : r.output()));
  }

  public DeploySucceeded succeeded(DeployJob job, Desired progress, String digest, long durationMs) {
    return new DeploySucceeded(id(job, "outcome"), job.eventSource(), now(), job.deploymentId(), host, job.service(),
        job.environment(), job.version(), digest, durationMs, attempts(progress), waited(progress));
  }

  public DeployFailed failed(DeployJob job, Desired progress, String step, StepResult r, String reason,
      String runningVersion, long durationMs) {
    return new DeployFailed(id(job, "outcome"), job.eventSource(), now(), job.deploymentId(), host, job.service(),
        job.environment(), job.version(), step, r.exitCode(), tail(r.output()), reason, runningVersion, durationMs,
        attempts(progress), waited(progress));
  }

  public DeployRolledBack rolledBack(DeployJob job, Desired progress, String restoredVersion, String failedStep,
      String reason, boolean healthy, long durationMs) {
    return new DeployRolledBack(id(job, "outcome"), job.eventSource(), now(), job.deploymentId(), host, job.service(),
        job.environment(), job.version(), restoredVersion, failedStep, reason, healthy, durationMs, attempts(progress),
        waited(progress));
  }

  /**
   * The trace of a lifted block, as a step {@code unblock} of the deployment that blocked the
   * version (its timeline then shows who lifted it and why).
   */
  public DeployStep unblocked(String blockingDeploymentId, String source, VersionUnblocked u, String blockedSince,
      String blockReason) {
    String text = "version " + u.version() + " unblocked by " + (u.requestedBy() == null ? "the trigger" : u.requestedBy())
        + ": " + u.reason() + " (unblock " + u.deploymentId() + "; blocked since " + blockedSince
        + (blockReason == null ? "" : ": " + blockReason) + ")";
    return new DeployStep(DeploymentIds.eventId(blockingDeploymentId, host, "unblock:" + u.id()), source, now(),
        blockingDeploymentId, host, u.service(), "unblock", true, 0, null, tail(text));
  }

  public DeploySkipped skipped(DeployJob job, String reason) {
    return new DeploySkipped(id(job, "outcome"), job.eventSource(), now(), job.deploymentId(), host, job.service(),
        job.environment(), job.version(), reason);
  }

  private static Integer attempts(Desired d) {
    return d == null ? null : Math.max(1, d.attempts);
  }

  private static Long waited(Desired d) {
    return d == null ? null : d.waitedMs;
  }

  static String tail(String s) {
    if (s == null) {
      return null;
    }
    return s.length() <= TAIL ? s : s.substring(s.length() - TAIL);
  }
}
