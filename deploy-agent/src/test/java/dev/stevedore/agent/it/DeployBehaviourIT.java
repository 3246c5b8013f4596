package dev.stevedore.agent.it;

import static dev.stevedore.agent.it.AgentFixture.CODEC;
import static dev.stevedore.agent.it.AgentFixture.config;
import static dev.stevedore.agent.it.AgentFixture.request;
import static dev.stevedore.agent.it.AgentFixture.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.DriverKind;
import dev.stevedore.agent.config.HealthCheckType;
import dev.stevedore.agent.config.ServiceConfig;
import dev.stevedore.agent.config.Strategy;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.VersionUnblocked;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestSigner;
import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rollback, latest wins, dead letters, hooks and heartbeats against real Kafka, dockerd, registry and compose. */
class DeployBehaviourIT {
  static KafkaTestSupport kafka;
  static EventCollector events;
  static EventCollector deadLetters;
  static EventCollector heartbeats;
  Vertx vertx;
  RunningAgent agent;
  AgentFixture.DemoProject demo;
  String host;

  @BeforeAll
  static void kafka() {
    kafka = AgentFixture.kafka();
    events = new EventCollector(kafka, Topics.EVENTS);
    deadLetters = new EventCollector(kafka, Topics.DEAD_LETTERS);
    heartbeats = new EventCollector(kafka, Topics.HEARTBEATS);
  }

  @AfterAll
  static void closeCollectors() {
    events.close();
    deadLetters.close();
    heartbeats.close();
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

  private void start(Path dir, String extraServices, ServiceConfig.HooksConfig hooks, Duration healthDeadline) throws Exception {
    Files.createDirectories(dir.resolve("demo/data"));
    demo = new AgentFixture.DemoProject(dir.resolve("demo"), AgentFixture.demoRepository(), extraServices);
    demo.up("v1");
    host = AgentFixture.hostId();
    vertx = Vertx.vertx();
    agent = AgentFixture.start(vertx, config(kafka, host, dir.resolve("state"),
        Map.of("demo", demo.service("default", hooks, healthDeadline))));
  }

  private static List<String> steps(List<AgentEvent> all) {
    return all.stream().filter(e -> e instanceof DeployStep).map(e -> ((DeployStep) e).step()).toList();
  }

  @Test
  void aVersionThatFailsItsHealthCheckIsRolledBackAndThenBlocked(@TempDir Path dir) throws Exception {
    start(dir, null, ServiceConfig.HooksConfig.none(), Duration.ofSeconds(3));
    try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(20))) {
      assertThat(probe.awaitBody("v1", Duration.ofSeconds(20))).isTrue();
      DeployRequested broken = send(kafka, request("demo", "broken", host));
      Outcome outcome = events.awaitOutcome(broken.deploymentId(), Duration.ofSeconds(90));
      assertThat(outcome).isInstanceOf(DeployRolledBack.class);
      DeployRolledBack rb = (DeployRolledBack) outcome;
      assertThat(rb.failedStep()).isEqualTo("health-check");
      assertThat(rb.restoredVersion()).isEqualTo("v1");
      assertThat(rb.restoredHealthy()).isTrue();
      assertThat(steps(events.of(broken.deploymentId())))
          .containsExactly("pull", "up", "health-check", "rollback", "rollback-health-check");
      probe.reset();
      assertThat(probe.awaitSamples(10, Duration.ofSeconds(5))).isTrue();
      assertThat(probe.failures()).as(probe.summary()).isZero();
      assertThat(probe.bodiesSeen()).containsExactly("v1");

      DeployRequested again = send(kafka, request("demo", "broken", host));
      Outcome skipped = events.awaitOutcome(again.deploymentId(), Duration.ofSeconds(30));
      assertThat(skipped).isInstanceOf(DeploySkipped.class);
      assertThat(((DeploySkipped) skipped).reason()).contains("blocked");
    }
  }

  @Test
  void aSignedUnblockLiftsTheBlockSoTheNextRequestDeploysWhileAForgedOneChangesNothing(@TempDir Path dir)
      throws Exception {
    start(dir, null, ServiceConfig.HooksConfig.none(), Duration.ofSeconds(3));
    DeployRequested broken = send(kafka, request("demo", "broken", host));
    assertThat(events.awaitOutcome(broken.deploymentId(), Duration.ofSeconds(90))).isInstanceOf(DeployRolledBack.class);

    VersionUnblocked forged = new RequestSigner(Ed25519Keys.generate(), CODEC).sign(unblock("broken"));
    kafka.send(Topics.REQUESTS, forged.partitionKey(), new String(CODEC.encode(forged), StandardCharsets.UTF_8));
    DeployRequested stillBlocked = send(kafka, request("demo", "broken", host));
    Outcome skipped = events.awaitOutcome(stillBlocked.deploymentId(), Duration.ofSeconds(30));
    assertThat(skipped).isInstanceOf(DeploySkipped.class);
    assertThat(((DeploySkipped) skipped).reason()).contains("blocked");
    deadLetters.await(rs -> rs.stream().anyMatch(r -> r.value().contains(forged.deploymentId())), Duration.ofSeconds(30));
    assertThat(deadLetters.records().stream().filter(r -> r.value().contains(forged.deploymentId()))
        .map(r -> new String(r.headers().lastHeader(Topics.HEADER_REASON).value(), StandardCharsets.UTF_8)))
        .allMatch(reason -> reason.startsWith("signed by untrusted key"));

    VersionUnblocked signed = AgentFixture.SIGNER.sign(unblock("broken"));
    kafka.send(Topics.REQUESTS, signed.partitionKey(), new String(CODEC.encode(signed), StandardCharsets.UTF_8));
    events.await(rs -> steps(events.of(broken.deploymentId())).contains("unblock"), Duration.ofSeconds(30));
    DeployStep trace = events.of(broken.deploymentId()).stream()
        .filter(e -> e instanceof DeployStep s && s.step().equals("unblock")).map(e -> (DeployStep) e).findFirst()
        .orElseThrow();
    assertThat(trace.host()).isEqualTo(host);
    assertThat(trace.outputTail()).contains("broken", "the image is fixed", signed.deploymentId());

    // No longer blocked: the next request for it is deployed (and, being broken, rolled back again).
    DeployRequested retry = send(kafka, request("demo", "broken", host));
    Outcome again = events.awaitOutcome(retry.deploymentId(), Duration.ofSeconds(90));
    assertThat(again).isInstanceOf(DeployRolledBack.class);
    assertThat(steps(events.of(retry.deploymentId()))).contains("pull", "up", "health-check", "rollback");
  }

  /**
   * An attacker who can write to the requests topic tries to withdraw a request that waits behind a
   * running deployment: unsigned, and signed with a key of its own. Both are dead-lettered and the
   * request deploys. A cancellation signed with the trigger's key does withdraw the next one. The
   * running attempts wait on a gate file (a pre-deploy hook), so "waiting" is not a race.
   */
  @Test
  void aForgedCancellationChangesNothingWhileOneSignedByTheTriggerWithdrawsTheWaitingRequest(@TempDir Path dir)
      throws Exception {
    Path gate = dir.resolve("gate");
    ServiceConfig.HookConfig hold = new ServiceConfig.HookConfig(null, null, List.of("sh", "-c",
        "while [ ! -e \"$0\" ]; do sleep 0.1; done; rm -f \"$0\"", gate.toString()), Duration.ofSeconds(120));
    start(dir, null, new ServiceConfig.HooksConfig(List.of(hold), List.of()), Duration.ofSeconds(15));

    DeployRequested v2 = send(kafka, request("demo", "v2", host));
    events.await(rs -> steps(events.of(v2.deploymentId())).contains("pull")
        || events.of(v2.deploymentId()).stream().anyMatch(e -> e instanceof DeployStarted), Duration.ofSeconds(60));
    DeployRequested v3 = send(kafka, request("demo", "v3", host));
    dev.stevedore.common.event.DeployCancelled unsigned = cancellation(v3);
    dev.stevedore.common.event.DeployCancelled forged =
        new RequestSigner(Ed25519Keys.generate(), CODEC).sign(cancellation(v3));
    for (var c : List.of(unsigned, forged)) {
      kafka.send(Topics.REQUESTS, c.partitionKey(), new String(CODEC.encode(c), StandardCharsets.UTF_8));
    }
    deadLetters.await(rs -> rs.stream().filter(r -> r.value().contains(v3.deploymentId())).count() >= 2,
        Duration.ofSeconds(30));
    assertThat(deadLetters.records().stream().filter(r -> r.value().contains(v3.deploymentId()))
        .map(r -> new String(r.headers().lastHeader(Topics.HEADER_REASON).value(), StandardCharsets.UTF_8)))
        .containsExactlyInAnyOrder("unsigned request", "signed by untrusted key " + forged.keyId());
    assertThat(events.of(v2.deploymentId())).noneMatch(e -> e instanceof Outcome);

    Files.createFile(gate); // v2 goes on; v3, which waited, runs next
    assertThat(events.awaitOutcome(v2.deploymentId(), Duration.ofSeconds(90))).isInstanceOf(DeploySucceeded.class);
    events.await(rs -> events.of(v3.deploymentId()).stream().anyMatch(e -> e instanceof DeployStarted),
        Duration.ofSeconds(60));
    Files.createFile(gate);
    assertThat(events.awaitOutcome(v3.deploymentId(), Duration.ofSeconds(90)))
        .as("the forged cancellations withdrew nothing").isInstanceOf(DeploySucceeded.class);

    DeployRequested v4 = send(kafka, request("demo", "v4", host));
    events.await(rs -> events.of(v4.deploymentId()).stream().anyMatch(e -> e instanceof DeployStarted),
        Duration.ofSeconds(60));
    DeployRequested v2again = send(kafka, request("demo", "v2", host));
    dev.stevedore.common.event.DeployCancelled signed = AgentFixture.SIGNER.sign(cancellation(v2again));
    kafka.send(Topics.REQUESTS, signed.partitionKey(), new String(CODEC.encode(signed), StandardCharsets.UTF_8));
    Outcome cancelled = events.awaitOutcome(v2again.deploymentId(), Duration.ofSeconds(30));
    assertThat(cancelled).isInstanceOf(DeploySkipped.class);
    assertThat(((DeploySkipped) cancelled).reason()).isEqualTo("cancelled by api:mallory-or-alice: stop");
    Files.createFile(gate);
    assertThat(events.awaitOutcome(v4.deploymentId(), Duration.ofSeconds(90))).isInstanceOf(DeploySucceeded.class);
    assertThat(events.of(v2again.deploymentId())).as("withdrawn before it started").hasSize(1);
    try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(50))) {
      assertThat(probe.awaitBody("v4", Duration.ofSeconds(10))).isTrue();
    }
  }

  private static dev.stevedore.common.event.DeployCancelled cancellation(DeployRequested r) {
    return new dev.stevedore.common.event.DeployCancelled(java.util.UUID.randomUUID().toString(),
        "stevedore://trigger/it", Instant.now(), r.deploymentId(), r.service(), r.environment(),
        "api:mallory-or-alice", "stop");
  }

  private VersionUnblocked unblock(String version) {
    return new VersionUnblocked(java.util.UUID.randomUUID().toString(), "stevedore://trigger/it", Instant.now(),
        java.util.UUID.randomUUID().toString(), "demo", AgentFixture.ENV, version,
        new dev.stevedore.common.event.Target(AgentFixture.ENV, List.of(host), Map.of()), "api:it", "the image is fixed",
        null, null);
  }

  @Test
  void latestWinsWhileADeploymentRuns(@TempDir Path dir) throws Exception {
    start(dir, null, ServiceConfig.HooksConfig.none(), Duration.ofSeconds(15));
    DeployRequested v2 = send(kafka, request("demo", "v2", host));
    // v2's attempt runs; the two requests that arrive meanwhile: only the newest waits
    events.await(records -> events.of(v2.deploymentId()).stream().anyMatch(e -> e instanceof DeployStarted),
        Duration.ofSeconds(60));
    DeployRequested v3 = send(kafka, request("demo", "v3", host));
    DeployRequested v4 = send(kafka, request("demo", "v4", host));

    assertThat(events.awaitOutcome(v2.deploymentId(), Duration.ofSeconds(90))).isInstanceOf(DeploySucceeded.class);
    Outcome o3 = events.awaitOutcome(v3.deploymentId(), Duration.ofSeconds(30));
    assertThat(o3).isInstanceOf(DeploySkipped.class);
    assertThat(((DeploySkipped) o3).reason()).contains("superseded by deployment " + v4.deploymentId());
    assertThat(events.awaitOutcome(v4.deploymentId(), Duration.ofSeconds(90))).isInstanceOf(DeploySucceeded.class);
    assertThat(events.of(v3.deploymentId())).hasSize(1);
    try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(50))) {
      assertThat(probe.awaitBody("v4", Duration.ofSeconds(10))).isTrue();
    }
    String digest = ((DeploySucceeded) events.outcomes(v4.deploymentId()).get(0)).digest();
    heartbeats.await(records -> records.stream().anyMatch(r -> heartbeatShows(r, "v4", digest)), Duration.ofSeconds(15));
  }

  private boolean heartbeatShows(ConsumerRecord<String, String> r, String version, String digest) {
    if (!host.equals(r.key())) {
      return false;
    }
    try {
      AgentHeartbeat hb = CODEC.decode(r.value().getBytes(StandardCharsets.UTF_8), AgentHeartbeat.class);
      return hb.labels().equals(Map.of("role", "web")) && hb.services().stream()
          .anyMatch(s -> s.name().equals("demo") && version.equals(s.version()) && digest.equals(s.digest()));
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void forgedAndMalformedRecordsAreDeadLetteredAndTheConsumerContinues(@TempDir Path dir) throws Exception {
    start(dir, null, ServiceConfig.HooksConfig.none(), Duration.ofSeconds(15));
    String key = "prod/demo";
    RequestSigner intruder = new RequestSigner(Ed25519Keys.generate(), CODEC);
    DeployRequested untrusted = intruder.sign(request("demo", "v2", host));
    DeployRequested unsigned = request("demo", "v2", host);
    DeployRequested signed = AgentFixture.SIGNER.sign(request("demo", "v2", host));
    DeployRequested tampered = new DeployRequested(signed.id(), signed.source(), signed.time(), signed.deploymentId(),
        signed.service(), signed.environment(), "v3", signed.commit(), signed.branch(), signed.repository(),
        signed.requestedBy(), signed.trigger(), signed.reason(), signed.target(), signed.keyId(), signed.signature());
    String marker = "garbage-" + host;
    kafka.send(Topics.REQUESTS, key, new String(CODEC.encode(untrusted), StandardCharsets.UTF_8));
    kafka.send(Topics.REQUESTS, key, new String(CODEC.encode(unsigned), StandardCharsets.UTF_8));
    kafka.send(Topics.REQUESTS, key, new String(CODEC.encode(tampered), StandardCharsets.UTF_8));
    kafka.send(Topics.REQUESTS, key, "{not json " + marker);
    kafka.send(Topics.REQUESTS, key, "x".repeat(300 * 1024) + marker);
    DeploySucceeded wrongType = new DeploySucceeded("x-" + marker, "stevedore://intruder", Instant.now(), marker, host,
        "demo", "prod", "v2", null, 1);
    kafka.send(Topics.REQUESTS, key, new String(CODEC.encode(wrongType), StandardCharsets.UTF_8));
    DeployRequested good = send(kafka, request("demo", "v2", host));

    assertThat(events.awaitOutcome(good.deploymentId(), Duration.ofSeconds(90))).isInstanceOf(DeploySucceeded.class);
    for (DeployRequested bad : List.of(untrusted, unsigned, tampered)) {
      assertThat(events.of(bad.deploymentId())).isEmpty();
    }
    deadLetters.await(rs -> reasons(rs, host, marker, untrusted, unsigned, tampered).size() == 6, Duration.ofSeconds(30));
    List<String> reasons = reasons(deadLetters.records(), host, marker, untrusted, unsigned, tampered);
    assertThat(reasons).anyMatch(r -> r.contains("untrusted key"));
    assertThat(reasons).anyMatch(r -> r.contains("unsigned request"));
    assertThat(reasons).anyMatch(r -> r.contains("signature does not verify"));
    assertThat(reasons).anyMatch(r -> r.contains("not JSON"));
    assertThat(reasons).anyMatch(r -> r.contains("exceeds"));
    assertThat(reasons).anyMatch(r -> r.contains("unexpected event type deploy.succeeded"));
    assertThat(deadLetters.records().stream().filter(r -> r.value().contains(unsigned.deploymentId())))
        .allMatch(r -> r.headers().lastHeader(Topics.HEADER_ORIGINAL_OFFSET) != null
            && r.headers().lastHeader(Topics.HEADER_ORIGINAL_PARTITION) != null);
  }

  private static List<String> reasons(List<ConsumerRecord<String, String>> records, String host, String marker,
      DeployRequested... requests) {
    return records.stream().filter(r -> r.value().contains(marker)
            || java.util.Arrays.stream(requests).anyMatch(q -> r.value().contains(q.deploymentId())))
        .map(r -> {
          Header h = r.headers().lastHeader(Topics.HEADER_REASON);
          Header by = r.headers().lastHeader(Topics.HEADER_REJECTED_BY);
          return (h == null ? "" : new String(h.value(), StandardCharsets.UTF_8))
              + (by != null && new String(by.value(), StandardCharsets.UTF_8).equals("agent/" + host) ? "" : " (other agent)");
        })
        .filter(s -> !s.endsWith("(other agent)"))
        .toList();
  }

  /**
   * A one-off service for {@code run --rm}. Its default command exits at once: {@code up} starts it
   * too, and while such a container still runs compose v1 links the one-off container to it, which
   * host networking refuses.
   */
  @Test
  void theContainersOwnHealthcheckDecidesWithTypeContainer(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("demo"));
    demo = new AgentFixture.DemoProject(dir.resolve("demo"));
    Files.writeString(demo.dir.resolve("docker-compose.yml"), """
        version: "2.4"
        services:
          demo:
            image: %s:${VERSION:-v1}
            network_mode: host
            init: true
            environment:
              PORT: "${PORT}"
            healthcheck:
              test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:${PORT}/health"]
              interval: 1s
              timeout: 1s
              retries: 2
            labels:
              stevedore.test: "true"
        """.formatted(demo.repository));
    demo.up("v1");
    host = AgentFixture.hostId();
    vertx = Vertx.vertx();
    ServiceConfig byContainer = new ServiceConfig(DriverKind.COMPOSE, demo.dir.toString(), null, demo.project, "demo", null, null,
        demo.repository, Map.of("PORT", String.valueOf(demo.port)), Strategy.DEFAULT, true, List.of(),
        new dev.stevedore.agent.config.HealthCheckConfig(HealthCheckType.CONTAINER, null, 0, Duration.ofMillis(200), Duration.ofSeconds(15)),
        null, null, null);
    agent = AgentFixture.start(vertx, config(kafka, host, dir.resolve("state"), Map.of("demo", byContainer)));

    DeployRequested v2 = send(kafka, request("demo", "v2", host));
    assertThat(events.awaitOutcome(v2.deploymentId(), Duration.ofSeconds(90))).isInstanceOf(DeploySucceeded.class);
    DeployStep check = events.of(v2.deploymentId()).stream().filter(e -> e instanceof DeployStep s && s.step().equals("health-check"))
        .map(e -> (DeployStep) e).findFirst().orElseThrow();
    assertThat(check.durationMs()).as("waits for docker's first healthy report").isGreaterThan(300);

    DeployRequested broken = send(kafka, request("demo", "broken", host));
    Outcome rb = events.awaitOutcome(broken.deploymentId(), Duration.ofSeconds(90));
    assertThat(rb).isInstanceOf(DeployRolledBack.class);
    assertThat(((DeployRolledBack) rb).restoredVersion()).isEqualTo("v2");
    assertThat(((DeployRolledBack) rb).restoredHealthy()).isTrue();
    try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(50))) {
      assertThat(probe.awaitBody("v2", Duration.ofSeconds(10))).isTrue();
    }
  }

  static String migrateService(String repository) {
    return """
          migrate:
            image: %s:${VERSION:-v1}
            network_mode: host
            command: ["true"]
            environment:
              VERSION: "${VERSION:-v1}"
              PORT: "${PORT}"
            volumes:
              - ./data:/data
            labels:
              stevedore.test: "true"
        """.formatted(repository);
  }

  @Test
  void theMigrationHookRunsBeforeTheNewVersionStarts(@TempDir Path dir) throws Exception {
    ServiceConfig.HookConfig migrate = new ServiceConfig.HookConfig("migrate",
        List.of("sh", "-c", "echo \"migrated to $VERSION while serving $(wget -q -O - http://127.0.0.1:$PORT/version)\" >> /data/migrations.log"),
        null, null);
    start(dir, migrateService(AgentFixture.demoRepository()), new ServiceConfig.HooksConfig(List.of(migrate), List.of()),
        Duration.ofSeconds(15));
    DeployRequested v2 = send(kafka, request("demo", "v2", host));
    assertThat(events.awaitOutcome(v2.deploymentId(), Duration.ofSeconds(90))).isInstanceOf(DeploySucceeded.class);
    assertThat(steps(events.of(v2.deploymentId()))).containsExactly("pull", "pre-deploy", "up", "health-check");
    assertThat(Files.readString(dir.resolve("demo/data/migrations.log")).trim()).isEqualTo("migrated to v2 while serving v1");
  }

  @Test
  void aFailingMigrationAbortsWithTheOldVersionServing(@TempDir Path dir) throws Exception {
    ServiceConfig.HookConfig migrate = new ServiceConfig.HookConfig("migrate",
        List.of("sh", "-c", "echo 'migration 42 failed: column exists' >&2; exit 3"), null, null);
    start(dir, migrateService(AgentFixture.demoRepository()), new ServiceConfig.HooksConfig(List.of(migrate), List.of()),
        Duration.ofSeconds(15));
    try (HttpProbe probe = HttpProbe.start(demo.url("/version"), Duration.ofMillis(20))) {
      assertThat(probe.awaitBody("v1", Duration.ofSeconds(20))).isTrue();
      probe.reset();
      DeployRequested v2 = send(kafka, request("demo", "v2", host));
      Outcome outcome = events.awaitOutcome(v2.deploymentId(), Duration.ofSeconds(90));
      assertThat(outcome).isInstanceOf(DeployFailed.class);
      DeployFailed failed = (DeployFailed) outcome;
      assertThat(failed.step()).isEqualTo("pre-deploy");
      assertThat(failed.exitCode()).isEqualTo(3);
      assertThat(failed.outputTail()).contains("migration 42 failed");
      assertThat(failed.runningVersion()).isEqualTo("v1");
      assertThat(probe.failures()).as(probe.summary()).isZero();
      assertThat(probe.bodiesSeen()).containsExactly("v1");
    }
  }
}
