package dev.stevedore.audit;

import static dev.stevedore.audit.testing.AuditHarness.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.audit.testing.AuditHarness;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.testing.KafkaTestSupport;
import dev.stevedore.testing.PgCluster;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL goes away while events keep arriving: the consumer pauses (nothing dropped, nothing
 * skipped), readiness turns DOWN, queries answer 503; after the database returns, every event is
 * stored exactly once and the chain verifies. Uses a throwaway cluster of its own.
 */
class DatabaseOutageIT {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void pausesDuringAnOutageAndLosesNothing() throws Exception {
    KafkaTestSupport kafka = KafkaTestSupport.shared();
    Vertx vertx = Vertx.vertx();
    try (PgCluster pg = PgCluster.create()) {
      pg.start();
      // Batches of 20 events: what arrives during the outage is several batches, so the batch that
      // fails is rewound together with the next one, polled while it was being stored.
      AuditConfig config = AuditHarness.config(kafka, AuditHarness.database(pg), "audit-outage-" + UUID.randomUUID(), 20);
      var running = AuditHarness.start(vertx, config);
      int port = running.port();
      String run = UUID.randomUUID().toString().substring(0, 8);
      String service = "outage-" + run;
      Instant at = Instant.now().minusSeconds(600).truncatedTo(ChronoUnit.MILLIS);
      try {
        AuditHarness.publish(kafka, deployments(run, service, at, 0, 10));
        await().atMost(Duration.ofSeconds(60)).until(() -> succeeded(port, service) == 10);

        pg.stop();
        AuditHarness.publish(kafka, deployments(run, service, at, 10, 40));

        await().atMost(Duration.ofSeconds(60)).until(() ->
            get(port, "/metrics", null).body().contains("stevedore_audit_ingest_paused 1.0"));
        assertThat(get(port, "/health/ready", null).status()).isEqualTo(503);
        AuditHarness.Response query = get(port, "/api/v1/deployments?service=" + service);
        assertThat(query.status()).isEqualTo(503);
        assertThat(query.headers().get("retry-after")).containsExactly("5");
        // several probe cycles against the dead server: the consumer stays paused
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
            get(port, "/metrics", null).body().contains("stevedore_audit_ingest_paused 1.0"));

        pg.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> succeeded(port, service) == 40);
        assertThat(get(port, "/metrics", null).body()).contains("stevedore_audit_ingest_paused 0.0");
        JsonNode verify = JSON.readTree(get(port, "/api/v1/audit/verify").body());
        assertThat(verify.get("ok").asBoolean()).as(verify.toString()).isTrue();
        JsonNode export = null;
        int ours = 0;
        for (String line : get(port, "/api/v1/export").body().split("\n")) {
          export = JSON.readTree(line);
          ours += line.contains(service) ? 1 : 0;
        }
        assertThat(export).isNotNull();
        assertThat(ours).isEqualTo(200); // 40 deployments x 5 events, each stored once
      } finally {
        AuditHarness.stop(running);
        vertx.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }

  private static List<StevedoreEvent> deployments(String run, String service, Instant at, int from, int to) {
    List<StevedoreEvent> events = new ArrayList<>();
    for (int i = from; i < to; i++) {
      events.addAll(Events.successfulDeployment(Events.deploymentId("outage-" + run + "-" + i), "web-1", service,
          "prod", "v" + i, at.plusSeconds(i)));
    }
    return events;
  }

  private static int succeeded(int port, String service) throws Exception {
    AuditHarness.Response r = get(port, "/api/v1/deployments?limit=100&status=succeeded&service=" + service);
    return r.status() == 200 ? JSON.readTree(r.body()).get("items").size() : -1;
  }
}
