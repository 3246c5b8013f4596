package dev.stevedore.audit.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Small JDBC helpers: typed nullable binds and set lookups. Values are always bound. */
final class Jdbc {
  static final int IN_CHUNK = 500;

  private Jdbc() {}

  @FunctionalInterface
  interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  /**
   * Runs {@code select + " WHERE column IN (values)"} and hands each row to the reader. SQLite
   * gets IN lists of at most {@link #IN_CHUNK} placeholders. PostgreSQL gets one array parameter
   * ({@code column = ANY (?)}) in an unnamed statement, planned for its values each time: a plan
   * cached while a table was small (a sequential scan, seen in bench/audit costing 40 ms a batch
   * at 100,000 rows) would otherwise stay in use as the table grows.
   */
  static void selectWhereIn(Connection c, Dialect dialect, String select, String column, Collection<String> values,
                            RowReader reader) throws SQLException {
    if (values.isEmpty()) {
      return;
    }
    if (dialect == Dialect.POSTGRESQL) {
      try (PreparedStatement ps = c.prepareStatement(select + " WHERE " + column + " = ANY (?)")) {
        ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(0);
        ps.setArray(1, c.createArrayOf("text", values.stream().map(Jdbc::text).toArray()));
        readAll(ps, reader);
      }
      return;
    }
    for (List<String> chunk : chunks(values, IN_CHUNK)) {
      try (PreparedStatement ps = c.prepareStatement(select + " WHERE " + column + " IN (" + placeholders(chunk.size())
          + ")")) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 1, chunk.get(i));
        }
        readAll(ps, reader);
      }
    }
  }

  private static void readAll(PreparedStatement ps, RowReader reader) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        reader.read(rs);
      }
    }
  }

  /** PostgreSQL refuses NUL in text; an event may carry one in an output tail. */
  static String text(String value) {
    return value == null || value.indexOf('\u0000') < 0 ? value : value.replace('\u0000', '\uFFFD');
  }

  static void str(PreparedStatement ps, int i, String value) throws SQLException {
    if (value == null) {
      ps.setNull(i, Types.VARCHAR);
    } else {
      ps.setString(i, text(value));
    }
  }

  static void lng(PreparedStatement ps, int i, Long value) throws SQLException {
    if (value == null) {
      ps.setNull(i, Types.BIGINT);
    } else {
      ps.setLong(i, value);
    }
  }

  static void integer(PreparedStatement ps, int i, Integer value) throws SQLException {
    if (value == null) {
      ps.setNull(i, Types.INTEGER);
    } else {
      ps.setInt(i, value);
    }
  }

  static long millis(Instant t) {
    return t.toEpochMilli();
  }

  static Long longOrNull(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : v;
  }

  static Integer intOrNull(ResultSet rs, String column) throws SQLException {
    int v = rs.getInt(column);
    return rs.wasNull() ? null : v;
  }

  static String placeholders(int n) {
    StringBuilder sb = new StringBuilder(n * 2);
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "?" : ",?");
    }
    return sb.toString();
  }

  static <T> List<List<T>> chunks(Collection<T> all, int size) {
    List<List<T>> out = new ArrayList<>();
    List<T> current = new ArrayList<>(Math.min(size, all.size()));
    for (T t : all) {
      current.add(t);
      if (current.size() == size) {
        out.add(current);
        current = new ArrayList<>(size);
      }
    }
    if (!current.isEmpty()) {
      out.add(current);
    }
    return out;
  }
}
