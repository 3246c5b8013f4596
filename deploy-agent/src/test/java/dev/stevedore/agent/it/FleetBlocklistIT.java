package dev.stevedore.agent.it;

import static dev.stevedore.agent.it.AgentFixture.CODEC;
import static dev.stevedore.agent.it.AgentFixture.config;
import static dev.stevedore.agent.it.AgentFixture.request;
import static dev.stevedore.agent.it.AgentFixture.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.HealthCheckConfig;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.Target;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.event.VersionUnblocked;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet blocklist with a real broker and a real git checkout: a version blocked fleet-wide
 * (a signed {@code version.blocked} on the compacted topic, published before the agent starts) is
 * not deployed; a forged block (signed by a key the agent does not trust) changes nothing; a block
 * that arrives while the agent runs is followed; a signed unblock lifts a block and the version
 * deploys.
 */
class FleetBlocklistIT {
  private static final Duration T = Duration.ofSeconds(60);
  private static final String ENV = AgentFixture.ENV;

  private static String git(Path dir, String... args) {
    List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=it", "-c", "user.email=it@example.invalid",
        "-c", "init.defaultBranch=main"));
    cmd.addAll(List.of(args));
    return DockerTestSupport.run(T, dir, Map.of("GIT_TERMINAL_PROMPT", "0"), cmd).orThrow().out().trim();
  }

  /** A commit tagged {@code tag}, pushed with its tag. */
  private static void release(Path author, String tag) throws Exception {
    Files.writeString(author.resolve("version"), tag);
    git(author, "add", "version");
    git(author, "commit", "-q", "-m", tag);
    git(author, "tag", tag);
    git(author, "push", "-q", "origin", "HEAD:main", tag);
  }

  private static VersionBlocked block(String service, String version) {
    return new VersionBlocked(UUID.randomUUID().toString(), "stevedore://trigger/it", Instant.now(),
        "rollout-" + version, ENV, service, version, "2 of 2 canary hosts failed the health check",
        List.of("other-1", "other-2"), null, null);
  }

  private static void publish(KafkaTestSupport kafka, String key, StevedoreEvent event) {
    kafka.send(Topics.FLEET_BLOCKLIST, key, new String(CODEC.encode(event), StandardCharsets.UTF_8));
  }

  private static JsonObject status(RunningAgent agent) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + agent.httpPort() + "/status")).build(), HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body());
  }

  @Test
  void aVersionBlockedFleetWideIsRefusedUntilUnblockedAndForgedRecordsChangeNothing(@TempDir Path dir)
      throws Exception {
    KafkaTestSupport kafka = AgentFixture.kafka();
    kafka.createTopic(Topics.FLEET_BLOCKLIST, 1, Map.of("cleanup.policy", "compact"));
    Path origin = dir.resolve("origin.git");
    Path author = dir.resolve("author");
    Path site = dir.resolve("site");
    Files.createDirectories(origin);
    Files.createDirectories(author);
    git(origin, "init", "-q", "--bare");
    git(author, "init", "-q");
    git(author, "remote", "add", "origin", origin.toString());
    release(author, "v1");
    git(dir, "clone", "-q", origin.toString(), site.toString());
    for (String v : List.of("v2", "v3", "v4")) {
      release(author, v);
    }
    // Service names are per test run: the compacted topic on the shared broker outlives the test.
    String service = "site-" + UUID.randomUUID().toString().substring(0, 6);
    RequestSigner trigger = AgentFixture.SIGNER;
    RequestSigner forger = new RequestSigner(Ed25519Keys.generate(), CODEC);
    // In the topic's history before the agent starts: a signed block of v2, a forged block of v3,
    // and a signed block of v3 copied under v4's key (a key that does not match its record).
    publish(kafka, VersionBlocked.blocklistKey(ENV, service, "v2"), trigger.sign(block(service, "v2")));
    VersionBlocked forged = forger.sign(block(service, "v3"));
    publish(kafka, forged.blocklistKey(), forged);
    publish(kafka, VersionBlocked.blocklistKey(ENV, service, "v4"), trigger.sign(block(service, "v3")));

    ServiceConfig siteConfig = new ServiceConfig(dev.stevedore.agent.config.DriverKind.GIT, null, null, null, null, null, null, null, Map.of(), null, true,
        null, new HealthCheckConfig(dev.stevedore.agent.config.HealthCheckType.NONE, null, 200, null, null), null,
        new ServiceConfig.GitConfig(site.toString(), "origin", "main", List.of("true")), null);
    String host = AgentFixture.hostId();
    Vertx vertx = Vertx.vertx();
    RunningAgent agent = null;
    RunningAgent neighbour = null;
    try (EventCollector events = new EventCollector(kafka, Topics.EVENTS);
         EventCollector deadLetters = new EventCollector(kafka, Topics.DEAD_LETTERS)) {
      agent = AgentFixture.start(vertx, config(kafka, host, dir.resolve("state"), Map.of(service, siteConfig)));
      RunningAgent running = agent;
      // A second agent in the same Vert.x (as in the fleet simulator): each /status is its own host's.
      Path site2 = dir.resolve("site2");
      git(dir, "clone", "-q", origin.toString(), site2.toString());
      String host2 = AgentFixture.hostId();
      neighbour = AgentFixture.start(vertx, config(kafka, host2, dir.resolve("state2"), Map.of(service,
          new ServiceConfig(dev.stevedore.agent.config.DriverKind.GIT, null, null, null, null, null, null, null, Map.of(),
              null, true, null, siteConfig.healthCheck(), null,
              new ServiceConfig.GitConfig(site2.toString(), "origin", "main", List.of("true")), null))));
      for (int i = 0; i < 6; i++) {
        assertThat(status(agent).getString("host")).isEqualTo(host);
        assertThat(status(neighbour).getString("host")).isEqualTo(host2);
      }
      neighbour.stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
      neighbour = null;
      await().atMost(T).until(() -> status(running).getBoolean("fleetBlocklistRead", false));
      assertThat(status(agent).getJsonArray("fleetBlocks").getList())
          .containsExactly(VersionBlocked.blocklistKey(ENV, service, "v2"));

      // Blocked fleet-wide: refused with the reason, the checkout does not move.
      String before = git(site, "rev-parse", "HEAD");
      DeployRequested v2 = send(kafka, request(service, "v2", host));
      Outcome refused = events.awaitOutcome(v2.deploymentId(), T);
      assertThat(refused).isInstanceOf(DeploySkipped.class);
      assertThat(((DeploySkipped) refused).reason()).contains("blocked fleet-wide", "rollout-v2",
          "DELETE /api/v1/blocks/" + ENV + "/" + service + "/v2");
      assertThat(git(site, "rev-parse", "HEAD")).isEqualTo(before);

      // The forged block and the misplaced one changed nothing: v4 (and v3) deploy.
      DeployRequested v4 = send(kafka, request(service, "v4", host));
      assertThat(events.awaitOutcome(v4.deploymentId(), T)).isInstanceOf(DeploySucceeded.class);
      assertThat(Files.readString(site.resolve("version"))).isEqualTo("v4");
      DeployRequested v3 = send(kafka, request(service, "v3", host));
      assertThat(events.awaitOutcome(v3.deploymentId(), T)).isInstanceOf(DeploySucceeded.class);
      assertThat(Files.readString(site.resolve("version"))).isEqualTo("v3");

      // Followed while running: a new block counts, a forged one arriving now is dead-lettered.
      publish(kafka, VersionBlocked.blocklistKey(ENV, service, "v4"), trigger.sign(block(service, "v4")));
      VersionBlocked forgedLive = forger.sign(block(service, "v1"));
      publish(kafka, forgedLive.blocklistKey(), forgedLive);
      await().atMost(T).until(() -> status(running).getJsonArray("fleetBlocks").getList()
          .contains(VersionBlocked.blocklistKey(ENV, service, "v4")));
      deadLetters.await(rs -> rs.stream().anyMatch(r -> r.value() != null && r.value().contains(forgedLive.id())), T);
      assertThat(deadLetters.records().stream().filter(r -> r.value() != null && r.value().contains(forgedLive.id()))
          .map(r -> new String(r.headers().lastHeader(Topics.HEADER_REASON).value(), StandardCharsets.UTF_8)))
          .allMatch(reason -> reason.startsWith("signed by untrusted key"));
      assertThat(status(agent).getJsonArray("fleetBlocks").getList()).containsExactlyInAnyOrder(
          VersionBlocked.blocklistKey(ENV, service, "v2"), VersionBlocked.blocklistKey(ENV, service, "v4"));
      DeployRequested v4Again = send(kafka, request(service, "v4", host));
      assertThat(events.awaitOutcome(v4Again.deploymentId(), T)).isInstanceOf(DeploySkipped.class);
      assertThat(Files.readString(site.resolve("version"))).isEqualTo("v3");

      // A forged unblock leaves v2 blocked; the signed one lifts it, and v2 deploys.
      VersionUnblocked lift = new VersionUnblocked(UUID.randomUUID().toString(), "stevedore://trigger/it", Instant.now(),
          UUID.randomUUID().toString(), service, ENV, "v2", Target.environment(ENV), "api:it", "fixed", null, null);
      publish(kafka, VersionBlocked.blocklistKey(ENV, service, "v2"), forger.sign(lift));
      publish(kafka, VersionBlocked.blocklistKey(ENV, service, "v2"), trigger.sign(lift));
      await().atMost(T).until(() -> !status(running).getJsonArray("fleetBlocks").getList()
          .contains(VersionBlocked.blocklistKey(ENV, service, "v2")));
      DeployRequested v2Again = send(kafka, request(service, "v2", host));
      assertThat(events.awaitOutcome(v2Again.deploymentId(), T)).isInstanceOf(DeploySucceeded.class);
      assertThat(Files.readString(site.resolve("version"))).isEqualTo("v2");
    } finally {
      if (neighbour != null) {
        neighbour.stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
      }
      if (agent != null) {
        agent.stop().toCompletionStage().toCompletableFuture().get(70, TimeUnit.SECONDS);
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
