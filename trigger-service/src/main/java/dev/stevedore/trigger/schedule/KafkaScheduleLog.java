package dev.stevedore.trigger.schedule;

import dev.stevedore.common.kafka.EventPublisher;
import dev.stevedore.common.kafka.KafkaSettings;
import dev.stevedore.common.kafka.PartitionOwnership;
import dev.stevedore.trigger.schedule.ScheduleBook.Position;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The schedule log on Kafka: records go to the compacted schedule topic through the trigger's
 * publisher (acks=all, idempotent, behind the Kafka circuit breaker); every instance reads the
 * whole topic, and {@link PartitionOwnership} in the trigger's schedule group says which
 * instance fires which schedule.
 */
public final class KafkaScheduleLog implements ScheduleLog {
  private final KafkaSettings kafka;
  private final PartitionOwnership.Settings settings;
  private final EventPublisher publisher;
  private volatile PartitionOwnership ownership;

  public KafkaScheduleLog(KafkaSettings kafka, PartitionOwnership.Settings settings, EventPublisher publisher) {
    this.kafka = kafka;
    this.settings = settings;
    this.publisher = publisher;
  }

  @Override
  public Future<Void> start(Vertx vertx, Reader reader) {
    return PartitionOwnership.start(vertx, kafka, settings, new PartitionOwnership.Listener() {
      @Override
      public void records(List<ConsumerRecord<String, byte[]>> batch) {
        for (ConsumerRecord<String, byte[]> r : batch) {
          reader.record(r.key(), r.value(), new Position(r.partition(), r.offset()));
        }
      }

      @Override
      public void assigned(Set<Integer> partitions) {
        reader.ownershipGained();
      }

      @Override
      public void revoked(Set<Integer> partitions) {
        // owns() is false already; a fire in flight checks it again before publishing.
      }
    }).map(o -> {
      ownership = o;
      return null;
    });
  }

  @Override
  public Future<Position> append(String key, byte[] value) {
    return publisher.publishEncoded(settings.topic(), key, value)
        .map(md -> new Position(md.getPartition(), md.getOffset()));
  }

  @Override
  public Future<Void> applied(Position at, long timeoutMs) {
    return started().compose(o -> o.applied(at.partition(), at.offset() + 1, timeoutMs));
  }

  @Override
  public Future<Void> caughtUp(long timeoutMs) {
    return started().compose(o -> o.caughtUp(timeoutMs));
  }

  @Override
  public boolean owns(String id) {
    PartitionOwnership o = ownership;
    return o != null && o.owns(id);
  }

  @Override
  public boolean ready() {
    PartitionOwnership o = ownership;
    return o != null && o.ready();
  }

  /** The partitions this instance owns (for logs and health details). */
  public Set<Integer> owned() {
    PartitionOwnership o = ownership;
    return o == null ? Set.of() : o.owned();
  }

  @Override
  public Future<Void> close() {
    PartitionOwnership o = ownership;
    return o == null ? Future.succeededFuture() : o.close();
  }

  private Future<PartitionOwnership> started() {
    PartitionOwnership o = ownership;
    return o == null ? Future.failedFuture("the schedule log has not started") : Future.succeededFuture(o);
  }
}
