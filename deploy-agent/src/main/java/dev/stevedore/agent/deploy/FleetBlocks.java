package dev.stevedore.agent.deploy;

import dev.stevedore.common.event.VersionBlocked;

/** The fleet-wide blocks an agent knows of (the trigger's signed blocklist), as {@link Admission} asks them. */
@FunctionalInterface
public interface FleetBlocks {
  /** The block on {@code version} of {@code service} in {@code environment}, or null when it is not blocked. */
  VersionBlocked find(String environment, String service, String version);

  static FleetBlocks none() {
    return (environment, service, version) -> null;
  }
}
