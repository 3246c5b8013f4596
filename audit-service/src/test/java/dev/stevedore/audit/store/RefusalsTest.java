package dev.stevedore.audit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.Events;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteLimits;

/**
 * Which SQLite failures are the data's fault (dead-letter the event) and which are outages (pause
 * and retry), on errors a real SQLite database raises. PostgreSQL's are in PostgresRefusalsIT.
 */
class RefusalsTest {
  @TempDir
  Path dir;
  String url;

  @BeforeEach
  void table() throws SQLException {
    url = "jdbc:sqlite:" + dir.resolve("r.db");
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("PRAGMA journal_mode = WAL");
      st.execute("CREATE TABLE t (x TEXT NOT NULL UNIQUE)");
      st.execute("CREATE TABLE r (id INTEGER PRIMARY KEY)");
      st.execute("INSERT INTO t VALUES ('a')");
    }
  }

  @Test
  void constraintsTriggerAbortsMismatchesAndOversizedValuesAreDataErrors() throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("CREATE TRIGGER no_y BEFORE INSERT ON t WHEN NEW.x = 'y' BEGIN SELECT RAISE(ABORT, 'no y'); END");
      assertData(fail(st, "INSERT INTO t VALUES ('a')"), "SQLITE_CONSTRAINT");
      assertData(fail(st, "INSERT INTO t VALUES (NULL)"), "SQLITE_CONSTRAINT");
      assertData(fail(st, "INSERT INTO t VALUES ('y')"), "SQLITE_CONSTRAINT");
      assertData(fail(st, "INSERT INTO r VALUES ('not a rowid')"), "SQLITE_MISMATCH");
      c.unwrap(SQLiteConnection.class).setLimit(SQLiteLimits.SQLITE_LIMIT_LENGTH, 1000);
      assertData(fail(st, "INSERT INTO t VALUES ('" + "x".repeat(2000) + "')"), "SQLITE_TOOBIG");
    }
  }

  @Test
  void aReadOnlyDatabaseIsAnOutage() throws SQLException {
    SQLiteConfig readOnly = new SQLiteConfig();
    readOnly.setReadOnly(true);
    try (Connection c = DriverManager.getConnection(url, readOnly.toProperties()); Statement st = c.createStatement()) {
      assertOutage(fail(st, "INSERT INTO t VALUES ('b')"), "SQLITE_READONLY");
    }
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("PRAGMA query_only = ON");
      assertOutage(fail(st, "INSERT INTO t VALUES ('b')"), "SQLITE_READONLY");
    }
  }

  @Test
  void aFullDatabaseIsAnOutage() throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("PRAGMA max_page_count = 8"); // as a full disk: no page more
      assertOutage(fail(st, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50) "
          + "INSERT INTO t SELECT hex(randomblob(3000)) || i FROM n"),
          "SQLITE_FULL");
    }
  }

  @Test
  void aDatabaseLockedByAnotherWriterIsAnOutage() throws SQLException {
    try (Connection holder = DriverManager.getConnection(url); Statement hold = holder.createStatement();
         Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      hold.execute("BEGIN IMMEDIATE");
      hold.execute("INSERT INTO t VALUES ('held')");
      st.execute("PRAGMA busy_timeout = 0");
      assertOutage(fail(st, "INSERT INTO t VALUES ('b')"), "SQLITE_BUSY");
      hold.execute("ROLLBACK");
    }
  }

  @Test
  void aTableLockedByAPendingReadIsAnOutage() throws SQLException {
    try (Connection c = DriverManager.getConnection(url); Statement read = c.createStatement();
         Statement st = c.createStatement()) {
      try (ResultSet rs = read.executeQuery("SELECT x FROM t")) {
        assertThat(rs.next()).isTrue();
        assertOutage(fail(st, "DROP TABLE t"), "SQLITE_LOCKED");
      }
    }
  }

  @Test
  void ioErrorsAndErrorsWithoutACodeAreOutages() {
    // An I/O error cannot be caused on demand here: the exception sqlite-jdbc builds for one.
    assertThat(Refusals.isRefusal(new SQLiteException("[SQLITE_IOERR_SHORT_READ] I/O error (short read)",
        SQLiteErrorCode.SQLITE_IOERR_SHORT_READ))).isFalse();
    assertThat(Refusals.isRefusal(new SQLException("chain_head row missing"))).isFalse();
    assertThat(Refusals.isRefusal(new SQLTransientConnectionException("audit-db - Connection is not available"))).isFalse();
    assertThat(Refusals.isRefusal(new IllegalStateException("cannot encode heartbeat"))).isFalse();
  }

  @Test
  void batchesCarryTheCodeInTheirMessageAndAnOutageAnywhereWins() {
    assertThat(Refusals.isRefusal(new BatchUpdateException(
        "batch entry 0: [SQLITE_CONSTRAINT_UNIQUE] A UNIQUE constraint failed", new int[0]))).isTrue();
    assertThat(Refusals.isRefusal(new BatchUpdateException(
        "batch entry 0: [SQLITE_READONLY] Attempt to write a readonly database", new int[0]))).isFalse();
    SQLException both = new SQLException("duplicate key", "23505");
    both.setNextException(new SQLException("cannot execute INSERT in a read-only transaction", "25006"));
    assertThat(Refusals.isRefusal(both)).isFalse();
    assertThat(Refusals.isRefusal(new CompletionException(new SQLException("duplicate key", "23505")))).isTrue();
  }

  @Test
  void theWriterFailsAsAnOutageOnAReadOnlyDatabaseAndAsDataOnARefusedEvent() throws Exception {
    AuditConfig.Database config = new AuditConfig.Database(null, dir.resolve("audit.db").toString(), null, null, 1, 0, 0);
    List<StoredEvent> batch = Events.stored(Events.successfulDeployment(Events.deploymentId("refusals"), "web-1",
        "refusals", "prod", "v1", Instant.parse("2026-11-29T09:00:00Z")));
    try (Database db = Database.openBlocking(config)) {
      try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
        st.execute("CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.event_id = '" + batch.get(2).event().id()
            + "' BEGIN SELECT RAISE(ABORT, 'refused'); END");
      }
      EventWriter writer = new EventWriter(db.writerDataSource(), Dialect.SQLITE, new ObjectMapper(), Clock.systemUTC());
      writer.probe();
      assertThat(Refusals.isRefusal(catchThrowableOfType(SQLException.class, () -> writer.store(batch)))).isTrue();
    }
    SQLiteConfig readOnly = new SQLiteConfig();
    readOnly.setReadOnly(true);
    org.sqlite.SQLiteDataSource ro = new org.sqlite.SQLiteDataSource(readOnly);
    ro.setUrl("jdbc:sqlite:" + dir.resolve("audit.db"));
    EventWriter writer = new EventWriter(ro, Dialect.SQLITE, new ObjectMapper(), Clock.systemUTC());
    assertThat(Refusals.isRefusal(catchThrowableOfType(SQLException.class, () -> writer.store(batch.subList(0, 2)))))
        .isFalse();
    assertThat(Refusals.isRefusal(catchThrowableOfType(SQLException.class, writer::probe))).isFalse();
  }

  private static SQLException fail(Statement st, String sql) {
    return catchThrowableOfType(SQLException.class, () -> st.execute(sql));
  }

  private static void assertData(SQLException e, String code) {
    assertThat((Throwable) e).as("%s", code).isNotNull();
    assertThat(e.getMessage()).contains(code);
    assertThat(Refusals.isRefusal(e)).as(e.getMessage()).isTrue();
  }

  private static void assertOutage(SQLException e, String code) {
    assertThat((Throwable) e).as("%s", code).isNotNull();
    assertThat(e.getMessage()).contains(code);
    assertThat(Refusals.isRefusal(e)).as(e.getMessage()).isFalse();
  }
}
