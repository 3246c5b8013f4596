package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.cli.CliException;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.http.Api;
import dev.stevedore.cli.out.Json;
import dev.stevedore.cli.out.Printer;
import java.util.Map;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stevedore rollback DEPLOYMENT_ID|SERVICE}: POST /api/v1/deployments/{id}/rollback. Given a
 * service, the newest deployment of it in the environment (from the audit) is the one undone.
 */
@Command(name = "rollback", description = {
    "Roll back a deployment: the newest earlier version that succeeded is deployed again.",
    "TARGET is a deployment id, or a service (its newest deployment in the environment is undone)."})
public final class RollbackCommand extends Base {
  @Parameters(index = "0", paramLabel = "TARGET") String target;

  @Option(names = {"-e", "--environment"}, paramLabel = "ENV", description = "With a service: its environment (default: the context's).")
  String environment;

  @Option(names = {"-r", "--reason"}, paramLabel = "TEXT", description = "Why (recorded in the audit).")
  String reason;

  @Mixin Waiting waiting;

  @Override
  ExitCode run() {
    String id = deploymentId();
    ObjectNode body = Json.MAPPER.createObjectNode();
    if (reason != null) {
      body.put("reason", reason);
    }
    JsonNode answer = root().trigger().send("POST", "/api/v1/deployments/" + Api.segment(id) + "/rollback", body, Map.of());
    Printer printer = printer();
    String newId = text(answer, "deploymentId");
    if (printer.table()) {
      printer.line("rollback " + newId + " requested: back to " + text(answer, "version") + " (undoing " + id + ")");
    } else if (!waiting.wait) {
      printer.print(answer, null, null);
    }
    return waiting.wait ? waiting.await(root(), newId) : ExitCode.OK;
  }

  private String deploymentId() {
    try {
      return UUID.fromString(target).toString();
    } catch (IllegalArgumentException notAnId) {
      String env = environment(environment);
      JsonNode page = root().audit().get("/api/v1/services/" + Api.segment(target) + "/history",
          Map.of("environment", env, "limit", "1"));
      JsonNode first = page.path("items").path(0);
      if (first.isMissingNode()) {
        throw new CliException(ExitCode.NOT_FOUND, "no deployment of " + target + " in " + env + " to roll back");
      }
      return text(first, "id");
    }
  }
}
