package dev.stevedore.common.event;

/** An event an agent publishes about its work on one deployment, on one host. */
public sealed interface AgentEvent extends DeployEvent
    permits DeployStarted, DeployStep, Outcome {

  String host();

  String service();
}
