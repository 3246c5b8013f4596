package dev.stevedore.agent.deploy;

import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.event.VersionUnblocked;
import java.util.HashMap;
import java.util.Map;

/**
 * The latest verified record per key of the compacted topic {@code stevedore.fleet.blocklist}
 * (key {@code environment/service/version}), for this agent's environment: a
 * {@code version.blocked} blocks, a {@code version.unblocked} or a tombstone lifts. Pure: the
 * Kafka adapter ({@code BlocklistFollower}) verifies signatures and hands over records; this
 * decides what each one changes. Confined to the agent's event loop.
 */
public final class FleetBlocklist implements FleetBlocks {
  /** What one record did. */
  public sealed interface Change {
    record Blocked(VersionBlocked block) implements Change {}

    record Lifted(String key, VersionBlocked was, String by) implements Change {}

    /** Nothing changed here; {@code why} for the log. */
    record Unchanged(String why) implements Change {}

    /** A record that must not count (key and content disagree, an older record than the one kept): {@code why}. */
    record Refused(String why) implements Change {}
  }

  private final String environment;
  private final Map<String, VersionBlocked> blocks = new HashMap<>();
  /** Time of the latest record applied per key: an older record (a replay) does not undo a newer one. */
  private final Map<String, java.time.Instant> latest = new HashMap<>();

  public FleetBlocklist(String environment) {
    this.environment = environment;
  }

  /**
   * Applies one verified record ({@code event} null: a tombstone, which lifts the key's block).
   * The caller has checked the signature; this checks that the key names what the record says.
   */
  public Change apply(String key, StevedoreEvent event) {
    if (key == null) {
      return new Change.Refused("record without a key");
    }
    if (event == null) {
      VersionBlocked was = blocks.remove(key);
      latest.remove(key);
      return was == null ? new Change.Unchanged("tombstone for " + key + ", which is not blocked here")
          : new Change.Lifted(key, was, "tombstone");
    }
    if (event instanceof VersionBlocked block) {
      if (!key.equals(block.blocklistKey())) {
        return new Change.Refused("key " + key + " does not match the block's " + block.blocklistKey());
      }
      if (!block.environment().equals(environment)) {
        return new Change.Unchanged("block for environment " + block.environment());
      }
      if (older(key, block.time())) {
        return new Change.Refused("block of " + block.time() + " is older than the record kept for " + key);
      }
      latest.put(key, block.time());
      blocks.put(key, block);
      return new Change.Blocked(block);
    }
    if (event instanceof VersionUnblocked unblock) {
      String named = VersionBlocked.blocklistKey(unblock.environment(), unblock.service(), unblock.version());
      if (!key.equals(named)) {
        return new Change.Refused("key " + key + " does not match the unblock's " + named);
      }
      if (older(key, unblock.time())) {
        return new Change.Refused("unblock of " + unblock.time() + " is older than the record kept for " + key);
      }
      latest.put(key, unblock.time());
      VersionBlocked was = blocks.remove(key);
      return was == null ? new Change.Unchanged(key + " is not blocked here")
          : new Change.Lifted(key, was, unblock.requestedBy() == null ? "an unblock" : unblock.requestedBy()
              + (unblock.reason() == null ? "" : ": " + unblock.reason()));
    }
    return new Change.Refused("unexpected " + event.type().typeName() + " on the blocklist topic");
  }

  private boolean older(String key, java.time.Instant time) {
    java.time.Instant kept = latest.get(key);
    return kept != null && time.isBefore(kept);
  }

  @Override
  public VersionBlocked find(String environment, String service, String version) {
    return blocks.get(VersionBlocked.blocklistKey(environment, service, version));
  }

  /** The blocked keys ({@code environment/service/version}), sorted. */
  public java.util.List<String> keys() {
    return blocks.keySet().stream().sorted().toList();
  }

  public int size() {
    return blocks.size();
  }
}
