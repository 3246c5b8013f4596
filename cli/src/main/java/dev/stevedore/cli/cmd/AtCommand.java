package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.cli.CliException;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.api.Schedule;
import dev.stevedore.cli.http.Api;
import dev.stevedore.cli.out.Json;
import dev.stevedore.cli.out.Printer;
import dev.stevedore.cli.out.Table;
import dev.stevedore.cli.time.Times;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stevedore at TIME SERVICE VERSION}: a deploy held until TIME (POST /api/v1/deployments
 * with notBefore); {@code stevedore at -c ID}: one schedule (GET /api/v1/schedules/{id}).
 */
@Command(name = "at", description = {
    "Deploy VERSION of SERVICE at TIME (a schedule on the trigger), or show one schedule with -c ID.",
    "TIME: 2026-12-01T09:00:00Z, '2026-12-01 09:00' (local), 23:30, 'tomorrow 09:00', noon, midnight, teatime,",
    "'+10m', 'in 2h', 'now + 1 hour' (quote what has spaces)."})
public final class AtCommand extends Base {
  @Option(names = "-c", paramLabel = "ID", description = "Show schedule ID (its state: pending, fired, cancelled).")
  String show;

  @Parameters(arity = "0..3", paramLabel = "TIME SERVICE VERSION")
  List<String> args = List.of();

  @Option(names = {"-e", "--environment"}, paramLabel = "ENV", description = "Environment (default: the context's).")
  String environment;

  @Option(names = {"-r", "--reason"}, paramLabel = "TEXT", description = "Why (recorded in the audit).")
  String reason;

  @Override
  ExitCode run() {
    if (show != null) {
      if (!args.isEmpty()) {
        throw CliException.usage("at -c ID takes no other arguments");
      }
      JsonNode answer = root().trigger().get("/api/v1/schedules/" + Api.segment(show), Map.of());
      printer().print(answer, () -> detail(read(answer, Schedule.class, "schedule")), null);
      return ExitCode.OK;
    }
    if (args.size() != 3) {
      throw CliException.usage("at needs TIME SERVICE VERSION (or -c ID)");
    }
    ZonedDateTime now = ZonedDateTime.now(clock);
    Instant when;
    try {
      when = Times.at(args.get(0), now).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    } catch (IllegalArgumentException e) {
      throw CliException.usage(e.getMessage());
    }
    if (when.isBefore(now.toInstant().minus(Duration.ofSeconds(5)))) {
      throw CliException.usage("refusing a schedule in the past (" + when + "); use 'now' or stevedore deploy");
    }
    ObjectNode body = Json.MAPPER.createObjectNode()
        .put("service", args.get(1)).put("environment", environment(environment)).put("version", args.get(2))
        .put("reason", reason != null ? reason : DeployCommand.defaultReason(root().env()))
        .put("notBefore", when.toString());
    JsonNode answer = root().trigger().send("POST", "/api/v1/deployments", body, Map.of());
    Printer printer = printer();
    if (!printer.table()) {
      printer.print(answer, null, null);
    } else if (answer.path("scheduled").asBoolean()) {
      printer.line("schedule " + text(answer, "deploymentId") + " at " + text(answer.path("schedule"), "notBefore")
          + ": " + args.get(1) + " " + args.get(2) + " to " + body.get("environment").asText());
    } else {
      printer.line("deployment " + text(answer, "deploymentId") + " requested now (the time has come): "
          + args.get(1) + " " + args.get(2) + " to " + body.get("environment").asText());
    }
    return ExitCode.OK;
  }

  static Table detail(Schedule s) {
    return new Table("FIELD", "VALUE")
        .row("id", s.id()).row("state", s.state()).row("at", s.notBefore()).row("service", s.service())
        .row("environment", s.environment()).row("version", s.version()).row("reason", s.reason())
        .row("requested by", s.requestedBy()).row("created", s.createdAt())
        .row("changed", s.changedAt()).row("changed by", s.changedBy());
  }
}
