package dev.stevedore.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.testing.ConfigDocs;
import org.junit.jupiter.api.Test;

class ProxyConfigDocsTest {
  @Test
  void docsConfigurationNamesEveryKeyAndVariableOfTheDefaults() throws Exception {
    assertThat(ConfigDocs.undocumented(ProxyConfig.class, "edge-proxy-defaults.yml")).isEmpty();
  }
}
