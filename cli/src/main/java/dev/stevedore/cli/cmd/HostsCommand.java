package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.api.Host;
import dev.stevedore.cli.out.Table;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code stevedore hosts}: the fleet from heartbeats (audit GET /api/v1/hosts). */
@Command(name = "hosts", description = "The hosts whose agents report, with their services and when they were last heard.")
public final class HostsCommand extends Base {
  @Option(names = {"-e", "--environment"}, paramLabel = "ENV", description = "Only this environment (default: the context's, else all).")
  String environment;

  @Option(names = {"-A", "--all-environments"}, description = "Every environment, even if the context names one.")
  boolean all;

  @Override
  ExitCode run() {
    Map<String, String> query = new HashMap<>();
    query.put("environment", all ? null : environmentOrAll(environment));
    JsonNode answer = root().audit().get("/api/v1/hosts", query);
    printer().print(answer, () -> {
      Table t = new Table("HOST", "ENVIRONMENT", "STATE", "AGENT", "LAST SEEN", "SILENT", "SERVICES");
      for (JsonNode item : answer.path("items")) {
        Host h = read(item, Host.class, "hosts");
        t.row(h.host(), h.environment(), h.state(), h.agentVersion(), h.lastSeen(), h.stale() ? "yes" : "no",
            h.services().stream().map(s -> s.name() + "=" + s.version()).collect(Collectors.joining(",")));
      }
      return t;
    }, "no hosts have reported");
    return ExitCode.OK;
  }
}
