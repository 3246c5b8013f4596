package dev.stevedore.audit.store;

import java.sql.PreparedStatement;
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
  private List<Object> loaded;

  /**
   * The current column values, in {@link Table#columns} order: String for text, Long for
   * bigint, Integer for integer columns, or null.
   */
  abstract List<Object> values();

  /** Remembers the values just read from the database; call at the end of a loading constructor. */
  final void markLoaded() {
    loaded = values();
  }

  boolean isNew() {
    return loaded == null;
  }

  boolean changed() {
    return loaded == null || !loaded.equals(values());
  }

  static <T> T coalesce(T first, T second) {
    return first != null ? first : second;
  }

  /** A column of a projection table and its SQL type (which decides how a value is bound). */
  record Column(String name, int sqlType) {
    static Column text(String name) {
      return new Column(name, Types.VARCHAR);
    }

    static Column bigint(String name) {
      return new Column(name, Types.BIGINT);
    }

    static Column integer(String name) {
      return new Column(name, Types.INTEGER);
    }
  }

  /**
   * A projection table: its columns, the first {@code keyColumns} forming the primary key, and
   * the fixed statements that select rows, insert a row, and update one by its key.
   */
  record Table(String name, int keyColumns, List<Column> columns) {
    String select() {
      return "SELECT " + String.join(", ", names(columns)) + " FROM " + name;
    }

    String insert() {
      return "INSERT INTO " + name + " (" + String.join(", ", names(columns)) + ") VALUES ("
          + Jdbc.placeholders(columns.size()) + ")";
    }

    String update() {
      List<String> set = new ArrayList<>();
      for (String column : names(columns.subList(keyColumns, columns.size()))) {
        set.add(column + " = ?");
      }
      List<String> key = new ArrayList<>();
      for (String column : names(columns.subList(0, keyColumns))) {
        key.add(column + " = ?");
      }
      return "UPDATE " + name + " SET " + String.join(", ", set) + " WHERE " + String.join(" AND ", key);
    }

    void bindInsert(PreparedStatement ps, List<Object> values) throws SQLException {
      for (int i = 0; i < values.size(); i++) {
        bind(ps, i + 1, columns.get(i), values.get(i));
      }
    }

    void bindUpdate(PreparedStatement ps, List<Object> values) throws SQLException {
      int p = 1;
      for (int i = keyColumns; i < values.size(); i++) {
        bind(ps, p++, columns.get(i), values.get(i));
      }
      for (int i = 0; i < keyColumns; i++) {
        bind(ps, p++, columns.get(i), values.get(i));
      }
    }

    private static List<String> names(List<Column> columns) {
      return columns.stream().map(Column::name).toList();
    }

    private static void bind(PreparedStatement ps, int index, Column column, Object value) throws SQLException {
      switch (column.sqlType()) {
        case Types.BIGINT -> Jdbc.lng(ps, index, (Long) value);
        case Types.INTEGER -> Jdbc.integer(ps, index, (Integer) value);
        default -> Jdbc.str(ps, index, (String) value);
      }
    }
  }
}
