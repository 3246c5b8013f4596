package dev.stevedore.system;

import static dev.stevedore.system.FleetRolloutIT.states;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.agent.AgentService;
import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.AuditService;
import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.FreePorts;
import dev.stevedore.testing.HttpProbe;
import dev.stevedore.testing.KafkaTestSupport;
import dev.stevedore.testing.PgCluster;
import dev.stevedore.testing.PrivateRegistry;
import dev.stevedore.trigger.RunningTrigger;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.TriggerService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole system through a registry outage and a PostgreSQL crash in one fleet rollout: one
 * trigger, the audit service on a PostgreSQL cluster of the test's own ({@link PgCluster}, real
 * binaries, stopped with {@code pg_ctl -m immediate} and started again) and three agents with the
 * compose driver, each managing its own compose project of the demo image, pulled from a registry
 * of the test's own ({@link PrivateRegistry}, stopped with SIGTERM and started again). All in this
 * JVM, on the shared Kafka broker and the local Docker engine.
 *
 * <p>A rolling rollout of one host per wave takes v1 to v2. The second wave's agent is paused by
 * the test hook just before its pull; the registry is stopped meanwhile, so that pull runs into the
 * outage; PostgreSQL is stopped once the first outcome is stored, so the later outcomes reach the
 * audit service while its database is down. Then the registry comes back, the rollout finishes,
 * PostgreSQL comes back, and the audit log must hold every outcome once with a chain that verifies.
 */
class FleetFaultsIT {
  static final int HOSTS = 3;
  static final String SERVICE = "web";
  static final String TOKEN = "faults-" + UUID.randomUUID();
  static final String READER = "reader-" + UUID.randomUUID();
  /** How long the hooked agent waits before its pull: the test stops the registry within it. */
  static final Duration PAUSE = Duration.ofSeconds(5);

  @TempDir static Path dir;
  static KafkaTestSupport kafka;
  static volatile PgCluster pg;
  static PrivateRegistry registry;
  static String repository;
  static String env;
  static Vertx vertx;
  static RunningTrigger trigger;
  static AuditService.RunningAudit audit;
  static final List<Host> hosts = new ArrayList<>();
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * One host: its compose project on its own port, its agent on a Vert.x of its own (agents on one
   * Vert.x share the event-bus address behind {@code /status}, which would answer for any of them).
   */
  record Host(String id, Path project, String projectName, int port, Path state, Vertx vertx, RunningAgent[] agent) {
    String url() {
      return "http://127.0.0.1:" + port + "/version";
    }

    void compose(String version, String... args) {
      List<String> cmd = new ArrayList<>(List.of(DockerTestSupport.composeBinary(), "-p", projectName));
      cmd.addAll(List.of(args));
      DockerTestSupport.run(Duration.ofMinutes(2), project, Map.of("VERSION", version), cmd).orThrow();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    kafka = KafkaTestSupport.shared();
    kafka.createTopics(FleetRolloutIT.fleetTopics());
    // The slow preparations run side by side: initdb, and each host's first `compose up` below.
    CompletableFuture<PgCluster> database = CompletableFuture.supplyAsync(() -> {
      try {
        pg = PgCluster.create();   // set at once: @AfterAll removes it whatever fails later
        pg.start();
        return pg;
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    });
    List<CompletableFuture<Void>> projects = new ArrayList<>();
    registry = new PrivateRegistry(dir.resolve("registry"));
    registry.push(DockerTestSupport.demoImage("v1"), "stevedore-demo", "v1");
    // v2 only in the registry: every host's pull of it must reach the registry
    registry.untag(registry.push(DockerTestSupport.demoImage("v2"), "stevedore-demo", "v2"));
    repository = registry.repository("stevedore-demo");

    String run = UUID.randomUUID().toString().substring(0, 8);
    env = "faults-" + run;
    vertx = Vertx.vertx();
    KeyPair keys = Ed25519Keys.generate();
    Path privateKey = Files.writeString(dir.resolve("trigger.pem"), Ed25519Keys.toPem(keys.getPrivate()));
    Path publicKey = Files.writeString(dir.resolve("trigger.pub.pem"), Ed25519Keys.toPem(keys.getPublic()));
    String bootstrap = kafka.bootstrapServers();
    List<AgentConfig> agentConfigs = new ArrayList<>();
    for (int i = 0; i < HOSTS; i++) {
      String id = "faults-" + run + "-" + i;
      Path project = Files.createDirectories(dir.resolve(id + "-project"));
      Host host = new Host(id, project, ("faults" + run + i), FreePorts.find(), dir.resolve(id + "-state"),
          Vertx.vertx(), new RunningAgent[1]);
      Files.writeString(project.resolve("docker-compose.yml"), """
          version: "2.4"
          services:
            demo:
              image: %s:${VERSION}
              network_mode: host
              init: true
              environment:
                PORT: "%d"
              labels:
                stevedore.test: "true"
          """.formatted(repository, host.port()));
      projects.add(CompletableFuture.runAsync(() -> host.compose("v1", "up", "-d")));
      // The second wave's host pauses before each pull (PAUSE): the test stops the registry meanwhile.
      String hooks = i == 1 ? "testHooks: {pauseAt: \"before:pull\", pauseFor: %s}".formatted(PAUSE) : "";
      AgentConfig config = load(AgentConfig.class, "agent-defaults.yml", id, """
          hostId: %s
          environment: %s
          kafka: {bootstrapServers: "%s", fetchMaxWaitMs: 100}
          trustedKeys: [%s]
          stateDirectory: %s
          httpPort: 0
          heartbeatInterval: PT1S
          resilience: {pullAttempts: 2, pullBackoff: PT0.2S, breakerMinimumCalls: 3, breakerOpenFor: PT5S,
                       retryBackoff: PT0.5S, retryBackoffMax: PT2S}
          %s
          services:
            %s:
              driver: compose
              projectDirectory: %s
              projectName: %s
              composeService: demo
              image: %s
              healthCheck: {type: http, url: "%s", expectedStatus: 200, interval: PT0.1S, deadline: PT30S}
          """.formatted(id, env, bootstrap, publicKey, host.state(), hooks, SERVICE, project, host.projectName(),
          repository, host.url()));
      agentConfigs.add(config);
      hosts.add(host);
    }
    database.get(3, TimeUnit.MINUTES);
    CompletableFuture.allOf(projects.toArray(CompletableFuture[]::new)).get(3, TimeUnit.MINUTES);
    // v1 runs before the agents start, as an operator started it
    List<Future<Void>> starts = new ArrayList<>();
    for (int i = 0; i < HOSTS; i++) {
      Host host = hosts.get(i);
      starts.add(AgentService.start(host.vertx(), agentConfigs.get(i)).onSuccess(a -> host.agent()[0] = a).mapEmpty());
    }
    AuditConfig auditConfig = load(AuditConfig.class, "audit-defaults.yml", "audit", """
        http: {host: 127.0.0.1, port: 0}
        kafka: {bootstrapServers: "%s"}
        ingest: {groupId: "audit-%s", retryDelayMs: 500}
        database: {url: "%s", user: postgres, connectionTimeoutMs: 2000, breakerOpenMs: 1000}
        auth: {readerToken: %s}
        """.formatted(bootstrap, run, pg.jdbcUrl(), READER));
    starts.add(AuditService.start(vertx, auditConfig).onSuccess(a -> audit = a).mapEmpty());
    TriggerConfig triggerConfig = load(TriggerConfig.class, "trigger-defaults.yml", "trigger", """
        http: {host: 127.0.0.1, port: 0, opsPort: 0}
        warmUp: {durationMs: 1000, requests: 200} # short: the default (up to 30 s) is for production
        kafka: {bootstrapServers: "%s"}
        signing:
          privateKeyFile: %s
          publicKeyFile: %s
        api:
          tokens: [{name: ci, token: %s, roles: [deployer]}]
        schedules: {dataDir: %s}
        rollouts:
          tickMs: 200
          groupId: it-faults-%s
          sessionTimeoutMs: 6000
          environments:
            %s:
              policy: {strategy: rolling, waveHosts: 1, failureCount: 1, bakeSeconds: 0, waveTimeoutSeconds: 300}
        """.formatted(bootstrap, privateKey, publicKey, TOKEN, dir.resolve("trigger-data"), run, env));
    starts.add(TriggerService.start(vertx, triggerConfig).onSuccess(t -> trigger = t).mapEmpty());
    // started together: one after another is slow on a loaded machine
    Future.all(starts).toCompletionStage().toCompletableFuture().get(180, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    List<Future<Void>> stops = new ArrayList<>();
    if (trigger != null) {
      stops.add(trigger.stop());
    }
    if (audit != null) {
      stops.add(audit.stop());
    }
    hosts.stream().filter(h -> h.agent()[0] != null).forEach(h -> stops.add(h.agent()[0].stop()));
    Future.join(stops).toCompletionStage().toCompletableFuture().handle((r, e) -> null).get(90, TimeUnit.SECONDS);
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    for (Host h : hosts) {
      h.vertx().close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      DockerTestSupport.run(Duration.ofMinutes(2), h.project(), Map.of("VERSION", "v1"),
          List.of(DockerTestSupport.composeBinary(), "-p", h.projectName(), "down", "-v", "--remove-orphans"));
    }
    if (registry != null) {
      registry.close();
    }
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void aRolloutThroughARegistryOutageAndAPostgresCrashLeavesNoHostDownAndTheAuditLogWhole() throws Exception {
    // The trigger learns the fleet from heartbeats (every second here): all three hosts first.
    List<String> ids = hosts.stream().map(Host::id).toList();
    await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> kafka.readAll(Topics.HEARTBEATS,
        Duration.ofSeconds(5)).stream().map(ConsumerRecord::key).collect(Collectors.toSet()).containsAll(ids));
    Host first = hosts.get(0);
    Host hooked = hosts.get(1);
    Host last = hosts.get(2);
    List<HttpProbe> probes = new ArrayList<>();
    for (Host h : hosts) {
      HttpProbe probe = HttpProbe.start(h.url(), Duration.ofMillis(50), Duration.ofSeconds(5));
      probes.add(probe);
      assertThat(probe.awaitBody("v1", Duration.ofSeconds(30))).as(h.id() + " serves v1").isTrue();
    }
    try {
      String rolloutId = deploy("v2");

      // (a) The registry stops while the second wave's agent is about to pull (the hook holds it).
      Path marker = hooked.state().resolve("paused-at");
      await().atMost(Duration.ofSeconds(180)).until(() -> Files.exists(marker));
      registry.stop();
      Instant registryDown = Instant.now();
      Instant pauseEnds = Files.getLastModifiedTime(marker).toInstant().plus(PAUSE);
      assertThat(registryDown).as("the registry must be down before the hooked pull runs (machine too slow?)")
          .isBefore(pauseEnds);
      assertThat(states(trigger("/api/v1/rollouts/" + rolloutId)).get(first.id())).isEqualTo("succeeded");

      // (b) PostgreSQL crashes once the audit service stored the first outcome.
      await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
          .until(() -> ClusterFaultIT.outcomes(auditJson("/api/v1/deployments/" + rolloutId)).containsKey(first.id()));
      pg.stop();

      // The pull that ran into the outage makes the deployment wait, not fail: no outcome, the breaker opens.
      int port = hooked.agent()[0].httpPort();
      // (between attempts it waits; an attempt itself shows "deploying": the hook holds each one PAUSE)
      JsonObject waiting = await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> service(port),
          s -> "waiting".equals(s.getString("state")));
      assertThat(waiting.getString("desiredVersion")).as(waiting.encode()).isEqualTo("v2");
      assertThat(waiting.getString("waitingFor")).as(waiting.encode()).contains("registry " + registry.host());
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> "OPEN".equals(
          agentStatus(port).getJsonObject("breakers").getString("registry:" + registry.host())));
      Map<String, String> during = states(trigger("/api/v1/rollouts/" + rolloutId));
      assertThat(during.get(hooked.id())).as("the waiting host while the registry is down").isNotIn("failed", "succeeded");
      assertThat(during.get(last.id())).as("the third wave waits for the second").isEqualTo("pending");
      // The audit service says it cannot answer while its database is down, rather than answering wrong.
      HttpResponse<String> down = auditGet("/api/v1/deployments/" + rolloutId);
      assertThat(down.statusCode()).as(down.body()).isEqualTo(503);

      registry.start();
      Instant registryUp = Instant.now();

      // The rollout finishes: the waiting host converged without a new request, the third wave followed.
      JsonObject finished = trigger("/api/v1/deployments/" + rolloutId + "?wait=PT4M");
      assertThat(finished.getBoolean("finished")).as(finished.encodePrettily()).isTrue();
      assertThat(finished.getString("status")).as(finished.encodePrettily()).isEqualTo("succeeded");
      assertThat(states(finished)).as(finished.encodePrettily()).hasSize(HOSTS)
          .allSatisfy((h, s) -> assertThat(s).isEqualTo("succeeded"));
      for (int i = 0; i < HOSTS; i++) {
        Host h = hosts.get(i);
        HttpProbe probe = probes.get(i);
        assertThat(probe.awaitBody("v2", Duration.ofSeconds(30))).as(h.id() + " serves v2").isTrue();
        JsonObject status = service(h.agent()[0].httpPort());
        assertThat(status.getString("state")).as(status.encode()).isEqualTo("idle");
        // deployed exactly once: one succeeded deployment on the agent, v1 then v2 and nothing else served
        assertThat(agentMetrics(h.agent()[0].httpPort()))
            .contains("stevedore_agent_deployments_total{outcome=\"succeeded\",service=\"" + SERVICE + "\"} 1.0")
            .doesNotContain("outcome=\"failed\"").doesNotContain("outcome=\"rolled-back\"");
      }

      // PostgreSQL comes back: every outcome is stored once and the chain verifies.
      pg.start();
      JsonObject stored = await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
          .until(() -> auditJson("/api/v1/deployments/" + rolloutId), d -> ClusterFaultIT.outcomes(d).size() == HOSTS);
      assertThat(ClusterFaultIT.outcomes(stored)).containsOnlyKeys(ids)
          .allSatisfy((h, types) -> assertThat(types).as(h).containsExactly("deploy.succeeded"));
      List<String> eventIds = stored.getJsonArray("timeline").stream().map(e -> ((JsonObject) e).getString("eventId"))
          .toList();
      assertThat(eventIds).as("no event stored twice").doesNotHaveDuplicates();
      JsonObject verify = auditJson("/api/v1/audit/verify");
      assertThat(verify.getBoolean("ok")).as(verify.encode()).isTrue();

      // No host was ever left down: while the registry was down every host answered every probe;
      // the only failed probes are a host's own switch (compose recreates the container), each short.
      for (int i = 0; i < HOSTS; i++) {
        HttpProbe probe = probes.get(i);
        probe.stop();
        String name = hosts.get(i).id();
        assertThat(probe.samples().stream().filter(s -> !s.at().isBefore(registryDown) && s.at().isBefore(registryUp))
            .filter(s -> !s.ok()).toList()).as(name + " failed probes while the registry was down").isEmpty();
        assertThat(probe.bodySequence()).as(name + " served").containsExactly("v1", "v2");
        // every failed probe lies in the switch: after the last answer of v1 and before the first of v2
        Instant lastOld = probe.samples().stream().filter(s -> s.ok() && s.body().equals("v1")).map(HttpProbe.Sample::at)
            .max(Instant::compareTo).orElseThrow();
        Instant firstNew = probe.samples().stream().filter(s -> s.ok() && s.body().equals("v2")).map(HttpProbe.Sample::at)
            .min(Instant::compareTo).orElseThrow();
        assertThat(probe.samples().stream().filter(s -> !s.ok())
            .filter(s -> s.at().isBefore(lastOld) || s.at().isAfter(firstNew)).toList())
            .as(name + " failed probes outside its own switch").isEmpty();
        assertThat(probe.longestFailureGap()).as(name + ": " + probe.summary()).isLessThan(Duration.ofSeconds(5));
        System.out.printf("[fleet-faults] %s: %s%n", name, probe.summary());
      }
      System.out.printf("[fleet-faults] registry down %d ms; rollout finished %d ms after it came back%n",
          Duration.between(registryDown, registryUp).toMillis(), Duration.between(registryUp, Instant.now()).toMillis());
    } finally {
      probes.forEach(HttpProbe::close);
    }
  }

  // --- helpers

  static String deploy(String version) throws Exception {
    String body = new JsonObject().put("service", SERVICE).put("environment", env).put("version", version)
        .put("reason", "fleet faults IT").encode();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + trigger.port()
            + "/api/v1/deployments")).header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return new JsonObject(r.body()).getString("deploymentId");
  }

  static JsonObject trigger(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + trigger.port() + path))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofMinutes(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new JsonObject(r.body().strip());
  }

  static HttpResponse<String> auditGet(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + audit.port() + path))
        .header("Authorization", "Bearer " + READER).timeout(Duration.ofSeconds(15)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject auditJson(String path) throws Exception {
    HttpResponse<String> r = auditGet(path);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("audit " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return new JsonObject(r.body());
  }

  static JsonObject agentStatus(int port) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/status"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return new JsonObject(r.body());
  }

  static JsonObject service(int port) throws Exception {
    return agentStatus(port).getJsonArray("services").stream().map(JsonObject.class::cast)
        .filter(s -> SERVICE.equals(s.getString("name"))).findFirst().orElseThrow();
  }

  static String agentMetrics(int port) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  static <T> T load(Class<T> type, String defaults, String name, String yaml) throws Exception {
    Path file = Files.writeString(dir.resolve(name + ".yml"), yaml);
    return new ConfigLoader(Map.of()).load(type, defaults, Optional.of(file));
  }
}
