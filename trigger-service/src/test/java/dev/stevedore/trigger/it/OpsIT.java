package dev.stevedore.trigger.it;

import dev.stevedore.trigger.TriggerConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.common.event.DeployRequested;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health, metrics, rate limits, and two trigger instances receiving the same delivery. */
class OpsIT {
  @TempDir Path dir;

  @Test
  void healthAndMetricsTellTheStory() throws Exception {
    String bootstrap = TestKafka.shared().getBootstrapServers();
    try (TestTrigger t = TestTrigger.start(TestTrigger.config(bootstrap, dir))) {
      assertThat(t.get("/health/live", Map.of()).statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10)).until(() -> t.getOps("/health/ready").statusCode() == 200);
      t.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
          "{\"service\":\"ops-svc\",\"environment\":\"staging\",\"version\":\"v1\"}", Map.of());
      t.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN, "{", Map.of());
      String metrics = t.getOps("/metrics").body();
      assertThat(metrics).contains("stevedore_trigger_requests_total{result=\"accepted\",source=\"generic\"} 1.0");
      assertThat(metrics).contains("stevedore_trigger_requests_total{result=\"400\",source=\"generic\"} 1.0");
      assertThat(metrics).contains("stevedore_trigger_publish_seconds_bucket{outcome=\"acknowledged\"");
      assertThat(metrics).contains("stevedore_trigger_publish_seconds_count{outcome=\"acknowledged\"} 1");
      assertThat(metrics).contains("resilience4j_circuitbreaker_state{name=\"kafka\",state=\"closed\"} 1.0");
      assertThat(metrics).doesNotContain("quantile=");
      // the history's lag behind the requests topic: unknown (NaN) until measured, then 0 once it read its end
      await().atMost(Duration.ofSeconds(20)).until(() -> t.getOps("/metrics").body()
          .contains("\nstevedore_trigger_history_lag 0.0\n"));
      // the real /metrics passes promtool and carries the JVM, build-info and breaker series
      dev.stevedore.common.ops.PrometheusScrape.assertServiceScrape("trigger",
          dev.stevedore.common.ops.PrometheusScrape.afterGc(() -> t.getOps("/metrics").body()));
    }
  }

  @Test
  void readinessDetailsAndMetricsAreNotOnTheWebhookPort() throws Exception {
    String bootstrap = TestKafka.shared().getBootstrapServers();
    try (TestTrigger t = TestTrigger.start(TestTrigger.config(bootstrap, dir))) {
      assertThat(t.get("/metrics", Map.of()).statusCode()).isEqualTo(404);
      assertThat(t.get("/health/ready", Map.of()).statusCode()).isEqualTo(404);
      assertThat(t.get("/health/live", Map.of()).statusCode()).isEqualTo(200);
      assertThat(t.running.opsPort()).isNotEqualTo(t.running.port());
      assertThat(t.getOps("/metrics").body()).contains("resilience4j_circuitbreaker_state{name=\"kafka\"");
      assertThat(t.config.http().opsHost()).isEqualTo("127.0.0.1");
    }
  }

  @Test
  void aSourceOverItsRateGets429WithRetryAfterAndNothingPublished() throws Exception {
    String bootstrap = TestKafka.shared().getBootstrapServers();
    try (TestTrigger t = TestTrigger.start(TestTrigger.config(bootstrap, dir, 3, TestTrigger.repositories()))) {
      List<HttpResponse<String>> answers = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        answers.add(t.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
            "{\"service\":\"rate-svc\",\"environment\":\"staging\",\"version\":\"v" + i + "\"}", Map.of()));
      }
      List<HttpResponse<String>> limited = answers.stream().filter(r -> r.statusCode() == 429).collect(Collectors.toList());
      List<HttpResponse<String>> accepted = answers.stream().filter(r -> r.statusCode() == 202).collect(Collectors.toList());
      assertThat(limited).isNotEmpty().allSatisfy(r -> assertThat(r.headers().firstValue("Retry-After")).hasValue("1"));
      assertThat(accepted.size() + limited.size()).isEqualTo(10);
      // Another source has its own budget.
      assertThat(t.postJson("/hooks/generic/" + TestTrigger.SIGNED_TOKEN, "{}", Map.of()).statusCode()).isEqualTo(401);
      assertThat(RequestsTopic.forService(bootstrap, "rate-svc")).hasSize(accepted.size());
    }
  }

  @Test
  void startsWithoutKafkaIsNotReadyAndAnswers503WithinTheBound() throws Exception {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (TestTrigger t = TestTrigger.start(TestTrigger.config("127.0.0.1:" + closed, dir))) {
      assertThat(t.get("/health/live", Map.of()).statusCode()).isEqualTo(200);
      assertThat(t.getOps("/health/ready").statusCode()).isEqualTo(503);
      for (int i = 0; i < 6; i++) {
        long start = System.nanoTime();
        HttpResponse<String> r = t.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN,
            "{\"service\":\"nokafka-svc\",\"environment\":\"staging\",\"version\":\"v1\"}", Map.of());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(millis).isLessThan(6_000);
      }
    }
  }

  @Test
  void sameDeliveryThroughTwoInstancesIsOneDeploymentId() throws Exception {
    String bootstrap = TestKafka.shared().getBootstrapServers();
    // Two instances of one trigger share its signing key (each trusts only requests signed with it).
    TriggerConfig.Signing key = TestTrigger.sharedSigning();
    try (TestTrigger a = TestTrigger.start(TestTrigger.withSigning(TestTrigger.config(bootstrap, dir.resolve("a")), key));
        TestTrigger b = TestTrigger.start(TestTrigger.withSigning(TestTrigger.config(bootstrap, dir.resolve("b")), key))) {
      String delivery = UUID.randomUUID().toString();
      String json = "{\"service\":\"twin-svc\",\"environment\":\"staging\",\"version\":\"v1\"}";
      HttpResponse<String> first = a.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN, json,
          Map.of("X-Stevedore-Delivery", delivery));
      String id = new JsonObject(first.body()).getString("deploymentId");
      // B reads the requests topic: once it has seen A's request (409: known, nothing to roll back to) ...
      Map<String, String> auth = Map.of("Authorization", "Bearer " + TestTrigger.DEPLOYER_TOKEN);
      await().atMost(Duration.ofSeconds(15)).until(() ->
          b.postJson("/api/v1/deployments/" + id + "/rollback", "{}", auth).statusCode() == 409);
      // ... the same delivery through B is the same deployment, a duplicate, and not published again.
      HttpResponse<String> second = b.postJson("/hooks/generic/" + TestTrigger.GENERIC_TOKEN, json,
          Map.of("X-Stevedore-Delivery", delivery));
      assertThat(second.statusCode()).isEqualTo(202);
      assertThat(new JsonObject(second.body()).getString("deploymentId")).isEqualTo(id);
      assertThat(new JsonObject(second.body()).getBoolean("duplicate")).isTrue();
      List<DeployRequested> onTopic = RequestsTopic.forService(bootstrap, "twin-svc");
      assertThat(onTopic).extracting(DeployRequested::deploymentId).containsExactly(id);
    }
  }
}
