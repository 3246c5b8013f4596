package dev.stevedore.common.event;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Checks shared by the records' compact constructors: a record that exists is a valid one. */
final class Fields {
  static final int MAX_TEXT = 4096;
  static final int MAX_OUTPUT_TAIL = 16 * 1024;

  private Fields() {}

  static String required(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("missing required field '" + name + "'");
    }
    return bounded(name, value, MAX_TEXT);
  }

  static String optional(String name, String value) {
    return value == null ? null : bounded(name, value, MAX_TEXT);
  }

  static String bounded(String name, String value, int max) {
    if (value != null && value.length() > max) {
      throw new IllegalArgumentException("field '" + name + "' is longer than " + max + " characters");
    }
    return value;
  }

  static Instant required(String name, Instant value) {
    if (value == null) {
      throw new IllegalArgumentException("missing required field '" + name + "'");
    }
    return value;
  }

  static <T> List<T> list(List<T> value) {
    return value == null ? List.of() : List.copyOf(value);
  }

  static <K, V> Map<K, V> map(Map<K, V> value) {
    return value == null ? Map.of() : Map.copyOf(value);
  }

  /** Keeps the last {@code max} characters of a process output. */
  static String tail(String output, int max) {
    if (output == null || output.length() <= max) {
      return output;
    }
    return output.substring(output.length() - max);
  }
}
