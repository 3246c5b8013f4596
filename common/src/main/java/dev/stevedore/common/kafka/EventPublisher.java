package dev.stevedore.common.kafka;

import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.resilience.VertxCircuitBreaker;
import dev.stevedore.common.runtime.KafkaClients;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.kafka.client.producer.RecordMetadata;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Publishes events with the idempotent, acks=all producer, behind the "kafka" circuit breaker and
 * a bound on time: a future from here completes only once the broker has acknowledged the event,
 * and always completes (success, failure, or breaker open) within the delivery timeout.
 */
public final class EventPublisher {
  private final KafkaProducer<String, byte[]> producer;
  private final EventCodec codec;
  private final CircuitBreaker breaker;
  private final long timeoutMs;

  private EventPublisher(KafkaProducer<String, byte[]> producer, EventCodec codec, CircuitBreaker breaker, long timeoutMs) {
    this.producer = producer;
    this.codec = codec;
    this.breaker = breaker;
    this.timeoutMs = timeoutMs;
  }

  /** Makes the producer on a worker (its constructor blocks) and completes with the publisher. */
  public static Future<EventPublisher> create(Vertx vertx, KafkaSettings settings, EventCodec codec,
      CircuitBreaker breaker) {
    Map<String, String> options = KafkaOptions.producer(settings);
    long timeoutMs = Long.parseLong(options.get("delivery.timeout.ms")) + 1_000;
    return KafkaClients.producer(vertx, options).map(p -> new EventPublisher(p, codec, breaker, timeoutMs));
  }

  /** The breaker Stevedore uses for Kafka: opens after half of 10 calls fail, probes after 5 s. */
  public static CircuitBreaker defaultBreaker(String name) {
    return CircuitBreaker.of(name, CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(10)
        .minimumNumberOfCalls(4)
        .failureRateThreshold(50)
        .waitDurationInOpenState(Duration.ofSeconds(5))
        .permittedNumberOfCallsInHalfOpenState(1)
        .build());
  }

  /** Publishes an event as a CloudEvents structured-mode record (with its {@code content-type} header). */
  public Future<RecordMetadata> publish(String topic, String key, StevedoreEvent event) {
    return publishEncodedEvent(topic, key, codec.encode(event));
  }

  /** As {@link #publish(String, String, StevedoreEvent)}, with CloudEvents extension attributes (e.g. {@code traceparent}). */
  public Future<RecordMetadata> publish(String topic, String key, StevedoreEvent event, Map<String, ?> extensions) {
    return publishEncodedEvent(topic, key, codec.encode(event, extensions));
  }

  /**
   * Sends an event already encoded by {@link EventCodec#encode} (e.g. kept in a durable outbox), as
   * it is, as a CloudEvents structured-mode record (with its {@code content-type} header).
   */
  public Future<RecordMetadata> publishEncodedEvent(String topic, String key, byte[] encoded) {
    return send(structured(KafkaProducerRecord.create(topic, key, encoded)));
  }

  /** Sends bytes that are not an event (e.g. the schedule log's records) as they are, without headers. */
  public Future<RecordMetadata> publishEncoded(String topic, String key, byte[] encoded) {
    return send(KafkaProducerRecord.create(topic, key, encoded));
  }

  /** The record with the header that marks a CloudEvents structured-mode record on Kafka. */
  public static <K> KafkaProducerRecord<K, byte[]> structured(KafkaProducerRecord<K, byte[]> record) {
    return record.addHeader(EventCodec.CONTENT_TYPE_HEADER, EventCodec.STRUCTURED_CONTENT_TYPE);
  }

  /**
   * Fetches the producer's metadata for {@code topic} (its partitions and leaders), so that the
   * first send to it does not wait for that round trip; completes with the partition count.
   */
  public Future<Integer> prepare(String topic) {
    return producer.partitionsFor(topic).map(java.util.List::size).timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** Sends raw bytes to the dead-letter topic with the reason and the record's origin in headers. */
  public Future<RecordMetadata> deadLetter(String key, byte[] value, String reason, Map<String, String> origin) {
    KafkaProducerRecord<String, byte[]> record =
        KafkaProducerRecord.create(Topics.DEAD_LETTERS, key, value == null ? new byte[0] : value);
    record.addHeader(Topics.HEADER_REASON, reason);
    origin.forEach(record::addHeader);
    return send(record);
  }

  private Future<RecordMetadata> send(KafkaProducerRecord<String, byte[]> record) {
    return VertxCircuitBreaker.guard(breaker,
        () -> producer.send(record).timeout(timeoutMs, TimeUnit.MILLISECONDS));
  }

  /** Closes the producer, waiting at most the delivery timeout (an unreachable broker must not hold a shutdown). */
  public Future<Void> close() {
    return producer.close(timeoutMs).timeout(timeoutMs + 1_000, TimeUnit.MILLISECONDS);
  }
}
