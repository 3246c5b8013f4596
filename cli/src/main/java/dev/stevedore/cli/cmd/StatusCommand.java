package dev.stevedore.cli.cmd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stevedore.cli.ExitCode;
import dev.stevedore.cli.api.Deployment;
import dev.stevedore.cli.api.Host;
import dev.stevedore.cli.out.Json;
import dev.stevedore.cli.out.Table;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stevedore status [SERVICE]}: what runs where, services x hosts. Versions, states and
 * health come from the hosts' latest heartbeats; the last change is the newest deployment of the
 * service in that environment (audit GET /api/v1/hosts and /api/v1/deployments).
 */
@Command(name = "status", description = "What runs where: each service on each host, its version and health, and the last change.")
public final class StatusCommand extends Base {
  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE", description = "Only this service.")
  String service;

  @Option(names = {"-e", "--environment"}, paramLabel = "ENV", description = "Only this environment (default: the context's, else all).")
  String environment;

  @Option(names = {"-A", "--all-environments"}, description = "Every environment, even if the context names one.")
  boolean all;

  /**
   * One row: a service on a host. {@code state} is the agent's word for the service (idle,
   * deploying, waiting, failed); {@code health} is {@link #health}.
   */
  record Row(String service, String environment, String host, String version, String desiredVersion, String state,
      String health, String agent, boolean silent, String lastSeen, Deployment lastDeployment) {}

  /**
   * {@code failed} when the agent reports it could not restore a healthy release, {@code unknown}
   * when the host is silent (its last heartbeat is stale), else {@code ok}: the running release
   * passed its health check when it was deployed, as the agent last reported.
   */
  static String health(String state, boolean silent) {
    if (silent) {
      return "unknown";
    }
    return "failed".equals(state) ? "failed" : "ok";
  }

  @Override
  ExitCode run() {
    String env = all ? null : environmentOrAll(environment);
    Map<String, String> hostQuery = new HashMap<>();
    hostQuery.put("environment", env);
    JsonNode hosts = root().audit().get("/api/v1/hosts", hostQuery);
    Map<String, String> deploymentQuery = new LinkedHashMap<>();
    deploymentQuery.put("environment", env);
    deploymentQuery.put("limit", "500");
    JsonNode deployments = root().audit().get("/api/v1/deployments", deploymentQuery);
    List<Row> rows = rows(hosts, deployments, service);
    ArrayNode items = Json.MAPPER.createArrayNode();
    rows.forEach(r -> items.add(Json.MAPPER.<ObjectNode>valueToTree(r)));
    ObjectNode answer = Json.MAPPER.createObjectNode().set("items", items);
    printer().print(answer, () -> {
      Table t = new Table("SERVICE", "ENVIRONMENT", "HOST", "VERSION", "HEALTH", "STATE", "LAST SEEN", "LAST CHANGE");
      for (Row r : rows) {
        Deployment d = r.lastDeployment();
        t.row(r.service(), r.environment(), r.host(),
            r.desiredVersion() == null ? r.version() : r.version() + " (-> " + r.desiredVersion() + ")",
            r.health(), r.state(), r.silent() ? r.lastSeen() + " (silent)" : r.lastSeen(),
            d == null ? null : d.version() + " " + d.status() + " " + (d.finishedAt() != null ? d.finishedAt() : d.requestedAt()));
      }
      return t;
    }, "no hosts have reported" + (service == null ? "" : " running " + service));
    return ExitCode.OK;
  }

  /** Services x hosts, sorted by service, environment, host; pure (tested without a server). */
  static List<Row> rows(JsonNode hosts, JsonNode deployments, String onlyService) {
    Map<String, Deployment> latest = new HashMap<>();
    for (JsonNode item : deployments.path("items")) {
      Deployment d = read(item, Deployment.class, "deployments");
      latest.putIfAbsent(d.service() + "\u0000" + d.environment(), d);
    }
    List<Row> rows = new ArrayList<>();
    for (JsonNode item : hosts.path("items")) {
      Host h = read(item, Host.class, "hosts");
      for (Host.Service s : h.services()) {
        if (onlyService == null || onlyService.equals(s.name())) {
          rows.add(new Row(s.name(), h.environment(), h.host(), s.version(), s.desiredVersion(), s.state(),
              health(s.state(), h.stale()), h.state(), h.stale(), h.lastSeen(),
              latest.get(s.name() + "\u0000" + h.environment())));
        }
      }
    }
    rows.sort(Comparator.comparing(Row::service).thenComparing(Row::environment).thenComparing(Row::host));
    return rows;
  }
}
