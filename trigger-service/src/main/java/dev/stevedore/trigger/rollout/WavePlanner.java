package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.RolloutStrategy;
import dev.stevedore.common.event.RolloutPolicy;
import dev.stevedore.common.event.RolloutWave;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Hosts into waves, deterministically: the hosts sorted by id, then cut in order. {@code all-at-once}
 * is one wave; {@code canary} is a first (canary) wave of K hosts or P % and then waves as
 * {@code rolling}; {@code rolling} cuts waves of N hosts or P % (rounded up, at least one host). Every
 * wave is capped at {@code maxUnavailable}. Pure.
 */
public final class WavePlanner {
  /** Waves of a rolling policy without a size: a quarter of the hosts each. */
  static final int DEFAULT_WAVE_PERCENT = 25;

  private WavePlanner() {}

  public static List<RolloutWave> plan(RolloutPolicy policy, java.util.Collection<String> hosts) {
    List<String> sorted = new ArrayList<>(new TreeSet<>(hosts));
    List<RolloutWave> waves = new ArrayList<>();
    if (sorted.isEmpty()) {
      return waves;
    }
    int total = sorted.size();
    int cap = policy.maxUnavailable() == null ? Integer.MAX_VALUE : policy.maxUnavailable();
    int next = 0;
    if (policy.strategy() == RolloutStrategy.ALL_AT_ONCE) {
      waves.add(new RolloutWave(0, sorted, false));
      return waves;
    }
    if (policy.strategy() == RolloutStrategy.CANARY) {
      int canary = size(policy.canaryHosts(), policy.canaryPercent(), total, 1);
      canary = Math.min(Math.min(canary, cap), total);
      waves.add(new RolloutWave(0, List.copyOf(sorted.subList(0, canary)), true));
      next = canary;
    }
    int wave = Math.min(size(policy.waveHosts(), policy.wavePercent(), total, -1), cap);
    while (next < total) {
      int end = Math.min(total, next + wave);
      waves.add(new RolloutWave(waves.size(), List.copyOf(sorted.subList(next, end)), false));
      next = end;
    }
    return waves;
  }

  /** N hosts, or P % of {@code total} rounded up; at least one. {@code fallback} -1: the default percentage. */
  static int size(Integer hosts, Integer percent, int total, int fallback) {
    if (hosts != null) {
      return Math.max(1, hosts);
    }
    int p = percent != null ? percent : fallback > 0 ? -1 : DEFAULT_WAVE_PERCENT;
    if (p < 0) {
      return fallback;
    }
    return Math.max(1, (int) Math.ceil(total * p / 100.0));
  }
}
