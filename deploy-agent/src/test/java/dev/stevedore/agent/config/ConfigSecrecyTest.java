package dev.stevedore.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.config.ServiceConfig.GitConfig;
import dev.stevedore.agent.config.ServiceConfig.HookConfig;
import dev.stevedore.agent.config.ServiceConfig.HooksConfig;
import dev.stevedore.common.kafka.KafkaSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Config records end up in logs and exception messages: their toString never shows a secret. */
class ConfigSecrecyTest {
  private static final String SECRET = "hunter2-s3cr3t";

  private static ServiceConfig service() {
    return new ServiceConfig(DriverKind.COMPOSE, "/srv/web", null, null, null, null, null, null,
        Map.of("DB_PASSWORD", SECRET), null, null, null, null,
        new HooksConfig(List.of(new HookConfig("migrate", List.of("--password=" + SECRET), null, null)),
            List.of(new HookConfig(null, null, List.of("/opt/notify.sh", "--token", SECRET), null))), null, null);
  }

  @Test
  void serviceConfigShowsVariableNamesAndHookProgramsOnly() {
    String s = service().toString();
    assertThat(s).doesNotContain(SECRET).contains("DB_PASSWORD").contains("migrate").contains("notify.sh +2 args");
  }

  @Test
  void gitRestartCommandShowsItsProgramOnly() {
    String s = new GitConfig("/srv/site", null, null, List.of("/opt/restart.sh", "--token=" + SECRET)).toString();
    assertThat(s).doesNotContain(SECRET).contains("restart.sh +1 args");
  }

  @Test
  void agentConfigShowsNoSecretOfItsKafkaSettingsOrServices() {
    KafkaSettings kafka = new KafkaSettings("k:9093", null, 0, 0, 0,
        Map.of("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"" + SECRET + "\";"));
    AgentConfig config = new AgentConfig("web-1", "prod", Map.of(), kafka, List.of(), "/var/lib/stevedore", null, null,
        null, 0, null, 0, null, null, Map.of("web", service()));
    assertThat(config.toString()).doesNotContain(SECRET).contains("sasl.jaas.config").contains("web-1");
  }
}
