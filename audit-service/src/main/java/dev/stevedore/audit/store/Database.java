package dev.stevedore.audit.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.stevedore.audit.AuditConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.Callable;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JDBC boundary: a small connection pool, the schema migrations, and a dedicated worker
 * pool. Every JDBC call goes through {@link #blocking}, never on an event loop.
 */
public final class Database implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Database.class);

  private final HikariDataSource dataSource;
  /** SQLite: a pool of one connection for the ingest writer; PostgreSQL: the same pool. */
  private final HikariDataSource writerDataSource;
  private final Dialect dialect;
  private final WorkerExecutor workers;
  private final WorkerExecutor writer;

  private Database(HikariDataSource dataSource, AuditConfig.Database config, WorkerExecutor workers,
                   WorkerExecutor writer) {
    this.dataSource = dataSource;
    this.dialect = Dialect.of(config.url());
    this.writerDataSource = config.sqlite() ? dataSource(config, true) : dataSource;
    this.workers = workers;
    this.writer = writer;
  }

  /** Opens the pool and runs the migrations, on a worker thread. */
  public static Future<Database> open(Vertx vertx, AuditConfig.Database config) {
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("audit-db", config.poolSize());
    // Ingest writes on a thread of their own: long reads (export, verify) never hold them up.
    WorkerExecutor writer = vertx.createSharedWorkerExecutor("audit-db-writer", 1);
    return writer.executeBlocking(() -> {
      HikariDataSource ds = dataSource(config, false);
      try {
        migrate(ds, Dialect.of(config.url()));
        return new Database(ds, config, workers, writer);
      } catch (RuntimeException e) {
        ds.close();
        throw e;
      }
    }, false).onFailure(e -> {
      workers.close();
      writer.close();
    });
  }

  /** Opens without Vert.x (benchmarks, tests of the repository alone). */
  public static Database openBlocking(AuditConfig.Database config) {
    HikariDataSource ds = dataSource(config, false);
    try {
      migrate(ds, Dialect.of(config.url()));
      return new Database(ds, config, null, null);
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
  }

  /** The pool for queries, or (SQLite, {@code writer}) the ingest writer's single connection. */
  static HikariDataSource dataSource(AuditConfig.Database config, boolean writer) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName(writer ? "audit-db-writer" : "audit-db");
    hc.setJdbcUrl(config.url());
    hc.setMaximumPoolSize(writer ? 1 : config.poolSize());
    hc.setMinimumIdle(1);
    hc.setConnectionTimeout(config.connectionTimeoutMs());
    hc.setValidationTimeout(Math.min(config.connectionTimeoutMs(), 2000));
    hc.setInitializationFailTimeout(config.connectionTimeoutMs());
    hc.setAutoCommit(true);
    if (config.sqlite()) {
      createParent(config.url().substring("jdbc:sqlite:".length()));
      hc.addDataSourceProperty("journal_mode", "WAL");
      // FULL: a commit is on disk before the consumer commits its offsets (no loss on power cut).
      hc.addDataSourceProperty("synchronous", "FULL");
      hc.addDataSourceProperty("busy_timeout", "15000");
      // Page cache, allocated as used: up to 256 MiB for the writer, whose random-key indexes
      // outgrow 64 MiB at 1,000,000 events (every batch read their pages back through the OS);
      // 64 MiB for each query connection, so an export or a chain walk cannot make every
      // connection of the pool hold 256 MiB (at most 256 + 4 x 64 MiB with the default pool).
      hc.addDataSourceProperty("cache_size", writer ? "-262144" : "-65536");
      hc.addDataSourceProperty("temp_store", "MEMORY");
      // Checkpoint after 256 MiB of WAL (the -wal file grows to that) rather than 32 MiB: an
      // index page changed by many batches is copied into the database file once per
      // checkpoint, not once per batch (bench/audit: 14,800 -> 20,400 events/s at 1,000,000
      // events; with the writer's larger cache 22,400).
      hc.setConnectionInitSql("PRAGMA wal_autocheckpoint = 65536");
      // Write transactions take the database lock at BEGIN: appends to the chain are serialized.
      hc.addDataSourceProperty("transaction_mode", "IMMEDIATE");
    } else {
      if (!config.user().isEmpty()) {
        hc.setUsername(config.user());
      }
      if (!config.password().isEmpty()) {
        hc.setPassword(config.password());
      }
      hc.addDataSourceProperty("reWriteBatchedInserts", "true");
      hc.addDataSourceProperty("connectTimeout", String.valueOf(Math.max(1, config.connectionTimeoutMs() / 1000)));
      hc.addDataSourceProperty("socketTimeout", "60");
      hc.addDataSourceProperty("ApplicationName", "stevedore-audit");
    }
    return new HikariDataSource(hc);
  }

  private static void createParent(String file) {
    if (file.isBlank() || file.startsWith(":memory:") || file.startsWith("file:")) {
      return;
    }
    Path parent = Path.of(file).toAbsolutePath().getParent();
    try {
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create the directory of the SQLite file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Migrations shared by both databases are in db/migration/common; db/migration/sqlite holds
   * the few that only SQLite needs (version numbers are shared, so a version is used once).
   */
  private static void migrate(DataSource ds, Dialect dialect) {
    var result = Flyway.configure()
        .dataSource(ds)
        .locations(dialect == Dialect.SQLITE
            ? new String[] {"classpath:db/migration/common", "classpath:db/migration/sqlite"}
            : new String[] {"classpath:db/migration/common"})
        .load()
        .migrate();
    LOG.info("database schema at version {} ({} migration(s) applied)", result.targetSchemaVersion, result.migrationsExecuted);
  }

  public Dialect dialect() {
    return dialect;
  }

  /** The pool for queries (and, on PostgreSQL, for writes too). */
  public DataSource dataSource() {
    return dataSource;
  }

  /** Where {@link EventWriter} gets its connection. */
  public DataSource writerDataSource() {
    return writerDataSource;
  }

  /** Runs blocking JDBC reads on the database worker pool. */
  public <T> Future<T> blocking(Callable<T> work) {
    return workers.executeBlocking(work, false);
  }

  /** Runs blocking JDBC writes on the single writer thread, in submission order. */
  public <T> Future<T> write(Callable<T> work) {
    return writer.executeBlocking(work, true);
  }

  /** A cheap "is the database there" probe. */
  public Future<Void> ping() {
    return blocking(() -> {
      pingBlocking();
      return null;
    });
  }

  public void pingBlocking() throws SQLException {
    try (Connection c = dataSource.getConnection(); var st = c.createStatement()) {
      st.setQueryTimeout(5);
      st.execute("SELECT 1");
    }
  }

  @Override
  public void close() {
    if (writerDataSource != dataSource) {
      writerDataSource.close();
    }
    dataSource.close();
    if (workers != null) {
      workers.close();
      writer.close();
    }
  }
}
