package dev.stevedore.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.testing.ConfigDocs;
import org.junit.jupiter.api.Test;

class AuditConfigDocsTest {
  @Test
  void docsConfigurationNamesEveryKeyAndVariableOfTheDefaults() throws Exception {
    assertThat(ConfigDocs.undocumented(AuditConfig.class, AuditMain.DEFAULTS)).isEmpty();
  }
}
