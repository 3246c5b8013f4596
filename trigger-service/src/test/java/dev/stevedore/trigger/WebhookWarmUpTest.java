package dev.stevedore.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.kafka.KafkaSettings;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The warm-up on its own (no Kafka: it never needs one): every kind of synthetic webhook is
 * answered 202 by the real routes, within the budget, whatever the service's own limits. The
 * service's rate limit here is 1 per second and its failure budget 1 a minute: a warm-up sharing
 * them would be answered 429.
 */
class WebhookWarmUpTest {
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static TriggerConfig config(TriggerConfig.WarmUp budget) {
    return new TriggerConfig("t", new TriggerConfig.Http("127.0.0.1", 0, 1),
        new KafkaSettings("127.0.0.1:1", "t", 0, 0, 0, Map.of()), null, null,
        List.of(new TriggerConfig.GenericHook("ci", "generic-token-0123456789", "generic-hmac-0123456789", null, null)),
        new TriggerConfig.GitHub("github-secret-0123456789"), new TriggerConfig.GitLab("gitlab-token-0123456789"),
        List.of(new TriggerConfig.Repository("acme/web", List.of("web"), "production", null)), null, null,
        new TriggerConfig.Limits(0, 1, 0, 2_000, 0, 0, 1), null).withWarmUp(budget);
  }

  private WebhookWarmUp.Result run(TriggerConfig.WarmUp budget) throws Exception {
    return new WebhookWarmUp(vertx, config(budget), new EventCodec(), Clock.systemUTC()).run()
        .await(60, TimeUnit.SECONDS);
  }

  @Test
  void aCountBudgetSendsThatManyWebhooksOfEveryConfiguredKindAndEachIsAccepted() throws Exception {
    WebhookWarmUp.Result r = run(new TriggerConfig.WarmUp(0, 300));
    assertThat(r.requests()).isEqualTo(300);
    assertThat(r.unexpected()).as("GitHub, GitLab and generic webhooks, new and resent, all answered 202").isZero();
    assertThat(r.millis()).isPositive();
  }

  @Test
  void aTimeBudgetEndsTheWarmUpAtItsEnd() throws Exception {
    long t0 = System.nanoTime();
    WebhookWarmUp.Result r = run(new TriggerConfig.WarmUp(1_500, 0));
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(r.millis()).isBetween(1_500L, 15_000L);
    assertThat(took).isLessThan(30_000L);
    assertThat(r.requests()).isPositive();
    assertThat(r.unexpected()).isZero();
  }

  @Test
  void steadyWhenTheBestSecondOfTheLastFiveIsWithinFivePercentOfTheBestOfTheFiveBefore() {
    assertThat(WebhookWarmUp.steady(seconds(8000, 10000, 9500, 9000, 10000, 10400, 9000, 10500, 9800, 10100), 10))
        .as("10,500 is within 5 %% of 10,000").isTrue();
    assertThat(WebhookWarmUp.steady(seconds(8000, 10000, 9500, 9000, 10000, 10400, 9000, 10600, 9800, 10100), 10))
        .as("10,600 is 6 %% faster").isFalse();
    assertThat(WebhookWarmUp.steady(seconds(100, 900, 2000, 4000, 8000, 10000, 10400, 9000, 10500, 9800), 10))
        .as("still rising: 10,500 against 8,000").isFalse();
    assertThat(WebhookWarmUp.steady(seconds(5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000), 9))
        .as("not before ten full seconds").isFalse();
    assertThat(WebhookWarmUp.steady(seconds(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 10)).as("nothing answered yet").isFalse();
  }

  private static java.util.concurrent.atomic.AtomicLongArray seconds(long... counts) {
    java.util.concurrent.atomic.AtomicLongArray a = new java.util.concurrent.atomic.AtomicLongArray(32);
    for (int i = 0; i < counts.length; i++) {
      a.set(i, counts[i]);
    }
    return a;
  }

  @Test
  void withoutABudgetNothingRuns() throws Exception {
    assertThat(run(TriggerConfig.WarmUp.NONE)).isEqualTo(WebhookWarmUp.Result.NONE);
  }
}
