package dev.stevedore.audit.ingest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's source on a Vert.x Kafka consumer: polls, commits, and during an outage rewinds,
 * pauses every partition and probes the database (as {@link OutageGate} decides) until it takes
 * writes, polling meanwhile so the group keeps this member.
 */
final class KafkaSource implements BatchPipeline.Source {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaSource.class);

  private final Vertx vertx;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Duration pollTimeout;
  private final long probeDelayMs;
  private final Supplier<Future<Void>> writeProbe;
  private final OutageGate gate;
  private final IngestMetrics metrics;
  private Future<?> lastCommit = Future.succeededFuture();

  KafkaSource(Vertx vertx, KafkaConsumer<String, byte[]> consumer, Duration pollTimeout, long probeDelayMs,
              Supplier<Future<Void>> writeProbe, OutageGate gate, IngestMetrics metrics) {
    this.vertx = vertx;
    this.consumer = consumer;
    this.pollTimeout = pollTimeout;
    this.probeDelayMs = probeDelayMs;
    this.writeProbe = writeProbe;
    this.gate = gate;
    this.metrics = metrics;
  }

  @Override
  public Future<List<KafkaConsumerRecord<String, byte[]>>> poll() {
    return consumer.poll(pollTimeout).map(KafkaSource::list);
  }

  /**
   * Commits without waiting for the broker's answer: commits of one consumer are applied in
   * order, and a lost commit only means a redelivery that the store deduplicates.
   */
  @Override
  public void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
    lastCommit = consumer.commit(offsets).onFailure(e ->
        LOG.warn("offset commit failed ({}); the records will be redelivered and deduplicated", e.toString()));
  }

  /** The last offset commit sent: closing the consumer waits for it. */
  Future<?> lastCommit() {
    return lastCommit;
  }

  @Override
  public Future<Void> holdUntilWritable(List<KafkaConsumerRecord<String, byte[]>> unstored, Throwable cause) {
    if (!gate.pause()) {
      return Future.failedFuture(cause);
    }
    LOG.warn("consumer paused until the database takes writes ({})", cause.toString());
    metrics.paused.set(1);
    Promise<Void> resumed = Promise.promise();
    rewindAndPause(unstored).onComplete(ar -> probeLater(resumed));
    return resumed.future();
  }

  private void probeLater(Promise<Void> resumed) {
    if (!gate.shouldProbe()) {
      resumed.tryFail("stopping");
      return;
    }
    vertx.setTimer(probeDelayMs, id -> keepAlive().compose(v -> writeProbe.get()).onComplete(ar -> {
      if (gate.probed(ar.succeeded())) {
        consumer.assignment().compose(consumer::resume).onComplete(r -> {
          LOG.info("database takes writes again; consumer resumed");
          metrics.paused.set(0);
          resumed.tryComplete();
        });
      } else {
        LOG.debug("database still takes no writes ({} probe(s)): {}", gate.failedProbes(),
            ar.failed() ? ar.cause().toString() : "-");
        probeLater(resumed);
      }
    }));
  }

  private Future<Void> rewindAndPause(List<KafkaConsumerRecord<String, byte[]>> records) {
    List<Future<?>> seeks = new ArrayList<>();
    BatchPipeline.firstOffsets(records).forEach((tp, offset) -> seeks.add(consumer.seek(tp, offset)
        .recover(e -> Future.succeededFuture()))); // no longer ours: its new owner starts at the commit
    return Future.join(seeks).compose(v -> consumer.assignment()).compose(consumer::pause);
  }

  /**
   * Polls while paused so the group keeps this member. A rebalance can hand over partitions that
   * are not paused yet: any record such a poll returns is rewound and its partition paused.
   */
  private Future<Void> keepAlive() {
    return consumer.poll(Duration.ofMillis(10)).compose(polled ->
            polled.isEmpty() ? Future.<Void>succeededFuture() : rewindAndPause(list(polled)))
        .recover(e -> Future.succeededFuture());
  }

  private static List<KafkaConsumerRecord<String, byte[]>> list(KafkaConsumerRecords<String, byte[]> polled) {
    List<KafkaConsumerRecord<String, byte[]>> records = new ArrayList<>(polled.size());
    for (int i = 0; i < polled.size(); i++) {
      records.add(polled.recordAt(i));
    }
    return records;
  }
}
