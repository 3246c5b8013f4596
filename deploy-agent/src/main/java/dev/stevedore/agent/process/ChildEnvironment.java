package dev.stevedore.agent.process;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a child process inherits from the agent's environment: an allow-list, never the whole
 * environment (the agent's holds Kafka credentials and {@code STEVEDORE_*} secrets). Anything else
 * a service needs is set in its config's {@code environment}, which {@link Command} adds on top.
 */
public final class ChildEnvironment {
  /** Names passed through as they are. */
  static final Set<String> NAMES = Set.of(
      "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "XDG_RUNTIME_DIR",
      "DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CONTEXT", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY",
      "DOCKER_API_VERSION", "SSH_AUTH_SOCK");
  /** Name prefixes passed through (locale categories, compose's own settings). */
  static final Set<String> PREFIXES = Set.of("LC_", "COMPOSE_");

  private ChildEnvironment() {}

  /** The allowed part of {@code agentEnvironment}. */
  public static Map<String, String> inherited(Map<String, String> agentEnvironment) {
    Map<String, String> out = new TreeMap<>();
    agentEnvironment.forEach((name, value) -> {
      if (allowed(name)) {
        out.put(name, value);
      }
    });
    return Map.copyOf(out);
  }

  static boolean allowed(String name) {
    return NAMES.contains(name) || PREFIXES.stream().anyMatch(name::startsWith);
  }
}
