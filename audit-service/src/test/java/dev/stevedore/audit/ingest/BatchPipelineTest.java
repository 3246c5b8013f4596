package dev.stevedore.audit.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stevedore.audit.Events;
import dev.stevedore.audit.store.StoreResult;
import dev.stevedore.audit.store.StoredEvent;
import dev.stevedore.common.event.StevedoreEvent;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.OffsetAndMetadata;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ingest cycle over a fake partition: prefetch, commits in order after their batch, outages. */
class BatchPipelineTest {
  final Vertx vertx = Vertx.vertx();
  final Fakes.Store db = new Fakes.Store();
  final Fakes.Sink sink = new Fakes.Sink();
  final IngestMetrics metrics = Fakes.metrics();
  final OutageGate gate = new OutageGate();
  final List<StevedoreEvent> events = Fakes.deployments("pipeline", 20); // 100 events
  BatchPipeline pipeline;

  @AfterEach
  void stop() throws Exception {
    if (pipeline != null) {
      vertx.runOnContext(v -> pipeline.stop());
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /**
   * One partition as a log: a poll returns up to {@code batch} records from the position. Checks
   * at each commit that every record before the committed offset is stored or dead-lettered.
   */
  final class Partition implements BatchPipeline.Source {
    final List<KafkaConsumerRecord<String, byte[]>> log = new ArrayList<>();
    final int batch;
    final AtomicInteger polls = new AtomicInteger();
    final List<Long> commits = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    final List<Long> rewoundTo = new CopyOnWriteArrayList<>();
    long position;

    Partition(List<byte[]> values, int batch) {
      for (byte[] value : values) {
        log.add(DeadLettersTest.record(log.size(), "k", value));
      }
      this.batch = batch;
    }

    @Override
    public Future<List<KafkaConsumerRecord<String, byte[]>>> poll() {
      if (position >= log.size()) {
        return vertx.timer(5).map(List.of());
      }
      List<KafkaConsumerRecord<String, byte[]>> polled =
          List.copyOf(log.subList((int) position, (int) Math.min(log.size(), position + batch)));
      position += polled.size();
      polls.incrementAndGet();
      return Future.succeededFuture(polled);
    }

    @Override
    public void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
      long offset = offsets.values().iterator().next().getOffset();
      if (!commits.isEmpty() && commits.get(commits.size() - 1) >= offset) {
        violations.add("commit " + offset + " after " + commits.get(commits.size() - 1));
      }
      for (KafkaConsumerRecord<String, byte[]> r : log.subList(0, (int) offset)) {
        String value = new String(r.value(), StandardCharsets.UTF_8);
        boolean stored = db.stored.keySet().stream().anyMatch(value::contains);
        // Dead-lettered as the raw record (undecodable) or as the event, keyed by its id (refused).
        boolean dead = sink.letters.stream().anyMatch(l -> l.value() == r.value() || value.contains(l.key()));
        if (!stored && !dead) {
          violations.add("commit " + offset + " before record " + r.offset() + " was stored");
        }
      }
      commits.add(offset);
    }

    /** Rewinds and completes once a write would succeed (as the real source's probe finds). */
    @Override
    public Future<Void> holdUntilWritable(List<KafkaConsumerRecord<String, byte[]>> unstored, Throwable cause) {
      if (!gate.pause()) {
        return Future.failedFuture(cause);
      }
      position = BatchPipeline.firstOffsets(unstored).values().iterator().next();
      rewoundTo.add(position);
      Promise<Void> resumed = Promise.promise();
      vertx.setPeriodic(10, id -> {
        if (gate.probed(db.failure.apply(List.of()) == null)) {
          vertx.cancelTimer(id);
          resumed.complete();
        }
      });
      return resumed.future();
    }
  }

  private void start(Partition partition, BatchStore.Writes writes) {
    DeadLetters deadLetters = new DeadLetters(sink, metrics);
    pipeline = new BatchPipeline(vertx, partition, new RecordDecoder(Events.CODEC), deadLetters,
        new BatchStore(writes, CircuitBreaker.ofDefaults("database"), deadLetters, metrics), gate, 50);
    vertx.runOnContext(v -> pipeline.start());
  }

  private List<byte[]> encoded(List<StevedoreEvent> list) {
    return new ArrayList<>(list.stream().map(Events.CODEC::encode).toList());
  }

  @Test
  void storesEveryRecordOnceAndCommitsInOrderAfterItsBatch() {
    Partition partition = new Partition(encoded(events), 7);
    start(partition, db);
    await().atMost(Duration.ofSeconds(10)).until(() -> partition.commits.contains(100L));
    assertThat(db.stored).hasSize(100);
    assertThat(db.twice()).isEmpty();
    assertThat(partition.commits).hasSize(15); // 14 batches of 7, one of 2
    assertThat(partition.violations).isEmpty();
  }

  @Test
  void pollsTheNextBatchWhileTheCurrentOneIsStored() {
    Partition partition = new Partition(encoded(events), 10);
    AtomicInteger batches = new AtomicInteger();
    // Each batch's write completes only once the next batch has been polled: no prefetch, no progress.
    start(partition, batch -> {
      int index = batches.getAndIncrement();
      Promise<StoreResult> done = Promise.promise();
      vertx.setPeriodic(5, id -> {
        if (partition.polls.get() >= Math.min(index + 2, 10)) {
          vertx.cancelTimer(id);
          db.store(batch).onComplete(done);
        }
      });
      return done.future();
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> partition.commits.contains(100L));
    assertThat(partition.violations).isEmpty();
    assertThat(db.twice()).isEmpty();
  }

  @Test
  void anOutageRewindsTheBatchAndThePrefetchedOneAndLosesNothing() {
    Partition partition = new Partition(encoded(events), 10);
    AtomicInteger writes = new AtomicInteger();
    SQLException readOnly = new SQLException("cannot execute INSERT in a read-only transaction", "25006");
    // The third batch meets a read-only database, which takes writes again after a few probes.
    db.failure = batch -> {
      int n = writes.incrementAndGet();
      return n >= 3 && n < 8 ? readOnly : null;
    };
    start(partition, db);
    await().atMost(Duration.ofSeconds(10)).until(() -> partition.commits.contains(100L));
    assertThat(partition.rewoundTo).containsExactly(20L);
    assertThat(db.stored).hasSize(100);
    assertThat(db.twice()).isEmpty();
    assertThat(sink.letters).isEmpty();
    assertThat(partition.violations).isEmpty();
    assertThat(gate.state()).isEqualTo(OutageGate.State.FLOWING);
  }

  @Test
  void undecodableRecordsAndRefusedEventsAreDeadLetteredAndCommittedPast() {
    List<byte[]> values = encoded(events.subList(0, 20));
    values.add(5, "not json".getBytes(StandardCharsets.UTF_8));
    Partition partition = new Partition(values, 8);
    String refused = events.get(12).id();
    db.failure = batch -> batch.stream().map(StoredEvent::event).anyMatch(e -> e.id().equals(refused))
        ? new SQLException("[SQLITE_CONSTRAINT_TRIGGER] refused") : null;
    start(partition, db);
    await().atMost(Duration.ofSeconds(10)).until(() -> partition.commits.contains(21L));
    assertThat(db.stored).hasSize(19).doesNotContainKey(refused);
    assertThat(sink.letters).extracting(Fakes.Sink.Letter::key).containsExactlyInAnyOrder("k", refused);
    assertThat(partition.rewoundTo).isEmpty();
    assertThat(partition.violations).isEmpty();
  }
}
