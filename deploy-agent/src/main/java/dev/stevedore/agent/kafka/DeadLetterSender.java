package dev.stevedore.agent.kafka;

import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.resilience.VertxRetry;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a rejected record to the dead-letter topic, retrying ({@link VertxRetry}: timers, no limit)
 * until Kafka takes it: the record's offset is committed only after that.
 */
public final class DeadLetterSender implements RequestHandler.DeadLetters {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterSender.class);
  private final Vertx vertx;
  private final EventPublisher publisher;
  private final String rejectedBy;
  private final Retry retry;

  public DeadLetterSender(Vertx vertx, EventPublisher publisher, String rejectedBy, long retryMs) {
    this.vertx = vertx;
    this.publisher = publisher;
    this.rejectedBy = rejectedBy;
    this.retry = Retry.of("dead-letters", RetryConfig.custom()
        .maxAttempts(Integer.MAX_VALUE)
        .waitDuration(Duration.ofMillis(retryMs))
        .retryOnException(e -> true)
        .build());
    retry.getEventPublisher().onRetry(e -> LOG.warn("dead letter not accepted ({}); retrying in {} ms",
        e.getLastThrowable() == null ? "?" : e.getLastThrowable().getMessage(), retryMs));
  }

  @Override
  public Future<Void> send(String key, byte[] value, String reason, Map<String, String> origin) {
    Map<String, String> headers = new java.util.HashMap<>(origin);
    headers.putIfAbsent(Topics.HEADER_ORIGINAL_TOPIC, Topics.REQUESTS);
    headers.put(Topics.HEADER_REJECTED_BY, rejectedBy);
    Map<String, String> all = Map.copyOf(headers);
    return VertxRetry.retry(vertx, retry, () -> publisher.deadLetter(key, value, reason, all)).mapEmpty();
  }
}
