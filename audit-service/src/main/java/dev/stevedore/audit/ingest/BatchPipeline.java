package dev.stevedore.audit.ingest;

import dev.stevedore.common.kafka.Topics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest's cycle: poll a batch and decode it (on workers), dead-letter what does not decode,
 * store the rest, commit the batch's offsets. The next batch is polled and decoded while the
 * current one is stored (one batch ahead at most: on two cores the decoding of the next batch
 * runs while the database writes this one); offsets are committed only after their batch is
 * stored, in order. When a batch cannot be completed, the source holds both batches' records
 * until the database takes writes, and the cycle starts over from them.
 * Runs on one Vert.x context (the verticle's); only decoding leaves it.
 */
final class BatchPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(BatchPipeline.class);
  private static final int DECODE_PARALLELISM = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  /** What the pipeline needs of the consumer. */
  interface Source {
    /** The next records (possibly none). */
    Future<List<KafkaConsumerRecord<String, byte[]>>> poll();

    /** Commits offsets of stored records; need not wait for the broker's answer. */
    void commit(Map<TopicPartition, OffsetAndMetadata> offsets);

    /**
     * Rewinds to the first of {@code unstored} on each partition, pauses, and completes once the
     * database takes writes again (consumer resumed); fails when stopping.
     */
    Future<Void> holdUntilWritable(List<KafkaConsumerRecord<String, byte[]>> unstored, Throwable cause);
  }

  /** One poll's records, decoded. */
  private record Batch(List<KafkaConsumerRecord<String, byte[]>> records, List<RecordDecoder.Decoded> decoded) {
    static final Batch EMPTY = new Batch(List.of(), List.of());
  }

  private final Vertx vertx;
  private final Source source;
  private final RecordDecoder decoder;
  private final DeadLetters deadLetters;
  private final BatchStore store;
  private final OutageGate gate;
  private final long retryDelayMs;
  /** The running cycle (a batch and the fetch after it): stopping waits for it. */
  private Future<?> inFlight = Future.succeededFuture();

  BatchPipeline(Vertx vertx, Source source, RecordDecoder decoder, DeadLetters deadLetters, BatchStore store,
                OutageGate gate, long retryDelayMs) {
    this.vertx = vertx;
    this.source = source;
    this.decoder = decoder;
    this.deadLetters = deadLetters;
    this.store = store;
    this.gate = gate;
    this.retryDelayMs = retryDelayMs;
  }

  /** Starts cycling; call on the context the pipeline is to run on. */
  void start() {
    vertx.runOnContext(v -> loop(fetch()));
  }

  /** Stops after the cycle in flight; the future completes when it has ended. */
  Future<?> stop() {
    gate.stop();
    return inFlight;
  }

  private void loop(Future<Batch> fetched) {
    if (gate.stopped()) {
      return;
    }
    Future<Future<Batch>> cycle = fetched.compose(batch -> {
      if (batch.records().isEmpty()) {
        return Future.succeededFuture((Future<Batch>) null);
      }
      Future<Batch> next = fetch();
      return handle(batch, next).map(keepNext -> keepNext ? next : null);
    });
    inFlight = cycle.transform(ar -> ar.succeeded() && ar.result() != null ? ar.result() : Future.succeededFuture());
    cycle.onComplete(ar -> {
      if (gate.stopped()) {
        return;
      }
      if (ar.failed()) {
        LOG.error("ingest cycle failed; retrying in {} ms", retryDelayMs, ar.cause());
        vertx.setTimer(retryDelayMs, id -> loop(fetch()));
      } else {
        Future<Batch> next = ar.result();
        vertx.runOnContext(v -> loop(next != null ? next : fetch()));
      }
    });
  }

  private Future<Batch> fetch() {
    if (gate.stopped()) {
      return Future.succeededFuture(Batch.EMPTY);
    }
    return source.poll().compose(records -> records.isEmpty() ? Future.succeededFuture(Batch.EMPTY)
        : decodeAll(records).map(decoded -> new Batch(records, decoded)));
  }

  /**
   * Dead-letters, stores and commits one batch. True when it is done and the batch fetched
   * meanwhile can follow; false after an outage, when both were rewound and are read again once
   * the database takes writes.
   */
  private Future<Boolean> handle(Batch batch, Future<Batch> next) {
    return deadLetters.undecodable(batch.records(), batch.decoded())
        .compose(v -> store.store(batch.decoded().stream().filter(RecordDecoder.Decoded::ok)
            .map(RecordDecoder.Decoded::event).toList()))
        .map(v -> {
          source.commit(nextOffsets(batch.records()));
          return true;
        })
        .recover(e -> {
          if (gate.stopped()) {
            return Future.failedFuture(e);
          }
          // The next batch was polled already: rewind to the first record of either.
          return next.transform(ar -> {
            List<KafkaConsumerRecord<String, byte[]>> both = new ArrayList<>(batch.records());
            if (ar.succeeded()) {
              both.addAll(ar.result().records());
            }
            LOG.warn("cannot complete a batch of {} record(s) ({}); rewinding it with the {} record(s) fetched "
                + "meanwhile", batch.records().size(), e.toString(), both.size() - batch.records().size());
            return source.holdUntilWritable(both, e).map(false);
          });
        });
  }

  /** A tombstone on a compacted topic (a lifted block) is no event; anything else is decoded. */
  private RecordDecoder.Decoded decode(KafkaConsumerRecord<String, byte[]> r) {
    return r.value() == null && Topics.COMPACTED.contains(r.topic()) ? RecordDecoder.Decoded.TOMBSTONE
        : decoder.decode(r.value());
  }

  /** Decodes on worker threads, in parallel chunks (strict decoding and canonical JSON cost CPU). */
  private Future<List<RecordDecoder.Decoded>> decodeAll(List<KafkaConsumerRecord<String, byte[]>> records) {
    int chunks = records.size() < 200 ? 1 : DECODE_PARALLELISM;
    int size = (records.size() + chunks - 1) / chunks;
    List<Future<List<RecordDecoder.Decoded>>> parts = new ArrayList<>();
    for (int from = 0; from < records.size(); from += size) {
      List<KafkaConsumerRecord<String, byte[]>> part = records.subList(from, Math.min(records.size(), from + size));
      parts.add(vertx.executeBlocking(() -> part.stream().map(BatchPipeline.this::decode).toList(), false));
    }
    return Future.all(parts).map(all -> {
      List<RecordDecoder.Decoded> out = new ArrayList<>(records.size());
      parts.forEach(f -> out.addAll(f.result()));
      return out;
    });
  }

  /** Per partition, the offset after the last record: what to commit once they are stored. */
  static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<KafkaConsumerRecord<String, byte[]>> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (KafkaConsumerRecord<String, byte[]> r : records) {
      offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1, ""),
          (a, b) -> a.getOffset() >= b.getOffset() ? a : b);
    }
    return offsets;
  }

  /** Per partition, the offset of the first record: where to rewind to. */
  static Map<TopicPartition, Long> firstOffsets(List<KafkaConsumerRecord<String, byte[]>> records) {
    Map<TopicPartition, Long> first = new HashMap<>();
    for (KafkaConsumerRecord<String, byte[]> r : records) {
      first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
    }
    return first;
  }
}
