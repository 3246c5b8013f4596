package dev.stevedore.audit.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The WHERE clause of a query with optional filters: conditions joined by AND, each with the
 * values it binds, in order. Conditions are fixed SQL from the code; values are always bound.
 */
final class Where {
  private final List<String> conditions = new ArrayList<>();
  private final List<Object> values = new ArrayList<>();

  /** Adds a condition and the values of its placeholders (String, Long or Integer). */
  Where and(String condition, Object... boundValues) {
    conditions.add(condition);
    values.addAll(List.of(boundValues));
    return this;
  }

  /** Adds a one-placeholder condition only when the filter's value is given. */
  Where andIfSet(String condition, Object value) {
    return value == null ? this : and(condition, value);
  }

  /** " WHERE a AND b", or "" without conditions. */
  String sql() {
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  /** Binds the values from parameter 1 on; returns the index of the next parameter. */
  int bind(PreparedStatement ps) throws SQLException {
    return bindFrom(ps, 1);
  }

  /** Binds the values from parameter {@code first} on; returns the index of the next parameter. */
  int bindFrom(PreparedStatement ps, int first) throws SQLException {
    int i = first;
    for (Object value : values) {
      if (value instanceof String s) {
        ps.setString(i++, s);
      } else if (value instanceof Long l) {
        ps.setLong(i++, l);
      } else if (value instanceof Integer n) {
        ps.setInt(i++, n);
      } else {
        throw new IllegalArgumentException("unsupported bind type " + value);
      }
    }
    return i;
  }
}
