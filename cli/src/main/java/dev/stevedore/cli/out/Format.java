package dev.stevedore.cli.out;

/** What {@code -o} selects. */
public enum Format {
  TABLE, JSON, YAML;

  /** picocli converter: case-insensitive, with the choices in the error. */
  public static Format parse(String text) {
    for (Format f : values()) {
      if (f.name().equalsIgnoreCase(text)) {
        return f;
      }
    }
    throw new IllegalArgumentException("'" + text + "' is not one of table, json, yaml");
  }
}
