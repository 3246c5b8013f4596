package dev.stevedore.trigger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestVerifier;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenericHookIT {
  @TempDir static Path dir;
  static String bootstrap;
  static TestTrigger trigger;

  @BeforeAll
  static void start() throws Exception {
    bootstrap = TestKafka.shared().getBootstrapServers();
    trigger = TestTrigger.start(TestTrigger.config(bootstrap, dir));
  }

  @AfterAll
  static void stop() throws Exception {
    if (trigger != null) {
      trigger.close();
    }
  }

  @Test
  void webhookIsAcknowledgedOnlyOnceOnTheTopicSignedAndFaithful() throws Exception {
    HttpResponse<String> response = trigger.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
        "{\"service\":\"web\",\"environment\":\"staging\",\"version\":\"v1.2.3\",\"commit\":\"0123abc\",\"branch\":\"main\"}",
        Map.of("X-Stevedore-Delivery", "delivery-skeleton-1"));

    assertThat(response.statusCode()).isEqualTo(202);
    JsonObject body = new JsonObject(response.body());
    String expectedId = DeploymentIds.of("generic:ci", "delivery-skeleton-1");
    assertThat(body.getString("deploymentId")).isEqualTo(expectedId);
    assertThat(body.getBoolean("duplicate")).isFalse();

    // 202 came after the acknowledgement: the record is readable right away.
    List<ConsumerRecord<String, byte[]>> records = RequestsTopic.records(bootstrap);
    ConsumerRecord<String, byte[]> record = records.stream()
        .filter(r -> new String(r.value()).contains(expectedId)).findFirst().orElseThrow();
    assertThat(record.key()).isEqualTo("staging/web");
    DeployRequested request = new EventCodec().decode(record.value(), DeployRequested.class);
    assertThat(request.id()).isEqualTo(DeploymentIds.eventId(expectedId, "trigger", "requested"));
    assertThat(request.deploymentId()).isEqualTo(expectedId);
    assertThat(request.service()).isEqualTo("web");
    assertThat(request.environment()).isEqualTo("staging");
    assertThat(request.version()).isEqualTo("v1.2.3");
    assertThat(request.commit()).isEqualTo("0123abc");
    assertThat(request.branch()).isEqualTo("main");
    assertThat(request.trigger()).isEqualTo("generic");

    RequestVerifier verifier = new RequestVerifier(List.of(trigger.running.publicKey()), new EventCodec());
    assertThat(verifier.rejection(request)).isNull();
    // The public key written for agents is the one that verifies.
    String pem = Files.readString(dir.resolve("trigger-public.pem"));
    assertThat(new RequestVerifier(List.of(Ed25519Keys.publicKeyFromPem(pem)), new EventCodec()).verifies(request))
        .isTrue();
  }

  static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  /** The record of a deployment on the requests topic, with its extension attributes. */
  static dev.stevedore.common.event.DecodedEvent requestRecord(String deploymentId) throws Exception {
    ConsumerRecord<String, byte[]> record = RequestsTopic.records(bootstrap).stream()
        .filter(r -> new String(r.value()).contains(deploymentId)).findFirst().orElseThrow();
    return new EventCodec().decodeEvent(record.value());
  }

  @Test
  void aTraceparentHeaderGoesOnTheSignedRequestAsItsExtensionAttribute() throws Exception {
    HttpResponse<String> response = trigger.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
        "{\"service\":\"traced-svc\",\"environment\":\"staging\",\"version\":\"v1\"}",
        Map.of("Idempotency-Key", "traced-1", "traceparent", TRACEPARENT, "tracestate", "rojo=00f067aa0ba902b7, congo=t61rcWkgMzE"));
    assertThat(response.statusCode()).isEqualTo(202);

    var decoded = requestRecord(new JsonObject(response.body()).getString("deploymentId"));
    assertThat(decoded.extensions()).containsExactlyInAnyOrderEntriesOf(
        Map.of("traceparent", TRACEPARENT, "tracestate", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"));
    // Signed as ever: the extension attributes are outside what is signed, so agents of any version verify it.
    RequestVerifier verifier = new RequestVerifier(List.of(trigger.running.publicKey()), new EventCodec());
    assertThat(verifier.rejection((DeployRequested) decoded.event())).isNull();
  }

  @Test
  void aWrongOrHostileTraceHeaderIsIgnoredAndTheDeployStillAccepted() throws Exception {
    Map<String, String> wrong = Map.of(
        "upper-case", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
        "all-zero", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "injection", TRACEPARENT + "\",\"evil\":\"x",
        "oversized", TRACEPARENT + "-" + "a".repeat(4000),
        "future-version", "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    for (Map.Entry<String, String> header : wrong.entrySet()) {
      HttpResponse<String> response = trigger.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
          "{\"service\":\"untraced-svc\",\"environment\":\"staging\",\"version\":\"v1\"}",
          Map.of("Idempotency-Key", "untraced-" + header.getKey(), "traceparent", header.getValue(),
              "tracestate", "a=b"));
      assertThat(response.statusCode()).as(header.getKey()).isEqualTo(202);
      var decoded = requestRecord(new JsonObject(response.body()).getString("deploymentId"));
      assertThat(decoded.extensions()).as(header.getKey()).isEmpty();
      assertThat(decoded.event()).isInstanceOf(DeployRequested.class);
    }
    // A valid traceparent with a hostile tracestate: the traceparent is taken, the tracestate dropped.
    HttpResponse<String> response = trigger.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
        "{\"service\":\"untraced-svc\",\"environment\":\"staging\",\"version\":\"v2\"}",
        Map.of("Idempotency-Key", "half-traced", "traceparent", TRACEPARENT,
            "tracestate", "a=b,A=x,\"}evil=\"" + "v".repeat(600)));
    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(requestRecord(new JsonObject(response.body()).getString("deploymentId")).extensions())
        .containsExactly(Map.entry("traceparent", TRACEPARENT));
    String metrics = trigger.getOps("/metrics").body();
    assertThat(metrics).containsPattern("stevedore_trigger_trace_headers_total\\{[^}]*result=\"ignored\"[^}]*\\} 5\\.0")
        .containsPattern("stevedore_trigger_trace_headers_total\\{[^}]*result=\"tracestate-dropped\"[^}]*\\} 1\\.0");
  }

  @Test
  void wrongTokenLooksLikeAnUnknownPathAndPublishesNothing() throws Exception {
    String json = "{\"service\":\"wrong-token-svc\",\"environment\":\"staging\",\"version\":\"v1\"}";
    HttpResponse<String> wrong = trigger.postJson("/hooks/generic/not-the-token", json, Map.of());
    HttpResponse<String> unknownPath = trigger.postJson("/no/such/path", json, Map.of());

    assertThat(wrong.statusCode()).isEqualTo(404);
    assertThat(wrong.body()).isEqualTo(unknownPath.body());
    assertThat(wrong.headers().map()).isEqualTo(unknownPath.headers().map());

    // Barrier: a valid request published after the rejected one is on the topic; the rejected one is not.
    String sentinel = "sentinel-" + System.nanoTime();
    assertThat(trigger.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
        "{\"service\":\"wrong-token-svc\",\"environment\":\"staging\",\"version\":\"v2\"}",
        Map.of("X-Stevedore-Delivery", sentinel)).statusCode()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> !RequestsTopic.forService(bootstrap, "wrong-token-svc").isEmpty());
    assertThat(RequestsTopic.forService(bootstrap, "wrong-token-svc"))
        .extracting(DeployRequested::version).containsExactly("v2");
  }

  @Test
  void redeliveryIsOneDeploymentAndSaysDuplicate() throws Exception {
    String json = "{\"service\":\"dup-svc\",\"environment\":\"staging\",\"version\":\"v7\"}";
    Map<String, String> headers = Map.of("Idempotency-Key", "same-delivery-42");
    HttpResponse<String> first = trigger.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN, json, headers);
    HttpResponse<String> second = trigger.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN, json, headers);

    assertThat(first.statusCode()).isEqualTo(202);
    assertThat(second.statusCode()).isEqualTo(202);
    assertThat(new JsonObject(second.body()).getString("deploymentId"))
        .isEqualTo(new JsonObject(first.body()).getString("deploymentId"));
    assertThat(new JsonObject(first.body()).getBoolean("duplicate")).isFalse();
    assertThat(new JsonObject(second.body()).getBoolean("duplicate")).isTrue();
    assertThat(RequestsTopic.forService(bootstrap, "dup-svc")).hasSize(1);
  }

  @Test
  void invalidNamesAndVersionsAre400WithTheReason() throws Exception {
    HttpResponse<String> badService = trigger.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
        "{\"service\":\"Web;rm -rf\",\"environment\":\"staging\",\"version\":\"v1\"}", Map.of());
    HttpResponse<String> badVersion = trigger.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
        "{\"service\":\"bad-version-svc\",\"environment\":\"staging\",\"version\":\"$(reboot)\"}", Map.of());

    assertThat(badService.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(badService.body()).getString("detail")).contains("service");
    assertThat(badVersion.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(badVersion.body()).getString("detail")).contains("version");
    assertThat(RequestsTopic.forService(bootstrap, "bad-version-svc")).isEmpty();
    assertThat(Topics.REQUESTS).isNotBlank();
  }
}
