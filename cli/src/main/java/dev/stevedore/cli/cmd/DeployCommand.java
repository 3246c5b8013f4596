package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.out.Json;
import dev.stevedore.cli.out.Printer;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stevedore deploy SERVICE VERSION}: POST /api/v1/deployments on the trigger (role deployer). */
@Command(name = "deploy", description = "Deploy VERSION of SERVICE to an environment; with --wait, follow it to its outcome.")
public final class DeployCommand extends Base {
  @Parameters(index = "0", paramLabel = "SERVICE") String service;
  @Parameters(index = "1", paramLabel = "VERSION") String version;

  @Option(names = {"-e", "--environment"}, paramLabel = "ENV", description = "Environment (default: the context's).")
  String environment;

  @Option(names = {"-r", "--reason"}, paramLabel = "TEXT", description = "Why (recorded in the audit; default: who and how).")
  String reason;

  @Option(names = "--force", description = "Deploy even on hosts that already run VERSION.")
  boolean force;

  @Option(names = "--idempotency-key", paramLabel = "KEY",
      description = "Send again with the same key: the same deployment, not a second one.")
  String idempotencyKey;

  @Mixin Waiting waiting;

  @Override
  ExitCode run() {
    ObjectNode body = Json.MAPPER.createObjectNode()
        .put("service", service).put("environment", environment(environment)).put("version", version)
        .put("reason", reason != null ? reason : defaultReason(root().env()));
    if (force) {
      body.put("force", true);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (idempotencyKey != null) {
      headers.put("Idempotency-Key", idempotencyKey);
    }
    JsonNode answer = root().trigger().send("POST", "/api/v1/deployments", body, headers);
    String id = text(answer, "deploymentId");
    Printer printer = printer();
    if (printer.table()) {
      printer.line("deployment " + id + " requested: " + service + " " + version + " to " + body.get("environment").asText()
          + (answer.path("duplicate").asBoolean() ? " (already requested: the same deployment)" : ""));
    } else if (!waiting.wait) {
      printer.print(answer, null, null);
    }
    return waiting.wait ? waiting.await(root(), id) : ExitCode.OK;
  }

  static String defaultReason(Map<String, String> env) {
    String user = env.getOrDefault("USER", System.getProperty("user.name", "someone"));
    return "stevedore deploy by " + user;
  }
}
