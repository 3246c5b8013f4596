package dev.stevedore.audit.store;

import java.sql.SQLException;
import java.util.Locale;

/**
 * Tells a database that refuses some data (a constraint, a value it cannot take) from one that
 * cannot be reached. The first is the data's fault: the consumer stores the batch event by event
 * and dead-letters what is still refused. Only the second may open the "database" circuit
 * breaker and pause the consumer.
 */
public final class Refusals {
  private Refusals() {}

  /** True when the failure says the database answered and refused the data. */
  public static boolean isRefusal(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        for (SQLException e = sql; e != null; e = e.getNextException()) {
          if (refuses(e)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static boolean refuses(SQLException e) {
    String state = e.getSQLState();
    // SQL standard classes 22 (data exception) and 23 (integrity constraint violation).
    if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
      return true;
    }
    // sqlite-jdbc sets no SQLState; its messages start with the result code's name.
    String message = String.valueOf(e.getMessage()).toUpperCase(Locale.ROOT);
    return message.contains("[SQLITE_CONSTRAINT") || message.contains("[SQLITE_TOOBIG")
        || message.contains("[SQLITE_MISMATCH");
  }
}
