package dev.stevedore.agent.it;

import static dev.stevedore.agent.it.AgentFixture.config;
import static dev.stevedore.agent.it.AgentFixture.request;
import static dev.stevedore.agent.it.AgentFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry goes away: pulls fail, the registry's breaker opens, later requests fail fast, v1 keeps serving. */
class RegistryBreakerIT {

  @Test
  void anUnreachableRegistryOpensItsBreakerAndTheRunningVersionKeepsServing(@TempDir Path dir) throws Exception {
    KafkaTestSupport kafka = AgentFixture.kafka();
    Files.createDirectories(dir.resolve("demo"));
    Vertx vertx = Vertx.vertx();
    RunningAgent agent = null;
    try (EventCollector events = new EventCollector(kafka, Topics.EVENTS);
         PrivateRegistry registry = new PrivateRegistry(dir.resolve("registry"))) {
      registry.push(DockerTestSupport.demoImage("v1"), "stevedore-demo", "v1");
      String v2 = registry.push(DockerTestSupport.demoImage("v2"), "stevedore-demo", "v2");
      registry.untag(v2);
      try (AgentFixture.DemoProject demo = new AgentFixture.DemoProject(dir.resolve("demo"),
          registry.repository("stevedore-demo"), null)) {
        demo.up("v1");
        String host = AgentFixture.hostId();
        agent = AgentFixture.start(vertx, config(kafka, host, dir.resolve("state"),
            Map.of("demo", demo.service("default", ServiceConfig.HooksConfig.none(), Duration.ofSeconds(10)))));
        try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(20))) {
          assertThat(probe.awaitBody("v1", Duration.ofSeconds(20))).isTrue();
          probe.reset();
          registry.stop();

          DeployRequested first = send(kafka, request("demo", "v2", host));
          Outcome o1 = events.awaitOutcome(first.deploymentId(), Duration.ofSeconds(90));
          assertThat(o1).isInstanceOf(DeployFailed.class);
          assertThat(((DeployFailed) o1).step()).isEqualTo("pull");
          assertThat(((DeployFailed) o1).outputTail()).containsIgnoringCase("connection refused");

          JsonObject status = status(agent.httpPort());
          assertThat(status.getJsonObject("breakers").getString("registry:" + registry.host())).isEqualTo("OPEN");

          DeployRequested second = send(kafka, request("demo", "v2", host));
          Outcome o2 = events.awaitOutcome(second.deploymentId(), Duration.ofSeconds(30));
          assertThat(o2).isInstanceOf(DeployFailed.class);
          assertThat(((DeployFailed) o2).reason()).contains("circuit breaker is open").contains("keeps serving");
          DeployStep pull = events.of(second.deploymentId()).stream().filter(e -> e instanceof DeployStep)
              .map(e -> (DeployStep) e).findFirst().orElseThrow();
          assertThat(pull.durationMs()).isLessThan(100);

          Thread.sleep(200);
          assertThat(probe.total()).isGreaterThan(10);
          assertThat(probe.failures()).as(probe.summary()).isZero();
          assertThat(probe.bodiesSeen()).containsExactly("v1");
        }
      }
    } finally {
      if (agent != null) {
        agent.stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  static JsonObject status(int port) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body());
  }
}
