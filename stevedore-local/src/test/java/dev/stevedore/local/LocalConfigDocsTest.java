package dev.stevedore.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.testing.ConfigDocs;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalConfigDocsTest {
  @Test
  void docsLocalNamesEveryKeyAndVariableOfTheDefaults() throws Exception {
    assertThat(ConfigDocs.undocumented(LocalConfig.class, "local-defaults.yml", Path.of("..", "docs", "local.md")))
        .isEmpty();
  }
}
