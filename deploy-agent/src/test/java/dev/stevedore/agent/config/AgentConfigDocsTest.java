package dev.stevedore.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.testing.ConfigDocs;
import org.junit.jupiter.api.Test;

class AgentConfigDocsTest {
  @Test
  void docsConfigurationNamesEveryKeyAndVariableOfTheDefaults() throws Exception {
    assertThat(ConfigDocs.undocumented(AgentConfig.class, AgentConfigs.DEFAULTS)).isEmpty();
  }
}
