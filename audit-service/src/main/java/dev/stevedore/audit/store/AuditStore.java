package dev.stevedore.audit.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.List;

/**
 * The asynchronous face of the store: each call runs its JDBC work on the database worker pool
 * and completes on the caller's context.
 */
public final class AuditStore {
  private final Database database;
  private final EventWriter writer;
  private final QueryRepository queries;

  public AuditStore(Database database, ObjectMapper json, Clock clock) {
    this.database = database;
    this.writer = new EventWriter(database.writerDataSource(), database.dialect(), json, clock);
    this.queries = new QueryRepository(database.dataSource(), database.dialect(), json);
  }

  public Future<StoreResult> store(List<StoredEvent> batch) {
    return database.write(() -> writer.store(batch));
  }

  public Future<Void> ping() {
    return database.ping();
  }

  /** Succeeds when the writer can write (not only read): see {@link EventWriter#probe()}. */
  public Future<Void> probeWrite() {
    return database.write(() -> {
      writer.probe();
      return null;
    });
  }

  /** Runs a read on the worker pool. */
  public <T> Future<T> read(Read<T> read) {
    return database.blocking(() -> read.run(queries));
  }

  public Database database() {
    return database;
  }

  @FunctionalInterface
  public interface Read<T> {
    T run(QueryRepository queries) throws Exception;
  }
}
