package dev.stevedore.common.event;

/** An event about one deployment: every type but the heartbeat. */
public sealed interface DeployEvent extends StevedoreEvent
    permits DeployRequested, DeployCancelled, VersionUnblocked, AgentEvent {

  /** The deployment this event belongs to (the correlation id across all services and hosts). */
  String deploymentId();

  @Override
  default String subject() {
    return deploymentId();
  }
}
