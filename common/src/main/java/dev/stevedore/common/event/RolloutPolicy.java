package dev.stevedore.common.event;

/**
 * How a rollout reaches the hosts, as the coordinator resolved it (environment default, service
 * override, request override within bounds). Sizes are either a host count or a percentage of the
 * rollout's hosts (rounded up, at least one host); {@code null} where not used.
 *
 * @param strategy all at once, rolling or canary
 * @param canaryHosts canary: the first wave's size in hosts
 * @param canaryPercent canary: the first wave's size in percent of the hosts
 * @param waveHosts rolling (and canary after promotion): hosts per wave
 * @param wavePercent rolling (and canary after promotion): percent of the hosts per wave
 * @param maxUnavailable most hosts deploying at once (caps every wave); {@code null}: no cap
 * @param failureCount halt when this many hosts failed ({@code null}: not by count)
 * @param failurePercent halt when this percentage of the hosts reached so far failed ({@code null}: not by percentage)
 * @param bakeSeconds canary: how long the canary must stay healthy before promotion
 * @param autoPromote canary: promote after the bake time without a person ({@code false}: wait for promote)
 * @param waveTimeoutSeconds how long a wave waits for a host's outcome before it counts as unreached
 */
public record RolloutPolicy(
    RolloutStrategy strategy,
    Integer canaryHosts,
    Integer canaryPercent,
    Integer waveHosts,
    Integer wavePercent,
    Integer maxUnavailable,
    Integer failureCount,
    Integer failurePercent,
    Integer bakeSeconds,
    Boolean autoPromote,
    Integer waveTimeoutSeconds) {

  public RolloutPolicy {
    if (strategy == null) {
      throw new IllegalArgumentException("missing required field 'policy.strategy'");
    }
    positive("policy.canaryHosts", canaryHosts);
    percent("policy.canaryPercent", canaryPercent);
    positive("policy.waveHosts", waveHosts);
    percent("policy.wavePercent", wavePercent);
    positive("policy.maxUnavailable", maxUnavailable);
    positive("policy.failureCount", failureCount);
    percent("policy.failurePercent", failurePercent);
    if (bakeSeconds != null && bakeSeconds < 0) {
      throw new IllegalArgumentException("policy.bakeSeconds must not be negative");
    }
    positive("policy.waveTimeoutSeconds", waveTimeoutSeconds);
    if (canaryHosts != null && canaryPercent != null) {
      throw new IllegalArgumentException("policy: give canaryHosts or canaryPercent, not both");
    }
    if (waveHosts != null && wavePercent != null) {
      throw new IllegalArgumentException("policy: give waveHosts or wavePercent, not both");
    }
  }

  /** Today's behaviour: one request to every host, halting at the first failure. */
  public static RolloutPolicy allAtOnce() {
    return new RolloutPolicy(RolloutStrategy.ALL_AT_ONCE, null, null, null, null, null, 1, null, null, null, 600);
  }

  private static void positive(String name, Integer value) {
    if (value != null && value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1");
    }
  }

  private static void percent(String name, Integer value) {
    if (value != null && (value < 1 || value > 100)) {
      throw new IllegalArgumentException(name + " must be between 1 and 100");
    }
  }
}
