package dev.stevedore.audit.ingest;

import dev.stevedore.audit.store.StoredEvent;
import dev.stevedore.common.event.DeployEvent;
import dev.stevedore.common.kafka.Topics;
import io.vertx.core.Future;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what the audit cannot store to the dead-letter topic: records that do not decode (their
 * raw bytes, with their origin) and events the database refuses for their data.
 */
final class DeadLetters {
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
  static final String REJECTED_BY = "stevedore-audit";

  /** Where dead letters go: {@code EventPublisher::deadLetter} in the service. */
  @FunctionalInterface
  interface Sink {
    Future<?> send(String key, byte[] value, String reason, Map<String, String> headers);
  }

  private final Sink sink;
  private final IngestMetrics metrics;

  DeadLetters(Sink sink, IngestMetrics metrics) {
    this.sink = sink;
    this.metrics = metrics;
  }

  /** Dead-letters the records of a batch that did not decode; completes when all are sent. */
  Future<Void> undecodable(List<KafkaConsumerRecord<String, byte[]>> records, List<RecordDecoder.Decoded> decoded) {
    List<Future<?>> sends = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      if (!decoded.get(i).ok() && !decoded.get(i).tombstone()) {
        KafkaConsumerRecord<String, byte[]> r = records.get(i);
        LOG.warn("dead-lettering {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), decoded.get(i).reason());
        sends.add(send(r.key(), r.value(), decoded.get(i).reason(), origin(r)));
      }
    }
    return Future.all(sends).mapEmpty();
  }

  /** Dead-letters one event the database refused for its data (its canonical bytes, keyed by id). */
  Future<Void> refused(StoredEvent event, Throwable refusal) {
    LOG.warn("the database refuses event {} of deployment {} ({}); dead-lettering it", event.event().id(),
        event.event() instanceof DeployEvent d ? d.deploymentId() : "-", refusal.getMessage());
    return send(event.event().id(), event.canonical(), "storage rejected: " + refusal.getMessage(),
        Map.of(Topics.HEADER_REJECTED_BY, REJECTED_BY));
  }

  private Future<Void> send(String key, byte[] value, String reason, Map<String, String> headers) {
    return sink.send(key, value, reason, headers).onSuccess(m -> metrics.deadLettered.increment()).mapEmpty();
  }

  static Map<String, String> origin(KafkaConsumerRecord<String, byte[]> r) {
    return Map.of(Topics.HEADER_ORIGINAL_TOPIC, r.topic(),
        Topics.HEADER_ORIGINAL_PARTITION, String.valueOf(r.partition()),
        Topics.HEADER_ORIGINAL_OFFSET, String.valueOf(r.offset()),
        Topics.HEADER_REJECTED_BY, REJECTED_BY);
  }
}
