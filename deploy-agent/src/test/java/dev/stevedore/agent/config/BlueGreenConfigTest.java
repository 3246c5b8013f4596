package dev.stevedore.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.security.Ed25519Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlueGreenConfigTest {
  @Test
  void loadsABlueGreenServiceFromYaml(@TempDir Path dir) throws Exception {
    Path key = Files.writeString(dir.resolve("trigger.pub"), Ed25519Keys.toPem(Ed25519Keys.generate().getPublic()));
    Path file = dir.resolve("agent.yml");
    Files.writeString(file, """
        hostId: web-1
        services:
          shop:
            projectDirectory: /srv/shop
            strategy: blue-green
            environment: {DB_URL: "jdbc:x"}
            healthCheck: {url: "http://127.0.0.1:8080/health?deep=1"}
            blueGreen:
              publicPort: 8080
              bluePort: 18081
              greenPort: 18082
              adminTokenPath: /etc/stevedore/edge-proxy.token
              drain: PT3S
        """);
    AgentConfig c = AgentConfigs.load(Optional.of(file), Map.of("STEVEDORE_TRUSTED_KEYS_FILE", key.toString()));
    ServiceConfig shop = c.services().get("shop");
    assertThat(shop.blueGreenStrategy()).isTrue();
    BlueGreenConfig bg = shop.blueGreen();
    assertThat(bg.adminUrl()).isEqualTo("http://127.0.0.1:9901");
    assertThat(bg.portVariable()).isEqualTo("PORT");
    assertThat(bg.drain()).isEqualTo(Duration.ofSeconds(3));
    ServiceConfig green = shop.colour("shop", "green", bg.greenPort());
    assertThat(green.project("shop")).isEqualTo("shop-green");
    assertThat(green.mainComposeService("shop")).isEqualTo("shop");
    assertThat(green.environment()).containsEntry("PORT", "18082").containsEntry("DB_URL", "jdbc:x");
    assertThat(green.strategy()).isEqualTo(Strategy.DEFAULT);
    assertThat(c.services().get("shop").toString()).contains("blueGreen=");
  }

  @Test
  void refusesIncompleteOrContradictorySettings() {
    assertThatThrownBy(() -> new BlueGreenConfig(8080, 18081, 18081, null, null, null, "t", null, null))
        .hasMessageContaining("two different ports");
    assertThatThrownBy(() -> new BlueGreenConfig(8080, 18081, 18082, null, null, "http://10.0.0.5:9901", "t", null, null))
        .hasMessageContaining("loopback");
    assertThatThrownBy(() -> new BlueGreenConfig(8080, 18081, 18082, null, null, null, null, null, null))
        .hasMessageContaining("adminToken");
    assertThatThrownBy(() -> new ServiceConfig(DriverKind.COMPOSE, "/srv", null, null, null, null, null, null, null, Strategy.BLUE_GREEN,
        null, null, null, null, null, null)).hasMessageContaining("blueGreen settings");
    BlueGreenConfig bg = new BlueGreenConfig(8080, 18081, 18082, null, null, null, "t", null, null);
    assertThatThrownBy(() -> new ServiceConfig(DriverKind.COMPOSE, "/srv", null, null, null, null, null, null, null, Strategy.BLUE_GREEN,
        null, null, null, null, null, null, bg)).hasMessageContaining("needs a health check");
    assertThat(new BlueGreenConfig(8080, 18081, 18082, null, null, null, "s3cret", null, null).toString())
        .doesNotContain("s3cret");
  }
}
