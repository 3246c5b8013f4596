package dev.stevedore.trigger.rollout;

import dev.stevedore.common.event.RolloutStrategy;
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
 * @param windows per environment: its deploy windows and freezes ({@link DeployWindows})
 */
public record RolloutSettings(boolean enabled, long tickMs, int heartbeatDeadlineSeconds, RolloutPolicy defaultPolicy,
    Map<String, EnvironmentPolicy> environments, Overrides overrides, String groupId, int sessionTimeoutMs,
    Map<String, Windows> windows) {

  public RolloutSettings {
    tickMs = tickMs <= 0 ? 1_000 : tickMs;
    heartbeatDeadlineSeconds = heartbeatDeadlineSeconds <= 0 ? 90 : heartbeatDeadlineSeconds;
    defaultPolicy = defaultPolicy == null ? RolloutPolicy.allAtOnce() : defaultPolicy;
    environments = environments == null ? Map.of() : Map.copyOf(environments);
    overrides = overrides == null ? new Overrides(null, 0, 0, -1) : overrides;
    groupId = groupId == null || groupId.isBlank() ? "stevedore-trigger-coordinator" : groupId;
    sessionTimeoutMs = sessionTimeoutMs <= 0 ? 10_000 : sessionTimeoutMs;
    windows = windows == null ? Map.of() : Map.copyOf(windows);
    if (!enabled && windows.values().stream().anyMatch(w -> !w.windows().isEmpty())) {
      throw new IllegalArgumentException("rollouts.windows needs rollouts.enabled: true (the coordinator holds "
          + "requests until a window opens)");
    }
  }

  public RolloutSettings(boolean enabled, long tickMs, int heartbeatDeadlineSeconds, RolloutPolicy defaultPolicy,
      Map<String, EnvironmentPolicy> environments, Overrides overrides, String groupId, int sessionTimeoutMs) {
    this(enabled, tickMs, heartbeatDeadlineSeconds, defaultPolicy, environments, overrides, groupId, sessionTimeoutMs,
        null);
  }

  public RolloutSettings(boolean enabled, long tickMs, int heartbeatDeadlineSeconds, RolloutPolicy defaultPolicy,
      Map<String, EnvironmentPolicy> environments, Overrides overrides) {
    this(enabled, tickMs, heartbeatDeadlineSeconds, defaultPolicy, environments, overrides, null, 0, null);
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
  public record Overrides(List<RolloutStrategy> strategies, int maxWavePercent, int maxFailurePercent, int minBakeSeconds) {
    public Overrides {
      strategies = strategies == null || strategies.isEmpty()
          ? List.of(RolloutStrategy.ROLLING, RolloutStrategy.CANARY) : List.copyOf(strategies);
      maxWavePercent = maxWavePercent <= 0 ? 50 : Math.min(100, maxWavePercent);
      maxFailurePercent = maxFailurePercent <= 0 ? 50 : Math.min(100, maxFailurePercent);
      minBakeSeconds = minBakeSeconds < 0 ? 60 : minBakeSeconds;
    }
  }

  /**
   * One environment's deploy windows and freezes.
   *
   * @param outside what happens to a request while the environment is closed: {@code wait} (the
   *     default: it is recorded as a pending rollout that the coordinator starts at the next opening)
   *     or {@code refuse} (409 naming the next opening)
   * @param windows the windows; none: always open
   */
  public record Windows(String outside, List<Window> windows) {
    public Windows {
      outside = outside == null || outside.isBlank() ? "wait" : outside.trim().toLowerCase(java.util.Locale.ROOT);
      if (!outside.equals("wait") && !outside.equals("refuse")) {
        throw new IllegalArgumentException("rollouts.windows.*.outside must be wait or refuse, not '" + outside + "'");
      }
      windows = windows == null ? List.of() : List.copyOf(windows);
    }

    public boolean refuses() {
      return outside.equals("refuse");
    }
  }

  /**
   * A window that opens at every time {@code cron} names (five Vixie fields or a nickname, in
   * {@code zone}, default UTC) and stays open for {@code duration} (ISO 8601, such as {@code PT8H}).
   * Parsed here, so a bad one stops the trigger at start with its name.
   *
   * @param name how logs, refusals and errors call it
   * @param kind {@code allow} (a deploy window) or {@code deny} (a freeze, which beats any allow)
   */
  public record Window(String name, String kind, String cron, String zone, String duration,
      @com.fasterxml.jackson.annotation.JsonIgnore dev.stevedore.common.time.CronSchedule schedule,
      @com.fasterxml.jackson.annotation.JsonIgnore java.time.Duration length) {
    public Window {
      String what = "deploy window '" + (name == null || name.isBlank() ? cron : name) + "'";
      name = name == null || name.isBlank() ? String.valueOf(cron) : name.trim();
      kind = kind == null ? "" : kind.trim().toLowerCase(java.util.Locale.ROOT);
      if (!kind.equals("allow") && !kind.equals("deny")) {
        throw new IllegalArgumentException(what + ": kind must be allow or deny, not '" + kind + "'");
      }
      try {
        schedule = dev.stevedore.common.time.CronSchedule.parse(cron, zone);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
      }
      try {
        length = java.time.Duration.parse(String.valueOf(duration).trim());
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException(what + ": duration '" + duration
            + "' is not an ISO 8601 duration such as PT8H or P14D");
      }
      if (length.isNegative() || length.isZero() || length.compareTo(DeployWindows.HORIZON) > 0) {
        throw new IllegalArgumentException(what + ": duration " + duration + " must be above zero and at most 366 days");
      }
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public Window(@com.fasterxml.jackson.annotation.JsonProperty("name") String name,
        @com.fasterxml.jackson.annotation.JsonProperty("kind") String kind,
        @com.fasterxml.jackson.annotation.JsonProperty("cron") String cron,
        @com.fasterxml.jackson.annotation.JsonProperty("zone") String zone,
        @com.fasterxml.jackson.annotation.JsonProperty("duration") String duration) {
      this(name, kind, cron, zone, duration, null, null);
    }

    boolean deny() {
      return kind.equals("deny");
    }
  }
}
