package dev.stevedore.agent.driver;

import dev.stevedore.agent.config.ServiceConfig;

/**
 * Makes the driver of one managed service. The agent's own factory picks compose, blue-green or
 * git from the service's config; a simulator of many agents in one JVM (bench/fleet) passes one
 * that makes drivers which only take time, so everything else (consumer, admission, state,
 * outbox, events, heartbeats) is the real agent.
 */
@FunctionalInterface
public interface DriverFactory {
  Driver create(String service, ServiceConfig config);
}
