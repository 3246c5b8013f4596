package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.http.Api;
import dev.stevedore.cli.out.Json;
import dev.stevedore.cli.out.Printer;
import dev.stevedore.cli.out.Safe;
import dev.stevedore.cli.out.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stevedore rollouts show|promote|pause|resume|abort ID}: the trigger's rollout API
 * (GET /api/v1/rollouts/{id}, role viewer or deployer; POST .../{command}, role deployer).
 */
@Command(name = "rollouts", description = "Show a rollout (waves, hosts, phase) and promote, pause, resume or abort it.",
    subcommands = {RolloutsCommand.Show.class, RolloutsCommand.Promote.class, RolloutsCommand.Pause.class,
        RolloutsCommand.Resume.class, RolloutsCommand.Abort.class})
public final class RolloutsCommand extends Base {
  @Override
  ExitCode run() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCode.USAGE;
  }

  /** {@code rollouts show ID}. */
  @Command(name = "show", description = "A rollout's recorded state: phase, version, current wave, waves with hosts, each host's state.")
  public static final class Show extends Base {
    @Parameters(index = "0", paramLabel = "ID") String id;

    @Override
    ExitCode run() {
      JsonNode answer = root().trigger().get("/api/v1/rollouts/" + Api.segment(id), Map.of());
      print(printer(), answer, null);
      return ExitCode.OK;
    }
  }

  /** What the commands that change a rollout share: POST with an optional (or required) reason. */
  abstract static class Change extends Base {
    @Parameters(index = "0", paramLabel = "ID") String id;

    abstract String command();

    abstract String reason();

    abstract String done();

    @Override
    ExitCode run() {
      ObjectNode body = Json.MAPPER.createObjectNode();
      if (reason() != null) {
        body.put("reason", reason());
      }
      JsonNode answer = root().trigger().send("POST", "/api/v1/rollouts/" + Api.segment(id) + "/" + command(), body, Map.of());
      print(printer(), answer, "rollout " + id + " " + done());
      return ExitCode.OK;
    }
  }

  /** {@code rollouts promote ID}. */
  @Command(name = "promote", description = "Promote a baking or awaiting-promotion canary: the next wave starts.")
  public static final class Promote extends Change {
    @Option(names = {"-r", "--reason"}, paramLabel = "TEXT", description = "Why (recorded in the audit).") String reason;

    @Override String command() { return "promote"; }

    @Override String reason() { return reason; }

    @Override String done() { return "promoted"; }
  }

  /** {@code rollouts pause ID}. */
  @Command(name = "pause", description = "Hold the next wave (the one under way finishes).")
  public static final class Pause extends Change {
    @Option(names = {"-r", "--reason"}, paramLabel = "TEXT", description = "Why (recorded in the audit).") String reason;

    @Override String command() { return "pause"; }

    @Override String reason() { return reason; }

    @Override String done() { return "paused"; }
  }

  /** {@code rollouts resume ID}. */
  @Command(name = "resume", description = "Resume a paused rollout.")
  public static final class Resume extends Change {
    @Option(names = {"-r", "--reason"}, paramLabel = "TEXT", description = "Why (recorded in the audit).") String reason;

    @Override String command() { return "resume"; }

    @Override String reason() { return reason; }

    @Override String done() { return "resumed"; }
  }

  /** {@code rollouts abort ID -r REASON}. */
  @Command(name = "abort", description = "Halt the rollout without blocking the version; hosts that took it go back.")
  public static final class Abort extends Change {
    @Option(names = {"-r", "--reason"}, paramLabel = "TEXT", required = true, description = "Why (required; recorded in the audit).")
    String reason;

    @Override String command() { return "abort"; }

    @Override String reason() { return reason; }

    @Override String done() { return "aborted"; }
  }

  /** The state as JSON/YAML as it came, or for people: a summary, the waves and the hosts. */
  static void print(Printer printer, JsonNode state, String headline) {
    if (!printer.table()) {
      printer.print(state, null, null);
      return;
    }
    if (headline != null) {
      printer.line(headline);
    }
    printer.raw(render(state));
  }

  /** The table form of a rollout's state; every value from the server escaped. */
  static String render(JsonNode s) {
    StringBuilder out = new StringBuilder();
    List<String> head = new ArrayList<>();
    head.add("rollout " + Safe.text(text(s, "rolloutId")) + ": " + Safe.text(text(s, "service")) + " "
        + Safe.text(text(s, "version")) + " in " + Safe.text(text(s, "environment")));
    int waves = s.path("waves").size();
    JsonNode current = s.get("currentWave");
    head.add("phase: " + Safe.text(text(s, "phase")) + (s.path("paused").asBoolean(false) ? " (paused)" : "")
        + "  strategy: " + Safe.text(text(s, "strategy"))
        + "  current wave: " + (current == null || current.isNull() ? "-" : Safe.text(current.asText()) + " of " + waves));
    optional(head, s, "bakeUntil", "bake until");
    optional(head, s, "detail", "detail");
    optional(head, s, "supersededBy", "superseded by");
    optional(head, s, "updatedAt", "updated");
    JsonNode unreached = s.path("unreached");
    if (unreached.isArray() && !unreached.isEmpty()) {
      List<String> names = new ArrayList<>();
      unreached.forEach(h -> names.add(Safe.text(h.asText())));
      head.add("unreached: " + String.join(", ", names));
    }
    head.forEach(l -> out.append(l).append('\n'));
    Table w = new Table("WAVE", "CANARY", "HOSTS");
    for (JsonNode wave : s.path("waves")) {
      List<String> hosts = new ArrayList<>();
      wave.path("hosts").forEach(h -> hosts.add(h.asText()));
      w.row(text(wave, "index"), wave.path("canary").asBoolean(false) ? "yes" : "no", String.join(",", hosts));
    }
    if (!w.isEmpty()) {
      out.append('\n').append(w.render());
    }
    Table h = new Table("HOST", "WAVE", "STATE", "PREVIOUS", "DETAIL");
    for (JsonNode host : s.path("hosts")) {
      h.row(text(host, "host"), text(host, "wave"), text(host, "state"), text(host, "previousVersion"), text(host, "detail"));
    }
    if (!h.isEmpty()) {
      out.append('\n').append(h.render());
    }
    return out.toString();
  }

  private static void optional(List<String> head, JsonNode s, String field, String label) {
    String v = text(s, field);
    if (v != null && !v.isEmpty()) {
      head.add(label + ": " + Safe.text(v));
    }
  }
}
