package dev.stevedore.agent.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * How config records print values that may be secrets: variables by name only, argument lists by
 * program and count. A config record's {@code toString} ends up in logs and exception messages.
 */
public final class Redacted {
  private Redacted() {}

  /** {@code [A, B]}: the names, never the values. */
  public static String names(Map<String, String> variables) {
    return new TreeSet<>(variables.keySet()).toString();
  }

  /** {@code [migrate.sh +2 args]}: the program's file name and how many arguments follow. */
  public static String command(List<String> args) {
    if (args.isEmpty()) {
      return "[]";
    }
    return "[" + program(args) + (args.size() > 1 ? " +" + (args.size() - 1) + " args" : "") + "]";
  }

  /** The file name of the program of an argument list ({@code /opt/bin/migrate.sh} -> {@code migrate.sh}). */
  public static String program(List<String> args) {
    if (args.isEmpty()) {
      return "";
    }
    Path name = Path.of(args.get(0)).getFileName();
    return name == null ? args.get(0) : name.toString();
  }
}
