package dev.stevedore.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.audit.store.Database;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "database" breaker opens when the database cannot be reached, not when it refuses data:
 * refused batches are stored event by event and the refused events dead-lettered.
 */
class DatabaseBreakerTest {
  @TempDir
  Path dir;

  @Test
  void refusalsFromARealSqliteDatabaseDoNotOpenIt() throws Exception {
    CircuitBreaker breaker = AuditService.databaseBreaker(new AuditConfig.Database(null, null, null, null, 0, 0, 0));
    SQLException refused;
    try (Database db = Database.openBlocking(new AuditConfig.Database(null, dir.resolve("a.db").toString(), null, null,
        1, 0, 0)); Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t (x TEXT NOT NULL UNIQUE)");
      st.execute("CREATE TRIGGER no_y BEFORE INSERT ON t WHEN NEW.x = 'y' BEGIN SELECT RAISE(ABORT, 'no y'); END");
      st.execute("INSERT INTO t VALUES ('a')");
      refused = insert(st, "INSERT INTO t VALUES ('a')");
      assertThat((Throwable) insert(st, "INSERT INTO t VALUES ('y')")).isNotNull();
      assertThat((Throwable) insert(st, "INSERT INTO t VALUES (NULL)")).isNotNull();
      for (String sql : new String[] {"INSERT INTO t VALUES ('a')", "INSERT INTO t VALUES ('y')",
          "INSERT INTO t VALUES (NULL)"}) {
        breaker.onError(1, TimeUnit.MILLISECONDS, insert(st, sql));
        breaker.onError(1, TimeUnit.MILLISECONDS, new BatchUpdateException("batch", new int[0], insert(st, sql)));
      }
    }
    assertThat(refused.getMessage()).contains("SQLITE_CONSTRAINT");
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();
  }

  @Test
  void postgresRefusalsAreIgnoredAndUnreachableDatabasesCount() {
    CircuitBreaker breaker = AuditService.databaseBreaker(new AuditConfig.Database(null, null, null, null, 0, 0, 0));
    breaker.onError(1, TimeUnit.MILLISECONDS, new SQLException("duplicate key value", "23505"));
    breaker.onError(1, TimeUnit.MILLISECONDS, new SQLException("invalid byte sequence", "22021"));
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isZero();

    breaker.onError(1, TimeUnit.MILLISECONDS, new SQLException("connection refused", "08001"));
    breaker.onError(1, TimeUnit.MILLISECONDS, new SQLTransientConnectionException("pool timed out"));
    assertThat(breaker.getMetrics().getNumberOfFailedCalls()).isEqualTo(2);
    assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  private static SQLException insert(Statement st, String sql) {
    try {
      st.execute(sql);
      return null;
    } catch (SQLException e) {
      return e;
    }
  }
}
