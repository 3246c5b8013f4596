package dev.stevedore.agent.it;

import static dev.stevedore.agent.it.AgentFixture.request;
import static dev.stevedore.agent.it.AgentFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.agent.state.StateStore;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka goes away in the middle of a deployment: the deployment still finishes (it needs no
 * Kafka), its events wait in the outbox on disk; the agent is then killed with SIGKILL while Kafka
 * is still down, restarted once Kafka is back, and sends them: nothing is lost, nothing is doubled.
 */
class OutboxDurabilityIT {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void eventsSurviveAKafkaOutageAndAnAgentCrash(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("demo"));
    Path state = dir.resolve("state");
    String host = AgentFixture.hostId();
    try (KafkaTestSupport kafka = KafkaTestSupport.startWithFixedPort();
         AgentFixture.DemoProject demo = new AgentFixture.DemoProject(dir.resolve("demo"))) {
      kafka.createTopics(Topics.REQUESTS, Topics.EVENTS, Topics.DEAD_LETTERS, Topics.HEARTBEATS);
      demo.up("v1");
      Map<String, Object> paused = CrashRecoveryIT.config(host, state, demo, "before:up", kafka);
      DeployRequested request;
      AgentProcess first = AgentProcess.start(dir, "agent-1", paused, "128m");
      try {
        request = send(kafka, request("demo", "v2", host));
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
            .until(() -> Files.exists(state.resolve("paused-at")) || !first.alive());
        assertThat(first.alive()).as(first.output()).isTrue();
        kafka.stopBroker();
        // The pause ends, the deployment goes on without Kafka and its outcome lands in the outbox.
        Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
            .until(() -> outboxTypes(state).contains("deploy.succeeded"));
        first.kill9();
      } finally {
        first.close();
      }
      assertThat(outboxTypes(state)).as("events of the steps after the outage").contains("deploy.step", "deploy.succeeded");
      try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(50))) {
        assertThat(probe.awaitBody("v2", Duration.ofSeconds(10))).isTrue();
      }

      kafka.startBroker();
      try (EventCollector events = new EventCollector(kafka, Topics.EVENTS);
           AgentProcess second = AgentProcess.start(dir, "agent-2",
               CrashRecoveryIT.config(host, state, demo, null, kafka), "128m")) {
        Outcome outcome = events.awaitOutcome(request.deploymentId(), Duration.ofSeconds(120));
        assertThat(outcome).as(second.output()).isInstanceOf(DeploySucceeded.class);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
            .until(() -> outboxTypes(state).isEmpty());
        // nothing is published twice under different ids, and nothing more comes
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> {
          List<AgentEvent> all = events.of(request.deploymentId());
          return all.stream().filter(e -> e instanceof DeployStarted).map(AgentEvent::id).distinct().count() == 1
              && all.stream().filter(e -> e instanceof Outcome).map(AgentEvent::id).distinct().count() == 1;
        });
      }
    }
  }

  private static List<String> outboxTypes(Path state) {
    try {
      JsonNode root = JSON.readTree(state.resolve(StateStore.FILE).toFile());
      return java.util.stream.StreamSupport.stream(root.path("outbox").spliterator(), false)
          .map(e -> {
            try {
              // the outbox holds the records as sent: CloudEvents types with the dev.stevedore. prefix
              return JSON.readTree(e.path("payload").asText()).path("type").asText().replaceFirst("^dev\\.stevedore\\.", "");
            } catch (Exception ex) {
              return "?";
            }
          }).toList();
    } catch (Exception e) {
      return List.of();
    }
  }
}
