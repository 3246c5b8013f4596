package dev.stevedore.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;

/** {@code healthCheck.type}: how the agent tells a version is healthy. */
public enum HealthCheckType implements ConfigWord {
  /** GET the url until the expected status. */
  HTTP,
  /** The container's own Docker healthcheck reports healthy. */
  CONTAINER,
  /** No check. */
  NONE;

  @JsonCreator
  public static HealthCheckType of(String text) {
    return ConfigWord.parse("healthCheck.type", text, values());
  }

  @Override
  public String toString() {
    return word();
  }
}
