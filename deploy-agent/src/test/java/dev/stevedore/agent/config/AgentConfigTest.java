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

class AgentConfigTest {
  @Test
  void loadsDefaultsFileAndEnvironment(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("trigger.pub");
    Files.writeString(key, Ed25519Keys.toPem(Ed25519Keys.generate().getPublic()));
    Path file = dir.resolve("agent.yml");
    Files.writeString(file, """
        hostId: web-1
        labels: {role: web}
        services:
          demo:
            projectDirectory: /srv/demo
            strategy: recreate
            healthCheck: {url: "http://127.0.0.1:8080/health", interval: PT0.2S, deadline: PT10S}
            hooks:
              preDeploy: [{composeRun: migrate, args: [up]}]
          site:
            driver: git
            git: {repositoryDirectory: /srv/site, restartCommand: [systemctl, restart, site]}
            poll: {interval: PT1M}
        """);
    AgentConfig c = AgentConfigs.load(Optional.of(file), Map.of(
        "STEVEDORE_ENVIRONMENT", "staging",
        "STEVEDORE_KAFKA_BOOTSTRAP_SERVERS", "broker:9092",
        "STEVEDORE_TRUSTED_KEYS_FILE", key.toString()));
    assertThat(c.hostId()).isEqualTo("web-1");
    assertThat(c.environment()).isEqualTo("staging");
    assertThat(c.kafka().bootstrapServers()).isEqualTo("broker:9092");
    assertThat(c.consumerGroup()).isEqualTo("stevedore-agent-web-1");
    assertThat(TrustedKeys.parse(c.trustedKeys())).hasSize(1);
    ServiceConfig demo = c.services().get("demo");
    assertThat(demo.composeFiles()).containsExactly("docker-compose.yml");
    assertThat(demo.versionVariable()).isEqualTo("VERSION");
    assertThat(demo.recreate()).isTrue();
    assertThat(demo.rollback()).isTrue();
    assertThat(demo.healthCheck().type()).isEqualTo(HealthCheckType.HTTP);
    assertThat(demo.healthCheck().interval()).isEqualTo(Duration.ofMillis(200));
    assertThat(demo.hooks().preDeploy().get(0).composeRun()).isEqualTo("migrate");
    assertThat(c.services().get("site").git().remote()).isEqualTo("origin");
    assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void refusesUnknownKeysAndBadValues(@TempDir Path dir) throws Exception {
    Path typo = dir.resolve("typo.yml");
    Files.writeString(typo, "hostId: web-1\nhostLabels: {a: b}\n");
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(typo), Map.of())).hasMessageContaining("hostLabels");
    Path badStrategy = dir.resolve("bad.yml");
    Files.writeString(badStrategy, "hostId: web-1\nservices: {demo: {projectDirectory: /x, strategy: yolo}}\n");
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(badStrategy), Map.of())).hasMessageContaining("strategy");
    Path noHost = dir.resolve("nohost.yml");
    Files.writeString(noHost, "environment: prod\n");
    assertThatThrownBy(() -> AgentConfigs.load(Optional.of(noHost), Map.of())).hasMessageContaining("hostId");
  }

  @Test
  void trustedKeysNeedAtLeastOneKey() {
    assertThatThrownBy(() -> TrustedKeys.parse(java.util.List.of())).hasMessageContaining("at least one");
    assertThatThrownBy(() -> TrustedKeys.parse(java.util.List.of("-----BEGIN nonsense")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
