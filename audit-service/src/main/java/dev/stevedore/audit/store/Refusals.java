package dev.stevedore.audit.store;

import java.sql.SQLException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sqlite.SQLiteException;

/**
 * Tells a data error from an outage. A data error (a constraint, a value the database cannot
 * take) will repeat for that event whenever it is stored: the consumer stores the batch event by
 * event and dead-letters the events still refused. Everything else is an outage, whatever the
 * database said: unreachable, read-only after a failover, disk full, a lock or statement timeout,
 * a deadlock, an I/O error, an error nobody classified. An outage opens the "database" circuit
 * breaker and pauses the consumer until writes succeed again; it never dead-letters, since the
 * offsets of a dead-lettered event are committed and the event would be missing from the store
 * while the chain still verifies.
 */
public final class Refusals {
  /**
   * SQLite's primary result codes that belong to the data: CONSTRAINT (also RAISE(ABORT) in a
   * trigger), TOOBIG (a value over SQLITE_LIMIT_LENGTH), MISMATCH (a non-integer rowid).
   */
  private static final Set<String> SQLITE_DATA = Set.of("CONSTRAINT", "TOOBIG", "MISMATCH");
  /** A result code name: SQLITE_CONSTRAINT_UNIQUE, "[SQLITE_BUSY] The database file is locked ...". */
  private static final Pattern SQLITE_CODE = Pattern.compile("(?:^|\\[)SQLITE_([A-Z]+)");

  private Refusals() {}

  /**
   * True only when the failure says the data is at fault: some SQL error in it (its causes and
   * chained exceptions) is a data error, and none is a known outage.
   */
  public static boolean isRefusal(Throwable failure) {
    boolean data = false;
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLException sql) {
        for (SQLException e = sql; e != null; e = e.getNextException()) {
          Kind kind = kind(e);
          if (kind == Kind.OUTAGE) {
            return false;
          }
          data |= kind == Kind.DATA;
        }
      }
    }
    return data;
  }

  private enum Kind { DATA, OUTAGE, UNKNOWN }

  private static Kind kind(SQLException e) {
    String state = e.getSQLState();
    String sqlite = e instanceof SQLiteException s ? code(s.getResultCode().name())
        : state == null ? code(String.valueOf(e.getMessage())) : null;
    if (sqlite != null) {
      return SQLITE_DATA.contains(sqlite) ? Kind.DATA : Kind.OUTAGE;
    }
    if (state == null || state.length() != 5) {
      return Kind.UNKNOWN;
    }
    // SQL standard classes 22 (data exception) and 23 (integrity constraint violation), and
    // PostgreSQL's 54000 (program limit exceeded: a value too large for an index row). Every
    // other class is an outage: 08 connection, 25 invalid transaction state (25006 read-only),
    // 40 rollback (40001 serialization, 40P01 deadlock), 53 insufficient resources (53100 disk
    // full), 55 object not in prerequisite state (55P03 lock not available), 57 operator
    // intervention (57014 statement timeout, 57P01 terminated), 42 a missing table, XX internal.
    return state.startsWith("22") || state.startsWith("23") || state.equals("54000") ? Kind.DATA : Kind.OUTAGE;
  }

  /**
   * SQLite's primary result code (BUSY, CONSTRAINT, ...) from an enum name such as
   * SQLITE_IOERR_SHORT_READ, or from sqlite-jdbc's messages, which start with it (its
   * BatchUpdateException carries the code only there); null if there is none.
   */
  private static String code(String text) {
    Matcher m = SQLITE_CODE.matcher(text);
    return m.find() ? m.group(1) : null;
  }
}
