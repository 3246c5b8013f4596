package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.api.Schedule;
import dev.stevedore.cli.out.Table;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code stevedore atq}: pending schedules, soonest first (GET /api/v1/schedules; role viewer). */
@Command(name = "atq", description = "List the pending schedules, soonest first.")
public final class AtqCommand extends Base {
  @Override
  ExitCode run() {
    JsonNode answer = root().trigger().get("/api/v1/schedules", Map.of());
    printer().print(answer, () -> {
      Table t = new Table("ID", "AT", "SERVICE", "ENVIRONMENT", "VERSION", "BY", "REASON");
      for (JsonNode item : answer.path("schedules")) {
        Schedule s = read(item, Schedule.class, "schedules");
        t.row(s.id(), s.notBefore(), s.service(), s.environment(), s.version(), s.requestedBy(), s.reason());
      }
      return t;
    }, "no pending schedules");
    return ExitCode.OK;
  }
}
