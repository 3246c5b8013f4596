package dev.stevedore.agent.it;

import static dev.stevedore.agent.it.AgentFixture.config;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.HealthCheckConfig;
import dev.stevedore.agent.config.HealthCheckType;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.config.Strategy;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Polling mode: the agent compares the registry's digest of a tag with the running one and deploys on change. */
class PollingIT {

  @Test
  void aNewDigestForTheTagIsDeployedWithSourcePoll(@TempDir Path dir) throws Exception {
    KafkaTestSupport kafka = AgentFixture.kafka();
    String repository = DockerTestSupport.registry() + "/" + DockerTestSupport.uniqueName("agentit-poll");
    String latest = repository + ":latest";
    DockerTestSupport.dockerOk("tag", DockerTestSupport.demoImage("v1"), latest);
    DockerTestSupport.dockerOk("push", latest);
    Files.createDirectories(dir.resolve("demo"));
    Vertx vertx = Vertx.vertx();
    RunningAgent agent = null;
    try (EventCollector events = new EventCollector(kafka, Topics.EVENTS);
         AgentFixture.DemoProject demo = new AgentFixture.DemoProject(dir.resolve("demo"), repository, null)) {
      demo.up("latest");
      ServiceConfig polled = new ServiceConfig(DriverKind.COMPOSE, demo.dir.toString(), null, demo.project, "demo", null, null,
          repository, Map.of("PORT", String.valueOf(demo.port)), Strategy.DEFAULT, true, List.of(),
          new HealthCheckConfig(HealthCheckType.HTTP, demo.url("/health"), 200, Duration.ofMillis(100), Duration.ofSeconds(10)),
          null, null, new ServiceConfig.PollConfig(Duration.ofMillis(500), null, "latest"));
      String host = AgentFixture.hostId();
      agent = AgentFixture.start(vertx, config(kafka, host, dir.resolve("state"), Map.of("demo", polled)));

      // several polls (every 500 ms) while the digest is unchanged: no deployment
      Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
          .until(() -> hostEvents(events, host).isEmpty());

      DockerTestSupport.dockerOk("tag", DockerTestSupport.demoImage("v2"), latest);
      DockerTestSupport.dockerOk("push", latest);
      String digest = DockerTestSupport.registryDigest(repository.substring(repository.indexOf('/') + 1), "latest").orElseThrow();

      Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
          .until(() -> hostEvents(events, host).stream().anyMatch(e -> e instanceof Outcome));
      List<AgentEvent> all = hostEvents(events, host);
      Outcome outcome = all.stream().filter(e -> e instanceof Outcome).map(e -> (Outcome) e).findFirst().orElseThrow();
      assertThat(outcome).isInstanceOf(DeploySucceeded.class);
      assertThat(((DeploySucceeded) outcome).digest()).isEqualTo(digest);
      assertThat(all).allMatch(e -> e.source().equals("stevedore://agent/" + host + "/poll"));
      assertThat(all.get(0)).isInstanceOf(DeployStarted.class);
      assertThat(((DeployStarted) all.get(0)).toVersion()).isEqualTo("latest");
      try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(50))) {
        assertThat(probe.awaitBody("v2", Duration.ofSeconds(10))).isTrue();
      }
      // later polls see the deployed digest: deployed once
      Awaitility.await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(4))
          .until(() -> hostEvents(events, host).stream().filter(e -> e instanceof Outcome).count() == 1);
    } finally {
      if (agent != null) {
        agent.stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      DockerTestSupport.docker("rmi", latest);
    }
  }

  private static List<AgentEvent> hostEvents(EventCollector events, String host) {
    return events.events().stream().filter(e -> e instanceof AgentEvent a && a.host().equals(host))
        .map(e -> (AgentEvent) e).toList();
  }
}
