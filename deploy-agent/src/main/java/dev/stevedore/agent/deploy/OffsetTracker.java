package dev.stevedore.agent.deploy;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Which offsets may be committed while records finish out of order: for each partition, the
 * commit position is the lowest offset not yet done (records finish in any order, the commit only
 * moves over a contiguous run of finished ones).
 */
public final class OffsetTracker {
  private final Map<Integer, TreeMap<Long, Boolean>> partitions = new HashMap<>();

  public void track(int partition, long offset) {
    partitions.computeIfAbsent(partition, p -> new TreeMap<>()).put(offset, false);
  }

  /** Marks an offset done; returns the new commit position (next offset to read) if it moved. */
  public OptionalLong done(int partition, long offset) {
    TreeMap<Long, Boolean> offsets = partitions.get(partition);
    if (offsets == null || !offsets.containsKey(offset)) {
      return OptionalLong.empty();
    }
    offsets.put(offset, true);
    long commit = -1;
    while (!offsets.isEmpty() && offsets.firstEntry().getValue()) {
      commit = offsets.pollFirstEntry().getKey() + 1;
    }
    return commit < 0 ? OptionalLong.empty() : OptionalLong.of(commit);
  }

  public void forget(int partition) {
    partitions.remove(partition);
  }

  public int inFlight() {
    return partitions.values().stream().mapToInt(TreeMap::size).sum();
  }
}
