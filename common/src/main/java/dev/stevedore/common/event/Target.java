package dev.stevedore.common.event;

import java.util.List;
import java.util.Map;

/**
 * Which hosts a request is meant for. An agent acts on a request when the environment is its own,
 * and (when given) its host id is listed and every label matches.
 */
public record Target(String environment, List<String> hosts, Map<String, String> labels) {
  public Target {
    environment = Fields.required("target.environment", environment);
    hosts = Fields.list(hosts);
    labels = Fields.map(labels);
  }

  public static Target environment(String environment) {
    return new Target(environment, List.of(), Map.of());
  }

  public boolean matches(String hostEnvironment, String hostId, Map<String, String> hostLabels) {
    if (!environment.equals(hostEnvironment)) {
      return false;
    }
    if (!hosts.isEmpty() && !hosts.contains(hostId)) {
      return false;
    }
    return labels.entrySet().stream()
        .allMatch(e -> e.getValue().equals(hostLabels.get(e.getKey())));
  }
}
