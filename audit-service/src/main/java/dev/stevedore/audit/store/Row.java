package dev.stevedore.audit.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * A projection row held in memory while a batch is folded into it: it remembers the values it
 * was loaded with, so that it is written back only if the batch changed it, with one INSERT if
 * it is new and one UPDATE by its key otherwise.
 */
abstract class Row {
  /** The column values as loaded, in {@link Table#columns} order; null for a row new in this batch. */
  private final List<Object> loaded;

  Row(List<Object> loaded) {
    this.loaded = loaded;
  }

  /** The current column values, in {@link Table#columns} order (String, Long or Integer, or null). */
  abstract List<Object> values();

  boolean isNew() {
    return loaded == null;
  }

  boolean changed() {
    return loaded == null || !loaded.equals(values());
  }

  static <T> T coalesce(T first, T second) {
    return first != null ? first : second;
  }

  /**
   * A projection table: its columns with their SQL types, the first {@code keyColumns} forming
   * the primary key, and the statements that insert a row and update one by its key.
   */
  record Table(String name, List<String> columns, int[] types, int keyColumns) {
    String select() {
      return "SELECT " + String.join(", ", columns) + " FROM " + name;
    }

    String insert() {
      return "INSERT INTO " + name + " (" + String.join(", ", columns) + ") VALUES ("
          + Jdbc.placeholders(columns.size()) + ")";
    }

    String update() {
      List<String> set = new ArrayList<>();
      for (String column : columns.subList(keyColumns, columns.size())) {
        set.add(column + " = ?");
      }
      List<String> key = new ArrayList<>();
      for (String column : columns.subList(0, keyColumns)) {
        key.add(column + " = ?");
      }
      return "UPDATE " + name + " SET " + String.join(", ", set) + " WHERE " + String.join(" AND ", key);
    }

    /** Reads the current row of a result set of {@link #select()}. */
    List<Object> read(ResultSet rs) throws SQLException {
      List<Object> values = new ArrayList<>(types.length);
      for (int i = 0; i < types.length; i++) {
        Object v = switch (types[i]) {
          case Types.BIGINT -> rs.getLong(i + 1);
          case Types.INTEGER -> rs.getInt(i + 1);
          default -> rs.getString(i + 1);
        };
        values.add(rs.wasNull() ? null : v);
      }
      return values;
    }

    void bindInsert(PreparedStatement ps, List<Object> values) throws SQLException {
      for (int i = 0; i < values.size(); i++) {
        bind(ps, i + 1, types[i], values.get(i));
      }
    }

    void bindUpdate(PreparedStatement ps, List<Object> values) throws SQLException {
      int p = 1;
      for (int i = keyColumns; i < values.size(); i++) {
        bind(ps, p++, types[i], values.get(i));
      }
      for (int i = 0; i < keyColumns; i++) {
        bind(ps, p++, types[i], values.get(i));
      }
    }

    private static void bind(PreparedStatement ps, int index, int type, Object value) throws SQLException {
      switch (type) {
        case Types.BIGINT -> Jdbc.lng(ps, index, (Long) value);
        case Types.INTEGER -> Jdbc.integer(ps, index, (Integer) value);
        default -> Jdbc.str(ps, index, (String) value);
      }
    }
  }
}
