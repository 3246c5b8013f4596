package dev.stevedore.audit;

import static dev.stevedore.audit.testing.AuditHarness.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.audit.testing.AuditHarness;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.testing.KafkaTestSupport;
import io.vertx.core.Vertx;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The query API over HTTP: every route, authentication, and hostile query strings. */
class AuditApiIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static KafkaTestSupport kafka;
  static Vertx vertx;
  static AuditService.RunningAudit running;
  static Path dir;
  static String service;
  static String fleetService;
  static String rolloutId;
  static String tombstoneKey;
  static int port;
  static final Instant AT = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MILLIS);

  @BeforeAll
  static void start() throws Exception {
    kafka = KafkaTestSupport.shared();
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("audit-api-it");
    running = AuditHarness.start(vertx, AuditHarness.config(kafka, new AuditConfig.Database(null,
        dir.resolve("audit.db").toString(), null, null, 4, 0, 0), "audit-api-it-" + UUID.randomUUID(), 500));
    port = running.port();
    String run = UUID.randomUUID().toString().substring(0, 8);
    service = "api-" + run;
    List<StevedoreEvent> events = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String id = Events.deploymentId("api-" + run + "-" + i);
      Instant at = AT.plus(Duration.ofMinutes(i));
      events.add(Events.requested(id, service, i % 2 == 0 ? "prod" : "staging", "v" + i, at));
      events.add(Events.started(id, "host-" + (i % 3), service, i % 2 == 0 ? "prod" : "staging", "v" + i, at.plusSeconds(1)));
      events.add(Events.step(id, "host-" + (i % 3), service, "pull", true, at.plusSeconds(2)));
      events.add(i % 4 == 3
          ? Events.failed(id, "host-" + (i % 3), service, i % 2 == 0 ? "prod" : "staging", "v" + i, at.plusSeconds(60))
          : Events.succeeded(id, "host-" + (i % 3), service, i % 2 == 0 ? "prod" : "staging", "v" + i, at.plusSeconds(60)));
    }
    events.add(Events.heartbeat("host-" + run, "prod", "v11", Instant.now().truncatedTo(ChronoUnit.MILLIS)));
    events.add(Events.heartbeat("old-" + run, "prod", "v1", AT));
    // a halted canary: rollout events on their topic, the block on the blocklist (after a tombstone
    // there, which is a lifted block and no event: neither stored nor dead-lettered)
    rolloutId = Events.deploymentId("api-rollout-" + run);
    fleetService = service + "-fleet";
    tombstoneKey = "prod/" + fleetService + "/v0";
    kafka.send(dev.stevedore.common.kafka.Topics.FLEET_BLOCKLIST, tombstoneKey, null);
    events.addAll(Events.haltedCanary(rolloutId, fleetService, "prod", AT.plus(Duration.ofMinutes(30))));
    AuditHarness.publish(kafka, events);
    await().atMost(Duration.ofSeconds(60)).until(() ->
        json(get(port, "/api/v1/deployments?limit=100&service=" + service)).get("items").size() == 12
            && json(get(port, "/api/v1/hosts")).get("items").size() >= 2
            && get(port, "/api/v1/rollouts/" + rolloutId).status() == 200
            && json(get(port, "/api/v1/rollouts/" + rolloutId)).get("timeline").size() == 6);
  }

  @AfterAll
  static void stop() throws Exception {
    AuditHarness.stop(running);
    vertx.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }

  static JsonNode json(AuditHarness.Response r) throws Exception {
    return JSON.readTree(r.body());
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void filtersAndPagesTheDeploymentList() throws Exception {
    JsonNode prod = json(get(port, "/api/v1/deployments?service=" + service + "&environment=prod"));
    assertThat(prod.get("items")).hasSize(6);
    prod.get("items").forEach(d -> assertThat(d.get("environment").asText()).isEqualTo("prod"));

    JsonNode failed = json(get(port, "/api/v1/deployments?service=" + service + "&status=failed"));
    assertThat(failed.get("items")).hasSize(3);

    JsonNode onHost = json(get(port, "/api/v1/deployments?service=" + service + "&host=host-1"));
    assertThat(onHost.get("items")).hasSize(4);

    String since = q(AT.plus(Duration.ofMinutes(3)).toString());
    String until = q(AT.plus(Duration.ofMinutes(6)).toString());
    JsonNode window = json(get(port, "/api/v1/deployments?service=" + service + "&since=" + since + "&until=" + until));
    assertThat(window.get("items")).extracting(d -> d.get("version").asText()).containsExactly("v5", "v4", "v3");

    List<String> paged = new ArrayList<>();
    String next = null;
    do {
      JsonNode page = json(get(port, "/api/v1/deployments?limit=5&service=" + service + (next == null ? "" : "&cursor=" + next)));
      page.get("items").forEach(d -> paged.add(d.get("version").asText()));
      next = page.get("next").isNull() ? null : page.get("next").asText();
    } while (next != null);
    assertThat(paged).containsExactly("v11", "v10", "v9", "v8", "v7", "v6", "v5", "v4", "v3", "v2", "v1", "v0");

    JsonNode history = json(get(port, "/api/v1/services/" + service + "/history?environment=staging"));
    assertThat(history.get("items")).hasSize(6);
  }

  @Test
  void answersHostsDoraExportAndVerify() throws Exception {
    JsonNode hosts = json(get(port, "/api/v1/hosts?environment=prod"));
    String run = service.substring(4);
    JsonNode fresh = null;
    JsonNode old = null;
    for (JsonNode h : hosts.get("items")) {
      fresh = h.get("host").asText().equals("host-" + run) ? h : fresh;
      old = h.get("host").asText().equals("old-" + run) ? h : old;
    }
    assertThat(fresh).isNotNull();
    assertThat(fresh.get("stale").asBoolean()).isFalse();
    assertThat(fresh.get("services").get(0).get("version").asText()).isEqualTo("v11");
    assertThat(old.get("stale").asBoolean()).isTrue();

    JsonNode dora = json(get(port, "/api/v1/metrics/dora?service=" + service + "&environment=staging&window=1d")).get("figures");
    // staging: v1 v3(failed) v5 v7(failed) v9 v11(failed); each deployment takes 60 s
    assertThat(dora.get("deployments").asLong()).isEqualTo(6);
    assertThat(dora.get("succeeded").asLong()).isEqualTo(3);
    assertThat(dora.get("changeFailureRate").asDouble()).isEqualTo(0.5);
    assertThat(dora.get("leadTimeP50Ms").asLong()).isEqualTo(60_000);
    assertThat(dora.get("timeToRestoreP50Ms").asLong()).isEqualTo(120_000);
    assertThat(dora.get("deploymentsPerDay").asDouble()).isEqualTo(3.0);

    // the same window per hour: the buckets add up to the figures
    JsonNode series = json(get(port, "/api/v1/metrics/dora/series?service=" + service + "&environment=staging&window=1d"));
    assertThat(series.get("bucket").asText()).isEqualTo("1h");
    assertThat(series.get("items").size()).isBetween(24, 25);
    long deployments = 0;
    long succeeded = 0;
    long restored = 0;
    for (JsonNode b : series.get("items")) {
      deployments += b.get("deployments").asLong();
      succeeded += b.get("succeeded").asLong();
      restored += b.get("restored").asLong();
      assertThat(Instant.parse(b.get("start").asText()).toEpochMilli() % 3_600_000).isZero();
    }
    assertThat(deployments).isEqualTo(6);
    assertThat(succeeded).isEqualTo(3);
    // v3 restored by v5, v7 by v9; v11 is still failing
    assertThat(restored).isEqualTo(dora.get("restored").asLong()).isEqualTo(2);
    assertThat(json(get(port, "/api/v1/metrics/dora/series?service=" + service + "&window=30d")).get("items").size())
        .isBetween(30, 31);

    // the fleet against what was asked: host-<run> reports web v11 (what another test asked of web
    // may differ, so only the shape and the version it runs are this test's)
    JsonNode fleet = json(get(port, "/api/v1/fleet?environment=prod"));
    assertThat(fleet.get("behind").isNumber()).isTrue();
    JsonNode mine = null;
    for (JsonNode v : fleet.get("items")) {
      mine = v.get("host").asText().equals("host-" + run) ? v : mine;
    }
    assertThat(mine).isNotNull();
    assertThat(mine.get("service").asText()).isEqualTo("web");
    assertThat(mine.get("running").asText()).isEqualTo("v11");
    assertThat(mine.get("behind").asBoolean()).isEqualTo(!mine.get("desired").isNull()
        && !mine.get("desired").asText().equals("v11"));
    assertThat(json(get(port, "/api/v1/fleet?environment=nowhere-" + run)).get("items")).isEmpty();

    AuditHarness.Response ndjson = get(port, "/api/v1/export?format=ndjson");
    assertThat(ndjson.status()).isEqualTo(200);
    assertThat(ndjson.headers().get("content-type")).containsExactly("application/x-ndjson");
    String[] lines = ndjson.body().split("\n");
    assertThat(lines.length).isGreaterThanOrEqualTo(50);
    long previous = 0;
    for (String line : lines) {
      JsonNode row = JSON.readTree(line);
      assertThat(row.get("seq").asLong()).isEqualTo(previous + 1);
      assertThat(row.get("event").get("specversion").asText()).isEqualTo("1.0");
      previous = row.get("seq").asLong();
    }
    AuditHarness.Response csv = get(port, "/api/v1/export?format=csv&since=" + q(AT.toString()));
    assertThat(csv.body()).startsWith("seq,event_id,type,time,deployment_id,host,service,environment,hash\n");
    assertThat(csv.body()).contains(service);

    JsonNode verify = json(get(port, "/api/v1/audit/verify"));
    assertThat(verify.get("ok").asBoolean()).isTrue();
    assertThat(verify.get("checked").asLong()).isEqualTo(previous);
  }

  @Test
  void answersTheRolloutListAndOneRolloutWithWavesHostsAndTimeline() throws Exception {
    JsonNode list = json(get(port, "/api/v1/rollouts?service=" + fleetService));
    assertThat(list.get("items")).singleElement().satisfies(r -> {
      assertThat(r.get("id").asText()).isEqualTo(rolloutId);
      assertThat(r.get("phase").asText()).isEqualTo("rolled-back");
      assertThat(r.get("blocked").asBoolean()).isTrue();
    });
    assertThat(json(get(port, "/api/v1/rollouts?service=" + fleetService + "&phase=rolled-back&environment=prod"))
        .get("items")).hasSize(1);
    assertThat(json(get(port, "/api/v1/rollouts?service=" + fleetService + "&phase=succeeded")).get("items")).isEmpty();
    assertThat(json(get(port, "/api/v1/rollouts?service=" + fleetService + "&environment=staging")).get("items")).isEmpty();

    JsonNode one = json(get(port, "/api/v1/rollouts/" + rolloutId));
    assertThat(one.get("version").asText()).isEqualTo("v2");
    assertThat(one.get("policy").get("strategy").asText()).isEqualTo("canary");
    assertThat(one.get("waves")).hasSize(2);
    assertThat(one.get("waves").get(0).get("failed")).extracting(JsonNode::asText).containsExactly("web-1");
    assertThat(one.get("hosts")).extracting(h -> h.get("host").asText() + "=" + h.get("state").asText())
        .containsExactly("web-1=rolled-back", "web-2=rolled-back", "web-3=planned", "web-4=planned",
            "web-5=unreached");
    assertThat(one.get("hosts").get(0).get("outcome").get("status").asText()).isEqualTo("failed");
    assertThat(one.get("hosts").get(1).get("rollbackOutcome").get("version").asText()).isEqualTo("v1");
    List<String> types = new ArrayList<>();
    one.get("timeline").forEach(e -> types.add(e.get("type").asText()));
    assertThat(types).contains("rollout.started", "rollout.halted", "version.blocked", "rollout.rolled-back");
    // the tombstone was skipped, not dead-lettered
    assertThat(kafka.readAll(dev.stevedore.common.kafka.Topics.DEAD_LETTERS, Duration.ofSeconds(5)))
        .noneMatch(r -> tombstoneKey.equals(r.key()));
  }

  @Test
  void rolloutRoutesRefuseHostileInputWithoutA500() throws Exception {
    assertThat(get(port, "/api/v1/rollouts/" + q("' OR 1=1 --")).status()).isEqualTo(404);
    assertThat(get(port, "/api/v1/rollouts/does-not-exist").status()).isEqualTo(404);
    assertThat(json(get(port, "/api/v1/rollouts/does-not-exist")).get("detail").asText()).contains("no rollout");
    assertThat(get(port, "/api/v1/rollouts/" + "r".repeat(300)).status()).isEqualTo(400);
    assertThat(get(port, "/api/v1/rollouts/a%00b").status()).isEqualTo(400);
    assertThat(get(port, "/api/v1/rollouts/" + rolloutId + "?verbose=1").status()).isEqualTo(400);
    assertThat(json(get(port, "/api/v1/rollouts?service=" + q("x' OR '1'='1"))).get("items")).isEmpty();
    assertThat(json(get(port, "/api/v1/rollouts?limit=999999999999")).get("items").size()).isLessThanOrEqualTo(500);
    assertThat(get(port, "/api/v1/rollouts?limit=100000").status()).isEqualTo(200);
    assertThat(AuditHarness.rawGet(port, "/api/v1/rollouts?phase=%zz")).isEqualTo(400);
    assertThat(json(get(port, "/api/v1/rollouts/" + rolloutId)).get("id").asText()).isEqualTo(rolloutId);
  }

  @Test
  void requiresAReaderToken() throws Exception {
    assertThat(get(port, "/api/v1/deployments", null).status()).isEqualTo(401);
    assertThat(get(port, "/api/v1/deployments", "Bearer wrong").status()).isEqualTo(401);
    assertThat(get(port, "/api/v1/deployments", "Basic " + AuditHarness.TOKEN).status()).isEqualTo(401);
    assertThat(get(port, "/api/v1/deployments", "Bearer " + AuditHarness.TOKEN + "x").status()).isEqualTo(401);
    assertThat(get(port, "/api/v1/deployments", "bearer " + AuditHarness.TOKEN).status()).isEqualTo(200);
    assertThat(get(port, "/api/v1/audit/verify", null).status()).isEqualTo(401);
    assertThat(get(port, "/api/v1/export", null).status()).isEqualTo(401);
    assertThat(get(port, "/api/v1/fleet", null).status()).isEqualTo(401);
    assertThat(get(port, "/api/v1/metrics/dora/series", "Bearer wrong").status()).isEqualTo(401);
    assertThat(get(port, "/api/v1/deployments", null).headers().get("www-authenticate")).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/api/v1/deployments?status=exploded",
      "/api/v1/deployments?limit=-1",
      "/api/v1/deployments?limit=0",
      "/api/v1/deployments?limit=ten",
      "/api/v1/deployments?limit=1e3",
      "/api/v1/deployments?since=yesterday",
      "/api/v1/deployments?since=2026-01-01",
      "/api/v1/deployments?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z",
      "/api/v1/deployments?cursor=not-a-cursor",
      "/api/v1/deployments?cursor=djE6MTIzNA",
      "/api/v1/deployments?service=a&service=b",
      "/api/v1/deployments?servce=web",
      "/api/v1/deployments?service=",
      "/api/v1/deployments?service=%00web",
      "/api/v1/deployments?host=%0d%0aSet-Cookie:x",
      "/api/v1/metrics/dora?window=999999d",
      "/api/v1/metrics/dora?window=0d",
      "/api/v1/metrics/dora?window=-1d",
      "/api/v1/metrics/dora?window=P30D",
      "/api/v1/metrics/dora/series?bucket=2h",
      "/api/v1/metrics/dora/series?bucket=1h&window=366d",
      "/api/v1/metrics/dora/series?bucket=%3Cscript%3E",
      "/api/v1/metrics/dora/series?window=P30D",
      "/api/v1/metrics/dora/series?bucket=1d&bucket=1h",
      "/api/v1/metrics/dora/series?host=web-1",
      "/api/v1/fleet?limit=0",
      "/api/v1/fleet?service=web",
      "/api/v1/fleet?environment=%00prod",
      "/api/v1/fleet?environment=",
      "/api/v1/export?format=xml",
      "/api/v1/hosts?environment=%7F",
      "/api/v1/audit/verify?x=1",
      "/api/v1/rollouts?phase=done",
      "/api/v1/rollouts?status=halted",
      "/api/v1/rollouts?cursor=abc",
      "/api/v1/rollouts?limit=0",
      "/api/v1/rollouts?limit=-5",
      "/api/v1/rollouts?limit=ten",
      "/api/v1/rollouts?service=a&service=b",
      "/api/v1/rollouts?environment=%00prod",
      "/api/v1/rollouts?service=",
  })
  void rejectsBadFiltersWith400AndAReason(String target) throws Exception {
    AuditHarness.Response r = get(port, target);
    assertThat(r.status()).as(target).isEqualTo(400);
    assertThat(json(r).get("detail").asText()).isNotBlank();
  }

  @Test
  void neverAnswers500ToHostileInput() throws Exception {
    String longValue = "x".repeat(2000);
    assertThat(get(port, "/api/v1/deployments?service=" + longValue).status()).isEqualTo(400);
    assertThat(get(port, "/api/v1/deployments?service=" + "y".repeat(300)).status()).isEqualTo(400);
    assertThat(get(port, "/api/v1/deployments?service=" + q("x' OR '1'='1")).status()).isEqualTo(200);
    assertThat(json(get(port, "/api/v1/deployments?service=" + q("x' OR '1'='1"))).get("items")).isEmpty();
    assertThat(json(get(port, "/api/v1/deployments?service=" + q("web\"; DROP TABLE events; --"))).get("items")).isEmpty();
    assertThat(get(port, "/api/v1/deployments/" + q("' OR 1=1 --")).status()).isEqualTo(404);
    assertThat(get(port, "/api/v1/deployments/does-not-exist").status()).isEqualTo(404);
    assertThat(get(port, "/api/v1/services/" + q("<script>") + "/history").status()).isEqualTo(200);
    assertThat(get(port, "/api/v1/nothing-here").status()).isEqualTo(404);
    assertThat(AuditHarness.rawGet(port, "/api/v1/deployments?service=%zz")).isEqualTo(400);
    assertThat(AuditHarness.rawGet(port, "/api/v1/deployments?service=%")).isEqualTo(400);
    assertThat(AuditHarness.rawGet(port, "/api/v1/deployments?" + "a=1&".repeat(3000))).isIn(400, 414, 431);
    JsonNode capped = json(get(port, "/api/v1/deployments?limit=999999999999"));
    assertThat(capped.get("items").size()).isLessThanOrEqualTo(500);
    assertThat(get(port, "/api/v1/deployments?limit=100000").status()).isEqualTo(200);
    // the service is still fine afterwards
    assertThat(json(get(port, "/api/v1/audit/verify")).get("ok").asBoolean()).isTrue();
  }

  @Test
  void servesHealthAndMetrics() throws Exception {
    assertThat(get(port, "/health/live", null).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(30)).until(() -> get(port, "/health/ready", null).status() == 200);
    assertThat(get(port, "/api/v1/deployments?limit=1").status()).isEqualTo(200);
    String metrics = get(port, "/metrics", null).body();
    assertThat(metrics).contains("stevedore_audit_ingest_events_total{result=\"stored\"}");
    assertThat(metrics).contains("stevedore_audit_ingest_lag");
    assertThat(metrics).contains("stevedore_audit_query_latency_seconds_bucket{route=\"/api/v1/deployments\",status=\"200\"");
    assertThat(metrics).contains("resilience4j_circuitbreaker_state{name=\"database\",state=\"closed\"} 1.0");
    assertThat(metrics).doesNotContain("quantile=");
    // the real /metrics passes promtool and carries the JVM, build-info and breaker series
    dev.stevedore.common.ops.PrometheusScrape.assertServiceScrape("audit",
        dev.stevedore.common.ops.PrometheusScrape.afterGc(() -> get(port, "/metrics", null).body()));
  }
}
