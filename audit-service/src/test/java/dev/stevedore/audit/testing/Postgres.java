package dev.stevedore.audit.testing;

import dev.stevedore.audit.AuditConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The PostgreSQL server the ITs use: {@code STEVEDORE_TEST_PG_URL} (environment) or the system
 * property {@code stevedore.test.pg.url}, default {@value #DEFAULT_URL} (scripts/start-postgres.sh).
 * Each test gets its own schema, so runs never see each other's rows.
 */
public final class Postgres {
  public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:55432/stevedore";

  private Postgres() {}

  public static String url() {
    String env = System.getenv("STEVEDORE_TEST_PG_URL");
    if (env != null && !env.isBlank()) {
      return env;
    }
    String prop = System.getProperty("stevedore.test.pg.url");
    return prop == null || prop.isBlank() ? DEFAULT_URL : prop;
  }

  public static String user() {
    return envOr("STEVEDORE_TEST_PG_USER", "stevedore");
  }

  public static String password() {
    return envOr("STEVEDORE_TEST_PG_PASSWORD", "stevedore");
  }

  private static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  /** Drops the schema {@link #freshSchema()} made for {@code config}. */
  public static void dropSchema(AuditConfig.Database config) {
    String schema = config.url().substring(config.url().indexOf("currentSchema=") + "currentSchema=".length());
    if (!schema.matches("t_[0-9a-f]{16}")) {
      throw new IllegalArgumentException("not a test schema: " + schema);
    }
    try (Connection c = DriverManager.getConnection(url(), user(), password()); Statement st = c.createStatement()) {
      st.execute("DROP SCHEMA " + schema + " CASCADE");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop test schema " + schema + ": " + e.getMessage(), e);
    }
  }

  /** Creates a fresh schema and returns the database config whose connections use it. */
  public static AuditConfig.Database freshSchema() {
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = DriverManager.getConnection(url(), user(), password()); Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL at " + url() + " is not reachable (run scripts/start-postgres.sh, "
          + "or set STEVEDORE_TEST_PG_URL): " + e.getMessage(), e);
    }
    String url = url() + (url().contains("?") ? "&" : "?") + "currentSchema=" + schema;
    return new AuditConfig.Database(url, null, user(), password(), 4, 3000, 1000);
  }
}
