package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.event.VersionUnblocked;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The versions blocked fleet-wide: the compacted topic {@code stevedore.fleet.blocklist} read in
 * offset order, the newest record per key winning (a {@code version.blocked} blocks; a
 * {@code version.unblocked} for the whole environment, or a tombstone, lifts). The caller verifies
 * signatures. Thread-safe.
 */
public final class Blocklist {
  private final Map<String, VersionBlocked> blocked = new ConcurrentHashMap<>();

  public void blocked(VersionBlocked b) {
    blocked.put(b.blocklistKey(), b);
  }

  /** An unblock lifts the fleet-wide block only when it names no hosts (an unblock of some hosts is theirs alone). */
  public void unblocked(VersionUnblocked u) {
    if (u.target().hosts().isEmpty()) {
      blocked.remove(VersionBlocked.blocklistKey(u.environment(), u.service(), u.version()));
    }
  }

  /** A tombstone on the topic. */
  public void lifted(String key) {
    blocked.remove(key);
  }

  public Optional<VersionBlocked> block(String environment, String service, String version) {
    return Optional.ofNullable(blocked.get(VersionBlocked.blocklistKey(environment, service, version)));
  }

  public int size() {
    return blocked.size();
  }
}
