package dev.stevedore.agent.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.ResilienceConfig;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.driver.Breakers;
import dev.stevedore.agent.state.AgentState;
import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.kafka.KafkaSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeartbeatsTest {
  static final ServiceConfig WEB = new ServiceConfig(dev.stevedore.agent.config.DriverKind.COMPOSE, "/srv/web", null, null, null, null, null, null, null,
      null, null, null, null, null, null, null);

  @Test
  void aHeartbeatCarriesWhatAFleetCoordinatorNeedsForMembershipAndLiveness() throws Exception {
    AgentConfig config = new AgentConfig("web-1", "prod", Map.of("zone", "eu-1"), KafkaSettings.of("k:9092"), List.of(),
        "/tmp/x", null, null, null, 0, Duration.ofSeconds(10), 0, null, null, Map.of("web", WEB, "api", WEB));
    AgentState state = new AgentState();
    state.service("web").current = new AgentState.Release("v2", "sha256:i", "r/web:v2", "sha256:" + "d".repeat(64));
    Instant before = Instant.now();
    Heartbeats heartbeats = new Heartbeats(config, state, new Breakers(ResilienceConfig.defaults()), null);
    AgentHeartbeat h = heartbeats.build();
    assertThat(h.environment()).isEqualTo("prod");
    assertThat(h.labels()).isEqualTo(Map.of("zone", "eu-1"));
    assertThat(h.services()).extracting(AgentHeartbeat.ServiceState::name).containsExactlyInAnyOrder("api", "web");
    assertThat(h.services()).filteredOn(s -> s.name().equals("web")).extracting(AgentHeartbeat.ServiceState::version)
        .containsExactly("v2");
    assertThat(h.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(h.startedAt()).isBetween(before, Instant.now());
    assertThat(heartbeats.build().startedAt()).as("the same process: the same start").isEqualTo(h.startedAt());
    assertThat(h.silentAfter(3, Duration.ofSeconds(30))).isEqualTo(h.time().plusSeconds(30));
    // On the wire as ISO-8601, and read back the same.
    EventCodec codec = new EventCodec();
    String json = new String(codec.encode(h), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(json).contains("\"heartbeatInterval\":\"PT10S\"");
    assertThat(codec.decode(json.getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEqualTo(h);
  }

  @Test
  void aHeartbeatOfAnOlderAgentWithoutLivenessFieldsStillReads() throws Exception {
    String old = "{\"specversion\":\"1.0\",\"id\":\"e9\",\"source\":\"stevedore://agent/web-1\",\"type\":\"agent.heartbeat\","
        + "\"time\":\"2026-11-26T10:15:30.123Z\",\"subject\":\"web-1\",\"datacontenttype\":\"application/json\","
        + "\"data\":{\"host\":\"web-1\",\"environment\":\"production\",\"state\":\"idle\"}}";
    AgentHeartbeat h = (AgentHeartbeat) new EventCodec().decode(old.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(h.heartbeatInterval()).isNull();
    assertThat(h.startedAt()).isNull();
    assertThat(h.silentAfter(3, Duration.ofSeconds(30))).isEqualTo(h.time().plusSeconds(90));
  }
}
