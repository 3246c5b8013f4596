package dev.stevedore.audit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.Events;
import dev.stevedore.audit.testing.Postgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Which PostgreSQL failures are the data's fault (dead-letter the event) and which are outages
 * (pause and retry), on errors a real server raises. SQLite's are in RefusalsTest.
 */
class PostgresRefusalsIT {
  AuditConfig.Database config;

  @BeforeEach
  void schema() throws SQLException {
    config = Postgres.freshSchema();
    try (Connection c = connect(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (id INT PRIMARY KEY, x SMALLINT)");
      st.execute("INSERT INTO t VALUES (1, 1), (2, 2)");
    }
  }

  @AfterEach
  void drop() {
    Postgres.dropSchema(config);
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(config.url(), config.user(), config.password());
  }

  @Test
  void constraintsAndValuesTheColumnCannotTakeAreDataErrors() throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      assertData(fail(st, "INSERT INTO t VALUES (1, 1)"), "23505");
      assertData(fail(st, "INSERT INTO t VALUES (NULL, 1)"), "23502");
      assertData(fail(st, "INSERT INTO t VALUES (3, 100000)"), "22003");
      assertData(fail(st, "INSERT INTO t VALUES (3, 'x'::text::smallint)"), "22P02");
    }
  }

  @Test
  void aReadOnlyTransactionIsAnOutage() throws SQLException {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      st.execute("SET default_transaction_read_only = on");
      assertOutage(fail(st, "INSERT INTO t VALUES (3, 3)"), "25006");
    }
  }

  @Test
  void lockTimeoutsDeadlocksAndStatementTimeoutsAreOutages() throws Exception {
    try (Connection holder = connect(); Statement hold = holder.createStatement();
         Connection c = connect(); Statement st = c.createStatement()) {
      holder.setAutoCommit(false);
      hold.execute("UPDATE t SET x = 10 WHERE id = 1");
      st.execute("SET lock_timeout = '50ms'");
      assertOutage(fail(st, "UPDATE t SET x = 11 WHERE id = 1"), "55P03");
      holder.rollback();
      st.execute("SET statement_timeout = '50ms'");
      assertOutage(fail(st, "SELECT pg_sleep(5)"), "57014");
    }
    try (Connection a = connect(); Statement sa = a.createStatement();
         Connection b = connect(); Statement sb = b.createStatement()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      sa.execute("UPDATE t SET x = 20 WHERE id = 1");
      sb.execute("UPDATE t SET x = 21 WHERE id = 2");
      CountDownLatch started = new CountDownLatch(1);
      CompletableFuture<SQLException> first = CompletableFuture.supplyAsync(() -> {
        started.countDown();
        return fail(sa, "UPDATE t SET x = 22 WHERE id = 2");
      });
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
      SQLException second = fail(sb, "UPDATE t SET x = 23 WHERE id = 1");
      SQLException deadlock = second != null ? second : first.get(30, TimeUnit.SECONDS);
      a.rollback();
      b.rollback();
      first.get(30, TimeUnit.SECONDS);
      assertOutage(deadlock, "40P01");
    }
  }

  @Test
  void aFullDiskIsAnOutage() {
    // A full disk cannot be caused on demand here: the exception the driver builds for one.
    PSQLException full = new PSQLException(new ServerErrorMessage(
        "SERROR\0C53100\0Mcould not extend file \"base/5/16384\": No space left on device\0"));
    assertThat(full.getSQLState()).isEqualTo("53100");
    assertThat(Refusals.isRefusal(full)).isFalse();
  }

  @Test
  void theWriterFailsAsAnOutageOnAReadOnlyServerAndAsDataOnARefusedEvent() throws Exception {
    List<StoredEvent> batch = Events.stored(Events.successfulDeployment(Events.deploymentId("pg-refusals"), "web-1",
        "refusals", "prod", "v1", Instant.parse("2026-11-29T09:00:00Z")));
    AuditConfig.Database config = Postgres.freshSchema(); // the table of the other cases would stop Flyway
    try (Database db = Database.openBlocking(config)) {
      try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
        st.execute("ALTER TABLE events ADD CONSTRAINT refuse CHECK (event_id <> '" + batch.get(2).event().id() + "')");
      }
      EventWriter writer = new EventWriter(db.writerDataSource(), Dialect.POSTGRESQL, new ObjectMapper(),
          Clock.systemUTC());
      writer.probe();
      assertThat(Refusals.isRefusal(catchThrowableOfType(SQLException.class, () -> writer.store(batch)))).isTrue();
    }
    try (HikariDataSource readOnly = new HikariDataSource()) {
      readOnly.setJdbcUrl(config.url() + "&options=-c%20default_transaction_read_only=on");
      readOnly.setUsername(config.user());
      readOnly.setPassword(config.password());
      readOnly.addDataSourceProperty("reWriteBatchedInserts", "true");
      EventWriter writer = new EventWriter(readOnly, Dialect.POSTGRESQL, new ObjectMapper(), Clock.systemUTC());
      SQLException store = catchThrowableOfType(SQLException.class, () -> writer.store(batch.subList(0, 2)));
      assertThat(store.getSQLState()).isEqualTo("25006");
      assertThat(Refusals.isRefusal(store)).isFalse();
      SQLException probe = catchThrowableOfType(SQLException.class, writer::probe);
      assertThat(probe.getSQLState()).isEqualTo("25006");
      assertThat(Refusals.isRefusal(probe)).isFalse();
    } finally {
      Postgres.dropSchema(config);
    }
  }

  private static SQLException fail(Statement st, String sql) {
    return catchThrowableOfType(SQLException.class, () -> st.execute(sql));
  }

  private static void assertData(SQLException e, String state) {
    assertThat((Throwable) e).as(state).isNotNull();
    assertThat(e.getSQLState()).isEqualTo(state);
    assertThat(Refusals.isRefusal(e)).as(e.getMessage()).isTrue();
  }

  private static void assertOutage(SQLException e, String state) {
    assertThat((Throwable) e).as(state).isNotNull();
    assertThat(e.getSQLState()).isEqualTo(state);
    assertThat(Refusals.isRefusal(e)).as(e.getMessage()).isFalse();
  }
}
