package dev.stevedore.common.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.core.PropertyDefinerBase;
import java.util.Locale;
import java.util.Set;

/**
 * Logback {@code <define>} for the shared configuration: the root level from
 * {@code STEVEDORE_LOG_LEVEL}. Logback itself reads an unknown level as DEBUG; here it falls back to
 * INFO with a warning.
 */
public final class LogLevelDefiner extends PropertyDefinerBase {
  private static final Set<String> LEVELS = Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

  private String value = "INFO";

  public void setValue(String value) {
    this.value = value;
  }

  @Override
  public String getPropertyValue() {
    String level = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
    if (LEVELS.contains(level)) {
      return Level.toLevel(level).toString();
    }
    addWarn("STEVEDORE_LOG_LEVEL '" + value + "' is not one of " + LEVELS + "; using INFO");
    return "INFO";
  }
}
