package dev.stevedore.audit.ingest;

import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.store.AuditStore;
import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.kafka.KafkaOptions;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.kafka.Topics;
import dev.stevedore.common.runtime.KafkaClients;
import dev.stevedore.common.resilience.VertxCircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka boundary of the audit: one consumer in one group over {@link #TOPICS}, driving a
 * {@link BatchPipeline} (store each poll as a batch, then commit it) over a
 * {@link KafkaSource} (poll, commit, pause during an outage). Dead letters go through
 * {@link DeadLetters}, outage decisions through {@link OutageGate}.
 */
public final class IngestVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(IngestVerticle.class);

  /**
   * What the audit stores: requests, agent events, heartbeats, the trigger's rollout events and
   * the fleet blocklist (its tombstones are skipped). Not the rollout state topic: its snapshots
   * repeat what the rollout events say.
   */
  public static final Set<String> TOPICS = Set.of(Topics.REQUESTS, Topics.EVENTS, Topics.HEARTBEATS,
      Topics.ROLLOUT_EVENTS, Topics.FLEET_BLOCKLIST);

  private final AuditConfig.Ingest config;
  private final KafkaSettings kafka;
  private final AuditStore store;
  private final EventPublisher publisher;
  private final RecordDecoder decoder;
  private final CircuitBreaker breaker;
  private final IngestMetrics metrics;
  private KafkaConsumer<String, byte[]> consumer;
  private KafkaSource source;
  private BatchPipeline pipeline;
  private long lagTimer = -1;

  public IngestVerticle(AuditConfig.Ingest config, KafkaSettings kafka, AuditStore store, EventPublisher publisher,
                        RecordDecoder decoder, CircuitBreaker breaker, IngestMetrics metrics) {
    this.config = config;
    this.kafka = kafka;
    this.store = store;
    this.publisher = publisher;
    this.decoder = decoder;
    this.breaker = breaker;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Map<String, String> options = new HashMap<>(KafkaOptions.consumer(kafka, config.groupId()));
    options.put("max.poll.records", String.valueOf(config.batchSize()));
    // made on a worker (the client's constructor resolves addresses and loads classes)
    return KafkaClients.consumer(vertx, options).compose(client -> {
          consumer = client;
          consumer.partitionsAssignedHandler(tps -> LOG.info("assigned {}", tps));
          consumer.partitionsRevokedHandler(tps -> LOG.info("revoked {}", tps));
          return consumer.subscribe(TOPICS);
        }).onSuccess(v -> {
          LOG.info("consuming {} in group {}", TOPICS, config.groupId());
          OutageGate gate = new OutageGate();
          DeadLetters deadLetters = new DeadLetters(publisher::deadLetter, metrics);
          source = new KafkaSource(vertx, consumer, Duration.ofMillis(config.pollTimeoutMs()), config.retryDelayMs(),
              () -> VertxCircuitBreaker.guard(breaker, store::probeWrite), gate, metrics);
          pipeline = new BatchPipeline(vertx, source, decoder, deadLetters,
              new BatchStore(store::store, breaker, deadLetters, metrics), gate, config.retryDelayMs());
          lagTimer = vertx.setPeriodic(config.lagIntervalMs(), id -> refreshLag());
          pipeline.start();
        });
  }

  /** True once the group gave this instance at least one partition. */
  public Future<Boolean> assigned() {
    return consumer == null ? Future.succeededFuture(false) : consumer.assignment().map(a -> !a.isEmpty());
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
    if (lagTimer >= 0) {
      vertx.cancelTimer(lagTimer);
    }
    if (consumer == null) {
      return Future.succeededFuture();
    }
    if (pipeline == null) {
      return consumer.close();
    }
    // Closing wakes the consumer up, which fails whatever it is doing: let the cycle in flight
    // (the prefetched poll, the last offset commit) finish first, so the group sees a clean leave.
    return pipeline.stop().transform(ar -> source.lastCommit()).transform(ar -> consumer.close());
  }
}
