package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.http.Api;
import dev.stevedore.cli.out.Json;
import dev.stevedore.cli.out.Printer;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stevedore cancel DEPLOYMENT_ID}: POST /api/v1/deployments/{id}/cancel (role deployer). */
@Command(name = "cancel", description = {
    "Withdraw a published deployment on every host where it still waits behind a running one.",
    "A host that already runs it, or finished it, is left alone. A schedule is cancelled with atrm."})
public final class CancelCommand extends Base {
  @Parameters(index = "0", paramLabel = "DEPLOYMENT_ID") String id;

  @Option(names = {"-r", "--reason"}, paramLabel = "TEXT", description = "Why (recorded in the audit).")
  String reason;

  @Option(names = "--idempotency-key", paramLabel = "KEY", description = "Makes a repeated command the same cancellation.")
  String idempotencyKey;

  @Override
  ExitCode run() {
    ObjectNode body = Json.MAPPER.createObjectNode();
    if (reason != null) {
      body.put("reason", reason);
    }
    Map<String, String> headers = idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey);
    JsonNode answer = root().trigger().send("POST", "/api/v1/deployments/" + Api.segment(id) + "/cancel", body, headers);
    Printer printer = printer();
    if (printer.table()) {
      printer.line("cancellation " + text(answer, "cancellationId") + " published: deployment " + text(answer, "deploymentId")
          + " (" + text(answer, "service") + " in " + text(answer, "environment") + ") is withdrawn where it still waits");
    } else {
      printer.print(answer, null, null);
    }
    return ExitCode.OK;
  }
}
