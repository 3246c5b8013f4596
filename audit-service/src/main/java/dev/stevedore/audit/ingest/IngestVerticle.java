package dev.stevedore.audit.ingest;

import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.store.AuditStore;
import dev.stevedore.audit.store.Refusals;
import dev.stevedore.audit.store.StoreResult;
import dev.stevedore.audit.store.StoredEvent;
import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.kafka.KafkaOptions;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.resilience.VertxCircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka boundary: polls requests, outcome events and heartbeats in one group, stores each
 * poll as one batch, then commits its offsets; the next poll is fetched and decoded meanwhile.
 * Undecodable records go to the dead-letter topic.
 * When the database fails a batch for any reason but the data's (unreachable, read-only, full,
 * locked: see {@link Refusals}), it seeks back to the batch, pauses its partitions and probes
 * until the database takes writes again: nothing is dropped, skipped or dead-lettered.
 */
public final class IngestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);
  private static final int DECODE_PARALLELISM = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

  private final AuditConfig.Ingest config;
  private final KafkaSettings kafka;
  private final AuditStore store;
  private final EventPublisher publisher;
  private final RecordDecoder decoder;
  private final CircuitBreaker breaker;
  private final IngestMetrics metrics;
  private final PoisonHandler poison;
  private KafkaConsumer<String, byte[]> consumer;
  private volatile boolean stopping;
  private long lagTimer = -1;
  /** The running cycle (a batch, the fetch after it, the last offset commit): stop waits for it. */
  private Future<?> inFlight = Future.succeededFuture();
  private Future<?> lastCommit = Future.succeededFuture();

  public IngestVerticle(AuditConfig.Ingest config, KafkaSettings kafka, AuditStore store, EventPublisher publisher,
                        RecordDecoder decoder, CircuitBreaker breaker, IngestMetrics metrics) {
    this.config = config;
    this.kafka = kafka;
    this.store = store;
    this.publisher = publisher;
    this.decoder = decoder;
    this.breaker = breaker;
    this.metrics = metrics;
    this.poison = new PoisonHandler(store, publisher, metrics);
  }

  @Override
  public Future<?> start() {
    Map<String, String> options = KafkaOptions.consumer(kafka, config.groupId());
    options.put("max.poll.records", String.valueOf(config.batchSize()));
    consumer = KafkaConsumer.create(vertx, options);
    consumer.partitionsAssignedHandler(tps -> LOG.info("assigned {}", tps));
    consumer.partitionsRevokedHandler(tps -> LOG.info("revoked {}", tps));
    return consumer.subscribe(Set.of(Topics.REQUESTS, Topics.EVENTS, Topics.HEARTBEATS)).onSuccess(v -> {
      LOG.info("consuming {}, {}, {} in group {}", Topics.REQUESTS, Topics.EVENTS, Topics.HEARTBEATS, config.groupId());
      lagTimer = vertx.setPeriodic(config.lagIntervalMs(), id -> refreshLag());
      vertx.runOnContext(x -> loop(fetch()));
    });
  }

  /** True once the group gave this instance at least one partition. */
  public Future<Boolean> assigned() {
    return consumer == null ? Future.succeededFuture(false) : consumer.assignment().map(a -> !a.isEmpty());
  }

  /** One poll's records, decoded. */
  private record Batch(List<KafkaConsumerRecord<String, byte[]>> records, List<RecordDecoder.Decoded> decoded) {
    static final Batch EMPTY = new Batch(List.of(), List.of());
  }

  /**
   * Stores one batch while the next one is polled and decoded (one batch ahead at most: on two
   * cores the decoding of the next batch runs while the database writes this one). Offsets are
   * still committed only after their batch is stored, in order.
   */
  private void loop(Future<Batch> fetched) {
    if (stopping) {
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
      if (ar.failed() && !stopping) {
        LOG.error("ingest cycle failed; retrying in {} ms", config.retryDelayMs(), ar.cause());
        vertx.setTimer(config.retryDelayMs(), id -> {
          if (!stopping) {
            loop(fetch());
          }
        });
      } else if (!stopping) {
        Future<Batch> next = ar.result();
        vertx.runOnContext(v -> {
          if (!stopping) {
            loop(next != null ? next : fetch());
          }
        });
      }
    });
  }

  private Future<Batch> fetch() {
    return consumer.poll(Duration.ofMillis(config.pollTimeoutMs())).compose(polled -> {
      if (polled.isEmpty()) {
        return Future.succeededFuture(Batch.EMPTY);
      }
      List<KafkaConsumerRecord<String, byte[]>> records = new ArrayList<>(polled.size());
      for (int i = 0; i < polled.size(); i++) {
        records.add(polled.recordAt(i));
      }
      return decodeAll(records).map(decoded -> new Batch(records, decoded));
    });
  }

  /**
   * Dead-letters, stores and commits one batch. True when it is done and the batch fetched
   * meanwhile can follow; false after a database outage, when both were rewound and are read
   * again once the database answers.
   */
  private Future<Boolean> handle(Batch batch, Future<Batch> next) {
    return deadLetter(batch.records(), batch.decoded())
        .compose(v -> storeBatch(batch.decoded().stream().filter(RecordDecoder.Decoded::ok)
            .map(RecordDecoder.Decoded::event).toList()))
        .compose(v -> commit(batch.records()))
        .map(true)
        .recover(e -> {
          if (stopping) {
            return Future.failedFuture(e);
          }
          // The next batch was polled already: rewind to the first record of either.
          return next.transform(ar -> {
            List<KafkaConsumerRecord<String, byte[]>> both = new ArrayList<>(batch.records());
            if (ar.succeeded()) {
              both.addAll(ar.result().records());
            }
            return pauseUntilDatabaseAnswers(both, batch.records().size(), e).map(false);
          });
        });
  }

  /** Decodes on worker threads, in parallel chunks (strict decoding and canonical JSON cost CPU). */
  private Future<List<RecordDecoder.Decoded>> decodeAll(List<KafkaConsumerRecord<String, byte[]>> records) {
    int chunks = records.size() < 200 ? 1 : DECODE_PARALLELISM;
    int size = (records.size() + chunks - 1) / chunks;
    List<Future<List<RecordDecoder.Decoded>>> parts = new ArrayList<>();
    for (int from = 0; from < records.size(); from += size) {
      List<KafkaConsumerRecord<String, byte[]>> part = records.subList(from, Math.min(records.size(), from + size));
      parts.add(vertx.executeBlocking(() -> part.stream().map(r -> decoder.decode(r.value())).toList(), false));
    }
    return Future.all(parts).map(all -> {
      List<RecordDecoder.Decoded> out = new ArrayList<>(records.size());
      parts.forEach(f -> out.addAll(f.result()));
      return out;
    });
  }

  private Future<Void> deadLetter(List<KafkaConsumerRecord<String, byte[]>> records, List<RecordDecoder.Decoded> decoded) {
    List<Future<?>> sends = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      if (!decoded.get(i).ok()) {
        KafkaConsumerRecord<String, byte[]> r = records.get(i);
        LOG.warn("dead-lettering {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), decoded.get(i).reason());
        sends.add(publisher.deadLetter(r.key(), r.value(), decoded.get(i).reason(), origin(r))
            .onSuccess(m -> metrics.deadLettered.increment()));
      }
    }
    return Future.all(sends).mapEmpty();
  }

  static Map<String, String> origin(KafkaConsumerRecord<String, byte[]> r) {
    return Map.of(Topics.HEADER_ORIGINAL_TOPIC, r.topic(),
        Topics.HEADER_ORIGINAL_PARTITION, String.valueOf(r.partition()),
        Topics.HEADER_ORIGINAL_OFFSET, String.valueOf(r.offset()),
        Topics.HEADER_REJECTED_BY, "stevedore-audit");
  }

  private Future<Void> storeBatch(List<StoredEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    long start = System.nanoTime();
    return VertxCircuitBreaker.guard(breaker, () -> store.store(events))
        .onSuccess(r -> record(r, start))
        .<Void>mapEmpty()
        .recover(e -> {
          metrics.storeFailures.increment();
          // Only a data error may single out events to dead-letter; anything else is an outage.
          return Refusals.isRefusal(e) ? poison.storeOneByOne(events) : Future.failedFuture(e);
        });
  }

  private void record(StoreResult r, long startNanos) {
    metrics.batchTime.record(Duration.ofNanos(System.nanoTime() - startNanos));
    metrics.stored.increment(r.stored());
    metrics.duplicates.increment(r.duplicates());
    LOG.debug("stored {} event(s), {} duplicate(s), chain head {}", r.stored(), r.duplicates(), r.headSeq());
  }

  /**
   * Commits the batch's offsets (the batch is in the database already) without waiting for the
   * broker's answer: commits of one consumer are applied in order, and a lost commit only means a
   * redelivery that the store deduplicates.
   */
  private Future<Void> commit(List<KafkaConsumerRecord<String, byte[]>> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = nextOffsets(records);
    lastCommit = consumer.commit(offsets).onFailure(e ->
        LOG.warn("offset commit failed ({}); the records will be redelivered and deduplicated", e.toString()));
    return Future.succeededFuture();
  }

  static Map<TopicPartition, OffsetAndMetadata> nextOffsets(List<KafkaConsumerRecord<String, byte[]>> records) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (KafkaConsumerRecord<String, byte[]> r : records) {
      offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1, ""),
          (a, b) -> a.getOffset() >= b.getOffset() ? a : b);
    }
    return offsets;
  }

  private static Map<TopicPartition, Long> firstOffsets(List<KafkaConsumerRecord<String, byte[]>> records) {
    Map<TopicPartition, Long> first = new HashMap<>();
    for (KafkaConsumerRecord<String, byte[]> r : records) {
      first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
    }
    return first;
  }

  /** Rewinds to the batch, pauses every partition, and probes until the database takes writes. */
  private Future<Void> pauseUntilDatabaseAnswers(List<KafkaConsumerRecord<String, byte[]>> records, int batchSize,
                                                 Throwable cause) {
    LOG.warn("cannot complete a batch of {} record(s) ({}); rewound with the {} record(s) fetched meanwhile, "
        + "consumer paused until the database answers", batchSize, cause.toString(), records.size() - batchSize);
    metrics.paused.set(1);
    Promise<Void> resumed = Promise.promise();
    rewind(firstOffsets(records))
        .compose(v -> consumer.assignment())
        .compose(consumer::pause)
        .onComplete(ar -> probe(resumed));
    return resumed.future();
  }

  private Future<Void> rewind(Map<TopicPartition, Long> positions) {
    List<Future<?>> seeks = new ArrayList<>();
    positions.forEach((tp, offset) -> seeks.add(consumer.seek(tp, offset)
        .recover(e -> Future.succeededFuture()))); // no longer ours: its new owner starts at the commit
    return Future.join(seeks).mapEmpty();
  }

  private void probe(Promise<Void> resumed) {
    if (stopping) {
      resumed.tryFail("stopping");
      return;
    }
    vertx.setTimer(config.retryDelayMs(), id -> keepAlive()
        .compose(v -> VertxCircuitBreaker.guard(breaker, store::probeWrite))
        .onSuccess(v -> consumer.assignment().compose(consumer::resume).onComplete(ar -> {
          LOG.info("database takes writes again; consumer resumed");
          metrics.paused.set(0);
          resumed.tryComplete();
        }))
        .onFailure(e -> {
          LOG.debug("database still takes no writes: {}", e.toString());
          probe(resumed);
        }));
  }

  /**
   * Polls while paused so the group keeps this member. A rebalance can hand over partitions that
   * are not paused yet: any record such a poll returns is rewound and its partition paused.
   */
  private Future<Void> keepAlive() {
    return consumer.poll(Duration.ofMillis(10)).compose(polled -> {
      if (polled.isEmpty()) {
        return Future.succeededFuture();
      }
      List<KafkaConsumerRecord<String, byte[]>> records = new ArrayList<>();
      for (int i = 0; i < polled.size(); i++) {
        records.add(polled.recordAt(i));
      }
      return rewind(firstOffsets(records)).compose(v -> consumer.assignment()).compose(consumer::pause);
    }).recover(e -> Future.succeededFuture());
  }

  private void refreshLag() {
    consumer.assignment()
        .compose(tps -> tps.isEmpty() ? Future.succeededFuture(0L) : consumer.endOffsets(tps).compose(ends -> {
          List<Future<Long>> lags = new ArrayList<>();
          ends.forEach((tp, end) -> lags.add(consumer.position(tp).map(pos -> Math.max(0, end - pos))));
          return Future.all(lags).map(all -> lags.stream().mapToLong(Future::result).sum());
        }))
        .onSuccess(metrics.lag::set)
        .onFailure(e -> LOG.debug("lag not refreshed: {}", e.toString()));
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (lagTimer >= 0) {
      vertx.cancelTimer(lagTimer);
    }
    if (consumer == null) {
      return Future.succeededFuture();
    }
    // Closing wakes the consumer up, which fails whatever it is doing: let the cycle in flight
    // (the prefetched poll, the last offset commit) finish first, so the group sees a clean leave.
    return inFlight.transform(ar -> lastCommit).transform(ar -> consumer.close());
  }
}
