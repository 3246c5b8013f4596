package dev.stevedore.audit;

import static dev.stevedore.audit.testing.AuditHarness.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.audit.store.Database;
import dev.stevedore.audit.store.EventWriter;
import dev.stevedore.audit.testing.AuditHarness;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service end to end: real Kafka (container), a SQLite file, the HTTP API. */
class AuditServiceIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static KafkaTestSupport kafka;
  static Vertx vertx;

  @TempDir
  Path dir;

  @BeforeAll
  static void broker() {
    kafka = KafkaTestSupport.shared();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void close() throws Exception {
    vertx.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
  }

  AuditConfig config(String group, int batchSize) {
    return AuditHarness.config(kafka, new AuditConfig.Database(null, dir.resolve("audit.db").toString(), null, null,
        4, 0, 0), group, batchSize);
  }

  static String group() {
    return "audit-it-" + UUID.randomUUID();
  }

  static JsonNode json(AuditHarness.Response r) throws Exception {
    return JSON.readTree(r.body());
  }

  @Test
  void storesADeploymentAndAnswersItsTimelineDeadLetteringGarbageOnTheWay() throws Exception {
    var running = AuditHarness.start(vertx, config(group(), 100));
    try {
      String run = UUID.randomUUID().toString();
      String id = Events.deploymentId("skeleton-" + run);
      String service = "svc-" + run.substring(0, 8);
      Instant at = Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
      AuditHarness.publish(kafka, Events.successfulDeployment(id, "web-1", service, "prod", "v2", at));
      String garbage = "not an event " + run;
      kafka.send(Topics.EVENTS, "junk", garbage);
      String after = Events.deploymentId("after-garbage-" + run);
      AuditHarness.publish(kafka, List.of(Events.requested(after, service, "prod", "v3", at.plusSeconds(30))));

      await().atMost(Duration.ofSeconds(60)).until(() -> get(running.port(), "/api/v1/deployments/" + after).status() == 200);
      AuditHarness.Response r = get(running.port(), "/api/v1/deployments/" + id);
      assertThat(r.status()).isEqualTo(200);
      JsonNode d = json(r);
      assertThat(d.get("id").asText()).isEqualTo(id);
      assertThat(d.get("status").asText()).isEqualTo("succeeded");
      assertThat(d.get("service").asText()).isEqualTo(service);
      assertThat(d.get("environment").asText()).isEqualTo("prod");
      assertThat(d.get("version").asText()).isEqualTo("v2");
      assertThat(d.get("commit").asText()).isEqualTo("c0ffeev2");
      assertThat(d.get("branch").asText()).isEqualTo("main");
      assertThat(d.get("requestedBy").asText()).isEqualTo("ci-bot");
      assertThat(d.get("trigger").asText()).isEqualTo("generic");
      assertThat(d.get("requestedAt").asText()).isEqualTo(at.toString());
      assertThat(d.get("finishedAt").asText()).isEqualTo(at.plusSeconds(4).toString());
      JsonNode host = d.get("hosts").get(0);
      assertThat(host.get("host").asText()).isEqualTo("web-1");
      assertThat(host.get("status").asText()).isEqualTo("succeeded");
      assertThat(host.get("steps")).hasSize(2);
      assertThat(host.get("steps").get(0).get("name").asText()).isEqualTo("pull");
      assertThat(host.get("steps").get(1).get("name").asText()).isEqualTo("up");
      assertThat(host.get("steps").get(1).get("ok").asBoolean()).isTrue();
      assertThat(host.get("steps").get(1).get("durationMs").asLong()).isEqualTo(120);
      assertThat(host.get("steps").get(1).get("exitCode").asInt()).isZero();
      assertThat(host.get("steps").get(1).get("outputTail").asText()).isEqualTo("up output");

      JsonNode list = json(get(running.port(), "/api/v1/deployments?service=" + service));
      assertThat(list.get("items")).hasSize(2);
      assertThat(list.get("items").get(0).get("id").asText()).isEqualTo(after);
      assertThat(list.get("items").get(1).get("status").asText()).isEqualTo("succeeded");

      List<ConsumerRecord<String, String>> dead = kafka.readAll(Topics.DEAD_LETTERS, Duration.ofSeconds(30));
      assertThat(dead).filteredOn(rec -> garbage.equals(rec.value())).singleElement().satisfies(rec -> {
        assertThat(new String(rec.headers().lastHeader(Topics.HEADER_REASON).value(), StandardCharsets.UTF_8))
            .contains("not JSON");
        assertThat(new String(rec.headers().lastHeader(Topics.HEADER_ORIGINAL_TOPIC).value(), StandardCharsets.UTF_8))
            .isEqualTo(Topics.EVENTS);
      });
    } finally {
      AuditHarness.stop(running);
    }
  }

  @Test
  void storesEveryEventOnceUnderDuplicatesAndARestartMidStream() throws Exception {
    String run = UUID.randomUUID().toString();
    List<StevedoreEvent> events = new ArrayList<>();
    Instant at = Instant.now().minusSeconds(3600);
    for (int i = 0; i < 40; i++) {
      events.addAll(Events.successfulDeployment(Events.deploymentId("dup-" + run + "-" + i), "web-" + (i % 3),
          "dup-" + run.substring(0, 8), "prod", "v" + i, at.plusSeconds(i * 10L)));
    }
    // A crashed instance stored the first 60 events but never committed their offsets.
    AuditConfig config = config(group(), 7);
    try (Database db = Database.openBlocking(config.database())) {
      new EventWriter(db.writerDataSource(), db.dialect(), Events.CODEC.mapper(), Clock.systemUTC())
          .store(Events.stored(events.subList(0, 60)));
    }
    // Every event is published twice (a producer retry, a replayed topic).
    AuditHarness.publish(kafka, events);
    AuditHarness.publish(kafka, events);

    var first = AuditHarness.start(vertx, config);
    await().atMost(Duration.ofSeconds(60)).until(() -> first.ingestMetrics().storedCount() > 20);
    AuditHarness.stop(first); // mid-stream: batches of 7, offsets partly committed
    var second = AuditHarness.start(vertx, config);
    try {
      String filter = "/api/v1/deployments?limit=500&service=dup-" + run.substring(0, 8);
      await().atMost(Duration.ofSeconds(90)).until(() -> {
        JsonNode items = json(get(second.port(), filter)).get("items");
        int succeeded = 0;
        for (JsonNode item : items) {
          succeeded += "succeeded".equals(item.get("status").asText()) ? 1 : 0;
        }
        return succeeded == 40;
      });
      JsonNode verify = json(get(second.port(), "/api/v1/audit/verify"));
      assertThat(verify.get("ok").asBoolean()).as(verify.toString()).isTrue();
      try (Database db = Database.openBlocking(config.database());
           var c = db.dataSource().getConnection();
           var ps = c.prepareStatement("SELECT COUNT(*) FROM events WHERE service = ?")) {
        ps.setString(1, "dup-" + run.substring(0, 8));
        try (var rs = ps.executeQuery()) {
          rs.next();
          assertThat(rs.getLong(1)).isEqualTo(200); // 40 deployments x 5 events, each once
        }
      }
    } finally {
      AuditHarness.stop(second);
    }
  }
}
