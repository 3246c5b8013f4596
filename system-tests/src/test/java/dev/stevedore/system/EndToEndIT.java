package dev.stevedore.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 2's walking skeleton, every hop real: a CI webhook to the trigger service, a signed
 * request on a real Kafka broker, the agent running docker-compose against a real Docker engine
 * and registry, its events stored by the audit service and shown by its API.
 */
class EndToEndIT {
  @TempDir Path dir;
  SystemUnderTest system;

  @BeforeEach
  void start() throws Exception {
    system = new SystemUnderTest(dir).start(KafkaTestSupport.shared());
  }

  @AfterEach
  void stop() throws Exception {
    if (system != null) {
      system.close();
    }
  }

  @Test
  @DisplayName("a generic webhook for v2 makes the demo app serve v2, and the audit API shows it succeeded with the agent's steps")
  void webhookDeploysTheNewVersionAndTheAuditShowsIt() throws Exception {
    try (HttpProbe probe = HttpProbe.start(system.demoUrl(), Duration.ofMillis(20))) {
      assertThat(probe.awaitBody("v1", Duration.ofSeconds(30))).as("v1 serves before the deploy").isTrue();

      HttpResponse<String> response = system.webhook("v2", "e2e-" + UUID.randomUUID());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      String deploymentId = new JsonObject(response.body()).getString("deploymentId");
      assertThat(deploymentId).isNotBlank();

      assertThat(probe.awaitBody("v2", Duration.ofSeconds(90))).as("the demo app serves v2").isTrue();
      JsonObject deployment = awaitFinished(deploymentId);
      assertThat(deployment.getString("status")).isEqualTo("succeeded");
      assertThat(deployment.getString("service")).isEqualTo("demo");
      assertThat(deployment.getString("version")).isEqualTo("v2");
      List<String> steps = stepNames(deployment);
      assertThat(steps).as("the agent's steps").contains("pull", "up", "health-check");
      assertThat(steps.indexOf("pull")).isLessThan(steps.indexOf("up"));

      JsonObject listed = system.audit("/api/v1/deployments?service=demo").orElseThrow();
      assertThat(listed.encode()).contains(deploymentId);
    }
  }

  @Test
  @DisplayName("a version whose image does not exist fails at the pull step while v1 keeps serving throughout")
  void missingImageFailsAtPullAndTheOldVersionKeepsServing() throws Exception {
    try (HttpProbe probe = HttpProbe.start(system.demoUrl(), Duration.ofMillis(20))) {
      assertThat(probe.awaitBody("v1", Duration.ofSeconds(30))).isTrue();
      probe.reset();

      HttpResponse<String> response = system.webhook("v404-does-not-exist", "e2e-" + UUID.randomUUID());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      String deploymentId = new JsonObject(response.body()).getString("deploymentId");

      JsonObject deployment = awaitFinished(deploymentId);
      assertThat(deployment.getString("status")).isEqualTo("failed");
      JsonObject host = hosts(deployment).get(0);
      assertThat(host.encode()).contains("pull");
      assertThat(stepNames(deployment)).contains("pull").doesNotContain("up", "down");

      probe.stop();
      assertThat(probe.total()).as("probe samples during the deploy").isGreaterThan(10);
      assertThat(probe.failures()).as("failed probes: " + probe.summary()).isZero();
      assertThat(probe.bodiesSeen()).containsExactly("v1");
    }
  }

  private JsonObject awaitFinished(String deploymentId) {
    return await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
        .until(() -> system.audit("/api/v1/deployments/" + deploymentId),
            d -> d.isPresent() && List.of("succeeded", "failed", "rolled-back", "skipped")
                .contains(d.get().getString("status")))
        .orElseThrow();
  }

  private static List<JsonObject> hosts(JsonObject deployment) {
    JsonArray hosts = Optional.ofNullable(deployment.getJsonArray("hosts")).orElse(new JsonArray());
    return hosts.stream().map(JsonObject.class::cast).collect(Collectors.toList());
  }

  private static List<String> stepNames(JsonObject deployment) {
    return hosts(deployment).stream()
        .flatMap(h -> Optional.ofNullable(h.getJsonArray("steps")).orElse(new JsonArray()).stream())
        .map(s -> ((JsonObject) s).getString("name"))
        .collect(Collectors.toList());
  }
}
