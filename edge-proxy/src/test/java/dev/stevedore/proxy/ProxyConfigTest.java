package dev.stevedore.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyConfigTest {
  @Test
  void loadsTheDefaultsThenTheEnvironmentWithTheTokenFromAFile(@TempDir Path dir) throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "from-a-file\n");
    ProxyConfig c = new ConfigLoader(Map.of("STEVEDORE_PORT", "18080", "STEVEDORE_ADMIN_TOKEN_FILE", token.toString(),
        "STEVEDORE_STATE_PATH", dir.resolve("s.json").toString()))
        .load(ProxyConfig.class, "edge-proxy-defaults.yml", Optional.empty());
    assertThat(c.port()).isEqualTo(18080);
    assertThat(c.adminHost()).isEqualTo("127.0.0.1");
    assertThat(c.adminPort()).isEqualTo(9901);
    assertThat(c.adminToken()).isEqualTo("from-a-file");
    assertThat(c.statePath()).isEqualTo(dir.resolve("s.json").toString());
  }

  @Test
  void doesNotStartWithoutAToken() {
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(ProxyConfig.class, "edge-proxy-defaults.yml", Optional.empty()))
        .hasMessageContaining("adminToken is required");
  }
}
