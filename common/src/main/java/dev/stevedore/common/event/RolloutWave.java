package dev.stevedore.common.event;

import java.util.List;

/** One planned wave of a rollout: its index (from 0), its hosts in order, and whether it is the canary. */
public record RolloutWave(int index, List<String> hosts, boolean canary) {
  public RolloutWave {
    if (index < 0) {
      throw new IllegalArgumentException("waves[].index must not be negative");
    }
    hosts = Fields.list(hosts);
  }
}
