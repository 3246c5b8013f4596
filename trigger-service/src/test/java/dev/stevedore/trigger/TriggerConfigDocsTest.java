package dev.stevedore.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.testing.ConfigDocs;
import org.junit.jupiter.api.Test;

class TriggerConfigDocsTest {
  @Test
  void docsConfigurationNamesEveryKeyAndVariableOfTheDefaults() throws Exception {
    assertThat(ConfigDocs.undocumented(TriggerConfig.class, TriggerMain.DEFAULTS)).isEmpty();
  }
}
