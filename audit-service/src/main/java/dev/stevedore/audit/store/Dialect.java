package dev.stevedore.audit.store;

/** The few places where SQLite and PostgreSQL need different SQL. */
public enum Dialect {
  SQLITE("SELECT seq, hash FROM chain_head WHERE id = 1"),
  POSTGRESQL("SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE");

  private final String lockChainHead;

  Dialect(String lockChainHead) {
    this.lockChainHead = lockChainHead;
  }

  public static Dialect of(String jdbcUrl) {
    return jdbcUrl.startsWith("jdbc:sqlite:") ? SQLITE : POSTGRESQL;
  }

  /**
   * Reads the chain head and holds the lock that serializes appends until commit. In SQLite the
   * IMMEDIATE transaction already holds the database's single write lock.
   */
  public String lockChainHead() {
    return lockChainHead;
  }
}
