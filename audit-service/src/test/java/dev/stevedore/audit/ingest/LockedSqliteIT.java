package dev.stevedore.audit.ingest;

import static dev.stevedore.audit.testing.AuditHarness.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.Events;
import dev.stevedore.audit.testing.AuditHarness;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another process holds the SQLite file's write lock mid-ingest (a backup tool, an operator's
 * open transaction): the writer's BEGIN IMMEDIATE times out with SQLITE_BUSY while reads go on.
 * That is an outage: the consumer pauses, dead-letters nothing, and once the lock is released
 * every event is stored exactly once and the chain verifies. Slow by nature: SQLite's busy
 * timeout (15 s) passes before a write fails.
 */
class LockedSqliteIT {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void aWriteLockHeldElsewhereIsAnOutageNotARefusal() throws Exception {
    KafkaTestSupport kafka = KafkaTestSupport.shared();
    Vertx vertx = Vertx.vertx();
    Path file = dir.resolve("audit.db");
    AuditConfig.Database sqlite = new AuditConfig.Database(null, file.toString(), null, null, 4, 0, 0);
    var running = AuditHarness.start(vertx,
        AuditHarness.config(kafka, sqlite, "audit-locked-" + UUID.randomUUID(), 20));
    String run = UUID.randomUUID().toString().substring(0, 8);
    String service = "locked-" + run;
    List<StevedoreEvent> first = deployments(run, service, 0, 10);
    List<StevedoreEvent> second = deployments(run, service, 10, 30);
    try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + file);
         Connection holder = DriverManager.getConnection("jdbc:sqlite:" + file);
         Statement hold = holder.createStatement()) {
      AuditHarness.publish(kafka, first);
      await().atMost(Duration.ofSeconds(60)).until(() -> count(reader, service) == first.size());

      hold.execute("BEGIN IMMEDIATE");
      AuditHarness.publish(kafka, second);
      await().atMost(Duration.ofSeconds(90)).until(() ->
          get(running.port(), "/metrics", null).body().contains("stevedore_audit_ingest_paused 1.0"));
      double deadLettered = running.ingestMetrics().deadLettered.count();
      await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(count(reader, service)).isEqualTo(first.size());
        assertThat(running.ingestMetrics().deadLettered.count()).isEqualTo(deadLettered);
      });

      hold.execute("ROLLBACK");
      await().atMost(Duration.ofSeconds(90)).until(() -> count(reader, service) == first.size() + second.size());
      assertThat(countDistinct(reader, service)).isEqualTo(first.size() + second.size());
      Set<String> ours = new HashSet<>();
      first.forEach(e -> ours.add(e.id()));
      second.forEach(e -> ours.add(e.id()));
      Set<String> dead = kafka.readAll(Topics.DEAD_LETTERS, Duration.ofSeconds(5)).stream()
          .map(r -> r.key()).filter(ours::contains).collect(Collectors.toSet());
      assertThat(dead).isEmpty();
      JsonNode verify = JSON.readTree(get(running.port(), "/api/v1/audit/verify").body());
      assertThat(verify.get("ok").asBoolean()).as(verify.toString()).isTrue();
    } finally {
      AuditHarness.stop(running);
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  private static long count(Connection c, String service) throws SQLException {
    return single(c, "SELECT COUNT(*) FROM events WHERE service = ?", service);
  }

  private static long countDistinct(Connection c, String service) throws SQLException {
    return single(c, "SELECT COUNT(DISTINCT event_id) FROM events WHERE service = ?", service);
  }

  private static long single(Connection c, String sql, String service) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, service);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static List<StevedoreEvent> deployments(String run, String service, int from, int to) {
    Instant at = Instant.now().minusSeconds(600).truncatedTo(ChronoUnit.MILLIS);
    List<StevedoreEvent> events = new ArrayList<>();
    for (int i = from; i < to; i++) {
      events.addAll(Events.successfulDeployment(Events.deploymentId("locked-" + run + "-" + i), "web-1", service,
          "prod", "v" + i, at.plusSeconds(i)));
    }
    return events;
  }
}
