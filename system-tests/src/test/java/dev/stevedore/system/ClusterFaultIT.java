package dev.stevedore.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.stevedore.agent.AgentService;
import dev.stevedore.agent.RunningAgent;
import dev.stevedore.agent.config.AgentConfig;
import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.AuditService;
import dev.stevedore.common.config.ConfigLoader;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.testing.DockerTestSupport;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stevedore on a three-node KRaft cluster (the {@code cluster} profile of the root
 * docker-compose.yml: three replicas per topic, min.insync.replicas 2) while its nodes die:
 * one trigger, the audit service and five real agents (git driver, each its own checkout and
 * "service") in this JVM, and a stream of generic webhooks running the whole time (a CI that
 * retries a 503 with the same delivery id, as docs/trigger.md asks).
 *
 * <p>Each test starts a rolling rollout to the five hosts, kills a node with SIGKILL while the
 * rollout's first wave runs and the stream keeps posting, lets the rollout finish on two nodes,
 * starts the node again and waits until every partition has three replicas in sync. Then: every
 * delivery answered 202 at its first attempt is on the requests topic exactly once (one answered
 * 503 first may be there more than once, always as the same event); every host ran its restart
 * command exactly once for the rollout and the audit log has exactly one outcome per host, all
 * succeeded. Test 1 kills a broker that is not the active controller, test 2 the active controller.
 * One cluster for the class.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterFaultIT {
  static final int HOSTS = 5;
  static final String ENV = "production";
  static final String SERVICE = "site";
  static final String TOKEN = "cluster-" + UUID.randomUUID();
  static final String HOOK_TOKEN = "hook-" + UUID.randomUUID();
  static final String READER = "reader-" + UUID.randomUUID();
  static final Set<String> TERMINAL = Set.of("deploy.succeeded", "deploy.failed", "deploy.rolled-back", "deploy.skipped");
  static final Duration T = Duration.ofSeconds(30);

  @TempDir static Path dir;
  static KafkaCluster cluster;
  static Vertx vertx;
  static RunningTrigger trigger;
  static AuditService.RunningAudit audit;
  static Path author;
  static final List<Host> hosts = new ArrayList<>();
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static final List<String> report = new CopyOnWriteArrayList<>();

  /** One host: its agent and the "service" that serves what its checkout has (version, health, restarts). */
  record Host(String id, Path served, HttpServer server, RunningAgent[] agent) {
    String read(String file) {
      try {
        return Files.readString(served.resolve(file)).trim();
      } catch (java.io.IOException e) {
        return "missing";
      }
    }

    long restarts() {
      String log = read("restarts");
      return log.equals("missing") ? 0 : log.lines().count();
    }
  }

  @BeforeAll
  static void system() throws Exception {
    long t0 = System.nanoTime();
    cluster = new KafkaCluster(); // assigned first: @AfterAll removes it even when its start fails
    cluster.start();
    report.add("cluster up in " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) + " s");
    Path origin = Files.createDirectories(dir.resolve("origin.git"));
    author = Files.createDirectories(dir.resolve("author"));
    FleetRolloutIT.git(origin, "init", "-q", "--bare");
    FleetRolloutIT.git(author, "init", "-q");
    FleetRolloutIT.git(author, "remote", "add", "origin", origin.toString());
    FleetRolloutIT.release(author, "v1", "ok");
    FleetRolloutIT.release(author, "v2", "ok");
    FleetRolloutIT.release(author, "v3", "ok");

    vertx = Vertx.vertx();
    KeyPair keys = Ed25519Keys.generate();
    Path privateKey = Files.writeString(dir.resolve("trigger.pem"), Ed25519Keys.toPem(keys.getPrivate()));
    Path publicKey = Files.writeString(dir.resolve("trigger.pub.pem"), Ed25519Keys.toPem(keys.getPublic()));
    String bootstrap = cluster.bootstrapServers();
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<Future<Void>> starts = new ArrayList<>();
    for (int i = 0; i < HOSTS; i++) {
      String id = String.format("cl-%s-%02d", run, i);
      Path site = dir.resolve(id + "-site");
      Path served = Files.createDirectories(dir.resolve(id + "-served"));
      FleetRolloutIT.git(dir, "clone", "-q", origin.toString(), site.toString());
      FleetRolloutIT.git(site, "checkout", "-q", "v1");
      Files.copy(site.resolve("version"), served.resolve("version"));
      Files.copy(site.resolve("health"), served.resolve("health"));
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      server.createContext("/health", ex -> {
        boolean ok;
        try {
          ok = Files.readString(served.resolve("health")).trim().equals("ok");
        } catch (java.io.IOException e) {
          ok = false;
        }
        byte[] body = (ok ? "ok" : "unhealthy").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(ok ? 200 : 500, body.length);
        ex.getResponseBody().write(body);
        ex.close();
      });
      server.start();
      // The restart command is fixed configuration (no event data): it copies the checkout and
      // appends a line to the served folder's "restarts": one line per deployment the host ran.
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
                restartCommand: [sh, -c, "cp version health \\"$0\\"/ && echo restart >> \\"$0\\"/restarts", "%s"]
              healthCheck:
                type: http
                url: http://127.0.0.1:%d/health
                expectedStatus: 200
                interval: PT0.1S
                deadline: PT20S
          """.formatted(id, ENV, bootstrap, publicKey, dir.resolve(id + "-state"), site, served,
          server.getAddress().getPort()));
      Host host = new Host(id, served, server, new RunningAgent[1]);
      // started together below: one after another took two minutes on the loaded CI machine
      starts.add(AgentService.start(vertx, config).onSuccess(a -> host.agent()[0] = a).mapEmpty());
      hosts.add(host);
    }
    AuditConfig auditConfig = load(AuditConfig.class, "audit-defaults.yml", "audit", """
        http: {host: 127.0.0.1, port: 0}
        kafka: {bootstrapServers: "%s"}
        ingest: {groupId: "audit-%s"}
        database: {sqlitePath: %s}
        auth: {readerToken: %s}
        """.formatted(bootstrap, run, dir.resolve("audit.db"), READER));
    starts.add(AuditService.start(vertx, auditConfig).onSuccess(a -> audit = a).mapEmpty());
    TriggerConfig config = load(TriggerConfig.class, "trigger-defaults.yml", "trigger", """
        http: {host: 127.0.0.1, port: 0, opsPort: 0}
        warmUp: {durationMs: 1000, requests: 200} # short: the default (up to 30 s) is for production
        kafka: {bootstrapServers: "%s"}
        topics: {create: false}
        signing:
          privateKeyFile: %s
          publicKeyFile: %s
        generic:
          - name: ci
            token: %s
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
              policy: {strategy: rolling, wavePercent: 40, failureCount: 1, bakeSeconds: 0, waveTimeoutSeconds: 120}
        """.formatted(bootstrap, privateKey, publicKey, HOOK_TOKEN, TOKEN, dir.resolve("trigger-data"), run));
    starts.add(TriggerService.start(vertx, config).onSuccess(t -> trigger = t).mapEmpty());
    done(Future.all(starts));
    report.add("system up in " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) + " s");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      // services flush to Kafka as they stop: a node a failed test left dead is started first
      for (int id = 1; cluster != null && id <= KafkaCluster.NODES; id++) {
        if (!cluster.running(id)) {
          cluster.restart(id);
        }
      }
      List<Future<Void>> stops = new ArrayList<>();
      if (trigger != null) {
        stops.add(trigger.stop());
      }
      if (audit != null) {
        stops.add(audit.stop());
      }
      hosts.stream().filter(h -> h.agent()[0] != null).forEach(h -> stops.add(h.agent()[0].stop()));
      Future.join(stops).toCompletionStage().toCompletableFuture().handle((r, e) -> null).get(90, TimeUnit.SECONDS);
      hosts.forEach(h -> h.server().stop(0));
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      }
    } finally {
      report.forEach(line -> System.out.println("[cluster] " + line));
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  /** Each test starts from a whole cluster, even when the one before failed before its restart. */
  @BeforeEach
  void wholeCluster() {
    for (int id = 1; id <= KafkaCluster.NODES; id++) {
      if (!cluster.running(id)) {
        report.add("node " + id + " was left dead by an earlier test: started again");
        cluster.restart(id);
      }
    }
    cluster.awaitHealed(Duration.ofMinutes(3));
  }

  @Test
  @Order(1)
  void aBrokerKilledMidRolloutAndMidWebhookStreamLosesAndDuplicatesNothingAndTheClusterHeals() throws Exception {
    int controller = cluster.activeController();
    int victim = controller % KafkaCluster.NODES + 1; // a node that is not the active controller
    rolloutThroughAKill("broker " + victim + " (controller " + controller + ")", victim, "v2");
  }

  @Test
  @Order(2)
  void theActiveControllerKilledMidRolloutAndMidWebhookStreamLosesAndDuplicatesNothingAndTheClusterHeals()
      throws Exception {
    int controller = cluster.activeController();
    rolloutThroughAKill("active controller " + controller, controller, "v3");
    int next = cluster.activeController();
    report.add("controller moved from " + controller + " to " + next);
  }

  /** The scenario of both tests: stream and rollout running, node {@code victim} killed, restarted, checked. */
  void rolloutThroughAKill(String what, int victim, String version) throws Exception {
    awaitHeartbeatsFromEveryHost();
    Map<String, Long> restartsBefore = hosts.stream().collect(Collectors.toMap(Host::id, Host::restarts));
    WebhookStream stream = WebhookStream.start(trigger.port());
    String rolloutId;
    long killedAt;
    Map<String, List<Integer>> degraded;
    try {
      // The stream runs (a few 202s; at a load average of 120 a fresh trigger took 3-8 s per webhook at first).
      await().atMost(Duration.ofMinutes(3)).until(() -> stream.accepted() >= 5);
      rolloutId = deploy(version);
      // the first wave is running: some host has the request, none finished the rollout yet
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
          .until(() -> rolloutHasStarted(rolloutId));
      killedAt = System.nanoTime();
      cluster.kill(victim);
      int acceptedAtKill = stream.accepted();
      // The kill took effect: the node leaves the in-sync replicas of every partition.
      degraded = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .ignoreExceptions().until(cluster::inSyncReplicas, m -> !m.isEmpty()
              && m.values().stream().noneMatch(isr -> isr.contains(victim)));
      assertThat(degraded).allSatisfy((p, isr) -> assertThat(isr).as(p).hasSize(KafkaCluster.NODES - 1));
      assertThat(cluster.liveBrokers()).doesNotContain(victim).hasSize(KafkaCluster.NODES - 1);
      JsonObject done = waitFor(rolloutId);
      assertThat(done.getString("status")).as(done.encodePrettily()).isEqualTo("succeeded");
      assertThat(states(done)).hasSize(HOSTS).allSatisfy((h, s) -> assertThat(s).as(h + " in " + done.encodePrettily())
          .isEqualTo("succeeded"));
      // the stream went on on two nodes
      await().atMost(Duration.ofMinutes(3)).until(() -> stream.accepted() >= acceptedAtKill + 5);
      report.add(what + " killed: rollout " + version + " finished "
          + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killedAt) + " s after the kill; partitions with 2 of 3 in sync then: "
          + degraded.size());
      cluster.restart(victim);
      long restartedAt = System.nanoTime();
      cluster.awaitHealed(Duration.ofMinutes(3));
      report.add(what + ": healed (3 live, every partition 3 in sync) "
          + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - restartedAt) + " s after the restart");
      await().atMost(Duration.ofMinutes(3)).until(() -> stream.accepted() >= acceptedAtKill + 10);
    } finally {
      stream.stop();
    }
    assertThat(stream.failures()).as("webhooks that never got a 202").isEmpty();
    report.add(what + ": stream " + stream.summary());

    // Every delivery answered 202 at its first attempt is on the requests topic exactly once
    // (idempotent producer, acks=all: a retried batch is not written twice). A delivery answered
    // 503 first ("not known to be on Kafka") and 202 on a retry may be there more than once: the
    // attempt the trigger gave up on can land too (written by the dying leader's followers, or
    // sent after the answer). Every copy is then the same event (same event id), which consumers
    // deduplicate; the number of such copies is reported.
    Map<String, List<String>> onTopic = requestsByDeploymentId();
    Map<String, Integer> wrong = new TreeMap<>();
    Map<String, Integer> retriedCopies = new TreeMap<>();
    stream.firstTimeIds().forEach(id -> {
      int n = onTopic.getOrDefault(id, List.of()).size();
      if (n != 1) {
        wrong.put(id, n);
      }
    });
    stream.retriedIds().forEach(id -> {
      List<String> eventIds = onTopic.getOrDefault(id, List.of());
      assertThat(eventIds).as("copies of retried " + id).isNotEmpty();
      assertThat(Set.copyOf(eventIds)).as("event ids of retried " + id).hasSize(1);
      retriedCopies.put(id, eventIds.size());
    });
    assertThat(wrong).as("deployment ids answered 202 at once that are not on the topic exactly once (id -> records)")
        .isEmpty();
    report.add(what + ": " + stream.firstTimeIds().size() + " deliveries 202 at once, each on the topic once; "
        + retriedCopies.size() + " 202 after a 503, records of each on the topic " + retriedCopies.values());

    // Every host deployed exactly once and runs the version.
    for (Host h : hosts) {
      assertThat(h.read("version")).as(h.id()).isEqualTo(version);
      assertThat(h.restarts() - restartsBefore.get(h.id())).as("restarts of " + h.id()).isEqualTo(1);
    }
    // The audit log has every host's outcome once, each succeeded, and its hash chain holds.
    JsonObject deployment = await().atMost(Duration.ofSeconds(60)).until(() -> audit("/api/v1/deployments/" + rolloutId)
        .orElse(null), d -> d != null && outcomes(d).size() == HOSTS);
    Map<String, List<String>> outcomes = outcomes(deployment);
    assertThat(outcomes.keySet()).containsExactlyInAnyOrderElementsOf(hosts.stream().map(Host::id).toList());
    assertThat(outcomes).allSatisfy((h, types) -> assertThat(types).as(h).containsExactly("deploy.succeeded"));
    JsonObject verify = audit("/api/v1/audit/verify").orElseThrow();
    assertThat(verify.getBoolean("ok")).as(verify.encode()).isTrue();
  }

  // --- the webhook stream

  /** Generic webhooks one after another (staging, services stream-0..5), each retried on a non-202 with its delivery id. */
  static final class WebhookStream {
    final AtomicBoolean running = new AtomicBoolean(true);
    final Map<String, String> acceptedIds = new ConcurrentHashMap<>(); // delivery -> deployment id
    final Set<String> retried = ConcurrentHashMap.newKeySet(); // deployment ids answered 202 after a non-202
    final List<String> failures = new CopyOnWriteArrayList<>();
    final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    final List<Long> retryWindowsMs = new CopyOnWriteArrayList<>();
    final Thread thread;
    final int port;

    private WebhookStream(int port) {
      this.port = port;
      this.thread = new Thread(this::run, "webhook-stream");
    }

    static WebhookStream start(int port) {
      WebhookStream s = new WebhookStream(port);
      s.thread.start();
      return s;
    }

    int accepted() {
      return acceptedIds.size();
    }

    List<String> firstTimeIds() {
      return acceptedIds.values().stream().filter(id -> !retried.contains(id)).toList();
    }

    List<String> retriedIds() {
      return List.copyOf(retried);
    }

    List<String> failures() {
      return failures;
    }

    String summary() {
      long longest = retryWindowsMs.stream().mapToLong(Long::longValue).max().orElse(0);
      return acceptedIds.size() + " deliveries accepted; answers " + new TreeMap<>(statuses)
          + "; deliveries that needed retries " + retryWindowsMs.size() + ", longest until 202 " + longest + " ms";
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(120_000);
    }

    private void run() {
      int n = 0;
      while (running.get()) {
        n++;
        String delivery = "stream-" + UUID.randomUUID();
        String body = new JsonObject().put("service", "stream-" + n % 6).put("environment", "staging")
            .put("version", "s" + n).put("commit", "0123456789abcdef0123456789abcdef01234567").put("branch", "main")
            .encode();
        long first = System.nanoTime();
        boolean retried = false;
        // A CI retries a 503 with the same delivery id until it gets its 202 (bounded: 2 minutes).
        while (true) {
          int status;
          String answer;
          try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/hooks/generic/" + HOOK_TOKEN))
                .header("Content-Type", "application/json").header("X-Stevedore-Delivery", delivery)
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
            status = r.statusCode();
            answer = r.body();
          } catch (Exception e) {
            status = -1;
            answer = e.toString();
          }
          statuses.merge(status, 1, Integer::sum);
          if (status == 202) {
            String id = new JsonObject(answer).getString("deploymentId");
            if (retried) {
              this.retried.add(id);
              retryWindowsMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - first));
            }
            acceptedIds.put(delivery, id);
            break;
          }
          if (status != 503 && status != -1) {
            failures.add(delivery + ": " + status + " " + answer);
            break;
          }
          if (System.nanoTime() - first > TimeUnit.MINUTES.toNanos(2)) {
            failures.add(delivery + ": no 202 within 2 minutes, last " + status + " " + answer);
            break;
          }
          retried = true;
          sleep(250);
        }
      }
    }
  }

  // --- helpers

    /** The requests topic read to its end: deployment id of each {@link DeployRequested} -> the event id of each record. */
  static Map<String, List<String>> requestsByDeploymentId() {
    EventCodec codec = new EventCodec();
    Map<String, List<String>> ids = new HashMap<>();
    readToEnd(Topics.REQUESTS, r -> {
      try {
        if (codec.decode(r.value()) instanceof DeployRequested d) {
          ids.computeIfAbsent(d.deploymentId(), k -> new ArrayList<>()).add(d.id());
        }
      } catch (dev.stevedore.common.event.EventDecodingException e) {
        throw new IllegalStateException("undecodable record on " + Topics.REQUESTS + " at " + r.offset(), e);
      }
    });
    return ids;
  }

  /** Reads a topic from its beginning to the end offsets it had at the start. */
  static void readToEnd(String topic, java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
    Map<String, Object> config = new HashMap<>();
    config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> consumer =
             new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(15)).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(15));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(topic + " was not read to its end in 60 s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(each);
      }
    }
  }

  /** The audit timeline's terminal outcomes per host. */
  static Map<String, List<String>> outcomes(JsonObject deployment) {
    Map<String, List<String>> out = new TreeMap<>();
    deployment.getJsonArray("timeline").stream().map(JsonObject.class::cast)
        .filter(e -> TERMINAL.contains(e.getString("type")))
        .forEach(e -> out.computeIfAbsent(e.getString("host"), h -> new ArrayList<>()).add(e.getString("type")));
    return out;
  }

  static boolean rolloutHasStarted(String id) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(api("/api/v1/rollouts/" + id))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      return false;
    }
    JsonObject rollout = new JsonObject(r.body());
    return !rollout.getJsonArray("waves", new JsonArray()).isEmpty()
        && !List.of("succeeded", "halted", "rolled-back", "superseded").contains(rollout.getString("phase"));
  }

  static void awaitHeartbeatsFromEveryHost() {
    // The trigger learns the fleet from heartbeats (every second here); it must know all five first.
    await().atMost(Duration.ofSeconds(90)).ignoreExceptions().until(() -> keysOf(Topics.HEARTBEATS)
        .containsAll(hosts.stream().map(Host::id).toList()));
  }

  static Set<String> keysOf(String topic) {
    Set<String> keys = new java.util.HashSet<>();
    readToEnd(topic, r -> keys.add(r.key()));
    return keys;
  }

  static String deploy(String version) throws Exception {
    JsonObject body = new JsonObject().put("service", SERVICE).put("environment", ENV).put("version", version)
        .put("reason", "cluster IT");
    // A deploy may meet the breaker or a failing-over partition: retried with the same key.
    String key = UUID.randomUUID().toString();
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(api("/api/v1/deployments"))
          .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
          .header("Idempotency-Key", key).timeout(Duration.ofSeconds(15))
          .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isIn(202, 503);
      return r.statusCode() == 202 ? new JsonObject(r.body()).getString("deploymentId") : null;
    }, id -> id != null);
  }

  static JsonObject waitFor(String id) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(api("/api/v1/deployments/" + id + "?wait=PT4M"))
        .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofMinutes(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject done = new JsonObject(r.body().strip());
    assertThat(done.getBoolean("finished")).as(done.encodePrettily()).isTrue();
    return done;
  }

  static Map<String, String> states(JsonObject json) {
    Map<String, String> out = new TreeMap<>();
    JsonArray list = json.getJsonArray("hosts");
    for (int i = 0; i < list.size(); i++) {
      out.put(list.getJsonObject(i).getString("host"), list.getJsonObject(i).getString("state"));
    }
    return out;
  }

  static Optional<JsonObject> audit(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + audit.port() + path))
        .header("Authorization", "Bearer " + READER).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return Optional.of(new JsonObject(r.body()));
  }

  static URI api(String path) {
    return URI.create("http://127.0.0.1:" + trigger.port() + path);
  }

  static <T> T load(Class<T> type, String defaults, String name, String yaml) throws Exception {
    Path file = Files.writeString(dir.resolve(name + ".yml"), yaml);
    return new ConfigLoader(Map.of()).load(type, defaults, Optional.of(file));
  }

  static <T> T done(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
