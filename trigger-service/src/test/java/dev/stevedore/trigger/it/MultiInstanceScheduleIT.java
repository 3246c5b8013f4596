package dev.stevedore.trigger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.kafka.PartitionOwnership;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.trigger.TriggerMain;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three trigger instances, each its own JVM (java -cp of this test, main class TriggerMain, as
 * TriggerMainIT launches it), on one real broker, sharing one signing key: schedules made through
 * each are listed and cancelled through the others; the instance that owns a due schedule's
 * partition is killed with SIGKILL ({@link Process#destroyForcibly()}, which is kill -9 on Linux) a
 * second before it is due; the schedule fires exactly once, less than 15 s late, and the cancelled
 * schedules never fire.
 */
class MultiInstanceScheduleIT {
  static final String TOKEN = "deployer-token-0123456789";
  static final Map<String, String> AUTH = Map.of("Authorization", "Bearer " + TOKEN);
  static final Duration TAKEOVER_TARGET = Duration.ofSeconds(15);
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  final List<Instance> instances = new ArrayList<>();

  /** One trigger process. */
  record Instance(String name, int port, Process process, Path log) {
    HttpResponse<String> send(String method, String path, String body) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(20)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(body));
      AUTH.forEach(b::header);
      if (body != null) {
        b.header("Content-Type", "application/json");
      }
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Pending schedule ids as this instance lists them ({@code atq}). */
    Set<String> atq() throws Exception {
      HttpResponse<String> r = send("GET", "/api/v1/schedules", null);
      assertThat(r.statusCode()).as(name + " atq: " + r.body()).isEqualTo(200);
      JsonArray all = new JsonObject(r.body()).getJsonArray("schedules");
      return all.stream().map(o -> ((JsonObject) o).getString("id")).collect(Collectors.toSet());
    }

    /** One schedule's state as this instance shows it ({@code at -c}). */
    String state(String id) throws Exception {
      HttpResponse<String> r = send("GET", "/api/v1/schedules/" + id, null);
      assertThat(r.statusCode()).as(name + " at -c " + id + ": " + r.body()).isEqualTo(200);
      return new JsonObject(r.body()).getString("state");
    }

    String schedule(String service, Instant at) throws Exception {
      HttpResponse<String> r = send("POST", "/api/v1/deployments", new JsonObject().put("service", service)
          .put("environment", "staging").put("version", "v1").put("reason", "multi-instance IT")
          .put("notBefore", at.toString()).encode());
      assertThat(r.statusCode()).as(name + " at: " + r.body()).isEqualTo(202);
      return new JsonObject(r.body()).getString("deploymentId");
    }
  }

  @AfterEach
  void stopAll() throws Exception {
    for (Instance i : instances) {
      i.process().destroyForcibly();
    }
    for (Instance i : instances) {
      i.process().waitFor(10, TimeUnit.SECONDS);
      // What each instance said about ownership and firing (the whole log is in the temp dir while running).
      try (var lines = Files.lines(i.log())) {
        lines.filter(l -> l.contains("partitions") || l.contains("schedule") || l.contains("ERROR"))
            .limit(60).forEach(l -> System.out.println("[" + i.name() + "] " + l));
      }
    }
  }

  @Test
  void schedulesAreSharedCancelsHoldAndTheOwnersSigkillMovesFiringToAnotherInstanceOnce() throws Exception {
    String bootstrap = TestKafka.shared().getBootstrapServers();
    KeyPair keys = Ed25519Keys.generate();
    Path privateKey = Files.writeString(dir.resolve("trigger.key"), Ed25519Keys.toPem(keys.getPrivate()));
    Path publicKey = Files.writeString(dir.resolve("trigger.pub"), Ed25519Keys.toPem(keys.getPublic()));
    for (String name : List.of("a", "b", "c")) {
      instances.add(launch(name, bootstrap, privateKey, publicKey));
    }
    Instance a = instances.get(0);
    Instance b = instances.get(1);
    Instance c = instances.get(2);
    for (Instance i : instances) {
      await().atMost(Duration.ofSeconds(120)).ignoreExceptions()
          .until(() -> i.send("GET", "/api/v1/schedules", null).statusCode() == 200);
    }
    try (AdminClient admin = AdminClient.create(Map.of("bootstrap.servers", bootstrap))) {
      // The schedule group is stable with one partition per instance.
      await().atMost(Duration.ofSeconds(60)).until(() -> owners(admin).size() == 3
          && Set.copyOf(owners(admin).values()).size() == 3);

      // Far enough ahead that the listing and cancelling below finish before it on a loaded machine
      // (at load 40 on 2 cores, 20 s was not: the schedules fired before the second atq).
      Instant due = Instant.now().plusSeconds(40);
      String fromA = a.schedule("multi-a", due);
      String fromB = b.schedule("multi-b", due);
      String fromC = c.schedule("multi-c", due);
      String fromB2 = b.schedule("multi-b2", due);
      Set<String> all = Set.of(fromA, fromB, fromC, fromB2);
      for (Instance i : instances) {
        assertThat(i.atq()).as("atq through " + i.name()).containsAll(all);
        assertThat(i.state(fromA)).isEqualTo("pending");
      }
      // atrm through another instance than the one that made it; it holds everywhere.
      assertThat(c.send("DELETE", "/api/v1/schedules/" + fromB, null).statusCode()).isEqualTo(200);
      assertThat(a.send("DELETE", "/api/v1/schedules/" + fromC, null).statusCode()).isEqualTo(200);
      assertThat(b.send("DELETE", "/api/v1/schedules/" + fromC, null).statusCode()).as("cancelled twice").isEqualTo(409);
      for (Instance i : instances) {
        Set<String> pending = i.atq();
        assertThat(pending).as("atq through " + i.name()).contains(fromA, fromB2).doesNotContain(fromB, fromC);
        assertThat(i.state(fromB)).isEqualTo("cancelled");
        assertThat(i.state(fromC)).isEqualTo("cancelled");
      }

      // Kill the owner of fromA's partition with SIGKILL one second before it is due.
      int partition = PartitionOwnership.partitionFor(fromA, 3);
      Instance owner = owners(admin).entrySet().stream().filter(e -> e.getKey() == partition)
          .map(e -> byName(e.getValue())).findFirst().orElseThrow();
      long untilKill = Duration.between(Instant.now(), due.minusSeconds(1)).toMillis();
      assertThat(untilKill).as("set-up left time to kill before the schedule is due").isPositive();
      Thread.sleep(untilKill);
      owner.process().destroyForcibly();
      assertThat(owner.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
      Instant killedAt = Instant.now();
      assertThat(owner.process().exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
      assertThat(published(bootstrap, fromA)).as("nothing published before the kill").isEmpty();
      List<Instance> survivors = instances.stream().filter(i -> i != owner).toList();

      await().atMost(Duration.ofSeconds(40)).until(() -> published(bootstrap, fromA).size() >= 1
          && published(bootstrap, fromB2).size() >= 1);
      DeployRequested request = published(bootstrap, fromA).get(0);
      Duration late = Duration.between(due, request.time());
      System.out.printf("[multi-instance] owner %s of partition %d killed at %s (due %s); fired by the new owner "
          + "%d ms after it was due%n", owner.name(), partition, killedAt, due, late.toMillis());
      assertThat(late).as("takeover: fired within the target after it was due").isLessThan(TAKEOVER_TARGET);
      for (Instance i : survivors) {
        await().atMost(Duration.ofSeconds(10)).until(() -> i.state(fromA).equals("fired"));
        assertThat(i.state(fromB2)).isEqualTo("fired");
        assertThat(i.atq()).doesNotContainAnyElementsOf(all);
      }
      // A barrier: a later request through a survivor is on the topic; still one request per schedule,
      // and none for the cancelled ones.
      Thread.sleep(2_000);
      String now = survivors.get(0).schedule("multi-barrier", Instant.now().minusSeconds(5));
      await().atMost(Duration.ofSeconds(20)).until(() -> published(bootstrap, now).size() == 1);
      assertThat(published(bootstrap, fromA)).hasSize(1);
      assertThat(published(bootstrap, fromB2)).hasSize(1);
      assertThat(published(bootstrap, fromB)).isEmpty();
      assertThat(published(bootstrap, fromC)).isEmpty();
    }
  }

  private Instance byName(String clientId) {
    return instances.stream().filter(i -> clientId.contains("-it-" + i.name() + "-")).findFirst()
        .orElseThrow(() -> new AssertionError("no instance for client " + clientId));
  }

  /** Partition -> client id of the member that holds it in the schedule group. */
  private static Map<Integer, String> owners(AdminClient admin) throws Exception {
    ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(Topics.SCHEDULES_GROUP)).all()
        .get(10, TimeUnit.SECONDS).get(Topics.SCHEDULES_GROUP);
    Map<Integer, String> owners = new HashMap<>();
    for (MemberDescription m : group.members()) {
      for (TopicPartition tp : m.assignment().topicPartitions()) {
        if (tp.topic().equals(Topics.SCHEDULES)) {
          owners.put(tp.partition(), m.clientId());
        }
      }
    }
    return owners;
  }

  private static List<DeployRequested> published(String bootstrap, String id) {
    return RequestsTopic.requests(bootstrap).stream().filter(r -> r.deploymentId().equals(id)).toList();
  }

  private Instance launch(String name, String bootstrap, Path privateKey, Path publicKey) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve(name + ".yml");
    Files.writeString(config, String.join("\n",
        "instanceId: it-" + name,
        "kafka:",
        "  bootstrapServers: " + bootstrap,
        "http:",
        "  host: 127.0.0.1",
        "  port: " + port,
        "  opsPort: 0",
        "warmUp:",
        "  durationMs: 1000",
        "  requests: 200",
        "signing:",
        "  privateKeyFile: " + privateKey,
        "  publicKeyFile: " + publicKey,
        "api:",
        "  tokens:",
        "    - name: alice",
        "      token: " + TOKEN,
        "      roles: [deployer, viewer]",
        "schedules:",
        "  dataDir: " + dir.resolve("data-" + name),
        "  tickMs: 200",
        "  sessionTimeoutMs: 6000",
        "  heartbeatIntervalMs: 1000",
        ""));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(List.of(java, "-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"), TriggerMain.class.getName(), "--config", config.toString()));
    pb.environment().keySet().removeIf(k -> k.startsWith("STEVEDORE_"));
    Path log = dir.resolve(name + ".log");
    pb.redirectErrorStream(true).redirectOutput(log.toFile());
    return new Instance(name, port, pb.start(), log);
  }
}
