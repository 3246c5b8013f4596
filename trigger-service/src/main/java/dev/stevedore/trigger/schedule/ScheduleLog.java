package dev.stevedore.trigger.schedule;

import dev.stevedore.trigger.schedule.ScheduleBook.Position;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Where schedule changes are recorded and read back, in one order per schedule, and which instance
 * owns (fires) which schedule: in production {@link KafkaScheduleLog} (the compacted schedule topic
 * and {@link dev.stevedore.common.kafka.PartitionOwnership}).
 */
public interface ScheduleLog {
  /** What the log tells its reader; every call on the context that called {@link #start}. */
  interface Reader {
    /** A record, in log order per key; {@code value} is untrusted (null for a tombstone). */
    void record(String key, byte[] value, Position at);

    /** This instance now owns more schedules, and has read every record of them. */
    void ownershipGained();
  }

  /** Starts reading into {@code reader}; completes without waiting for the broker. */
  Future<Void> start(Vertx vertx, Reader reader);

  /** Appends a record; completes with its position once the log has acknowledged it. */
  Future<Position> append(String key, byte[] value);

  /** Completes once the reader has been given every record up to and including {@code at}. */
  Future<Void> applied(Position at, long timeoutMs);

  /** Completes once the reader has been given every record appended before this call (a read barrier). */
  Future<Void> caughtUp(long timeoutMs);

  /** True while this instance owns (fires) the schedule with this id. */
  boolean owns(String id);

  /** True once the log was read up to its end at least once. */
  boolean ready();

  Future<Void> close();
}
