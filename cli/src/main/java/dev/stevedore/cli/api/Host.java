package dev.stevedore.cli.api;

import java.util.List;
import java.util.Map;

/** A host's latest heartbeat ({@code GET /api/v1/hosts}). */
public record Host(String host, String environment, String state, String agentVersion, Map<String, String> labels,
    List<Service> services, String lastSeen, boolean stale) {
  public Host {
    services = services == null ? List.of() : List.copyOf(services);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** A service as the agent reported it. */
  public record Service(String name, String version, String digest, String state, String desiredVersion,
      String waitingFor) {}
}
