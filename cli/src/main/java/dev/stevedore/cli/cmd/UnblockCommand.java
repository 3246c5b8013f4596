package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.http.Api;
import dev.stevedore.cli.out.Json;
import dev.stevedore.cli.out.Printer;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stevedore unblock SERVICE VERSION}: lift a block (DELETE /api/v1/blocks/{env}/{service}/{version}; role deployer). */
@Command(name = "unblock", description = "Allow a version again on hosts where it failed and was rolled back (a block).")
public final class UnblockCommand extends Base {
  @Parameters(index = "0", paramLabel = "SERVICE") String service;
  @Parameters(index = "1", paramLabel = "VERSION") String version;

  @Option(names = {"-e", "--environment"}, paramLabel = "ENV", description = "Environment (default: the context's).")
  String environment;

  @Option(names = {"-r", "--reason"}, paramLabel = "TEXT", required = true, description = "Why (required; recorded in the audit).")
  String reason;

  @Option(names = "--host", paramLabel = "HOST", description = "Only on this host (repeatable; default: every host).")
  List<String> hosts = List.of();

  @Override
  ExitCode run() {
    String env = environment(environment);
    ObjectNode body = Json.MAPPER.createObjectNode().put("reason", reason);
    if (!hosts.isEmpty()) {
      hosts.forEach(body.putArray("hosts")::add);
    }
    JsonNode answer = root().trigger().send("DELETE", "/api/v1/blocks/" + Api.segment(env) + "/" + Api.segment(service)
        + "/" + Api.segment(version), body, Map.of());
    Printer printer = printer();
    if (printer.table()) {
      printer.line("unblock " + text(answer, "unblockId") + " published: " + service + " " + version + " in " + env
          + (hosts.isEmpty() ? " on every host" : " on " + String.join(", ", hosts)));
    } else {
      printer.print(answer, null, null);
    }
    return ExitCode.OK;
  }
}
