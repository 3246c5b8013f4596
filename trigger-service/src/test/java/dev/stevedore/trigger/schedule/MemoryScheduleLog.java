package dev.stevedore.trigger.schedule;

import dev.stevedore.trigger.schedule.ScheduleBook.Position;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A schedule log in memory for unit tests: one partition, records kept in a list and handed to the
 * reader in order on its context; appends and read barriers are ordered behind the deliveries.
 * Who owns what is a predicate the test sets.
 */
public final class MemoryScheduleLog implements ScheduleLog {
  public record Appended(String key, byte[] value) {}

  private final List<Appended> records = new ArrayList<>();
  private Context context;
  private Reader reader;
  private volatile Predicate<String> owns = id -> true;
  private volatile boolean failAppends;

  /** A timer on a fresh in-memory log with a fresh key (the unit tests of the API use it). */
  public static ScheduleTimer timer(Path journalDir, long tickMs, int maxPending,
      Function<Schedule, Future<?>> fire, Clock clock) {
    KeyPair keys = dev.stevedore.common.security.Ed25519Keys.generate();
    return new ScheduleTimer(new MemoryScheduleLog(), new ScheduleRecords(keys), journalDir, tickMs, maxPending, fire,
        clock, "unit");
  }

  @Override
  public synchronized Future<Void> start(Vertx vertx, Reader reader) {
    this.context = vertx.getOrCreateContext();
    this.reader = reader;
    List<Appended> before = List.copyOf(records); // a new reader reads the log from the beginning
    context.runOnContext(v -> {
      for (int i = 0; i < before.size(); i++) {
        reader.record(before.get(i).key(), before.get(i).value(), new Position(0, i));
      }
    });
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Position> append(String key, byte[] value) {
    if (failAppends) {
      return Future.failedFuture("the log is down (test)");
    }
    Position at = new Position(0, records.size());
    records.add(new Appended(key, value));
    Promise<Position> promise = Promise.promise();
    context.runOnContext(v -> {
      reader.record(key, value, at);
      promise.complete(at);
    });
    return promise.future();
  }

  /** A record from someone else (hostile tests). */
  public Future<Position> inject(String key, byte[] value) {
    return append(key, value);
  }

  public synchronized List<Appended> records() {
    return List.copyOf(records);
  }

  public void owns(Predicate<String> owns) {
    this.owns = owns;
  }

  public void failAppends(boolean fail) {
    this.failAppends = fail;
  }

  /** Tells the reader it gained ownership (a takeover). */
  public void gainOwnership() {
    context.runOnContext(v -> reader.ownershipGained());
  }

  @Override
  public Future<Void> applied(Position at, long timeoutMs) {
    return barrier();
  }

  @Override
  public Future<Void> caughtUp(long timeoutMs) {
    return barrier();
  }

  private Future<Void> barrier() {
    Promise<Void> promise = Promise.promise();
    context.runOnContext(v -> promise.complete());
    return promise.future();
  }

  @Override
  public boolean owns(String id) {
    return owns.test(id);
  }

  @Override
  public boolean ready() {
    return true;
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }
}
