package dev.stevedore.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.stevedore.agent.AgentService;
import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.KafkaTestSupport;
import dev.stevedore.trigger.RunningTrigger;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.TriggerService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fleet rollouts end to end: one trigger (in this JVM) and ten real agents (in this JVM too: each
 * an {@link AgentService} with its own host id, state directory, Kafka consumer and producer, and
 * the real git driver over its own checkout of one shared origin), each fronting its own "demo
 * service": a small HTTP server on its own loopback port that serves the checked-out
 * {@code version} and answers {@code /health} from the checked-out {@code health} file. One shared
 * Kafka broker.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetRolloutIT {
  static final int HOSTS = 10;
  static final String ENV = "production";
  static final String SERVICE = "site";
  static final String TOKEN = "fleet-" + UUID.randomUUID();
  static final Duration T = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static KafkaTestSupport kafka;
  static Vertx vertx;
  static RunningTrigger trigger;
  static final List<Host> hosts = new ArrayList<>();
  static final HttpClient http = HttpClient.newHttpClient();

  /** One host: its agent, its checkout, and the demo service that serves what is checked out. */
  static final class Host {
    final String id;
    final Path served;
    final HttpServer server;
    final AtomicBoolean sick = new AtomicBoolean();
    final Set<String> seen = ConcurrentHashMap.newKeySet();
    RunningAgent agent;

    Host(String id, Path served) throws Exception {
      this.id = id;
      this.served = served;
      this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/health", ex -> {
        boolean ok = !sick.get() && read("health").equals("ok");
        byte[] body = (ok ? "ok" : "unhealthy").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(ok ? 200 : 500, body.length);
        ex.getResponseBody().write(body);
        ex.close();
      });
      server.start();
    }

    String read(String file) {
      try {
        return Files.readString(served.resolve(file)).trim();
      } catch (java.io.IOException e) {
        return "missing";
      }
    }

    /** The probe: what the service serves now (recorded, so a version served only briefly is seen too). */
    String version() {
      String v = read("version");
      seen.add(v);
      return v;
    }
  }

  static String git(Path where, String... args) {
    List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=it", "-c", "user.email=it@example.invalid",
        "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false"));
    cmd.addAll(List.of(args));
    return DockerTestSupport.run(T, where, Map.of("GIT_TERMINAL_PROMPT", "0"), cmd).orThrow().out().trim();
  }

  static void release(Path author, String version, String health) throws Exception {
    Files.writeString(author.resolve("version"), version);
    Files.writeString(author.resolve("health"), health);
    git(author, "add", "version", "health");
    git(author, "commit", "-q", "-m", version);
    git(author, "tag", version);
    git(author, "push", "-q", "origin", "HEAD:main", version);
  }

  @BeforeAll
  static void fleet() throws Exception {
    kafka = KafkaTestSupport.shared();
    kafka.createTopics(fleetTopics());
    Path origin = Files.createDirectories(dir.resolve("origin.git"));
    Path author = Files.createDirectories(dir.resolve("author"));
    git(origin, "init", "-q", "--bare");
    git(author, "init", "-q");
    git(author, "remote", "add", "origin", origin.toString());
    release(author, "v1", "ok");
    release(author, "v2", "ok");
    release(author, "broken", "bad");

    vertx = Vertx.vertx();
    KeyPair keys = Ed25519Keys.generate();
    Path privateKey = Files.writeString(dir.resolve("trigger.pem"), Ed25519Keys.toPem(keys.getPrivate()));
    Path publicKey = Files.writeString(dir.resolve("trigger.pub.pem"), Ed25519Keys.toPem(keys.getPublic()));
    String bootstrap = kafka.bootstrapServers();
    String run = UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < HOSTS; i++) {
      String id = String.format("fleet-%s-%02d", run, i);
      Path site = dir.resolve(id + "-site");
      Path served = Files.createDirectories(dir.resolve(id + "-served"));
      git(dir, "clone", "-q", origin.toString(), site.toString());
      git(site, "checkout", "-q", "v1");
      Files.copy(site.resolve("version"), served.resolve("version"));
      Files.copy(site.resolve("health"), served.resolve("health"));
      Host host = new Host(id, served);
      AgentConfig config = load(AgentConfig.class, "agent-defaults.yml", id, """
          hostId: %s
          environment: %s
          labels: {role: web}
          kafka: {bootstrapServers: "%s", fetchMaxWaitMs: 100}
          trustedKeys: [%s]
          stateDirectory: %s
          httpPort: 0
          heartbeatInterval: PT1S
          services:
            site:
              driver: git
              git:
                repositoryDirectory: %s
                remote: origin
                branch: main
                restartCommand: [cp, version, health, "%s/"]
              healthCheck:
                type: http
                url: http://127.0.0.1:%d/health
                expectedStatus: 200
                interval: PT0.1S
                deadline: PT8S
          """.formatted(id, ENV, bootstrap, publicKey, dir.resolve(id + "-state"), site, served,
          host.server.getAddress().getPort()));
      host.agent = done(AgentService.start(vertx, config));
      hosts.add(host);
    }
    TriggerConfig config = load(TriggerConfig.class, "trigger-defaults.yml", "trigger", """
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
          groupId: it-coordinator-%s
          sessionTimeoutMs: 6000
          overrides: {strategies: [all-at-once, rolling, canary], maxWavePercent: 50, minBakeSeconds: 0}
          environments:
            production:
              policy: {strategy: canary, canaryHosts: 2, wavePercent: 50, failureCount: 1, bakeSeconds: 0,
                       autoPromote: true, waveTimeoutSeconds: 60}
        """.formatted(bootstrap, privateKey, publicKey, TOKEN, dir.resolve("trigger-data"), run));
    trigger = done(TriggerService.start(vertx, config));
  }

  /** The topics a trigger with rollouts, agents and the audit service use, on the shared single broker. */
  static List<NewTopic> fleetTopics() {
    return List.of(new NewTopic(Topics.REQUESTS, 3, (short) 1), new NewTopic(Topics.EVENTS, 3, (short) 1),
        new NewTopic(Topics.DEAD_LETTERS, 1, (short) 1), new NewTopic(Topics.ROLLOUT_EVENTS, 3, (short) 1),
        new NewTopic(Topics.HEARTBEATS, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
        new NewTopic(Topics.ROLLOUT_STATE, 3, (short) 1).configs(Map.of("cleanup.policy", "compact")),
        new NewTopic(Topics.FLEET_BLOCKLIST, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")));
  }

  @AfterAll
  static void stop() throws Exception {
    List<Future<Void>> stops = new ArrayList<>();
    if (trigger != null) {
      stops.add(trigger.stop());
    }
    hosts.stream().filter(h -> h.agent != null).forEach(h -> stops.add(h.agent.stop()));
    Future.join(stops).toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    hosts.forEach(h -> h.server.stop(0));
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(1)
  void anAllAtOnceRequestReachesEveryHostAndTheWaitAnswersWithEachHostsOutcome() throws Exception {
    awaitHeartbeatsFromEveryHost();
    String id = deploy("v1", new JsonObject().put("strategy", "all-at-once"), 202).getString("deploymentId");
    JsonObject done = waitFor(id);
    assertThat(done.getBoolean("rollout")).isFalse();
    assertThat(done.getString("status")).isEqualTo("succeeded");
    assertThat(states(done)).hasSize(HOSTS).allSatisfy((h, s) -> assertThat(s).isEqualTo("succeeded"));
    assertThat(hosts).allSatisfy(h -> assertThat(h.version()).isEqualTo("v1"));
  }

  @Test
  @Order(2)
  void aBrokenVersionHaltsAfterTheCanaryWhichRollsBackTheOtherEightNeverChangeAndTheVersionIsBlocked()
      throws Exception {
    hosts.forEach(h -> h.seen.clear());
    AtomicBoolean probing = new AtomicBoolean(true);
    Thread probe = new Thread(() -> {
      while (probing.get()) {
        hosts.forEach(Host::version);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "fleet-probe");
    probe.start();
    String id;
    JsonObject done;
    try {
      id = deploy("broken", null, 202).getString("deploymentId");
      done = waitFor(id);
    } finally {
      probing.set(false);
      probe.join(5_000);
    }
    assertThat(done.getBoolean("rollout")).isTrue();
    JsonObject rollout = get("/api/v1/rollouts/" + id, 200);
    assertThat(rollout.getString("phase")).as(rollout.encodePrettily()).isEqualTo("halted");
    assertThat(rollout.getJsonArray("waves")).hasSize(3); // canary of 2, then 5 and 3 (50 %)
    Map<String, String> states = states(rollout);
    List<Host> canary = hosts.subList(0, 2);
    List<Host> rest = hosts.subList(2, HOSTS);
    canary.forEach(h -> assertThat(states.get(h.id)).as(h.id).isEqualTo("failed"));
    rest.forEach(h -> assertThat(states.get(h.id)).as(h.id).isEqualTo("pending"));
    // The canary hosts rolled themselves back to v1; the other eight never served anything else.
    canary.forEach(h -> assertThat(h.version()).as(h.id).isEqualTo("v1"));
    rest.forEach(h -> assertThat(h.seen).as(h.id + " served").containsExactly("v1"));
    // The version is blocked fleet-wide: the trigger refuses it until a deployer lifts the block.
    JsonObject refused = deploy("broken", null, 409);
    assertThat(refused.getString("detail")).contains("blocked fleet-wide").contains(id);
  }

  @Test
  @Order(3)
  void rollingThirtyPercentWithOneFailingHostBelowTheThresholdCompletesAndReportsIt() throws Exception {
    Host bad = hosts.get(5);
    bad.sick.set(true);
    JsonObject policy = new JsonObject().put("strategy", "rolling").put("wavePercent", 30).put("failureCount", 2)
        .put("waveTimeoutSeconds", 60);
    String id = deploy("v2", policy, 202).getString("deploymentId");
    JsonObject done = waitFor(id);
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("succeeded");
    Map<String, String> states = states(done);
    assertThat(states.get(bad.id)).isEqualTo("failed");
    assertThat(states.entrySet().stream().filter(e -> !e.getKey().equals(bad.id)).map(Map.Entry::getValue)
        .collect(Collectors.toSet())).containsExactly("succeeded");
    JsonObject rollout = get("/api/v1/rollouts/" + id, 200);
    assertThat(rollout.getJsonArray("waves")).extracting(w -> ((JsonObject) w).getJsonArray("hosts").size())
        .containsExactly(3, 3, 3, 1);
    hosts.stream().filter(h -> h != bad).forEach(h -> assertThat(h.version()).as(h.id).isEqualTo("v2"));
    assertThat(bad.version()).isEqualTo("v1");
    String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + trigger.opsPort() + "/metrics"))
        .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("stevedore_trigger_rollout_states_total{phase=\"succeeded\"")
        .contains("stevedore_trigger_rollout_states_total{phase=\"halted\"");
  }

  @Test
  @Order(4)
  void aNewerVersionArrivingMidRolloutSupersedesItAndStartsFromItsFirstWave() throws Exception {
    hosts.get(5).sick.set(false);
    // A canary that bakes for ten minutes: in flight until something replaces it.
    JsonObject slow = new JsonObject().put("strategy", "canary").put("canaryHosts", 2).put("bakeSeconds", 600)
        .put("failureCount", 1);
    String first = deploy("v1", slow, 202).getString("deploymentId");
    await().atMost(Duration.ofSeconds(90)).until(() -> get("/api/v1/rollouts/" + first, 200).getString("phase")
        .equals("baking"));
    JsonObject fast = new JsonObject().put("strategy", "rolling").put("wavePercent", 50).put("failureCount", 2);
    String second = deploy("v2", fast, 202).getString("deploymentId");
    JsonObject done = waitFor(second);
    assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("succeeded");
    JsonObject old = get("/api/v1/rollouts/" + first, 200);
    assertThat(old.getString("phase")).isEqualTo("superseded");
    assertThat(old.getString("supersededBy")).isEqualTo(second);
    assertThat(get("/api/v1/rollouts/" + second, 200).getJsonArray("waves")).hasSize(2);
    // Host 5 blocked v2 on itself when v2 failed there before (the agent's own block): it skips it, and says so.
    Host blocked = hosts.get(5);
    assertThat(states(done).get(blocked.id)).isEqualTo("skipped");
    hosts.stream().filter(h -> h != blocked).forEach(h -> assertThat(h.version()).as(h.id).isEqualTo("v2"));
    assertThat(blocked.version()).isEqualTo("v1");
  }

  @Test
  @Order(5)
  void theRolloutApiRefusesWhatItCannotDoWithAReason() throws Exception {
    String unknown = UUID.randomUUID().toString();
    assertThat(get("/api/v1/rollouts/" + unknown, 404).getString("detail")).contains(unknown);
    get("/api/v1/rollouts/not-a-uuid", 404);
    assertThat(get("/api/v1/deployments/" + unknown + "?wait=ten-minutes", 400).getString("detail"))
        .contains("ISO-8601");
    get("/api/v1/deployments/" + unknown + "?wait=PT31M", 400);
    assertThat(post("/api/v1/rollouts/" + unknown + "/abort", "", 400).getString("detail")).contains("reason");
    assertThat(post("/api/v1/rollouts/" + unknown + "/promote", "", 404).getString("detail")).contains("no rollout");
    post("/api/v1/rollouts/" + unknown + "/pause", "{\"reason\": 5}", 400);
    post("/api/v1/rollouts/" + unknown + "/pause", "{\"why\": \"x\"}", 400);
    // A finished rollout takes no command.
    String id = deploy("v1", new JsonObject().put("strategy", "rolling").put("wavePercent", 50), 202)
        .getString("deploymentId");
    waitFor(id);
    assertThat(post("/api/v1/rollouts/" + id + "/promote", "", 409).getString("detail")).contains("succeeded");
    HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(api("/api/v1/rollouts/" + id)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(401);
    // An override beyond the configured bounds is refused before anything is published.
    assertThat(deploy("v2", new JsonObject().put("strategy", "rolling").put("wavePercent", 80), 400)
        .getString("detail")).contains("wavePercent 80 exceeds the bound 50");
    assertThat(deploy("v2", new JsonObject().put("strategy", "yolo"), 400).getString("detail"))
        .contains("all-at-once, rolling or canary");
  }

  // --- helpers

  static JsonObject post(String path, String body, int expected) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(api(path)).header("Authorization", "Bearer " + TOKEN)
        .timeout(Duration.ofSeconds(15));
    if (!body.isEmpty()) {
      b.header("Content-Type", "application/json");
    }
    HttpResponse<String> r = http.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
    return new JsonObject(r.body());
  }

  static void awaitHeartbeatsFromEveryHost() {
    // The trigger learns the fleet from heartbeats (every second here); it must know all ten first.
    await().atMost(Duration.ofSeconds(60)).until(() -> kafka.readAll(Topics.HEARTBEATS, Duration.ofSeconds(2)).stream()
        .map(r -> r.key()).collect(Collectors.toSet()).containsAll(hosts.stream().map(h -> h.id).toList()));
  }

  static Map<String, String> states(JsonObject json) {
    Map<String, String> out = new TreeMap<>();
    JsonArray list = json.getJsonArray("hosts");
    for (int i = 0; i < list.size(); i++) {
      out.put(list.getJsonObject(i).getString("host"), list.getJsonObject(i).getString("state"));
    }
    return out;
  }

  static JsonObject deploy(String version, JsonObject rollout, int expected) throws Exception {
    JsonObject body = new JsonObject().put("service", SERVICE).put("environment", ENV).put("version", version)
        .put("reason", "fleet IT");
    if (rollout != null) {
      body.put("rollout", rollout);
    }
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(api("/api/v1/deployments"))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(15)).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
    return new JsonObject(r.body());
  }

  /** The CI gate: one call that answers when the deployment is finished. */
  static JsonObject waitFor(String id) throws Exception {
    JsonObject done = get("/api/v1/deployments/" + id + "?wait=PT3M", 200);
    assertThat(done.getBoolean("finished")).as(done.encodePrettily()).isTrue();
    return done;
  }

  static JsonObject get(String path, int expected) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(api(path)).header("Authorization", "Bearer " + TOKEN)
        .timeout(Duration.ofMinutes(4)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(expected);
    return new JsonObject(r.body().strip());
  }

  static URI api(String path) {
    return URI.create("http://127.0.0.1:" + trigger.port() + path);
  }

  static <T> T load(Class<T> type, String defaults, String name, String yaml) throws Exception {
    Path file = Files.writeString(dir.resolve(name + ".yml"), yaml);
    return new ConfigLoader(Map.of()).load(type, defaults, Optional.of(file));
  }

  static <T> T done(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
  }
}
