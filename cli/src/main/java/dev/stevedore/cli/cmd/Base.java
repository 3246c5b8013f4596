package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.cli.CliException;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.StevedoreCommand;
import dev.stevedore.cli.out.Json;
import dev.stevedore.cli.out.Printer;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand shares: the root's options, the printer, typed reading of answers. */
abstract class Base implements Callable<Integer> {
  @Spec CommandSpec spec;

  Clock clock = Clock.systemDefaultZone();

  StevedoreCommand root() {
    return (StevedoreCommand) spec.root().userObject();
  }

  Printer printer() {
    return root().printer();
  }

  /** {@code -e}, else the context's environment, else a usage error. */
  String environment(String flag) {
    if (flag != null) {
      return flag;
    }
    return root().settings().environment().orElseThrow(() -> CliException.usage(
        "no environment: give -e ENV, set STEVEDORE_ENVIRONMENT or 'environment:' in the context"));
  }

  /** {@code -e}, else the context's environment, else none (every environment). */
  String environmentOrAll(String flag) {
    return flag != null ? flag : root().settings().environment().orElse(null);
  }

  static <T> T read(JsonNode json, Class<T> type, String what) {
    try {
      return Json.MAPPER.treeToValue(json, type);
    } catch (Exception e) {
      throw new CliException(ExitCode.SERVER_ERROR, "cannot read the " + what + " answer: " + e.getMessage());
    }
  }

  static String text(JsonNode json, String field) {
    JsonNode v = json.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  @Override
  public final Integer call() {
    return run().code();
  }

  abstract ExitCode run();
}
