package dev.stevedore.audit;

import static dev.stevedore.audit.testing.AuditHarness.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.audit.store.Database;
import dev.stevedore.audit.testing.AuditHarness;
import dev.stevedore.audit.testing.Postgres;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingest on real Kafka: several instances on one PostgreSQL, restarts, and events the store refuses. */
class AuditIngestIT {
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

  static List<StevedoreEvent> deployments(String prefix, String service, int count) {
    List<StevedoreEvent> events = new ArrayList<>();
    Instant at = Instant.now().minusSeconds(7200).truncatedTo(ChronoUnit.MILLIS);
    for (int i = 0; i < count; i++) {
      events.addAll(Events.successfulDeployment(Events.deploymentId(prefix + "-" + i), "web-" + (i % 4), service,
          "prod", "v" + i, at.plusSeconds(i)));
    }
    return events;
  }

  static long count(AuditConfig.Database database, String service) throws Exception {
    try (Database db = Database.openBlocking(database); Connection c = db.dataSource().getConnection();
         var ps = c.prepareStatement("SELECT COUNT(*), COUNT(DISTINCT event_id) FROM events WHERE service = ?")) {
      ps.setString(1, service);
      try (var rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(rs.getLong(2));
        return rs.getLong(1);
      }
    }
  }

  @Test
  void twoInstancesShareTheGroupAndOnePostgresChainWithoutDuplicates() throws Exception {
    AuditConfig.Database pg = Postgres.freshSchema();
    String group = "audit-pair-" + UUID.randomUUID();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String service = "pair-" + run;
    var a = AuditHarness.start(vertx, AuditHarness.config(kafka, pg, group, 25));
    var b = AuditHarness.start(vertx, AuditHarness.config(kafka, pg, group, 25));
    try {
      List<StevedoreEvent> events = deployments("pair-" + run, service, 60);
      AuditHarness.publish(kafka, events);
      AuditHarness.publish(kafka, events.subList(0, 100)); // redelivered duplicates
      await().atMost(Duration.ofSeconds(120)).until(() -> count(pg, service) == 300);
      String all = "/api/v1/deployments?limit=100&service=" + service;
      try {
        await().atMost(Duration.ofSeconds(30)).until(() ->
            JSON.readTree(get(a.port(), all + "&status=succeeded").body()).get("items").size() == 60);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        StringBuilder state = new StringBuilder();
        for (JsonNode d : JSON.readTree(get(a.port(), all).body()).get("items")) {
          if (!"succeeded".equals(d.get("status").asText())) {
            state.append(JSON.readTree(get(a.port(), "/api/v1/deployments/" + d.get("id").asText()).body())).append('\n');
          }
        }
        throw new AssertionError("deployments not succeeded:\n" + state, e);
      }
      JsonNode verify = JSON.readTree(get(b.port(), "/api/v1/audit/verify").body());
      assertThat(verify.get("ok").asBoolean()).as(verify.toString()).isTrue();
      assertThat(a.ingestMetrics().storedCount() + b.ingestMetrics().storedCount()).isGreaterThanOrEqualTo(300);
    } finally {
      AuditHarness.stop(a);
      AuditHarness.stop(b);
      Postgres.dropSchema(pg);
    }
  }

  @Test
  void restartMidStreamOnPostgresStoresEachEventOnce() throws Exception {
    AuditConfig.Database pg = Postgres.freshSchema();
    AuditConfig config = AuditHarness.config(kafka, pg, "audit-restart-" + UUID.randomUUID(), 5);
    String run = UUID.randomUUID().toString().substring(0, 8);
    String service = "restart-" + run;
    List<StevedoreEvent> events = deployments("restart-" + run, service, 40);
    AuditHarness.publish(kafka, events);
    AuditHarness.publish(kafka, events);
    var first = AuditHarness.start(vertx, config);
    await().atMost(Duration.ofSeconds(60)).until(() -> first.ingestMetrics().storedCount() > 10);
    AuditHarness.stop(first);
    var second = AuditHarness.start(vertx, config);
    try {
      await().atMost(Duration.ofSeconds(120)).until(() -> count(pg, service) == 200);
      // nothing more may arrive
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> count(pg, service) == 200);
      assertThat(JSON.readTree(get(second.port(), "/api/v1/audit/verify").body()).get("ok").asBoolean()).isTrue();
    } finally {
      AuditHarness.stop(second);
      Postgres.dropSchema(pg);
    }
  }

  @Test
  void anEventTheDatabaseRefusesIsDeadLetteredAndTheRestOfItsBatchStored() throws Exception {
    AuditConfig.Database sqlite = new AuditConfig.Database(null, dir.resolve("audit.db").toString(), null, null, 4, 0, 0);
    String run = UUID.randomUUID().toString().substring(0, 8);
    String service = "poison-" + run;
    List<StevedoreEvent> events = deployments("poison-" + run, service, 4);
    String poisonId = events.get(7).id();
    try (Database db = Database.openBlocking(sqlite); Connection c = db.dataSource().getConnection();
         Statement st = c.createStatement()) {
      // A database-side rule this one event breaks (as a constraint or a full disk would).
      st.execute("CREATE TRIGGER refuse_poison BEFORE INSERT ON events WHEN NEW.event_id = '" + poisonId
          + "' BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END");
    }
    String oversized = "{\"specversion\":\"1.0\",\"pad\":\"" + "x".repeat(300 * 1024) + "\"}";
    kafka.send(Topics.EVENTS, "big-" + run, oversized);
    AuditHarness.publish(kafka, events);
    var running = AuditHarness.start(vertx, AuditHarness.config(kafka, sqlite, "audit-poison-" + UUID.randomUUID(), 500));
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> count(sqlite, service) == 19);
      List<ConsumerRecord<String, String>> dead = kafka.readAll(Topics.DEAD_LETTERS, Duration.ofSeconds(30));
      assertThat(dead).filteredOn(r -> poisonId.equals(r.key())).singleElement().satisfies(r ->
          assertThat(new String(r.headers().lastHeader(Topics.HEADER_REASON).value(), StandardCharsets.UTF_8))
              .startsWith("storage rejected").contains("refused by test trigger"));
      assertThat(dead).filteredOn(r -> ("big-" + run).equals(r.key())).singleElement().satisfies(r ->
          assertThat(new String(r.headers().lastHeader(Topics.HEADER_REASON).value(), StandardCharsets.UTF_8))
              .contains("exceeds"));
      assertThat(JSON.readTree(get(running.port(), "/api/v1/audit/verify").body()).get("ok").asBoolean()).isTrue();
    } finally {
      AuditHarness.stop(running);
    }
  }
}
