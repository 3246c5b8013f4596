package dev.stevedore.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandLineTest {
  @Test
  void takesAnOptionalConfigFile() {
    assertThat(CommandLine.configFile(new String[0])).isEmpty();
    assertThat(CommandLine.configFile(new String[] {"--config", "/etc/stevedore/agent.yml"}))
        .isEqualTo(Optional.of(Path.of("/etc/stevedore/agent.yml")));
  }

  @Test
  void refusesAnythingElseAndNamesIt() {
    assertThatThrownBy(() -> CommandLine.configFile(new String[] {"--verbose"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--verbose");
    assertThatThrownBy(() -> CommandLine.configFile(new String[] {"--config"}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CommandLine.configFile(new String[] {"--config", "a.yml", "--config", "b.yml"}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
