package dev.stevedore.agent.deploy;

import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.driver.Driver;
import dev.stevedore.agent.state.AgentState.Desired;
import dev.stevedore.agent.state.AgentState.Intent;
import dev.stevedore.agent.state.AgentState.ServiceRecord;

/**
 * One run of the cycle for one deployment of one service: the request, the service's config and
 * driver, its durable record, the step journal of this run ({@link Intent}) and the progress
 * across runs ({@link Desired}).
 */
record Attempt(DeployJob job, ServiceConfig service, Driver driver, ServiceRecord record, Intent intent,
    Desired progress) {

  String fromVersion() {
    return intent.from == null ? null : intent.from.version;
  }

  /** Since the first attempt started: the outcome's duration. */
  long elapsedMs(long nowMs) {
    long start = progress.firstStartedAt > 0 ? progress.firstStartedAt : intent.startedAt;
    return Math.max(0, nowMs - start);
  }

  boolean canRestore() {
    return service.rollback() && intent.from != null && intent.from.version != null;
  }
}
