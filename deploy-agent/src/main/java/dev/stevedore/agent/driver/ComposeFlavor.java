package dev.stevedore.agent.driver;

import java.util.List;

/** Which compose CLI the host has: {@code docker compose} (v2 plugin) or {@code docker-compose} (v1). */
public enum ComposeFlavor {
  V2(List.of("docker", "compose")),
  V1(List.of("docker-compose"));

  private final List<String> prefix;

  ComposeFlavor(List<String> prefix) {
    this.prefix = prefix;
  }

  /** The program and sub-command every compose command starts with. */
  public List<String> prefix(String dockerCommand) {
    return this == V2 ? List.of(dockerCommand, "compose") : prefix;
  }

  /** The probe run at start-up to tell whether this flavour is installed. */
  public List<String> versionProbe(String dockerCommand) {
    return concat(prefix(dockerCommand), List.of("version"));
  }

  static List<String> concat(List<String> a, List<String> b) {
    var out = new java.util.ArrayList<String>(a.size() + b.size());
    out.addAll(a);
    out.addAll(b);
    return List.copyOf(out);
  }
}
