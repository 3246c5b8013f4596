package dev.stevedore.cli.cmd;

import dev.stevedore.cli.CliException;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.http.Api;
import dev.stevedore.cli.out.Printer;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code stevedore atrm ID...}: cancel pending schedules (DELETE /api/v1/schedules/{id}; role deployer). */
@Command(name = "atrm", description = "Cancel pending schedules. Each ID is tried; the exit code is the first failure's.")
public final class AtrmCommand extends Base {
  @Parameters(arity = "1..*", paramLabel = "ID") List<String> ids;

  @Override
  ExitCode run() {
    Api trigger = root().trigger();
    Printer printer = printer();
    ExitCode result = ExitCode.OK;
    for (String id : ids) {
      try {
        trigger.send("DELETE", "/api/v1/schedules/" + Api.segment(id), null, Map.of());
        printer.line("schedule " + id + " cancelled");
      } catch (CliException e) {
        printer.warn("stevedore: " + e.getMessage());
        if (result == ExitCode.OK) {
          result = e.exitCode();
        }
      }
    }
    return result;
  }
}
