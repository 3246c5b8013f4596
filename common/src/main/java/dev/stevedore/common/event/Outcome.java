package dev.stevedore.common.event;

/**
 * A terminal event: exactly one of these is published per host per deployment.
 */
public sealed interface Outcome extends AgentEvent
    permits DeploySucceeded, DeployFailed, DeployRolledBack, DeploySkipped {

  String environment();

  /** The version the deployment asked for. */
  String version();

  /** The status word the audit service stores for this outcome. */
  default String status() {
    return type().status();
  }
}
