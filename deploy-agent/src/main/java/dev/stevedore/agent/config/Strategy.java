package dev.stevedore.agent.config;

import com.fasterxml.jackson.annotation.JsonCreator;

/** {@code strategy}: how a compose service switches versions. */
public enum Strategy implements ConfigWord {
  /** Pull, then {@code up -d} (the default). */
  DEFAULT,
  /** Pull, down, {@code up -d}. */
  RECREATE,
  /** Two colours behind the edge proxy; needs the {@code blueGreen} settings. */
  BLUE_GREEN;

  @JsonCreator
  public static Strategy of(String text) {
    return ConfigWord.parse("strategy", text, values());
  }

  @Override
  public String toString() {
    return word();
  }
}
