package dev.stevedore.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;

/** {@code driver}: how a service is deployed. */
public enum DriverKind implements ConfigWord {
  /** Docker Compose (the default). */
  COMPOSE,
  /** A git checkout plus an optional restart command. */
  GIT;

  @JsonCreator
  public static DriverKind of(String text) {
    return ConfigWord.parse("driver", text, values());
  }

  @Override
  public String toString() {
    return word();
  }
}
