package dev.stevedore.trigger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.common.event.DeployRequested;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import dev.stevedore.common.runtime.JsonMappers;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.schedule.Schedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import dev.stevedore.common.kafka.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A schedule made by one process fires in the next one, once, and stays fired after another
 * restart; a pending schedule of the old on-disk journal is migrated to the schedule topic at the
 * first start and fires once too, and the journal is renamed, not written. The three processes
 * share a signing key, as the instances of one trigger do (an ephemeral key would not trust the
 * schedule records of the previous process).
 */
class ScheduleRestartIT {
  @TempDir Path dir;
  static final Map<String, String> DEPLOYER = Map.of("Authorization", "Bearer " + TestTrigger.DEPLOYER_TOKEN);

  @Test
  void scheduleSurvivesARestartAndFiresOnce() throws Exception {
    String bootstrap = TestKafka.shared().getBootstrapServers();
    TriggerConfig config = TestTrigger.withSigning(TestTrigger.config(bootstrap, dir), TestTrigger.sharedSigning());
    Path journal = Path.of(config.schedules().dataDir());
    Files.createDirectories(journal);
    String oldId = UUID.randomUUID().toString();
    Instant now = Instant.now();
    Schedule old = new Schedule(oldId, "journal-svc", "staging", "v3", now.plusSeconds(4), "from the old journal",
        "api:alice", now, Schedule.State.PENDING, now, "api:alice");
    Files.writeString(journal.resolve("schedules.jsonl"), JsonMappers.events(false).writeValueAsString(old) + "\n");
    String id;
    Instant at;
    try (TestTrigger first = TestTrigger.start(config)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(journal.resolve("schedules.jsonl.migrated")));
      assertThat(journal.resolve("schedules.jsonl")).doesNotExist();
      assertThat(new JsonObject(first.get("/api/v1/schedules/" + oldId, DEPLOYER).body()).getString("service"))
          .isEqualTo("journal-svc");
      at = Instant.now().plusSeconds(5);
      HttpResponse<String> r = first.postJson("/api/v1/deployments", "{\"service\":\"restart-svc\","
          + "\"environment\":\"staging\",\"version\":\"v8\",\"reason\":\"after restart\",\"notBefore\":\"" + at + "\"}",
          DEPLOYER);
      assertThat(r.statusCode()).isEqualTo(202);
      id = new JsonObject(r.body()).getString("deploymentId");
    }
    assertThat(Instant.now()).isBefore(at);
    assertThat(published(bootstrap, id)).isEmpty();

    try (TestTrigger second = TestTrigger.start(config)) {
      JsonObject shown = new JsonObject(second.get("/api/v1/schedules/" + id, DEPLOYER).body());
      assertThat(shown.getString("state")).isEqualTo("pending");
      await().atMost(Duration.ofSeconds(20)).until(() -> published(bootstrap, id).size() == 1);
      await().atMost(Duration.ofSeconds(5)).until(() ->
          new JsonObject(second.get("/api/v1/schedules/" + id, DEPLOYER).body()).getString("state").equals("fired"));
      await().atMost(Duration.ofSeconds(10)).until(() ->
          second.getOps("/metrics").body().contains("stevedore_trigger_schedule_partitions_owned 3.0"));
    }

    try (TestTrigger third = TestTrigger.start(config)) {
      assertThat(new JsonObject(third.get("/api/v1/schedules/" + id, DEPLOYER).body()).getString("state"))
          .isEqualTo("fired");
      // Barrier: a later request of this process is on the topic; the schedule is still there once.
      HttpResponse<String> barrier = third.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
          "{\"service\":\"restart-svc\",\"environment\":\"staging\",\"version\":\"v9\"}", Map.of());
      assertThat(barrier.statusCode()).isEqualTo(202);
      List<DeployRequested> all = RequestsTopic.forService(bootstrap, "restart-svc");
      assertThat(all).extracting(DeployRequested::version).containsExactlyInAnyOrder("v8", "v9");
      assertThat(published(bootstrap, oldId)).hasSize(1);
      // A record on the schedule topic from a writer without the trigger's key changes nothing. (Other
      // IT classes on this broker signed schedule records with their own keys: this one rejects those too.)
      double before = rejected(third);
      try (KafkaProducer<String, byte[]> hostile = new KafkaProducer<>(Map.<String, Object>of("bootstrap.servers",
          bootstrap), new StringSerializer(), new ByteArraySerializer())) {
        hostile.send(new ProducerRecord<>(Topics.SCHEDULES, oldId, ("{\"v\":1,\"payload\":\"e30=\",\"keyId\":\"x\","
            + "\"signature\":\"AAAA\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> rejected(third) == before + 1);
      assertThat(new JsonObject(third.get("/api/v1/schedules/" + oldId, DEPLOYER).body()).getString("state"))
          .isEqualTo("fired");
    }
  }

  private static double rejected(TestTrigger trigger) throws Exception {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^stevedore_trigger_schedule_records_rejected_total "
        + "([0-9.E]+)$").matcher(trigger.getOps("/metrics").body());
    assertThat(m.find()).isTrue();
    return Double.parseDouble(m.group(1));
  }

    private static List<DeployRequested> published(String bootstrap, String id) {
    return RequestsTopic.requests(bootstrap).stream().filter(r -> r.deploymentId().equals(id))
        .collect(Collectors.toList());
  }
}
