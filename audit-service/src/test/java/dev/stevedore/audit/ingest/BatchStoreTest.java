package dev.stevedore.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.audit.Events;
import dev.stevedore.audit.store.StoredEvent;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BatchStoreTest {
  final Fakes.Store db = new Fakes.Store();
  final Fakes.Sink sink = new Fakes.Sink();
  final IngestMetrics metrics = Fakes.metrics();
  final BatchStore store = new BatchStore(db, CircuitBreaker.ofDefaults("database"), new DeadLetters(sink, metrics),
      metrics);
  final List<StoredEvent> batch = Events.stored(Fakes.deployments("batch-store", 2));
  final String refused = batch.get(3).event().id();

  @Test
  void storesABatchInOneWrite() throws Exception {
    store.store(batch).await(5, TimeUnit.SECONDS);
    assertThat(db.stored).hasSize(10);
    assertThat(db.batchSizes).containsExactly(10);
    assertThat(metrics.storedCount()).isEqualTo(10);
  }

  @Test
  void anEventRefusedForItsDataIsDeadLetteredAndTheRestStored() throws Exception {
    db.failure = events -> events.stream().anyMatch(e -> e.event().id().equals(refused))
        ? new SQLException("new row violates check constraint", "23514") : null;
    store.store(batch).await(5, TimeUnit.SECONDS);

    assertThat(db.stored).hasSize(9).doesNotContainKey(refused);
    assertThat(sink.letters).singleElement().satisfies(l -> {
      assertThat(l.key()).isEqualTo(refused);
      assertThat(l.reason()).startsWith("storage rejected: ").contains("check constraint");
      assertThat(l.value()).isEqualTo(batch.get(3).canonical());
    });
    assertThat(metrics.deadLettered.count()).isEqualTo(1);
  }

  @Test
  void anOutageFailsTheBatchAndDeadLettersNothing() throws Exception {
    db.failure = events -> new SQLException("cannot execute INSERT in a read-only transaction", "25006");
    Throwable failure = Fakes.failureOf(store.store(batch));
    assertThat(OutageGate.fault(failure)).isEqualTo(OutageGate.Fault.OUTAGE);
    assertThat(db.batchSizes).as("no event-by-event pass").containsExactly(10);
    assertThat(db.stored).isEmpty();
    assertThat(sink.letters).isEmpty();
  }

  @Test
  void anOutageDuringTheEventByEventPassFailsItAndDeadLettersNothing() throws Exception {
    db.failure = events -> events.size() > 1 ? new SQLException("duplicate key", "23505")
        : events.get(0).event().id().equals(refused) ? new SQLException("[SQLITE_FULL] database or disk is full")
        : null;
    Throwable failure = Fakes.failureOf(store.store(batch));
    assertThat(failure).hasMessageContaining("SQLITE_FULL");
    assertThat(db.stored).hasSize(3); // the events before it; the rest wait for the retry
    assertThat(sink.letters).isEmpty();
  }
}
