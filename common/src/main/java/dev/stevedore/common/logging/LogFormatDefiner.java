package dev.stevedore.common.logging;

import ch.qos.logback.core.PropertyDefinerBase;
import java.util.Locale;

/**
 * Logback {@code <define>} for the shared configuration (dev/stevedore/logging/base.xml): the name
 * of the appender that {@code STEVEDORE_LOG_FORMAT} selects, {@code text} or {@code json}. An
 * unknown value falls back to {@code text} with a warning, so a typo never silences the log.
 */
public final class LogFormatDefiner extends PropertyDefinerBase {
  private String value = "text";

  public void setValue(String value) {
    this.value = value;
  }

  @Override
  public String getPropertyValue() {
    String format = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    return switch (format) {
      case "text", "json" -> format;
      default -> {
        addWarn("STEVEDORE_LOG_FORMAT '" + value + "' is neither text nor json; using text");
        yield "text";
      }
    };
  }
}
