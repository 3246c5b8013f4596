package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.RolloutPolicy;
import java.util.List;
import java.util.Map;

/**
 * The {@code rollouts} section of the trigger's configuration: the policy per environment (with
 * per-service overrides), the bounds within which a request may override it, and the coordinator's
 * timing.
 *
 * @param enabled false: every request goes to every host at once (today's behaviour), no coordinator runs
 * @param tickMs how often the coordinator looks at wave timeouts, bake times and silent hosts
 * @param heartbeatDeadlineSeconds a host whose newest heartbeat is older than this is unreached
 * @param defaultPolicy the policy of an environment without one of its own
 * @param environments per environment: {@code policy} and {@code services} (service name to policy)
 * @param overrides what a request may change
 * @param groupId the consumer group of the trigger instances: its partition assignment of
 *     {@code stevedore.rollout.state} decides which instance coordinates which keys
 * @param sessionTimeoutMs how long a silent coordinator keeps its keys (a killed one is replaced
 *     after about this plus a second)
 */
public record RolloutSettings(boolean enabled, long tickMs, int heartbeatDeadlineSeconds, RolloutPolicy defaultPolicy,
    Map<String, EnvironmentPolicy> environments, Overrides overrides, String groupId, int sessionTimeoutMs) {

  public RolloutSettings {
    tickMs = tickMs <= 0 ? 1_000 : tickMs;
    heartbeatDeadlineSeconds = heartbeatDeadlineSeconds <= 0 ? 90 : heartbeatDeadlineSeconds;
    defaultPolicy = defaultPolicy == null ? RolloutPolicy.allAtOnce() : defaultPolicy;
    environments = environments == null ? Map.of() : Map.copyOf(environments);
    overrides = overrides == null ? new Overrides(null, 0, 0, -1) : overrides;
    groupId = groupId == null || groupId.isBlank() ? "stevedore-trigger-coordinator" : groupId;
    sessionTimeoutMs = sessionTimeoutMs <= 0 ? 10_000 : sessionTimeoutMs;
  }

  public RolloutSettings(boolean enabled, long tickMs, int heartbeatDeadlineSeconds, RolloutPolicy defaultPolicy,
      Map<String, EnvironmentPolicy> environments, Overrides overrides) {
    this(enabled, tickMs, heartbeatDeadlineSeconds, defaultPolicy, environments, overrides, null, 0);
  }

  /** Rollouts on, every environment all-at-once unless configured (tests and launchers). */
  public static RolloutSettings defaults() {
    return new RolloutSettings(true, 0, 0, null, null, null);
  }

  /** One environment's policy and its per-service overrides (each a whole policy). */
  public record EnvironmentPolicy(RolloutPolicy policy, Map<String, RolloutPolicy> services) {
    public EnvironmentPolicy {
      services = services == null ? Map.of() : Map.copyOf(services);
    }
  }

  /**
   * The bounds of a per-request override.
   *
   * @param strategies the strategies a request may choose (default rolling and canary)
   * @param maxWavePercent the largest wave (percent of the hosts) a request may ask for
   * @param maxFailurePercent the most lenient failure threshold in percent a request may ask for
   * @param minBakeSeconds the shortest canary bake time a request may ask for
   */
  public record Overrides(List<String> strategies, int maxWavePercent, int maxFailurePercent, int minBakeSeconds) {
    public Overrides {
      strategies = strategies == null || strategies.isEmpty()
          ? List.of(RolloutPolicy.ROLLING, RolloutPolicy.CANARY) : List.copyOf(strategies);
      maxWavePercent = maxWavePercent <= 0 ? 50 : Math.min(100, maxWavePercent);
      maxFailurePercent = maxFailurePercent <= 0 ? 50 : Math.min(100, maxFailurePercent);
      minBakeSeconds = minBakeSeconds < 0 ? 60 : minBakeSeconds;
    }
  }
}
