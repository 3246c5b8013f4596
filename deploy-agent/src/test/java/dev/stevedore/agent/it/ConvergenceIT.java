package dev.stevedore.agent.it;

import static dev.stevedore.agent.it.AgentFixture.request;
import static dev.stevedore.agent.it.AgentFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.agent.config.ResilienceConfig;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import dev.stevedore.testing.PrivateRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import dev.stevedore.common.ops.PrometheusScrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent converges: a registry outage only makes a deployment wait (never fail), a newer
 * request replaces the one that waits, and once the registry is back the newest requested version
 * is reached without any new request, also across a restart of the agent; the same for the docker
 * daemon stopped and started while a deployment waits. Real Docker (a daemon of the test's own
 * for the daemon outage), compose, a registry of the test's own (stopped and started) and Kafka.
 */
class ConvergenceIT {
  static final Duration OPEN_FOR = Duration.ofSeconds(5);

  static ResilienceConfig resilience() {
    // pulls: 2 tries 200 ms apart; the registry's breaker opens after 3 failed calls for 5 s;
    // attempts after an outage: 0.5 s, doubling to 2 s
    return new ResilienceConfig(2, Duration.ofMillis(200), 50, 10, 3, OPEN_FOR, Duration.ofMinutes(2),
        Duration.ofMillis(500), Duration.ofMillis(500), Duration.ofSeconds(2), 0, 3, null);
  }

  /** A private registry with v1..v4 of the demo; only {@code keepLocal} stays tagged locally. */
  static PrivateRegistry registry(Path dir, String keepLocal) throws Exception {
    PrivateRegistry registry = new PrivateRegistry(dir.resolve("registry"));
    for (String v : new String[] {"v1", "v2", "v3", "v4"}) {
      String pushed = registry.push(DockerTestSupport.demoImage(v), "stevedore-demo", v);
      if (!v.equals(keepLocal)) {
        registry.untag(pushed);
      }
    }
    return registry;
  }

  @Test
  void theNewestRequestIsReachedOnceTheRegistryIsBack(@TempDir Path dir) throws Exception {
    KafkaTestSupport kafka = AgentFixture.kafka();
    Files.createDirectories(dir.resolve("demo"));
    Vertx vertx = Vertx.vertx();
    RunningAgent agent = null;
    try (EventCollector events = new EventCollector(kafka, Topics.EVENTS);
         PrivateRegistry registry = registry(dir, "v2");
         AgentFixture.DemoProject demo = new AgentFixture.DemoProject(dir.resolve("demo"),
             registry.repository("stevedore-demo"), null)) {
      demo.up("v2");
      String host = AgentFixture.hostId();
      agent = AgentFixture.start(vertx, config(kafka, host, dir, demo));
      try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(20))) {
        assertThat(probe.awaitBody("v2", Duration.ofSeconds(20))).isTrue();
        probe.reset();
        registry.stop();

        DeployRequested v3 = send(kafka, request("demo", "v3", host));
        int port = agent.httpPort();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> "waiting".equals(service(port).getString("state")));
        JsonObject waiting = service(port);
        assertThat(waiting.getString("desiredVersion")).isEqualTo("v3");
        assertThat(waiting.getString("waitingFor")).contains("registry " + registry.host());
        assertThat(events.outcomes(v3.deploymentId())).as("a registry outage does not fail the deployment").isEmpty();
        Awaitility.await().atMost(Duration.ofSeconds(30))
            .until(() -> "OPEN".equals(status(port).getJsonObject("breakers").getString("registry:" + registry.host())));
        assertThat(metrics(port)).contains("resilience4j_circuitbreaker_state{name=\"registry:" + registry.host()
            + "\",state=\"open\"} 1.0");

        DeployRequested v4 = send(kafka, request("demo", "v4", host));
        Outcome o3 = events.awaitOutcome(v3.deploymentId(), Duration.ofSeconds(30));
        assertThat(((DeploySkipped) o3).reason()).contains("superseded by deployment " + v4.deploymentId());

        registry.start();
        Instant back = Instant.now();
        Thread.sleep(2_000);   // the scenario: v1 is requested two seconds after the registry is back
        DeployRequested v1 = send(kafka, request("demo", "v1", host));
        Outcome o4 = events.awaitOutcome(v4.deploymentId(), Duration.ofSeconds(30));
        assertThat(((DeploySkipped) o4).reason()).contains("superseded by deployment " + v1.deploymentId());
        Outcome o1 = events.awaitOutcome(v1.deploymentId(), OPEN_FOR.multipliedBy(2).plusSeconds(30));
        assertThat(o1).isInstanceOf(DeploySucceeded.class);
        Duration took = Duration.between(back, o1.time());
        assertThat(took).as("from the registry's return to v1 running").isLessThan(OPEN_FOR.plusSeconds(20));
        assertThat(probe.awaitBody("v1", Duration.ofSeconds(10))).isTrue();
        assertThat(service(port).getString("state")).isEqualTo("idle");
        assertThat(service(port).getString("desiredVersion")).isNull();
        // the running version served throughout; the only failures are the switch's own gap
        assertThat(probe.bodiesSeen()).containsExactly("v2", "v1");
        assertThat(probe.longestFailureGap()).as(probe.summary()).isLessThan(Duration.ofSeconds(2));
        // the real /metrics passes promtool and carries JVM, build-info, breaker and per-service series
        String metrics = PrometheusScrape.afterGc(() -> metrics(port));
        PrometheusScrape.assertServiceScrape("agent", metrics);
        assertThat(metrics).contains("stevedore_agent_deployments_total{outcome=\"succeeded\",service=\"demo\"} 1.0")
            .contains("stevedore_agent_deployments_total{outcome=\"skipped\",service=\"demo\"} 2.0")
            .contains("stevedore_agent_deploy_duration_seconds_count{outcome=\"succeeded\",service=\"demo\"} 1")
            .contains("stevedore_agent_service_diverged{service=\"demo\"} 0.0")
            .doesNotContain("quantile=");
        System.out.printf("[convergence] registry back -> v1 succeeded in %d ms; probe: %s%n", took.toMillis(), probe.summary());
      }
    } finally {
      if (agent != null) {
        agent.stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aDeploymentThatWaitsSurvivesARestartOfTheAgentAndFinishesWithoutANewRequest(@TempDir Path dir) throws Exception {
    KafkaTestSupport kafka = AgentFixture.kafka();
    Files.createDirectories(dir.resolve("demo"));
    Vertx vertx = Vertx.vertx();
    RunningAgent agent = null;
    try (EventCollector events = new EventCollector(kafka, Topics.EVENTS);
         PrivateRegistry registry = registry(dir, "v1");
         AgentFixture.DemoProject demo = new AgentFixture.DemoProject(dir.resolve("demo"),
             registry.repository("stevedore-demo"), null)) {
      demo.up("v1");
      String host = AgentFixture.hostId();
      AgentConfig config = config(kafka, host, dir, demo);
      agent = AgentFixture.start(vertx, config);
      registry.stop();
      DeployRequested v2 = send(kafka, request("demo", "v2", host));
      int firstPort = agent.httpPort();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> "waiting".equals(service(firstPort).getString("state")));

      agent.stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
      agent = AgentFixture.start(vertx, config);
      int port = agent.httpPort();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> "waiting".equals(service(port).getString("state")));
      assertThat(service(port).getString("desiredVersion")).isEqualTo("v2");
      assertThat(events.outcomes(v2.deploymentId())).isEmpty();

      registry.start();
      Outcome outcome = events.awaitOutcome(v2.deploymentId(), OPEN_FOR.multipliedBy(2).plusSeconds(60));
      DeploySucceeded ok = (DeploySucceeded) outcome;
      assertThat(ok.attempts()).isGreaterThanOrEqualTo(2);
      assertThat(ok.waitedMs()).isPositive();
      assertThat(events.of(v2.deploymentId()).stream().filter(e -> e instanceof DeployStep s && s.step().equals("waiting")))
          .isNotEmpty();
      try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(50))) {
        assertThat(probe.awaitBody("v2", Duration.ofSeconds(20))).isTrue();
      }
    } finally {
      if (agent != null) {
        agent.stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aDeploymentWaitsWhileTheDockerDaemonIsStoppedAndFinishesWhenItIsBack(@TempDir Path dir) throws Exception {
    KafkaTestSupport kafka = AgentFixture.kafka();
    Files.createDirectories(dir.resolve("demo"));
    Vertx vertx = Vertx.vertx();
    RunningAgent agent = null;
    try (EventCollector events = new EventCollector(kafka, Topics.EVENTS);
         PrivateDockerd dockerd = new PrivateDockerd();
         AgentFixture.DemoProject demo = new AgentFixture.DemoProject(dir.resolve("demo"), AgentFixture.demoRepository(),
             null, dockerd.env())) {
      demo.up("v1");
      String host = AgentFixture.hostId();
      agent = AgentFixture.start(vertx, config(kafka, host, dir, demo));
      int port = agent.httpPort();
      try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(20))) {
        assertThat(probe.awaitBody("v1", Duration.ofSeconds(20))).isTrue();
        probe.reset();
        dockerd.stop();   // SIGTERM by pid; live-restore keeps v1 serving

        DeployRequested v2 = send(kafka, request("demo", "v2", host));
        Awaitility.await().atMost(Duration.ofSeconds(60))
            .until(() -> String.valueOf(service(port).getString("waitingFor")).contains("docker daemon"));
        assertThat(service(port).getString("state")).isEqualTo("waiting");
        assertThat(events.outcomes(v2.deploymentId())).as("a stopped daemon does not fail the deployment").isEmpty();

        dockerd.start();
        Instant back = Instant.now();
        Outcome outcome = events.awaitOutcome(v2.deploymentId(), OPEN_FOR.multipliedBy(2).plusSeconds(30));
        assertThat(outcome).isInstanceOf(DeploySucceeded.class);
        Duration took = Duration.between(back, outcome.time());
        assertThat(took).as("from the daemon's return to v2 running").isLessThan(OPEN_FOR.plusSeconds(20));
        assertThat(probe.awaitBody("v2", Duration.ofSeconds(10))).isTrue();
        assertThat(probe.bodiesSeen()).containsExactly("v1", "v2");
        assertThat(probe.longestFailureGap()).as(probe.summary()).isLessThan(Duration.ofSeconds(2));
        System.out.printf("[convergence] docker daemon back -> v2 succeeded in %d ms; probe: %s%n", took.toMillis(),
            probe.summary());
      }
    } finally {
      if (agent != null) {
        agent.stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  static AgentConfig config(KafkaTestSupport kafka, String host, Path dir, AgentFixture.DemoProject demo) {
    return AgentFixture.config(kafka, host, dir.resolve("state"),
        Map.of("demo", demo.service("default", ServiceConfig.HooksConfig.none(), Duration.ofSeconds(10))), resilience());
  }

  static String metrics(int port) throws Exception {
    return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The demo service's entry of the agent's {@code /status}. */
  static JsonObject service(int port) throws Exception {
    return status(port).getJsonArray("services").stream().map(o -> (JsonObject) o)
        .filter(s -> "demo".equals(s.getString("name"))).findFirst().orElseThrow();
  }

  static JsonObject status(int port) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status")).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body());
  }
}
