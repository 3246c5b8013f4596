package dev.stevedore.agent.config;

import dev.stevedore.common.config.ConfigLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Loads {@link AgentConfig}: {@code agent-defaults.yml}, then a YAML file, then {@code STEVEDORE_*}. */
public final class AgentConfigs {
  public static final String DEFAULTS = "agent-defaults.yml";

  private AgentConfigs() {}

  public static AgentConfig load(Optional<Path> file, Map<String, String> env) {
    return new ConfigLoader(env).load(AgentConfig.class, DEFAULTS, file);
  }
}
