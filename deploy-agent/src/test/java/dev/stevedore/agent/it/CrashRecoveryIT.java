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
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the agent process at each step, then a restart on the same state directory.
 * The kill point is made deterministic by the test-only hook {@code testHooks.pauseAt}: the agent
 * writes {@code <stateDirectory>/paused-at} when it reaches the point and waits; the test then
 * sends SIGKILL. The agent's death is not the version's fault: after the restart it must finish
 * the deployment (the new version serves), publish exactly one terminal event and block nothing.
 */
class CrashRecoveryIT {
  static KafkaTestSupport kafka;
  static EventCollector events;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void kafka() {
    kafka = AgentFixture.kafka();
    events = new EventCollector(kafka, Topics.EVENTS);
  }

  @AfterAll
  static void closeEvents() {
    events.close();
  }

  static Map<String, Object> config(String host, Path state, AgentFixture.DemoProject demo, String pauseAt) {
    return config(host, state, demo, pauseAt, kafka);
  }

  static Map<String, Object> config(String host, Path state, AgentFixture.DemoProject demo, String pauseAt,
      KafkaTestSupport kafka) {
    return config(host, state, demo, pauseAt, kafka, "recreate");
  }

  /** The agent's YAML config (as a map) for the demo project with {@code strategy}. */
  static Map<String, Object> config(String host, Path state, AgentFixture.DemoProject demo, String pauseAt,
      KafkaTestSupport kafka, String strategy) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("hostId", host);
    c.put("environment", AgentFixture.ENV);
    c.put("labels", Map.of("role", "web"));
    c.put("kafka", Map.of("bootstrapServers", kafka.bootstrapServers(), "fetchMaxWaitMs", 100));
    c.put("trustedKeys", List.of(Ed25519Keys.toPem(AgentFixture.TRIGGER_KEYS.getPublic())));
    c.put("stateDirectory", state.toString());
    c.put("httpPort", 0);
    c.put("heartbeatInterval", "PT5S");
    c.put("resilience", Map.of("outboxRetry", "PT0.5S"));
    if (pauseAt != null) {
      c.put("testHooks", Map.of("pauseAt", pauseAt, "pauseFor", pauseAt.startsWith("before:up") ? "PT15S" : "PT120S"));
    }
    c.put("services", Map.of("demo", Map.of(
        "projectDirectory", demo.dir.toString(),
        "projectName", demo.project,
        "composeService", "demo",
        "image", demo.repository,
        "strategy", strategy,
        "environment", Map.of("PORT", String.valueOf(demo.port)),
        "healthCheck", Map.of("url", demo.url("/health"), "interval", "PT0.1S", "deadline", "PT10S"))));
    return c;
  }

  @ParameterizedTest(name = "kill -9 at {0}")
  @CsvSource({
      "after:pull, pull, succeeded, v2",
      "after:down, down, succeeded, v2",
      "after:up, up, succeeded, v2",
      "before:health-check, health-check, succeeded, v2"})
  void recoversAfterKill9(String pauseAt, String step, String expected, String serving, @TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("demo"));
    Path state = dir.resolve("state");
    String host = AgentFixture.hostId();
    try (AgentFixture.DemoProject demo = new AgentFixture.DemoProject(dir.resolve("demo"))) {
      demo.up("v1");
      DeployRequested request;
      AgentProcess first = AgentProcess.start(dir, "agent-1", config(host, state, demo, pauseAt), "128m");
      try {
        request = send(kafka, request("demo", "v2", host));
        Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(50))
            .until(() -> Files.exists(state.resolve("paused-at")) || !first.alive());
        assertThat(first.alive()).as(first.output()).isTrue();
        assertThat(Files.readString(state.resolve("paused-at"))).isEqualTo(pauseAt);
        first.kill9();
      } finally {
        first.close();
      }
      JsonNode persisted = JSON.readTree(state.resolve(StateStore.FILE).toFile());
      JsonNode intent = persisted.path("services").path("demo").path("intent");
      assertThat(intent.path("deploymentId").asText()).isEqualTo(request.deploymentId());
      assertThat(intent.path("step").asText()).isEqualTo(step);
      assertThat(events.outcomes(request.deploymentId())).isEmpty();

      try (AgentProcess second = AgentProcess.start(dir, "agent-2", config(host, state, demo, null), "128m")) {
        Outcome outcome = events.awaitOutcome(request.deploymentId(), Duration.ofSeconds(120));
        assertThat(outcome.status()).as(second.output()).isEqualTo(expected);
        assertThat(((DeploySucceeded) outcome).attempts()).isBetween(1, 2);
        try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(50))) {
          assertThat(probe.awaitBody(serving, Duration.ofSeconds(20))).isTrue();
        }
        // Nothing more is published for it (a redelivered request is recognised): one outcome, one
        // start, the pull at most twice (the interrupted attempt and the one run again).
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> {
          List<AgentEvent> all = events.of(request.deploymentId());
          return all.stream().filter(e -> e instanceof Outcome).map(AgentEvent::id).distinct().count() == 1
              && all.stream().filter(e -> e instanceof DeployStarted).map(AgentEvent::id).distinct().count() == 1
              && all.stream().filter(e -> e instanceof DeployStep s && s.step().equals("pull")).map(AgentEvent::id)
                  .distinct().count() <= 2;
        });
        JsonNode after = JSON.readTree(state.resolve(StateStore.FILE).toFile());
        assertThat(after.path("services").path("demo").path("intent").isNull()
            || after.path("services").path("demo").path("intent").isMissingNode()).isTrue();
        assertThat(after.path("services").path("demo").path("current").path("version").asText()).isEqualTo("v2");
        assertThat(after.path("services").path("demo").path("blocked")).isEmpty();
        assertThat(after.path("services").path("demo").path("desired").isNull()
            || after.path("services").path("demo").path("desired").isMissingNode()).isTrue();
      }
    }
  }
}
