package dev.stevedore.agent.it;

import static dev.stevedore.agent.it.AgentFixture.config;
import static dev.stevedore.agent.it.AgentFixture.request;
import static dev.stevedore.agent.it.AgentFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.HealthCheckConfig;
import dev.stevedore.agent.config.HealthCheckType;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.config.Strategy;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a service's own files and scripts can do to the host, end to end with real Kafka, dockerd,
 * registry and compose: a compose file naming an image outside {@code allowedRepositories}, and a
 * hook whose background child holds its output open. Both end the deployment with the old version
 * serving, instead of running the image or hanging the service's queue.
 */
class HostSafetyIT {
  static KafkaTestSupport kafka;
  static EventCollector events;
  Vertx vertx;
  RunningAgent agent;
  AgentFixture.DemoProject demo;

  @BeforeAll
  static void kafka() {
    kafka = AgentFixture.kafka();
    events = new EventCollector(kafka, Topics.EVENTS);
  }

  @AfterAll
  static void closeEvents() throws Exception {
    events.close();
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (demo != null) {
      demo.close();
    }
  }

  /** The demo at v1, then an agent managing it with no {@code image}, only {@code allowedRepositories}. */
  private String start(Path dir, ServiceConfig.HooksConfig hooks, String extraServices) throws Exception {
    Files.createDirectories(dir.resolve("demo"));
    demo = new AgentFixture.DemoProject(dir.resolve("demo"));
    demo.up("v1");
    if (extraServices != null) {
      Files.writeString(demo.dir.resolve("docker-compose.yml"), extraServices, StandardOpenOption.APPEND);
    }
    ServiceConfig service = new ServiceConfig(DriverKind.COMPOSE, demo.dir.toString(), null, demo.project, "demo", null, null,
        null, Map.of("PORT", String.valueOf(demo.port)), Strategy.DEFAULT, true, List.of(AgentFixture.demoRepository()),
        new HealthCheckConfig(HealthCheckType.HTTP, demo.url("/health"), 200, Duration.ofMillis(100), Duration.ofSeconds(15)),
        hooks, null, null);
    String host = AgentFixture.hostId();
    vertx = Vertx.vertx();
    agent = AgentFixture.start(vertx, config(kafka, host, dir.resolve("state"), Map.of("demo", service)));
    return host;
  }

  private DeployFailed deployFails(String host, String version) {
    DeployRequested request = send(kafka, request("demo", version, host));
    Outcome outcome = events.awaitOutcome(request.deploymentId(), Duration.ofSeconds(90));
    assertThat(outcome).isInstanceOf(DeployFailed.class);
    return (DeployFailed) outcome;
  }

  private List<String> steps(String deploymentId) {
    return events.of(deploymentId).stream().filter(e -> e instanceof DeployStep).map(e -> ((DeployStep) e).step()).toList();
  }

  @Test
  void aComposeFileNamingAnImageOutsideTheAllowedRepositoriesIsRefusedBeforeAnythingIsPulled(@TempDir Path dir)
      throws Exception {
    // same registry, another repository: allowedRepositories names only the demo's
    String host = start(dir, ServiceConfig.HooksConfig.none(), """
          miner:
            image: %s/stevedore-miner:${VERSION:-v1}
            network_mode: host
        """.formatted(DockerTestSupport.registry()));
    try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(20))) {
      assertThat(probe.awaitBody("v1", Duration.ofSeconds(20))).isTrue();
      probe.reset();
      DeployFailed failed = deployFails(host, "v2");
      assertThat(failed.step()).isEqualTo("pull");
      assertThat(failed.reason()).contains("miner (" + DockerTestSupport.registry() + "/stevedore-miner:v2)")
          .contains("allowedRepositories");
      assertThat(failed.runningVersion()).isEqualTo("v1");
      assertThat(steps(failed.deploymentId())).containsExactly("pull");
      assertThat(probe.failures()).as(probe.summary()).isZero();
      assertThat(probe.bodiesSeen()).containsExactly("v1");
    }
  }

  @Test
  void aHookWhoseBackgroundChildHoldsItsOutputEndsAtItsTimeout(@TempDir Path dir) throws Exception {
    ServiceConfig.HookConfig hook = new ServiceConfig.HookConfig(null, null,
        List.of("sh", "-c", "(sleep 300 &); echo 'migration started'; sleep 300"), Duration.ofSeconds(2));
    String host = start(dir, new ServiceConfig.HooksConfig(List.of(hook), List.of()), null);
    long t0 = System.nanoTime();
    DeployFailed failed = deployFails(host, "v2");
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(60);
    assertThat(failed.step()).isEqualTo("pre-deploy");
    assertThat(failed.reason()).contains("pre-deploy hook sh timed out").doesNotContain("sleep 300");
    assertThat(failed.outputTail()).contains("migration started");
    assertThat(failed.runningVersion()).isEqualTo("v1");
    // the queue is free again: the next request is handled (and refused for a tag that does not exist)
    assertThat(deployFails(host, "no-such-tag").step()).isEqualTo("pull");
  }
}
