package dev.stevedore.agent.config;

import java.time.Duration;

/**
 * How the agent decides a version is healthy.
 *
 * @param type {@code http} (GET {@code url} until {@code expectedStatus}), {@code container} (the
 *     container's own Docker healthcheck reports healthy) or {@code none}
 * @param interval wait between probes
 * @param deadline give up (unhealthy) after this long
 */
public record HealthCheckConfig(HealthCheckType type, String url, int expectedStatus, Duration interval, Duration deadline) {
  public HealthCheckConfig {
    type = type == null ? (url == null ? HealthCheckType.NONE : HealthCheckType.HTTP) : type;
    if (type == HealthCheckType.HTTP && (url == null || url.isBlank())) {
      throw new IllegalArgumentException("an http health check needs url");
    }
    expectedStatus = expectedStatus <= 0 ? 200 : expectedStatus;
    interval = ResilienceConfig.positive(interval, Duration.ofMillis(500));
    deadline = ResilienceConfig.positive(deadline, Duration.ofSeconds(30));
  }

  public static HealthCheckConfig none() {
    return new HealthCheckConfig(HealthCheckType.NONE, null, 0, null, null);
  }
}
