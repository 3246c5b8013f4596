package dev.stevedore.audit;

import static dev.stevedore.audit.testing.AuditHarness.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.audit.testing.AuditHarness;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.security.AgentSigner;
import dev.stevedore.common.security.AgentTrust;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An attacker with write access to the events and heartbeat topics, against an audit service
 * that trusts one agent key per host: forged outcomes and heartbeats for another host, or under
 * a stored event's id, are kept and shown (unverified, conflicts), and change no deployment's
 * status and no host in the inventory.
 */
class ForgedAgentEventsIT {
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void forgedOutcomesAndHeartbeatsAreShownUnverifiedAndChangeNothing() throws Exception {
    KafkaTestSupport kafka = KafkaTestSupport.shared();
    Vertx vertx = Vertx.vertx();
    String run = UUID.randomUUID().toString().substring(0, 8);
    String web1 = "web1-" + run;
    String web2 = "web2-" + run;
    KeyPair web1Key = Ed25519Keys.generate();
    KeyPair web2Key = Ed25519Keys.generate();
    AgentSigner agent1 = new AgentSigner(web1Key, Events.CODEC);
    AgentTrust trust = new AgentTrust(List.of(new AgentTrust.Agent(web1, Ed25519Keys.toPem(web1Key.getPublic())),
        new AgentTrust.Agent(web2, Ed25519Keys.toPem(web2Key.getPublic()))));
    AuditConfig base = AuditHarness.config(kafka, new AuditConfig.Database(null, dir.resolve("audit.db").toString(),
        null, null, 4, 0, 0), "audit-it-" + UUID.randomUUID(), 100);
    AuditConfig config = new AuditConfig(base.http(), base.kafka(), base.ingest(), base.database(), base.auth(),
        base.api(), trust);
    var running = AuditHarness.start(vertx, config);
    try {
      Instant at = Instant.now().minusSeconds(120).truncatedTo(ChronoUnit.MILLIS);
      String real = Events.deploymentId("real-" + run);
      String service = "svc-" + run;
      List<StevedoreEvent> genuine = new ArrayList<>();
      for (StevedoreEvent e : Events.successfulDeployment(real, web1, service, "prod", "v2", at)) {
        genuine.add(agent1.sign(e));
      }
      genuine.add(agent1.sign(Events.heartbeat(web1, "prod", "v2", at.plusSeconds(10))));
      AuditHarness.publish(kafka, genuine);

      // The attacker: web-1's key speaking for web-2, no signature at all, a key nobody trusts,
      // and a forged outcome under the genuine success's (predictable) event id.
      DeploySucceeded genuineSuccess = (DeploySucceeded) genuine.get(4);
      String other = Events.deploymentId("forged-" + run);
      List<StevedoreEvent> forged = List.of(
          agent1.sign(Events.requested(other, service, "prod", "v0-vulnerable", at.plusSeconds(20))),
          agent1.sign(Events.succeeded(other, web2, service, "prod", "v0-vulnerable", at.plusSeconds(21))),
          Events.heartbeat(web2, "prod", "v0-vulnerable", at.plusSeconds(22)),
          new AgentSigner(Ed25519Keys.generate(), Events.CODEC).sign(
              Events.heartbeat(web1, "prod", "v0-vulnerable", at.plusSeconds(23))),
          new dev.stevedore.common.event.DeployFailed("forged-failed-" + run, "stevedore://agent/" + web1,
              at.plusSeconds(24), real, web1, service, "prod", "v2", "health", 1, null, "unhealthy", "v1", 10),
          new DeploySucceeded(genuineSuccess.id(), genuineSuccess.source(), genuineSuccess.time(), real, web1, service,
              "prod", "v0-vulnerable", null, 1));
      AuditHarness.publish(kafka, forged);

      // The shared broker holds other tests' (unsigned) events too: look at this run's hosts only.
      await().atMost(Duration.ofSeconds(60)).until(() -> reasons(running.port(), run).size() == 4
          && conflicts(running.port(), genuineSuccess.id()).size() == 1);

      List<String> reasons = reasons(running.port(), run);
      assertThat(reasons).hasSize(4).anyMatch(r -> r.startsWith("deploy.succeeded " + web2) && r.contains("not " + web2))
          .anyMatch(r -> r.equals("agent.heartbeat " + web2 + ": unsigned"))
          .anyMatch(r -> r.startsWith("agent.heartbeat " + web1 + ": signed by untrusted key"))
          .anyMatch(r -> r.equals("deploy.failed " + web1 + ": unsigned"));

      JsonNode deployment = json(get(running.port(), "/api/v1/deployments/" + real));
      assertThat(deployment.get("status").asText()).isEqualTo("succeeded");
      assertThat(deployment.get("hosts").get(0).get("version").asText()).isEqualTo("v2");
      List<String> flagged = new ArrayList<>();
      deployment.get("timeline").forEach(n -> {
        if (n.hasNonNull("unverified")) {
          flagged.add(n.get("type").asText());
        }
      });
      assertThat(flagged).containsExactly("deploy.failed");
      JsonNode forgedDeployment = json(get(running.port(), "/api/v1/deployments/" + other));
      assertThat(forgedDeployment.get("status").asText()).isEqualTo("requested");
      assertThat(forgedDeployment.get("timeline")).anySatisfy(n ->
          assertThat(n.get("unverified").asText()).contains("not " + web2));

      JsonNode hosts = json(get(running.port(), "/api/v1/hosts?environment=prod&limit=10000")).get("items");
      List<String> seen = new ArrayList<>();
      hosts.forEach(h -> {
        if (h.get("host").asText().endsWith(run)) {
          seen.add(h.get("host").asText() + " " + h.get("services").get(0).get("version").asText());
        }
      });
      assertThat(seen).containsExactly(web1 + " v2");

      assertThat(conflicts(running.port(), genuineSuccess.id())).singleElement().satisfies(c ->
          assertThat(c.get("payload").asText()).contains("v0-vulnerable"));
      JsonNode report = json(get(running.port(), "/api/v1/audit/verify"));
      assertThat(report.get("ok").asBoolean()).isTrue();
      assertThat(report.get("unverified").asLong()).isGreaterThanOrEqualTo(4);
      assertThat(report.get("conflicts").asLong()).isGreaterThanOrEqualTo(1);
    } finally {
      AuditHarness.stop(running);
      vertx.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  /**
   * An attacker writes cancellations of a request that waits: unsigned, and signed with its own
   * key. With the trigger's key trusted they are stored flagged unverified and the deployment stays
   * {@code requested}; the cancellation the trigger signed makes it {@code cancelled}.
   */
  @Test
  void forgedCancellationsAreShownUnverifiedAndCancelNothing() throws Exception {
    KafkaTestSupport kafka = KafkaTestSupport.shared();
    Vertx vertx = Vertx.vertx();
    String run = UUID.randomUUID().toString().substring(0, 8);
    KeyPair triggerKeys = Ed25519Keys.generate();
    var trigger = new dev.stevedore.common.security.RequestSigner(triggerKeys, Events.CODEC);
    var mallory = new dev.stevedore.common.security.RequestSigner(Ed25519Keys.generate(), Events.CODEC);
    AuditConfig base = AuditHarness.config(kafka, new AuditConfig.Database(null, dir.resolve("audit.db").toString(),
        null, null, 4, 0, 0), "audit-it-" + UUID.randomUUID(), 100);
    AuditConfig config = new AuditConfig(base.http(), base.kafka(), base.ingest(), base.database(), base.auth(),
        base.api(), AgentTrust.none(), new AuditConfig.Trigger(List.of(Ed25519Keys.toPem(triggerKeys.getPublic()))));
    var running = AuditHarness.start(vertx, config);
    try {
      Instant at = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.MILLIS);
      String waiting = Events.deploymentId("waiting-" + run);
      String service = "svc-" + run;
      AuditHarness.publish(kafka, List.of(trigger.sign(Events.requested(waiting, service, "prod", "v3", at))));
      List<StevedoreEvent> forged = List.of(cancel("unsigned-" + run, waiting, service, at.plusSeconds(1)),
          mallory.sign(cancel("mallory-" + run, waiting, service, at.plusSeconds(2))));
      AuditHarness.publish(kafka, forged);

      await().atMost(Duration.ofSeconds(60)).until(() -> unverifiedOf(running.port(), waiting).size() == 2);
      assertThat(unverifiedOf(running.port(), waiting)).containsExactlyInAnyOrder(
          "deploy.cancelled: trigger signature: unsigned request",
          "deploy.cancelled: trigger signature: signed by untrusted key " + ((dev.stevedore.common.event.DeployCancelled)
              forged.get(1)).keyId());
      assertThat(json(get(running.port(), "/api/v1/deployments/" + waiting)).get("status").asText())
          .as("forged cancellations cancel nothing").isEqualTo("requested");

      AuditHarness.publish(kafka, List.of(trigger.sign(cancel("signed-" + run, waiting, service, at.plusSeconds(3)))));
      await().atMost(Duration.ofSeconds(60)).until(() ->
          json(get(running.port(), "/api/v1/deployments/" + waiting)).get("status").asText().equals("cancelled"));
      assertThat(unverifiedOf(running.port(), waiting)).hasSize(2);
    } finally {
      AuditHarness.stop(running);
      vertx.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static dev.stevedore.common.event.DeployCancelled cancel(String id, String deploymentId, String service,
      Instant at) {
    return new dev.stevedore.common.event.DeployCancelled(id, "stevedore://trigger/it", at, deploymentId, service,
        "prod", "api:someone", "stop");
  }

  /** "type: reason" of the unverified events of one deployment. */
  static List<String> unverifiedOf(int port, String deploymentId) throws Exception {
    List<String> out = new ArrayList<>();
    json(get(port, "/api/v1/audit/unverified?limit=500")).get("items").forEach(n -> {
      if (n.hasNonNull("deploymentId") && n.get("deploymentId").asText().equals(deploymentId)) {
        out.add(n.get("type").asText() + ": " + n.get("reason").asText());
      }
    });
    return out;
  }

  /** "type host: reason" of the unverified events of this run's hosts. */
  static List<String> reasons(int port, String run) throws Exception {
    List<String> out = new ArrayList<>();
    json(get(port, "/api/v1/audit/unverified?limit=500")).get("items").forEach(n -> {
      if (n.hasNonNull("host") && n.get("host").asText().endsWith(run)) {
        out.add(n.get("type").asText() + " " + n.get("host").asText() + ": " + n.get("reason").asText());
      }
    });
    return out;
  }

  static List<JsonNode> conflicts(int port, String eventId) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    json(get(port, "/api/v1/audit/conflicts?limit=500")).get("items").forEach(n -> {
      if (n.get("eventId").asText().equals(eventId)) {
        out.add(n);
      }
    });
    return out;
  }

  static JsonNode json(AuditHarness.Response r) throws Exception {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }
}
