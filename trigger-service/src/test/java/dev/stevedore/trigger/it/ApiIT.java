package dev.stevedore.trigger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.VersionUnblocked;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.security.AgentSigner;
import dev.stevedore.common.security.AgentTrust;
import dev.stevedore.common.security.Ed25519Keys;
import dev.stevedore.common.security.RequestVerifier;
import dev.stevedore.trigger.TriggerConfig;
import java.security.KeyPair;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manual API on real Kafka: deploy, schedule (at/atq/at -c/atrm), rollback, and its guards. */
class ApiIT {
  @TempDir static Path dir;
  static String bootstrap;
  static TestTrigger trigger;
  static final Map<String, String> DEPLOYER = Map.of("Authorization", "Bearer " + TestTrigger.DEPLOYER_TOKEN);
  static final Map<String, String> VIEWER = Map.of("Authorization", "Bearer " + TestTrigger.VIEWER_TOKEN);
  /** The agent key of host-1, which the trigger trusts for host-1 only. */
  static final KeyPair HOST_1 = Ed25519Keys.generate();

  @BeforeAll
  static void start() throws Exception {
    bootstrap = TestKafka.shared().getBootstrapServers();
    TriggerConfig c = TestTrigger.config(bootstrap, dir);
    trigger = TestTrigger.start(new TriggerConfig(c.instanceId(), c.http(), c.kafka(), c.topics(), c.signing(),
        c.generic(), c.github(), c.gitlab(), c.repositories(), c.api(), c.schedules(), c.limits(), c.history(),
        new AgentTrust(List.of(new AgentTrust.Agent("host-1", Ed25519Keys.toPem(HOST_1.getPublic()))))));
  }

  @AfterAll
  static void stop() throws Exception {
    if (trigger != null) {
      trigger.close();
    }
  }

  private static List<DeployRequested> published(String deploymentId) {
    return RequestsTopic.requests(bootstrap).stream().filter(r -> r.deploymentId().equals(deploymentId))
        .collect(Collectors.toList());
  }

  private static HttpResponse<String> deploy(String json, Map<String, String> headers) throws Exception {
    return trigger.postJson("/api/v1/deployments", json, headers);
  }

  @Test
  void anApiDeploysTraceparentGoesOnItsRequest() throws Exception {
    String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
    HttpResponse<String> r = deploy("{\"service\":\"traced-api-svc\",\"environment\":\"staging\",\"version\":\"v1\",\"reason\":\"traced\"}",
        Map.of("Authorization", DEPLOYER.get("Authorization"), "traceparent", traceparent));
    assertThat(r.statusCode()).isEqualTo(202);
    String id = new JsonObject(r.body()).getString("deploymentId");
    byte[] value = RequestsTopic.records(bootstrap).stream().map(org.apache.kafka.clients.consumer.ConsumerRecord::value)
        .filter(v -> new String(v, java.nio.charset.StandardCharsets.UTF_8).contains(id)).findFirst().orElseThrow();
    assertThat(new dev.stevedore.common.event.EventCodec().decodeEvent(value).extensions())
        .containsExactly(Map.entry("traceparent", traceparent));
  }

  @Test
  void manualDeployIsPublishedSignedWithTheTokenNameAndReason() throws Exception {
    HttpResponse<String> r = deploy("{\"service\":\"manual-svc\",\"environment\":\"staging\",\"version\":\"v9\","
        + "\"reason\":\"hotfix for INC-42\"}", Map.of("Authorization", DEPLOYER.get("Authorization"),
        "Idempotency-Key", "manual-1"));
    assertThat(r.statusCode()).isEqualTo(202);
    String id = new JsonObject(r.body()).getString("deploymentId");
    assertThat(id).isEqualTo(DeploymentIds.of("manual:alice", "manual-1"));
    List<DeployRequested> found = published(id);
    assertThat(found).hasSize(1);
    DeployRequested req = found.get(0);
    assertThat(req.trigger()).isEqualTo("manual");
    assertThat(req.requestedBy()).isEqualTo("api:alice");
    assertThat(req.reason()).isEqualTo("hotfix for INC-42");
    assertThat(new RequestVerifier(List.of(trigger.running.publicKey()), new EventCodec()).verifies(req)).isTrue();
  }

  @Test
  void forcedManualDeployCarriesForceInsideTheSignedRequest() throws Exception {
    HttpResponse<String> r = deploy("{\"service\":\"forced-svc\",\"environment\":\"staging\",\"version\":\"v3\","
        + "\"reason\":\"re-run the migration\",\"force\":true}", DEPLOYER);
    HttpResponse<String> viewer = deploy("{\"service\":\"forced-svc\",\"environment\":\"staging\",\"version\":\"v4\","
        + "\"reason\":\"x\",\"force\":true}", VIEWER);
    HttpResponse<String> notBoolean = deploy("{\"service\":\"forced-svc\",\"environment\":\"staging\","
        + "\"version\":\"v5\",\"reason\":\"x\",\"force\":\"true\"}", DEPLOYER);
    assertThat(r.statusCode()).isEqualTo(202);
    assertThat(viewer.statusCode()).isEqualTo(403);
    assertThat(notBoolean.statusCode()).isEqualTo(400);
    assertThat(notBoolean.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/problem+json"));
    DeployRequested req = published(new JsonObject(r.body()).getString("deploymentId")).get(0);
    assertThat(req.forced()).isTrue();
    assertThat(new RequestVerifier(List.of(trigger.running.publicKey()), new EventCodec()).verifies(req)).isTrue();
    assertThat(RequestsTopic.forService(bootstrap, "forced-svc")).hasSize(1);
  }

  @Test
  void liftingABlockPublishesASignedUnblockKeyedByEnvironmentAndService() throws Exception {
    HttpResponse<String> r = trigger.deleteJson("/api/v1/blocks/staging/unblock-svc/v7",
        "{\"reason\":\"image rebuilt\",\"hosts\":[\"web-1\"]}", DEPLOYER);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getString("version")).isEqualTo("v7");
    assertThat(body.getJsonArray("hosts").getList()).containsExactly("web-1");
    VersionUnblocked u = RequestsTopic.unblocks(bootstrap).stream()
        .filter(x -> x.deploymentId().equals(body.getString("unblockId"))).findFirst().orElseThrow();
    assertThat(u.service()).isEqualTo("unblock-svc");
    assertThat(u.environment()).isEqualTo("staging");
    assertThat(u.target().hosts()).containsExactly("web-1");
    assertThat(u.requestedBy()).isEqualTo("api:alice");
    assertThat(u.reason()).isEqualTo("image rebuilt");
    assertThat(new RequestVerifier(List.of(trigger.running.publicKey()), new EventCodec()).verifies(u)).isTrue();
  }

  @Test
  void cancellingAPublishedDeploymentPublishesASignedCancellationForItsServiceAndEnvironment() throws Exception {
    HttpResponse<String> r = deploy("{\"service\":\"cancel-svc\",\"environment\":\"staging\",\"version\":\"v5\","
        + "\"reason\":\"to be cancelled\"}", DEPLOYER);
    String id = new JsonObject(r.body()).getString("deploymentId");
    String path = "/api/v1/deployments/" + id + "/cancel";
    String unknown = "/api/v1/deployments/" + UUID.randomUUID() + "/cancel";
    assertThat(trigger.postJson(path, "{\"reason\":\"x\"}", VIEWER).statusCode()).isEqualTo(403);
    assertThat(trigger.postJson(path, "{\"reason\":\"x\"}", Map.of()).statusCode()).isEqualTo(401);
    assertThat(trigger.postJson(path, "{\"reason\":\"x\",\"service\":\"other\"}", DEPLOYER).statusCode())
        .as("the service comes from the verified request, not the caller").isEqualTo(400);
    assertThat(trigger.postJson(path, "{\"reason\":", DEPLOYER).statusCode()).isEqualTo(400);
    assertThat(trigger.postJson(path, "{\"reason\":\"" + "x".repeat(70_000) + "\"}", DEPLOYER).statusCode())
        .isIn(400, 413);
    assertThat(trigger.postJson(unknown, "{}", DEPLOYER).statusCode()).isEqualTo(404);
    assertThat(trigger.postJson("/api/v1/deployments/not-a-uuid/cancel", "{}", DEPLOYER).statusCode()).isEqualTo(404);
    // The history reads the request back from the topic: until then the deployment is unknown (404).
    HttpResponse<String> c = await().atMost(Duration.ofSeconds(30)).until(
        () -> trigger.postJson(path, "{\"reason\":\"wrong build\"}", DEPLOYER), x -> x.statusCode() != 404);
    assertThat(c.statusCode()).as(c.body()).isEqualTo(202);
    JsonObject body = new JsonObject(c.body());
    assertThat(body.getString("deploymentId")).isEqualTo(id);
    assertThat(body.getString("service")).isEqualTo("cancel-svc");
    List<dev.stevedore.common.event.DeployCancelled> found = RequestsTopic.cancellations(bootstrap).stream()
        .filter(x -> x.deploymentId().equals(id)).toList();
    assertThat(found).singleElement().satisfies(x -> {
      assertThat(x.id()).isEqualTo(body.getString("cancellationId"));
      assertThat(x.service()).isEqualTo("cancel-svc");
      assertThat(x.environment()).isEqualTo("staging");
      assertThat(x.requestedBy()).isEqualTo("api:alice");
      assertThat(x.reason()).isEqualTo("wrong build");
      assertThat(new RequestVerifier(List.of(trigger.running.publicKey()), new EventCodec()).rejection(x)).isNull();
    });
  }

  @Test
  void liftingABlockNeedsTheDeployerRoleAReasonAndValidNames() throws Exception {
    String ok = "{\"reason\":\"fixed\"}";
    HttpResponse<String> anonymous = trigger.deleteJson("/api/v1/blocks/staging/guard-svc/v1", ok, Map.of());
    HttpResponse<String> viewer = trigger.deleteJson("/api/v1/blocks/staging/guard-svc/v1", ok, VIEWER);
    HttpResponse<String> noReason = trigger.deleteJson("/api/v1/blocks/staging/guard-svc/v1", "{}", DEPLOYER);
    HttpResponse<String> noBody = trigger.delete("/api/v1/blocks/staging/guard-svc/v1", DEPLOYER);
    HttpResponse<String> badService = trigger.deleteJson("/api/v1/blocks/staging/Guard%20Svc/v1", ok, DEPLOYER);
    HttpResponse<String> badVersion = trigger.deleteJson("/api/v1/blocks/staging/guard-svc/v1%3Brm", ok, DEPLOYER);
    HttpResponse<String> badHosts = trigger.deleteJson("/api/v1/blocks/staging/guard-svc/v1",
        "{\"reason\":\"x\",\"hosts\":[\"a b\"]}", DEPLOYER);

    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(viewer.statusCode()).isEqualTo(403);
    assertThat(viewer.body()).contains("lacks role deployer");
    assertThat(noReason.statusCode()).isEqualTo(400);
    assertThat(noReason.body()).contains("missing reason");
    assertThat(noBody.statusCode()).isIn(400, 415);
    assertThat(badService.statusCode()).isEqualTo(400);
    assertThat(badService.body()).contains("service must match");
    assertThat(badVersion.statusCode()).isEqualTo(400);
    assertThat(badVersion.body()).contains("version must be");
    assertThat(badHosts.statusCode()).isEqualTo(400);
    for (HttpResponse<String> refused : List.of(viewer, noReason, badService, badVersion, badHosts)) {
      assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
          t -> assertThat(t).startsWith("application/problem+json"));
    }
    assertThat(RequestsTopic.unblocks(bootstrap)).noneMatch(u -> u.service().equals("guard-svc"));
  }

  @Test
  void apiNeedsAKnownTokenWithTheRightRole() throws Exception {
    String json = "{\"service\":\"guarded-svc\",\"environment\":\"staging\",\"version\":\"v1\",\"reason\":\"x\"}";
    HttpResponse<String> none = deploy(json, Map.of());
    HttpResponse<String> wrong = deploy(json, Map.of("Authorization", "Bearer not-a-token-at-all"));
    HttpResponse<String> viewer = deploy(json, VIEWER);
    HttpResponse<String> viewerReads = trigger.get("/api/v1/schedules", VIEWER);

    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(wrong.statusCode()).isEqualTo(401);
    assertThat(viewer.statusCode()).isEqualTo(403);
    assertThat(viewerReads.statusCode()).isEqualTo(200);
    assertThat(RequestsTopic.forService(bootstrap, "guarded-svc")).isEmpty();
  }

  @Test
  void manualDeployNeedsAReasonAndValidFields() throws Exception {
    HttpResponse<String> noReason = deploy("{\"service\":\"r-svc\",\"environment\":\"staging\",\"version\":\"v1\"}", DEPLOYER);
    HttpResponse<String> badTime = deploy("{\"service\":\"r-svc\",\"environment\":\"staging\",\"version\":\"v1\","
        + "\"reason\":\"x\",\"notBefore\":\"tomorrow\"}", DEPLOYER);
    HttpResponse<String> unknownField = deploy("{\"service\":\"r-svc\",\"environment\":\"staging\",\"version\":\"v1\","
        + "\"reason\":\"x\",\"hosts\":[\"a\"]}", DEPLOYER);
    assertThat(noReason.statusCode()).isEqualTo(400);
    assertThat(noReason.body()).contains("reason");
    assertThat(badTime.statusCode()).isEqualTo(400);
    assertThat(badTime.body()).contains("notBefore");
    assertThat(unknownField.statusCode()).isEqualTo(400);
    assertThat(unknownField.body()).contains("hosts");
    assertThat(RequestsTopic.forService(bootstrap, "r-svc")).isEmpty();
  }

  @Test
  void scheduledDeployIsListedShownPublishedAtItsTimeAndThenShownFired() throws Exception {
    Instant at = Instant.now().plusSeconds(3);
    HttpResponse<String> r = deploy("{\"service\":\"at-svc\",\"environment\":\"staging\",\"version\":\"v5\","
        + "\"reason\":\"night window\",\"notBefore\":\"" + at + "\"}", DEPLOYER);
    assertThat(r.statusCode()).isEqualTo(202);
    JsonObject body = new JsonObject(r.body());
    assertThat(body.getBoolean("scheduled")).isTrue();
    String id = body.getString("deploymentId");

    HttpResponse<String> atq = trigger.get("/api/v1/schedules", VIEWER);
    assertThat(new JsonObject(atq.body()).getJsonArray("schedules").stream()
        .map(o -> ((JsonObject) o).getString("id"))).contains(id);
    HttpResponse<String> atc = trigger.get("/api/v1/schedules/" + id, VIEWER);
    assertThat(new JsonObject(atc.body()).getString("state")).isEqualTo("pending");
    assertThat(new JsonObject(atc.body()).getString("version")).isEqualTo("v5");
    assertThat(published(id)).isEmpty();

    await().atMost(Duration.ofSeconds(15)).until(() -> published(id).size() == 1);
    DeployRequested req = published(id).get(0);
    assertThat(req.trigger()).isEqualTo("schedule");
    assertThat(req.time()).isAfterOrEqualTo(at.minusMillis(1));
    await().atMost(Duration.ofSeconds(5)).until(() ->
        new JsonObject(trigger.get("/api/v1/schedules/" + id, VIEWER).body()).getString("state").equals("fired"));
    assertThat(new JsonObject(trigger.get("/api/v1/schedules", VIEWER).body()).getJsonArray("schedules").stream()
        .map(o -> ((JsonObject) o).getString("id"))).doesNotContain(id);
  }

  @Test
  void cancelledScheduleNeverFires() throws Exception {
    // far enough ahead that the cancellation comes first on a loaded machine (2 s was not: 409, already fired)
    Instant at = Instant.now().plusSeconds(10);
    HttpResponse<String> r = deploy("{\"service\":\"atrm-svc\",\"environment\":\"staging\",\"version\":\"v5\","
        + "\"reason\":\"will be cancelled\",\"notBefore\":\"" + at + "\"}", DEPLOYER);
    String id = new JsonObject(r.body()).getString("deploymentId");
    HttpResponse<String> byViewer = trigger.delete("/api/v1/schedules/" + id, VIEWER);
    HttpResponse<String> cancel = trigger.delete("/api/v1/schedules/" + id, DEPLOYER);
    HttpResponse<String> again = trigger.delete("/api/v1/schedules/" + id, DEPLOYER);
    HttpResponse<String> unknown = trigger.delete("/api/v1/schedules/" + UUID.randomUUID(), DEPLOYER);

    assertThat(byViewer.statusCode()).isEqualTo(403);
    assertThat(cancel.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(cancel.body()).getString("state")).isEqualTo("cancelled");
    assertThat(again.statusCode()).isEqualTo(409);
    assertThat(unknown.statusCode()).isEqualTo(404);

    // Past its time, and after a later schedule fired (a barrier), it is still not on the topic.
    HttpResponse<String> later = deploy("{\"service\":\"atrm-svc\",\"environment\":\"staging\",\"version\":\"v6\","
        + "\"reason\":\"barrier\",\"notBefore\":\"" + at.plusSeconds(1) + "\"}", DEPLOYER);
    String laterId = new JsonObject(later.body()).getString("deploymentId");
    await().atMost(Duration.ofSeconds(40)).until(() -> published(laterId).size() == 1);
    assertThat(RequestsTopic.forService(bootstrap, "atrm-svc")).extracting(DeployRequested::version).containsExactly("v6");
  }

  @Test
  void rollbackRequestsTheLastVersionThatSucceededBefore() throws Exception {
    String svc = "rb-svc";
    String first = new JsonObject(deploy("{\"service\":\"" + svc + "\",\"environment\":\"staging\",\"version\":\"v1\","
        + "\"reason\":\"first\"}", DEPLOYER).body()).getString("deploymentId");
    succeeded(first, svc, "v1");
    String second = new JsonObject(deploy("{\"service\":\"" + svc + "\",\"environment\":\"staging\",\"version\":\"v2\","
        + "\"reason\":\"second\"}", DEPLOYER).body()).getString("deploymentId");
    succeeded(second, svc, "v2");

    // The history is read from the topics asynchronously: wait until it knows both.
    await().atMost(Duration.ofSeconds(20)).until(() ->
        trigger.postJson("/api/v1/deployments/" + second + "/rollback", "{\"reason\":\"v2 is slow\"}", DEPLOYER)
            .statusCode() == 202);
    List<DeployRequested> rollbacks = RequestsTopic.forService(bootstrap, svc).stream()
        .filter(r -> r.trigger().equals("rollback")).collect(Collectors.toList());
    assertThat(rollbacks).hasSize(1);
    assertThat(rollbacks.get(0).version()).isEqualTo("v1");
    assertThat(rollbacks.get(0).reason()).isEqualTo("v2 is slow");

    HttpResponse<String> nothingBefore = trigger.postJson("/api/v1/deployments/" + first + "/rollback", "{}", DEPLOYER);
    HttpResponse<String> unknown = trigger.postJson("/api/v1/deployments/" + UUID.randomUUID() + "/rollback", "{}", DEPLOYER);
    HttpResponse<String> notAnId = trigger.postJson("/api/v1/deployments/..%2F..%2Fetc/rollback", "{}", DEPLOYER);
    assertThat(nothingBefore.statusCode()).isEqualTo(409);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(notAnId.statusCode()).isEqualTo(404);
  }

  @Test
  void forgedRecordsOnTheTopicsChangeNoRollbackTargetAndNoDuplicateAnswer() throws Exception {
    String svc = "forge-svc";
    String first = new JsonObject(deploy("{\"service\":\"" + svc + "\",\"environment\":\"staging\",\"version\":\"v1\","
        + "\"reason\":\"first\"}", DEPLOYER).body()).getString("deploymentId");
    succeeded(first, svc, "v1");
    // A host that may write to the topics: an unsigned request with a predictable id (the next
    // manual deploy's), a success for it with a vulnerable version, a success for an id no
    // request names, and a success that contradicts the real first request's version.
    String predictable = DeploymentIds.of("manual:alice", "forge-next");
    Instant past = Instant.now();
    publish(Topics.REQUESTS, "staging/" + svc, new DeployRequested(DeploymentIds.eventId(predictable, "-", "requested"),
        "stevedore://trigger/x", past, predictable, svc, "staging", "v0-vulnerable", null, null, null, "mallory",
        "manual", "forged", null, null, null));
    succeededAt(predictable, "host-1", svc, "v0-vulnerable", past, HOST_1);
    succeededAt(UUID.randomUUID().toString(), "host-1", svc, "v0-vulnerable", past, HOST_1);
    succeededAt(first, "host-1", svc, "v0-vulnerable", past, HOST_1);
    // The second deployment (its id is predictable too) never succeeds; the attacker says it did:
    // matching its request exactly, once unsigned and once with host-1's key speaking for host-2.
    String second = DeploymentIds.of("manual:alice", "forge-second");
    succeededAt(second, "host-1", svc, "v2", Instant.now(), null);
    succeededAt(second, "host-2", svc, "v2", Instant.now(), HOST_1);
    assertThat(new JsonObject(deploy("{\"service\":\"" + svc + "\",\"environment\":\"staging\",\"version\":\"v2\","
        + "\"reason\":\"second\"}", Map.of("Authorization", DEPLOYER.get("Authorization"), "Idempotency-Key",
        "forge-second")).body()).getString("deploymentId")).isEqualTo(second);
    String third = new JsonObject(deploy("{\"service\":\"" + svc + "\",\"environment\":\"staging\",\"version\":\"v3\","
        + "\"reason\":\"third\"}", DEPLOYER).body()).getString("deploymentId");

    // Once the history has read the third request, it has read the forged records before it.
    await().atMost(Duration.ofSeconds(20)).until(() ->
        trigger.postJson("/api/v1/deployments/" + third + "/rollback", "{\"reason\":\"bad\"}", DEPLOYER)
            .statusCode() == 202);
    assertThat(RequestsTopic.forService(bootstrap, svc).stream().filter(r -> r.trigger().equals("rollback")))
        .extracting(DeployRequested::version).containsExactly("v1");

    HttpResponse<String> next = deploy("{\"service\":\"" + svc + "\",\"environment\":\"staging\",\"version\":\"v4\","
        + "\"reason\":\"fourth\"}", Map.of("Authorization", DEPLOYER.get("Authorization"), "Idempotency-Key",
        "forge-next"));
    assertThat(next.statusCode()).isEqualTo(202);
    assertThat(new JsonObject(next.body()).getString("deploymentId")).isEqualTo(predictable);
    assertThat(new JsonObject(next.body()).getBoolean("duplicate")).isFalse();
    await().atMost(Duration.ofSeconds(15)).until(() -> published(predictable).stream()
        .anyMatch(r -> r.version().equals("v4") && r.signature() != null));
  }

  /** A success as a writer to the events topic forges it: signed with {@code key} (any host's), or unsigned. */
  private static void succeededAt(String deploymentId, String host, String service, String version, Instant at,
      KeyPair key) throws Exception {
    DeploySucceeded event = new DeploySucceeded(DeploymentIds.eventId(deploymentId, host, "forged"),
        "stevedore://agent/" + host, at, deploymentId, host, service, "staging", version, null, 1200);
    publish(Topics.EVENTS, deploymentId, key == null ? event : new AgentSigner(key, new EventCodec()).sign(event));
  }

  private static void publish(String topic, String key, dev.stevedore.common.event.StevedoreEvent event)
      throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>(topic, key, new EventCodec().encode(event))).get();
    }
  }

  /** What an agent would publish after a healthy rollout. */
  private static void succeeded(String deploymentId, String service, String version) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      DeploySucceeded event = new AgentSigner(HOST_1, new EventCodec()).sign(new DeploySucceeded(
          DeploymentIds.eventId(deploymentId, "host-1", "succeeded"), "stevedore://agent/host-1", Instant.now(),
          deploymentId, "host-1", service, "staging", version, null, 1200));
      producer.send(new ProducerRecord<>(Topics.EVENTS, deploymentId, new EventCodec().encode(event))).get();
    }
  }
}
