package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.RolloutPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which policy a request gets: the service's override, else the environment's, else the default;
 * then the request's own override, field by field, checked against the configured bounds. Pure.
 */
public final class RolloutPolicies {
  private final RolloutSettings settings;

  public RolloutPolicies(RolloutSettings settings) {
    this.settings = settings;
  }

  /** The configured policy of {@code environment}/{@code service}. */
  public RolloutPolicy configured(String environment, String service) {
    RolloutSettings.EnvironmentPolicy env = settings.environments().get(environment);
    if (env == null) {
      return settings.defaultPolicy();
    }
    RolloutPolicy own = env.services().get(service);
    if (own != null) {
      return own;
    }
    return env.policy() == null ? settings.defaultPolicy() : env.policy();
  }

  /**
   * The policy for a request with an optional override; {@link IllegalArgumentException} (a 400)
   * when the override leaves the bounds.
   */
  public RolloutPolicy resolve(String environment, String service, Optional<RolloutPolicy> override) {
    RolloutPolicy base = configured(environment, service);
    if (override.isEmpty()) {
      return base;
    }
    RolloutPolicy o = override.get();
    RolloutSettings.Overrides bounds = settings.overrides();
    List<String> problems = new ArrayList<>();
    if (!bounds.strategies().contains(o.strategy())) {
      problems.add("strategy " + o.strategy() + " is not one a request may choose " + bounds.strategies());
    }
    if (o.wavePercent() != null && o.wavePercent() > bounds.maxWavePercent()) {
      problems.add("wavePercent " + o.wavePercent() + " exceeds the bound " + bounds.maxWavePercent());
    }
    if (o.canaryPercent() != null && o.canaryPercent() > bounds.maxWavePercent()) {
      problems.add("canaryPercent " + o.canaryPercent() + " exceeds the bound " + bounds.maxWavePercent());
    }
    if (o.failurePercent() != null && o.failurePercent() > bounds.maxFailurePercent()) {
      problems.add("failurePercent " + o.failurePercent() + " exceeds the bound " + bounds.maxFailurePercent());
    }
    if (o.bakeSeconds() != null && o.bakeSeconds() < bounds.minBakeSeconds()) {
      problems.add("bakeSeconds " + o.bakeSeconds() + " is below the bound " + bounds.minBakeSeconds());
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("rollout override refused: " + String.join("; ", problems));
    }
    boolean sizesGiven = o.waveHosts() != null || o.wavePercent() != null;
    boolean canaryGiven = o.canaryHosts() != null || o.canaryPercent() != null;
    boolean thresholdGiven = o.failureCount() != null || o.failurePercent() != null;
    return new RolloutPolicy(o.strategy(),
        canaryGiven ? o.canaryHosts() : base.canaryHosts(),
        canaryGiven ? o.canaryPercent() : base.canaryPercent(),
        sizesGiven ? o.waveHosts() : base.waveHosts(),
        sizesGiven ? o.wavePercent() : base.wavePercent(),
        o.maxUnavailable() != null ? o.maxUnavailable() : base.maxUnavailable(),
        thresholdGiven ? o.failureCount() : base.failureCount(),
        thresholdGiven ? o.failurePercent() : base.failurePercent(),
        o.bakeSeconds() != null ? o.bakeSeconds() : base.bakeSeconds(),
        o.autoPromote() != null ? o.autoPromote() : base.autoPromote(),
        o.waveTimeoutSeconds() != null ? o.waveTimeoutSeconds() : base.waveTimeoutSeconds());
  }
}
