package dev.stevedore.audit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

class WhereTest {
  @Test
  void joinsTheGivenConditionsAndSkipsFiltersNotSet() {
    assertThat(new Where().sql()).isEmpty();
    assertThat(new Where().andIfSet("service = ?", null).sql()).isEmpty();
    assertThat(new Where().and("seq > ?", 5L).andIfSet("service = ?", null).andIfSet("status = ?", "failed").sql())
        .isEqualTo(" WHERE seq > ? AND status = ?");
    assertThat(new Where().and("(t < ? OR (t = ? AND id < ?))", 1L, 1L, "x").sql())
        .isEqualTo(" WHERE (t < ? OR (t = ? AND id < ?))");
  }

  @Test
  void bindsTheValuesInOrderAndSaysWhereTheNextParameterGoes() throws Exception {
    Where where = new Where().and("a = ?", "text").andIfSet("b = ?", null).andIfSet("c = ?", 42L)
        .and("d BETWEEN ? AND ?", 1, 2);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
         PreparedStatement ps = c.prepareStatement("SELECT ?, ?, ?, ?, ?")) {
      assertThat(where.bind(ps)).isEqualTo(5);
      ps.setInt(5, 50);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("text");
        assertThat(rs.getLong(2)).isEqualTo(42L);
        assertThat(rs.getInt(3)).isEqualTo(1);
        assertThat(rs.getInt(4)).isEqualTo(2);
        assertThat(rs.getInt(5)).isEqualTo(50);
      }
    }
  }

  @Test
  void refusesValuesItCannotBind() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
         PreparedStatement ps = c.prepareStatement("SELECT ?")) {
      assertThatThrownBy(() -> new Where().and("a = ?", 1.5).bind(ps)).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
