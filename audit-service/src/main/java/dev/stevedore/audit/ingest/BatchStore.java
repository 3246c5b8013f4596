package dev.stevedore.audit.ingest;

import dev.stevedore.audit.store.StoreResult;
import dev.stevedore.audit.store.StoredEvent;
import dev.stevedore.common.resilience.VertxCircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores one batch through the "database" breaker. When the database refuses the batch for its
 * data, stores the events one at a time and dead-letters each one still refused for its data, so
 * one bad event never blocks a partition. Any other failure, then or meanwhile, is an outage
 * ({@link OutageGate#fault}): it fails the call, and nothing is dead-lettered.
 */
final class BatchStore {
  private static final Logger LOG = LoggerFactory.getLogger(BatchStore.class);

  /** The writes: {@code AuditStore::store} in the service. */
  @FunctionalInterface
  interface Writes {
    Future<StoreResult> store(List<StoredEvent> events);
  }

  private final Writes writes;
  private final CircuitBreaker breaker;
  private final DeadLetters deadLetters;
  private final IngestMetrics metrics;

  BatchStore(Writes writes, CircuitBreaker breaker, DeadLetters deadLetters, IngestMetrics metrics) {
    this.writes = writes;
    this.breaker = breaker;
    this.deadLetters = deadLetters;
    this.metrics = metrics;
  }

  Future<Void> store(List<StoredEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    long start = System.nanoTime();
    return VertxCircuitBreaker.guard(breaker, () -> writes.store(events))
        .onSuccess(r -> {
          metrics.batchTime.record(Duration.ofNanos(System.nanoTime() - start));
          count(r);
          LOG.debug("stored {} event(s), {} duplicate(s), chain head {}", r.stored(), r.duplicates(), r.headSeq());
          if (r.conflicts() > 0) {
            LOG.warn("{} event(s) arrived under an already stored event id with different bytes; kept as conflicts "
                + "(GET /api/v1/audit/conflicts)", r.conflicts());
          }
        })
        .<Void>mapEmpty()
        .recover(e -> {
          metrics.storeFailures.increment();
          return OutageGate.fault(e) == OutageGate.Fault.DATA ? oneByOne(events) : Future.failedFuture(e);
        });
  }

  private Future<Void> oneByOne(List<StoredEvent> events) {
    Future<Void> chain = Future.succeededFuture();
    for (StoredEvent event : events) {
      chain = chain.compose(v -> writes.store(List.of(event))
          .onSuccess(this::count)
          .<Void>mapEmpty()
          .recover(e -> OutageGate.fault(e) == OutageGate.Fault.DATA
              ? deadLetters.refused(event, e)
              : Future.failedFuture(e))); // an outage: the whole batch is retried after it
    }
    return chain;
  }

  private void count(StoreResult r) {
    metrics.stored.increment(r.stored());
    metrics.duplicates.increment(r.duplicates());
    metrics.conflicts.increment(r.conflicts());
  }
}
