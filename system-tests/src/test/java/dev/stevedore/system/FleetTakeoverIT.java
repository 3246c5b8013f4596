package dev.stevedore.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.stevedore.agent.AgentService;
import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.kafka.PartitionOwnership;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.testing.DockerTestSupport;
import dev.stevedore.testing.KafkaTestSupport;
import dev.stevedore.trigger.TriggerMain;
import dev.stevedore.trigger.rollout.RolloutMachine;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kill -9 takeover of a fleet rollout: three trigger instances, each its own JVM (as
 * MultiInstanceScheduleIT launches them), and four real agents in this JVM ({@link AgentService}
 * with the git driver, each its own host id, state directory and demo service, as in
 * {@link FleetRolloutIT}). A rolling rollout in waves of one host; while the second wave runs, the
 * instance that coordinates the rollout (the member of {@code rollouts.groupId} that Kafka assigned
 * the key's partition of {@code stevedore.rollout.state}) is killed with SIGKILL. Another instance
 * records the next step within 15 s, the rollout finishes, every host ends on the new version, each
 * wave was published under its one deterministic id (none twice under different ids, none skipped),
 * and no host deployed twice.
 */
class FleetTakeoverIT {
  static final int HOSTS = 4;
  static final String SERVICE = "site";
  static final String TOKEN = "takeover-" + UUID.randomUUID();
  static final Duration T = Duration.ofSeconds(30);
  static final Duration TAKEOVER_TARGET = Duration.ofSeconds(15);
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  final List<Trigger> triggers = new ArrayList<>();
  final List<HttpServer> servers = new ArrayList<>();
  final List<RunningAgent> agents = new ArrayList<>();
  Vertx vertx;

  /** One trigger process. */
  record Trigger(String name, int port, Process process, Path log) {
    HttpResponse<String> send(String method, String path, String body) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofMinutes(3)).header("Authorization", "Bearer " + TOKEN)
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      if (body != null) {
        b.header("Content-Type", "application/json");
      }
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  @AfterEach
  void stopAll() throws Exception {
    for (Trigger t : triggers) {
      t.process().destroyForcibly();
    }
    List<Future<Void>> stops = new ArrayList<>();
    agents.forEach(a -> stops.add(a.stop()));
    if (!stops.isEmpty()) {
      Future.join(stops).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    servers.forEach(s -> s.stop(0));
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    for (Trigger t : triggers) {
      t.process().waitFor(10, TimeUnit.SECONDS);
      try (var lines = Files.lines(t.log())) {
        lines.filter(l -> l.contains("rollout") || l.contains("ERROR")).limit(40)
            .forEach(l -> System.out.println("[" + t.name() + "] " + l));
      }
    }
  }

  @Test
  void theCoordinatorsSigkillMidRolloutHandsItToAnotherInstanceThatFinishesItWithEveryWaveOnceUnderItsId()
      throws Exception {
    KafkaTestSupport kafka = KafkaTestSupport.shared();
    String bootstrap = kafka.bootstrapServers();
    kafka.createTopics(FleetRolloutIT.fleetTopics());
    String run = UUID.randomUUID().toString().substring(0, 8);
    String env = "takeover-" + run;
    String key = env + "/" + SERVICE;
    String group = "it-takeover-" + run;

    KeyPair keys = Ed25519Keys.generate();
    Path privateKey = Files.writeString(dir.resolve("trigger.pem"), Ed25519Keys.toPem(keys.getPrivate()));
    Path publicKey = Files.writeString(dir.resolve("trigger.pub.pem"), Ed25519Keys.toPem(keys.getPublic()));
    // The trigger JVMs start first (they take a while); the agents meanwhile.
    for (String name : List.of("a", "b", "c")) {
      triggers.add(launch("tk" + name + "-" + run, bootstrap, privateKey, publicKey, env, group));
    }

    Path origin = Files.createDirectories(dir.resolve("origin.git"));
    Path author = Files.createDirectories(dir.resolve("author"));
    git(origin, "init", "-q", "--bare");
    git(author, "init", "-q");
    git(author, "remote", "add", "origin", origin.toString());
    release(author, "v1");
    release(author, "v2");
    vertx = Vertx.vertx();
    List<String> hostIds = new ArrayList<>();
    Map<String, Path> served = new HashMap<>();
    for (int i = 0; i < HOSTS; i++) {
      String id = String.format("takeover-%s-%02d", run, i);
      Path site = dir.resolve(id + "-site");
      Path serving = Files.createDirectories(dir.resolve(id + "-served"));
      git(dir, "clone", "-q", origin.toString(), site.toString());
      git(site, "checkout", "-q", "v1");
      Files.copy(site.resolve("version"), serving.resolve("version"));
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/health", ex -> {
        byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        ex.close();
      });
      server.start();
      servers.add(server);
      // The restart takes three seconds, so the kill lands while a wave is under way.
      AgentConfig config = load(AgentConfig.class, "agent-defaults.yml", id, """
          hostId: %s
          environment: %s
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
                restartCommand: [sh, -c, 'sleep 3 && cp version "$0/"', "%s"]
              healthCheck:
                type: http
                url: http://127.0.0.1:%d/health
                expectedStatus: 200
                interval: PT0.1S
                deadline: PT8S
          """.formatted(id, env, bootstrap, publicKey, dir.resolve(id + "-state"), site, serving,
          server.getAddress().getPort()));
      agents.add(AgentService.start(vertx, config).toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS));
      hostIds.add(id);
      served.put(id, serving);
    }

    for (Trigger t : triggers) {
      await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
          .until(() -> t.send("GET", "/api/v1/schedules", null).statusCode() == 200);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> kafka.readAll(Topics.HEARTBEATS, Duration.ofSeconds(2)).stream()
        .map(ConsumerRecord::key).collect(Collectors.toSet()).containsAll(hostIds));

    try (AdminClient admin = AdminClient.create(Map.of("bootstrap.servers", bootstrap))) {
      int partition = PartitionOwnership.partitionFor(key, 3);
      // The coordinator group is stable: every instance holds one partition of the state topic.
      await().atMost(Duration.ofSeconds(60)).until(() -> owners(admin, group).size() == 3
          && Set.copyOf(owners(admin, group).values()).size() == 3);
      Trigger owner = byClient(owners(admin, group).get(partition));
      // The request goes to an instance that does not coordinate the key: the owner learns it from the topic.
      Trigger entry = triggers.stream().filter(t -> t != owner).findFirst().orElseThrow();
      HttpResponse<String> accepted = entry.send("POST", "/api/v1/deployments", new JsonObject()
          .put("service", SERVICE).put("environment", env).put("version", "v2").put("reason", "takeover IT").encode());
      assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
      String rolloutId = new JsonObject(accepted.body()).getString("deploymentId");

      // Kill the coordinator with SIGKILL as soon as it has published the second wave.
      String secondWave = RolloutMachine.waveRequestId(rolloutId, 1);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
          .until(() -> requests(kafka, rolloutId).stream().anyMatch(r -> r.id().equals(secondWave)));
      owner.process().destroyForcibly();
      assertThat(owner.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
      Instant killedAt = Instant.now();
      assertThat(owner.process().exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
      assertThat(requests(kafka, rolloutId)).as("killed mid-rollout: the third and fourth waves are not out")
          .noneMatch(r -> r.id().equals(RolloutMachine.waveRequestId(rolloutId, 2))
              || r.id().equals(RolloutMachine.waveRequestId(rolloutId, 3)));
      List<Trigger> survivors = triggers.stream().filter(t -> t != owner).toList();

      // Another instance takes the partition and records the rollout's next step within the target.
      await().atMost(Duration.ofSeconds(40)).until(() -> owners(admin, group).containsKey(partition)
          && survivors.contains(byClient(owners(admin, group).get(partition))));
      await().atMost(Duration.ofSeconds(40)).until(() -> firstStateAfter(kafka, key, killedAt).isPresent());
      Duration takeover = Duration.between(killedAt, firstStateAfter(kafka, key, killedAt).get());
      Trigger successor = byClient(owners(admin, group).get(partition));
      System.out.printf("[takeover] %s coordinated %s (partition %d), killed at %s; %s recorded the next step "
          + "%d ms later%n", owner.name(), key, partition, killedAt, successor.name(), takeover.toMillis());
      assertThat(takeover).as("takeover within the target").isLessThan(TAKEOVER_TARGET);

      // The rollout finishes: every host succeeded, the gate answers on a survivor.
      HttpResponse<String> waited = survivors.get(0).send("GET", "/api/v1/deployments/" + rolloutId + "?wait=PT2M", null);
      assertThat(waited.statusCode()).as(waited.body()).isEqualTo(200);
      JsonObject done = new JsonObject(waited.body().strip());
      assertThat(done.getBoolean("finished")).as(done.encodePrettily()).isTrue();
      assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("succeeded");
      assertThat(hostStates(done)).containsOnlyKeys(hostIds).allSatisfy((h, s) -> assertThat(s).isEqualTo("succeeded"));
      for (String h : hostIds) {
        assertThat(Files.readString(served.get(h).resolve("version")).trim()).as(h).isEqualTo("v2");
      }

      // Every wave once under its deterministic id: four waves of one host each, disjoint, none skipped.
      List<Request> published = requests(kafka, rolloutId);
      Map<String, Set<List<String>>> hostsById = new TreeMap<>();
      published.forEach(r -> hostsById.computeIfAbsent(r.id(), k -> new HashSet<>()).add(r.hosts()));
      Set<String> expectedIds = new HashSet<>();
      for (int w = 0; w < HOSTS; w++) {
        expectedIds.add(RolloutMachine.waveRequestId(rolloutId, w));
      }
      assertThat(hostsById.keySet()).as("wave request ids").isEqualTo(expectedIds);
      assertThat(hostsById.values()).as("one host list per wave id").allSatisfy(l -> assertThat(l).hasSize(1));
      List<String> waveHosts = hostsById.values().stream().flatMap(Set::stream).flatMap(List::stream).toList();
      assertThat(waveHosts).as("each host in exactly one wave").containsExactlyInAnyOrderElementsOf(hostIds);
      System.out.printf("[takeover] %d wave requests on the topic for %d waves (a re-published one has the same id)%n",
          published.size(), hostsById.size());

      // No host deployed twice: one deploy.succeeded per host for the rollout.
      Map<String, Long> succeeded = kafka.readAll(Topics.EVENTS, Duration.ofSeconds(3)).stream()
          .map(r -> new JsonObject(r.value()))
          .filter(e -> "dev.stevedore.deploy.succeeded".equals(e.getString("type")))
          .map(e -> e.getJsonObject("data"))
          .filter(d -> rolloutId.equals(d.getString("deploymentId")))
          .collect(Collectors.groupingBy(d -> d.getString("host"), Collectors.counting()));
      assertThat(succeeded).containsOnlyKeys(hostIds).allSatisfy((h, n) -> assertThat(n).as(h).isEqualTo(1L));
    }
  }

  record Request(String id, List<String> hosts) {}

  private static List<Request> requests(KafkaTestSupport kafka, String rolloutId) {
    List<Request> out = new ArrayList<>();
    for (ConsumerRecord<String, String> r : kafka.readAll(Topics.REQUESTS, Duration.ofSeconds(2))) {
      JsonObject e = new JsonObject(r.value());
      if (!"dev.stevedore.deploy.requested".equals(e.getString("type"))) {
        continue;
      }
      JsonObject data = e.getJsonObject("data");
      if (!rolloutId.equals(data.getString("deploymentId"))) {
        continue;
      }
      JsonObject target = data.getJsonObject("target");
      JsonArray hosts = target == null ? null : target.getJsonArray("hosts");
      List<String> list = new ArrayList<>();
      if (hosts != null) {
        hosts.forEach(h -> list.add(String.valueOf(h)));
      }
      out.add(new Request(e.getString("id"), List.copyOf(list)));
    }
    return out;
  }

  /** When the first rollout state for {@code key} after {@code t} was written (the broker's record time). */
  private static Optional<Instant> firstStateAfter(KafkaTestSupport kafka, String key, Instant t) {
    return kafka.readAll(Topics.ROLLOUT_STATE, Duration.ofSeconds(2)).stream()
        .filter(r -> key.equals(r.key()) && r.timestamp() > t.toEpochMilli())
        .map(r -> Instant.ofEpochMilli(r.timestamp())).min(Instant::compareTo);
  }

  private static Map<String, String> hostStates(JsonObject json) {
    Map<String, String> out = new TreeMap<>();
    JsonArray list = json.getJsonArray("hosts");
    for (int i = 0; i < list.size(); i++) {
      out.put(list.getJsonObject(i).getString("host"), list.getJsonObject(i).getString("state"));
    }
    return out;
  }

  private Trigger byClient(String clientId) {
    return triggers.stream().filter(t -> clientId != null && clientId.contains(t.name())).findFirst()
        .orElseThrow(() -> new AssertionError("no trigger for client " + clientId));
  }

  /** Partition -> client id of the member that holds it in the coordinator group. */
  private static Map<Integer, String> owners(AdminClient admin, String group) throws Exception {
    ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS)
        .get(group);
    Map<Integer, String> owners = new HashMap<>();
    for (MemberDescription m : g.members()) {
      for (TopicPartition tp : m.assignment().topicPartitions()) {
        if (tp.topic().equals(Topics.ROLLOUT_STATE)) {
          owners.put(tp.partition(), m.clientId());
        }
      }
    }
    return owners;
  }

  private Trigger launch(String name, String bootstrap, Path privateKey, Path publicKey, String env, String group)
      throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve(name + ".yml");
    Files.writeString(config, """
        instanceId: %s
        kafka: {bootstrapServers: "%s"}
        http: {host: 127.0.0.1, port: %d, opsPort: 0}
        warmUp: {durationMs: 1000, requests: 200}
        signing:
          privateKeyFile: %s
          publicKeyFile: %s
        api:
          tokens: [{name: ci, token: %s, roles: [deployer, viewer]}]
        schedules: {dataDir: %s, sessionTimeoutMs: 6000, heartbeatIntervalMs: 1000}
        rollouts:
          tickMs: 200
          groupId: %s
          sessionTimeoutMs: 6000
          environments:
            %s:
              policy: {strategy: rolling, waveHosts: 1, failureCount: 1, waveTimeoutSeconds: 60}
        """.formatted(name, bootstrap, port, privateKey, publicKey, TOKEN, dir.resolve("data-" + name), group, env));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), TriggerMain.class.getName(), "--config", config.toString()));
    pb.environment().keySet().removeIf(k -> k.startsWith("STEVEDORE_"));
    Path log = dir.resolve(name + ".log");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return new Trigger(name, port, pb.start(), log);
  }

  static String git(Path where, String... args) {
    List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=it", "-c", "user.email=it@example.invalid",
        "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false"));
    cmd.addAll(List.of(args));
    return DockerTestSupport.run(T, where, Map.of("GIT_TERMINAL_PROMPT", "0"), cmd).orThrow().out().trim();
  }

  static void release(Path author, String version) throws Exception {
    Files.writeString(author.resolve("version"), version);
    git(author, "add", "version");
    git(author, "commit", "-q", "-m", version);
    git(author, "tag", version);
    git(author, "push", "-q", "origin", "HEAD:main", version);
  }

  <T> T load(Class<T> type, String defaults, String name, String yaml) throws Exception {
    Path file = Files.writeString(dir.resolve(name + ".yml"), yaml);
    return new ConfigLoader(Map.of()).load(type, defaults, Optional.of(file));
  }
}
