package dev.stevedore.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.AgentConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an idle agent's requests consumer asks of the broker follows from these settings (docs/scale.md). */
class RequestConsumerOptionsTest {
  @TempDir
  Path dir;

  AgentConfig load(String yaml) throws Exception {
    Path file = dir.resolve("agent.yml");
    Files.writeString(file, "hostId: web-1\n" + yaml);
    return AgentConfigs.load(Optional.of(file), Map.of());
  }

  @Test
  void groupIsOneStaticMemberThatHeartbeatsEvery15Seconds() throws Exception {
    Map<String, String> o = RequestConsumer.options(load(""));
    assertThat(o).containsEntry("group.id", "stevedore-agent-web-1").containsEntry("group.instance.id", "web-1")
        .containsEntry("heartbeat.interval.ms", "15000").containsEntry("fetch.max.wait.ms", "20000")
        .containsEntry("enable.auto.commit", "false").containsEntry("isolation.level", "read_committed")
        .doesNotContainKey("session.timeout.ms"); // Kafka's 45 s
  }

  @Test
  void assignHasNoMembershipSoNoHeartbeat() throws Exception {
    Map<String, String> o = RequestConsumer.options(load("requests: {subscription: assign}\n"));
    assertThat(o).containsEntry("group.id", "stevedore-agent-web-1").containsEntry("fetch.max.wait.ms", "20000")
        .doesNotContainKeys("group.instance.id", "heartbeat.interval.ms");
  }

  @Test
  void theOperatorsKafkaPropertiesWin() throws Exception {
    Map<String, String> o = RequestConsumer.options(load("kafka: {fetchMaxWaitMs: 500, properties: {heartbeat.interval.ms: \"3000\"}}\n"));
    assertThat(o).containsEntry("heartbeat.interval.ms", "3000").containsEntry("fetch.max.wait.ms", "500");
  }
}
