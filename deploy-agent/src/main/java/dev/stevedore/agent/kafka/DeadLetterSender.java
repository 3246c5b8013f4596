package dev.stevedore.agent.kafka;

import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.kafka.Topics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends a rejected record to the dead-letter topic, retrying (timers) until Kafka takes it. */
public final class DeadLetterSender implements RequestHandler.DeadLetters {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterSender.class);
  private final Vertx vertx;
  private final EventPublisher publisher;
  private final String rejectedBy;
  private final long retryMs;

  public DeadLetterSender(Vertx vertx, EventPublisher publisher, String rejectedBy, long retryMs) {
    this.vertx = vertx;
    this.publisher = publisher;
    this.rejectedBy = rejectedBy;
    this.retryMs = retryMs;
  }

  @Override
  public Future<Void> send(String key, byte[] value, String reason, Map<String, String> origin) {
    Promise<Void> promise = Promise.promise();
    Map<String, String> headers = new java.util.HashMap<>(origin);
    headers.put(Topics.HEADER_ORIGINAL_TOPIC, Topics.REQUESTS);
    headers.put(Topics.HEADER_REJECTED_BY, rejectedBy);
    attempt(key, value, reason, Map.copyOf(headers), promise);
    return promise.future();
  }

  private void attempt(String key, byte[] value, String reason, Map<String, String> headers, Promise<Void> promise) {
    publisher.deadLetter(key, value, reason, headers)
        .onSuccess(md -> promise.complete())
        .onFailure(e -> {
          LOG.warn("dead letter not accepted ({}); retrying in {} ms", e.getMessage(), retryMs);
          vertx.setTimer(retryMs, id -> attempt(key, value, reason, headers, promise));
        });
  }
}
