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
import dev.stevedore.testing.PgCluster;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL turns read-only mid-ingest (as after a failover to a replica, or an operator's
 * default_transaction_read_only), while it still answers every read: the consumer pauses and
 * retries, and dead-letters nothing. Once it takes writes again, every event is stored exactly
 * once and the chain verifies. Uses a throwaway cluster of its own.
 */
class ReadOnlyDatabaseIT {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aReadOnlyDatabaseIsAnOutageNotARefusal() throws Exception {
    KafkaTestSupport kafka = KafkaTestSupport.shared();
    Vertx vertx = Vertx.vertx();
    try (PgCluster pg = PgCluster.create()) {
      pg.start();
      AuditConfig config = AuditHarness.config(kafka, AuditHarness.database(pg), "audit-read-only-" + UUID.randomUUID(), 20);
      var running = AuditHarness.start(vertx, config);
      String run = UUID.randomUUID().toString().substring(0, 8);
      String service = "read-only-" + run;
      List<StevedoreEvent> first = deployments(run, service, 0, 10);
      List<StevedoreEvent> second = deployments(run, service, 10, 40);
      try (Connection admin = DriverManager.getConnection(pg.jdbcUrl(), "postgres", null);
           Statement st = admin.createStatement()) {
        AuditHarness.publish(kafka, first);
        await().atMost(Duration.ofSeconds(60)).until(() -> count(st, service) == first.size());

        st.execute("ALTER DATABASE postgres SET default_transaction_read_only = on");
        terminateTheService(st);
        AuditHarness.publish(kafka, second);

        await().atMost(Duration.ofSeconds(60)).until(() ->
            get(running.port(), "/metrics", null).body().contains("stevedore_audit_ingest_paused 1.0"));
        // While read-only, the reads still work; nothing more is stored and nothing dead-lettered.
        // (The group reads the shared topics from the start: records other tests left there that
        // do not decode are dead-lettered before the pause, so the counter need not be zero.)
        double deadLettered = running.ingestMetrics().deadLettered.count();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
          assertThat(count(st, service)).isEqualTo(first.size());
          assertThat(running.ingestMetrics().deadLettered.count()).isEqualTo(deadLettered);
        });

        st.execute("ALTER DATABASE postgres SET default_transaction_read_only = off");
        terminateTheService(st); // the connections opened meanwhile keep the read-only default
        await().atMost(Duration.ofSeconds(90)).until(() -> count(st, service) == first.size() + second.size());
        assertThat(countDistinct(st, service)).isEqualTo(first.size() + second.size());
        Set<String> ours = new java.util.HashSet<>();
        first.forEach(e -> ours.add(e.id()));
        second.forEach(e -> ours.add(e.id()));
        Set<String> dead = kafka.readAll(Topics.DEAD_LETTERS, Duration.ofSeconds(5)).stream()
            .map(r -> r.key()).filter(ours::contains).collect(Collectors.toSet());
        assertThat(dead).isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() ->
            get(running.port(), "/metrics", null).body().contains("stevedore_audit_ingest_paused 0.0"));
        JsonNode verify = JSON.readTree(get(running.port(), "/api/v1/audit/verify").body());
        assertThat(verify.get("ok").asBoolean()).as(verify.toString()).isTrue();
      } finally {
        AuditHarness.stop(running);
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  /** Ends the audit service's sessions, so its pool reconnects under the database's new default. */
  private static void terminateTheService(Statement st) throws SQLException {
    st.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        + "WHERE application_name = 'stevedore-audit' AND pid <> pg_backend_pid()");
  }

  private static long count(Statement st, String service) throws SQLException {
    try (var rs = st.executeQuery("SELECT COUNT(*) FROM events WHERE service = '" + service + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long countDistinct(Statement st, String service) throws SQLException {
    try (var rs = st.executeQuery("SELECT COUNT(DISTINCT event_id) FROM events WHERE service = '" + service + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<StevedoreEvent> deployments(String run, String service, int from, int to) {
    Instant at = Instant.now().minusSeconds(600).truncatedTo(ChronoUnit.MILLIS);
    List<StevedoreEvent> events = new ArrayList<>();
    for (int i = from; i < to; i++) {
      events.addAll(Events.successfulDeployment(Events.deploymentId("read-only-" + run + "-" + i), "web-1", service,
          "prod", "v" + i, at.plusSeconds(i)));
    }
    return events;
  }
}
