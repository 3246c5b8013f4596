package dev.stevedore.audit.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Small JDBC helpers: typed nullable binds and chunked IN lists. Values are always bound. */
final class Jdbc {
  static final int IN_CHUNK = 500;

  private Jdbc() {}

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
