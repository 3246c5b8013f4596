package dev.stevedore.trigger.core;

import dev.stevedore.common.event.RolloutPolicy;
import java.util.Locale;
import java.util.Optional;

/**
 * What a hook or an API call asks for, before it is signed: validated names and version, the
 * deterministic deployment id, where it came from, and whether it is forced ({@code force}: deploy
 * even where the version already runs).
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
    Optional<String> windowOverride) {

  public DeployIntent {
    rollout = rollout == null ? Optional.empty() : rollout;
    windowOverride = windowOverride == null ? Optional.empty() : windowOverride;
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
