package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.cli.CliException;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.api.Deployment;
import dev.stevedore.cli.http.Api;
import dev.stevedore.cli.out.Table;
import dev.stevedore.cli.time.Times;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stevedore history [SERVICE]}: deployments, newest first (audit GET /api/v1/deployments or /services/{s}/history). */
@Command(name = "history", description = "Past deployments, newest first.")
public final class HistoryCommand extends Base {
  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE", description = "Only this service.")
  String service;

  @Option(names = {"-e", "--environment"}, paramLabel = "ENV", description = "Only this environment (default: the context's, else all).")
  String environment;

  @Option(names = {"-A", "--all-environments"}, description = "Every environment, even if the context names one.")
  boolean all;

  @Option(names = "--host", paramLabel = "HOST", description = "Only deployments this host took part in.")
  String host;

  @Option(names = "--status", paramLabel = "STATUS", description = "requested, running, succeeded, failed, rolled-back, skipped or cancelled.")
  String status;

  @Option(names = "--since", paramLabel = "WHEN", description = "An RFC 3339 time, or how long ago (7d, 12h).")
  String since;

  @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "20", description = "At most N (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  ExitCode run() {
    if (limit < 1) {
      throw CliException.usage("--limit must be at least 1");
    }
    Map<String, String> query = new LinkedHashMap<>();
    query.put("environment", all ? null : environmentOrAll(environment));
    query.put("host", host);
    query.put("status", status);
    query.put("since", since == null ? null : since(since));
    query.put("limit", String.valueOf(limit));
    String path = service == null ? "/api/v1/deployments" : "/api/v1/services/" + Api.segment(service) + "/history";
    JsonNode answer = root().audit().get(path, query);
    printer().print(answer, () -> {
      Table t = new Table("ID", "REQUESTED", "SERVICE", "ENVIRONMENT", "VERSION", "STATUS", "BY", "REASON");
      for (JsonNode item : answer.path("items")) {
        Deployment d = read(item, Deployment.class, "history");
        t.row(d.id(), d.requestedAt(), d.service(), d.environment(), d.version(), d.status(), d.requestedBy(), d.reason());
      }
      return t;
    }, "no deployments");
    return ExitCode.OK;
  }

  /** An RFC 3339 time as given, or {@code 7d} as the time 7 days ago. */
  String since(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant().toString();
    } catch (DateTimeParseException e) {
      try {
        return clock.instant().minus(Times.duration(text)).toString();
      } catch (IllegalArgumentException bad) {
        throw CliException.usage("--since: '" + text + "' is neither an RFC 3339 time nor a duration such as 7d");
      }
    }
  }
}
