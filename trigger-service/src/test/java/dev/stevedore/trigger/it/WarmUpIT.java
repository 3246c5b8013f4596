package dev.stevedore.trigger.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.common.kafka.Topics;
import dev.stevedore.trigger.TriggerConfig;
import dev.stevedore.trigger.hooks.Hmac;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up warm-up (issue #14) on a real broker: thousands of webhooks go through the warm-up's
 * own HTTP server before the service listens, and none of them reaches the requests topic or the
 * service's own meters; the service's rate limit is 1 per second, so a warm-up that spent it would
 * leave the first real webhook a 429.
 */
class WarmUpIT {
  private static final int WARM_UP_REQUESTS = 1_500;
  @TempDir static Path dir;
  static String bootstrap;
  static TestTrigger trigger;
  static long offsetsBefore;
  static long offsetsAfterStart;
  static String metricsAfterStart;

  @BeforeAll
  static void start() throws Exception {
    bootstrap = TestKafka.shared().getBootstrapServers();
    offsetsBefore = endOffsets();
    trigger = TestTrigger.start(TestTrigger.config(bootstrap, dir, 1, TestTrigger.repositories())
        .withWarmUp(new TriggerConfig.WarmUp(0, WARM_UP_REQUESTS)));
    // Read before any test sends anything: what the start (and its warm-up) left behind, after a GC
    // (the gauges' object was held only weakly once, and read NaN on CI).
    System.gc();
    offsetsAfterStart = endOffsets();
    metricsAfterStart = trigger.getOps("/metrics").body();
  }

  @AfterAll
  static void stop() throws Exception {
    if (trigger != null) {
      trigger.close();
    }
  }

  /** The sum of the requests topic's end offsets; 0 while it does not exist. */
  static long endOffsets() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
      var topic = consumer.listTopics(Duration.ofSeconds(10)).get(Topics.REQUESTS);
      if (topic == null) {
        return 0;
      }
      return consumer.endOffsets(topic.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList(),
          Duration.ofSeconds(10)).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static double metric(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
    assertThat(m.find()).as("metric %s in:%n%s", series, text).isTrue();
    return Double.parseDouble(m.group(1));
  }

  @Test
  void theWarmUpRanItsWholeBudgetBeforeTheStartEndedAndPublishedNothing() {
    assertThat(metric(metricsAfterStart, "stevedore_trigger_warmup_requests")).isEqualTo(WARM_UP_REQUESTS);
    assertThat(metric(metricsAfterStart, "stevedore_trigger_warmup_seconds")).isPositive();
    assertThat(offsetsAfterStart).as("end offsets of %s after the start", Topics.REQUESTS).isEqualTo(offsetsBefore);
  }

  @Test
  void theServicesOwnMetersAreUntouchedByTheWarmUp() {
    assertThat(metricsAfterStart).as("no request counted").doesNotContain("stevedore_trigger_requests_total{");
    assertThat(metric(metricsAfterStart, "stevedore_trigger_publish_seconds_count{outcome=\"acknowledged\"}"))
        .isZero();
    assertThat(metric(metricsAfterStart, "stevedore_trigger_publish_seconds_count{outcome=\"failed\"}")).isZero();
  }

  @Test
  void aWebhookRightAfterReadyIsAcceptedAndPublishedOnce() throws Exception {
    byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + "ab".repeat(20) + "\",\"nonce\":\""
        + UUID.randomUUID() + "\",\"repository\":{\"full_name\":\"acme/web\"},\"pusher\":{\"name\":\"it\"}}")
        .getBytes(StandardCharsets.UTF_8);
    HttpResponse<String> r = trigger.post("/hooks/github", "application/json", body, Map.of(
        "X-GitHub-Event", "push", "X-GitHub-Delivery", UUID.randomUUID().toString(),
        "X-Hub-Signature-256", Hmac.header(TestTrigger.GITHUB_SECRET, body)));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    assertThat(new JsonObject(r.body()).getBoolean("duplicate")).isFalse();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(endOffsets()).isEqualTo(offsetsAfterStart + 1));
    String metrics = trigger.getOps("/metrics").body();
    assertThat(metric(metrics, "stevedore_trigger_requests_total{result=\"accepted\",source=\"github\"}"))
        .isEqualTo(1);
    assertThat(metric(metrics, "stevedore_trigger_publish_seconds_count{outcome=\"acknowledged\"}")).isEqualTo(1);
  }
}
