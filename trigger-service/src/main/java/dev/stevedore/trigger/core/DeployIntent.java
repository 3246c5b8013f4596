package dev.stevedore.trigger.core;

/**
 * What a hook or an API call asks for, before it is signed: validated names and version, the
 * deterministic deployment id, and where it came from.
 *
 * @param trigger github, gitlab, generic, manual, schedule or rollback (DeployRequested.trigger)
 */
public record DeployIntent(
    String trigger,
    String deploymentId,
    String service,
    String environment,
    String version,
    String commit,
    String branch,
    String repository,
    String requestedBy,
    String reason) {}
