package dev.stevedore.trigger.core;

import dev.stevedore.common.event.RolloutPolicy;
import dev.stevedore.common.event.TraceContext;
import java.util.Locale;
import java.util.Optional;

/**
 * What a hook or an API call asks for, before it is signed: validated names and version, the
 * deterministic deployment id, where it came from, and whether it is forced ({@code force}: deploy
 * even where the version already runs).
 *
 * @param trace the W3C trace context of the HTTP request that asked for it, passed on as the
 *     {@code traceparent}/{@code tracestate} extension attributes of {@code deploy.requested}
 */
public record DeployIntent(
    Trigger trigger,
    String deploymentId,
    String service,
    String environment,
    String version,
    String commit,
    String branch,
    String repository,
    String requestedBy,
    String reason,
    boolean force,
    Optional<RolloutPolicy> rollout,
    Optional<String> windowOverride,
    Optional<TraceContext> trace) {

  public DeployIntent {
    rollout = rollout == null ? Optional.empty() : rollout;
    windowOverride = windowOverride == null ? Optional.empty() : windowOverride;
    trace = trace == null ? Optional.empty() : trace;
  }

  /** Without a trace context. */
  public DeployIntent(Trigger trigger, String deploymentId, String service, String environment, String version,
      String commit, String branch, String repository, String requestedBy, String reason, boolean force,
      Optional<RolloutPolicy> rollout, Optional<String> windowOverride) {
    this(trigger, deploymentId, service, environment, version, commit, branch, repository, requestedBy, reason, force,
        rollout, windowOverride, Optional.empty());
  }

  /** The same intent, asked for within the trace {@code trace}. */
  public DeployIntent withTrace(Optional<TraceContext> trace) {
    return new DeployIntent(trigger, deploymentId, service, environment, version, commit, branch, repository,
        requestedBy, reason, force, rollout, windowOverride, trace);
  }

  /** Without a deploy-window override. */
  public DeployIntent(Trigger trigger, String deploymentId, String service, String environment, String version,
      String commit, String branch, String repository, String requestedBy, String reason, boolean force,
      Optional<RolloutPolicy> rollout) {
    this(trigger, deploymentId, service, environment, version, commit, branch, repository, requestedBy, reason, force,
        rollout, Optional.empty());
  }

  /** Without a rollout override (the configured policy applies). */
  public DeployIntent(Trigger trigger, String deploymentId, String service, String environment, String version,
      String commit, String branch, String repository, String requestedBy, String reason, boolean force) {
    this(trigger, deploymentId, service, environment, version, commit, branch, repository, requestedBy, reason, force,
        Optional.empty());
  }

  /** An intent that is not forced (hooks, schedules, rollbacks). */
  public DeployIntent(Trigger trigger, String deploymentId, String service, String environment, String version,
      String commit, String branch, String repository, String requestedBy, String reason) {
    this(trigger, deploymentId, service, environment, version, commit, branch, repository, requestedBy, reason, false);
  }

  /** What made the request: its {@code DeployRequested.trigger}, in lower case. */
  public enum Trigger {
    GITHUB, GITLAB, GENERIC, MANUAL, SCHEDULE, ROLLBACK;

    /** The word in the event's {@code trigger} field. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
