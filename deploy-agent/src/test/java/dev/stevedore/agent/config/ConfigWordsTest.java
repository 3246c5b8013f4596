package dev.stevedore.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stevedore.common.config.ConfigLoader.ConfigException;
import dev.stevedore.common.security.Ed25519Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed sets of words in a service's configuration ({@code driver}, {@code strategy},
 * {@code healthCheck.type}), read by the real loader from a file: the documented words (in any
 * case, as every enum of the configuration), blank as "not set", and anything else refused with
 * the allowed words named.
 */
class ConfigWordsTest {
  private Path dir;
  private Path key;

  @BeforeEach
  void keys(@TempDir Path dir) throws Exception {
    this.dir = dir;
    key = dir.resolve("trigger.pub");
    Files.writeString(key, Ed25519Keys.toPem(Ed25519Keys.generate().getPublic()));
  }

  private ServiceConfig load(String serviceYaml) throws Exception {
    Path file = dir.resolve("agent.yml");
    Files.writeString(file, "hostId: web-1\nservices:\n  demo:\n" + serviceYaml.indent(4));
    return AgentConfigs.load(Optional.of(file), Map.of("STEVEDORE_TRUSTED_KEYS_FILE", key.toString()))
        .services().get("demo");
  }

  @Test
  void theDocumentedWordsMapToTheirConstants() throws Exception {
    assertThat(load("projectDirectory: /srv\ndriver: compose\nstrategy: recreate\n").driver()).isEqualTo(DriverKind.COMPOSE);
    assertThat(load("projectDirectory: /srv\nstrategy: default\n").strategy()).isEqualTo(Strategy.DEFAULT);
    assertThat(load("projectDirectory: /srv\nstrategy: recreate\n").strategy()).isEqualTo(Strategy.RECREATE);
    assertThat(load("driver: git\ngit: {repositoryDirectory: /srv/site}\n").driver()).isEqualTo(DriverKind.GIT);
    ServiceConfig blueGreen = load("""
        projectDirectory: /srv
        strategy: blue-green
        healthCheck: {type: container}
        blueGreen: {publicPort: 8080, bluePort: 8081, greenPort: 8082, adminTokenPath: /etc/proxy-token}
        """);
    assertThat(blueGreen.strategy()).isEqualTo(Strategy.BLUE_GREEN);
    assertThat(blueGreen.healthCheck().type()).isEqualTo(HealthCheckType.CONTAINER);
    assertThat(load("projectDirectory: /srv\nhealthCheck: {type: http, url: \"http://127.0.0.1/h\"}\n").healthCheck().type())
        .isEqualTo(HealthCheckType.HTTP);
    assertThat(load("projectDirectory: /srv\nhealthCheck: {type: none}\n").healthCheck().type()).isEqualTo(HealthCheckType.NONE);
  }

  @Test
  void caseIsIgnoredAsForEveryEnumOfTheConfiguration() throws Exception {
    ServiceConfig c = load("projectDirectory: /srv\ndriver: Compose\nstrategy: RECREATE\nhealthCheck: {type: None}\n");
    assertThat(c.driver()).isEqualTo(DriverKind.COMPOSE);
    assertThat(c.strategy()).isEqualTo(Strategy.RECREATE);
    assertThat(c.healthCheck().type()).isEqualTo(HealthCheckType.NONE);
  }

  @Test
  void blankOrMissingWordsTakeTheDefaults() throws Exception {
    ServiceConfig c = load("projectDirectory: /srv\ndriver: \"\"\nstrategy: \" \"\nhealthCheck: {type: \"\"}\n");
    assertThat(c.driver()).isEqualTo(DriverKind.COMPOSE);
    assertThat(c.strategy()).isEqualTo(Strategy.DEFAULT);
    assertThat(c.healthCheck().type()).isEqualTo(HealthCheckType.NONE);
    ServiceConfig byUrl = load("projectDirectory: /srv\nhealthCheck: {url: \"http://127.0.0.1/h\"}\n");
    assertThat(byUrl.healthCheck().type()).as("a url alone means http").isEqualTo(HealthCheckType.HTTP);
  }

  @Test
  void anyOtherWordIsRefusedNamingTheAllowedOnes() {
    assertThatThrownBy(() -> load("projectDirectory: /srv\ndriver: kubernetes\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("driver must be compose or git, not 'kubernetes'");
    assertThatThrownBy(() -> load("projectDirectory: /srv\nstrategy: rolling\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("strategy must be default, recreate or blue-green, not 'rolling'");
    assertThatThrownBy(() -> load("projectDirectory: /srv\nstrategy: blue_green\n"))
        .hasMessageContaining("strategy must be default, recreate or blue-green, not 'blue_green'");
    assertThatThrownBy(() -> load("projectDirectory: /srv\nhealthCheck: {type: tcp}\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("healthCheck.type must be http, container or none, not 'tcp'");
    assertThatThrownBy(() -> load("projectDirectory: /srv\ndriver: [compose]\n")).isInstanceOf(ConfigException.class);
  }

  @Test
  void theWordsAreWrittenAsDocumented() {
    assertThat(Strategy.BLUE_GREEN.word()).isEqualTo("blue-green");
    assertThat(Strategy.BLUE_GREEN).hasToString("blue-green");
    assertThat(ConfigWord.allowed(DriverKind.values())).isEqualTo("compose or git");
    assertThat(ConfigWord.allowed(HealthCheckType.values())).isEqualTo("http, container or none");
  }
}
