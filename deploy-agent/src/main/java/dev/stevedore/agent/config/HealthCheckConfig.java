package dev.stevedore.agent.config;

import java.time.Duration;
import java.util.Locale;

/**
 * How the agent decides a version is healthy.
 *
 * @param type {@code http} (GET {@code url} until {@code expectedStatus}), {@code container} (the
 *     container's own Docker healthcheck reports healthy) or {@code none}
 * @param interval wait between probes
 * @param deadline give up (unhealthy) after this long
 */
public record HealthCheckConfig(String type, String url, int expectedStatus, Duration interval, Duration deadline) {
  public HealthCheckConfig {
    type = type == null || type.isBlank() ? (url == null ? "none" : "http") : type.toLowerCase(Locale.ROOT);
    if (!type.equals("http") && !type.equals("container") && !type.equals("none")) {
      throw new IllegalArgumentException("healthCheck.type must be http, container or none");
    }
    if (type.equals("http") && (url == null || url.isBlank())) {
      throw new IllegalArgumentException("an http health check needs url");
    }
    expectedStatus = expectedStatus <= 0 ? 200 : expectedStatus;
    interval = ResilienceConfig.positive(interval, Duration.ofMillis(500));
    deadline = ResilienceConfig.positive(deadline, Duration.ofSeconds(30));
  }

  public static HealthCheckConfig none() {
    return new HealthCheckConfig("none", null, 0, null, null);
  }
}
