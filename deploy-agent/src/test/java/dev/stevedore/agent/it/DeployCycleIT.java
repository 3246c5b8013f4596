package dev.stevedore.agent.it;

import static dev.stevedore.agent.it.AgentFixture.config;
import static dev.stevedore.agent.it.AgentFixture.request;
import static dev.stevedore.agent.it.AgentFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The walking skeleton: a signed request becomes pull, down, up -d and a health check on a real host. */
class DeployCycleIT {
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

  private String startAgent(Path dir, String strategy) throws Exception {
    demo = new AgentFixture.DemoProject(dir.resolve("demo"));
    demo.up("v1");
    String host = AgentFixture.hostId();
    vertx = Vertx.vertx();
    agent = AgentFixture.start(vertx, config(kafka, host, dir.resolve("state"),
        Map.of("demo", demo.service(strategy, ServiceConfig.HooksConfig.none(), Duration.ofSeconds(15)))));
    return host;
  }

  static final String TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  @Test
  void aSignedRequestDeploysTheNewVersionAndReportsEveryStep(@TempDir Path dir) throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("demo"));
    String host = startAgent(dir, "recreate");
    try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(20))) {
      assertThat(probe.awaitBody("v1", Duration.ofSeconds(20))).isTrue();
      // The request's trace context is passed on; another extension attribute of it is not.
      DeployRequested request = send(kafka, request("demo", "v2", host),
          Map.of("traceparent", TRACEPARENT, "tracestate", "congo=t61rcWkgMzE", "evilext", "copied?"));

      Outcome outcome = events.awaitOutcome(request.deploymentId(), Duration.ofSeconds(90));
      assertThat(outcome).isInstanceOf(DeploySucceeded.class);
      assertThat(((DeploySucceeded) outcome).digest()).startsWith("sha256:");
      assertThat(probe.awaitBody("v2", Duration.ofSeconds(10))).isTrue();
      assertThat(probe.last().orElseThrow().body()).isEqualTo("v2");

      // A replay of the very same signed record changes nothing and publishes nothing.
      int before = events.of(request.deploymentId()).size();
      kafka.send(Topics.REQUESTS, request.partitionKey(),
          new String(AgentFixture.CODEC.encode(request), java.nio.charset.StandardCharsets.UTF_8));
      DeployRequested marker = send(kafka, request("demo", "v2", host));
      events.awaitOutcome(marker.deploymentId(), Duration.ofSeconds(60));
      assertThat(events.of(request.deploymentId())).hasSize(before);
      // The marker came without a trace context: its events carry none.
      assertThat(extensionsOf(marker.deploymentId())).isNotEmpty().allSatisfy(x -> assertThat(x).isEmpty());
    }
    // Every event of the deployment (started, each step, the outcome) carries the request's trace context, nothing else.
    assertThat(extensionsOf(request0(host))).hasSize(6).allSatisfy(x -> assertThat(x).containsExactlyInAnyOrderEntriesOf(
        Map.of("traceparent", TRACEPARENT, "tracestate", "congo=t61rcWkgMzE")));
    List<AgentEvent> all = events.of(request0(host));
    assertThat(all).hasSizeGreaterThan(0);
    assertThat(all.get(0)).isInstanceOf(DeployStarted.class);
    DeployStarted started = (DeployStarted) all.get(0);
    assertThat(started.fromVersion()).isEqualTo("v1");
    assertThat(started.toVersion()).isEqualTo("v2");
    assertThat(started.id()).isEqualTo(DeploymentIds.eventId(started.deploymentId(), host, "started"));
    assertThat(all.stream().filter(e -> e instanceof DeployStep).map(e -> ((DeployStep) e).step()))
        .containsExactly("pull", "down", "up", "health-check");
    assertThat(all.stream().filter(e -> e instanceof DeployStep).allMatch(e -> ((DeployStep) e).ok())).isTrue();
    assertThat(all.stream().filter(e -> e instanceof Outcome)).hasSize(1);
    assertThat(all.get(all.size() - 1).id()).isEqualTo(DeploymentIds.eventId(started.deploymentId(), host, "outcome"));
  }

  /** The extension attributes of each record of a deployment on the events topic, as published. */
  private static List<Map<String, Object>> extensionsOf(String deploymentId) {
    return events.records().stream().filter(r -> deploymentId.equals(r.key())).map(r -> {
      try {
        return AgentFixture.CODEC.decodeEvent(r.value().getBytes(java.nio.charset.StandardCharsets.UTF_8)).extensions();
      } catch (dev.stevedore.common.event.EventDecodingException e) {
        throw new AssertionError(e);
      }
    }).toList();
  }

  private String request0(String host) {
    return events.events().stream().filter(e -> e instanceof DeployStarted s && s.host().equals(host))
        .map(e -> ((DeployStarted) e).deploymentId()).findFirst().orElseThrow();
  }

  @Test
  void aTagThatDoesNotExistFailsAtPullWhileTheOldVersionKeepsServing(@TempDir Path dir) throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("demo"));
    String host = startAgent(dir, "default");
    try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(20))) {
      assertThat(probe.awaitBody("v1", Duration.ofSeconds(20))).isTrue();
      probe.reset();
      DeployRequested request = send(kafka, request("demo", "no-such-tag", host));

      Outcome outcome = events.awaitOutcome(request.deploymentId(), Duration.ofSeconds(90));
      assertThat(outcome).isInstanceOf(DeployFailed.class);
      DeployFailed failed = (DeployFailed) outcome;
      assertThat(failed.step()).isEqualTo("pull");
      assertThat(failed.exitCode()).isNotNull().isNotZero();
      assertThat(failed.outputTail()).contains("no-such-tag");
      assertThat(failed.runningVersion()).isEqualTo("v1");
      // the running version kept answering throughout, and goes on doing so
      org.awaitility.Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
          .until(() -> probe.failures() == 0);
      assertThat(probe.total()).isGreaterThan(5);
      assertThat(probe.failures()).as(probe.summary()).isZero();
      assertThat(probe.bodiesSeen()).containsExactly("v1");
    }
    List<AgentEvent> all = events.of(outcomeId(host));
    assertThat(all.stream().filter(e -> e instanceof DeployStep).map(e -> ((DeployStep) e).step())).containsExactly("pull");
  }

  private String outcomeId(String host) {
    return events.events().stream().filter(e -> e instanceof Outcome o && o.host().equals(host))
        .map(e -> ((Outcome) e).deploymentId()).findFirst().orElseThrow();
  }
}
