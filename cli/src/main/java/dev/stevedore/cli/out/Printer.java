package dev.stevedore.cli.out;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.function.Supplier;

/** Writes a command's answer in the chosen {@link Format}: the server's JSON as it came, or a table. */
public final class Printer {
  private final Format format;
  private final PrintWriter out;
  private final PrintWriter err;

  public Printer(Format format, PrintWriter out, PrintWriter err) {
    this.format = format;
    this.out = out;
    this.err = err;
  }

  public Format format() {
    return format;
  }

  public boolean table() {
    return format == Format.TABLE;
  }

  /** {@code raw} as JSON or YAML, else the table (or {@code empty} when it has no rows). */
  public void print(JsonNode raw, Supplier<Table> table, String empty) {
    switch (format) {
      case JSON -> out.println(Json.pretty(raw));
      case YAML -> out.print(Json.yaml(raw));
      case TABLE -> {
        Table t = table.get();
        if (t.isEmpty() && empty != null) {
          err.println(empty);
        } else {
          out.print(t.render());
        }
      }
    }
    out.flush();
  }

  /** One line for people (table format only; with -o json/yaml the data says it); always escaped. */
  public void line(String text) {
    out.println(Safe.text(text));
    out.flush();
  }

  /** A line already escaped piece by piece (with our own layout characters). */
  public void raw(String text) {
    out.print(text);
    out.flush();
  }

  /** A warning on stderr, escaped. */
  public void warn(String text) {
    err.println(Safe.text(text));
    err.flush();
  }

  public PrintWriter out() {
    return out;
  }

  public PrintWriter err() {
    return err;
  }
}
