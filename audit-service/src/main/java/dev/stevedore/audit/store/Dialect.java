package dev.stevedore.audit.store;

/** The few places where SQLite and PostgreSQL need different SQL. */
public enum Dialect {
  SQLITE("SELECT seq, hash FROM chain_head WHERE id = 1", null),
  // Every read of the writer is a lookup by key (event ids, deployment ids). Without statistics,
  // as in the first minute of a new database, PostgreSQL estimated "deployment_id = ANY (...)"
  // to match most of deployment_hosts and scanned the whole table for each batch (bench/audit:
  // 9 ms a batch at 300,000 events, growing with the table).
  POSTGRESQL("SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE", "SET LOCAL enable_seqscan = off");

  private final String lockChainHead;
  private final String writerSettings;

  Dialect(String lockChainHead, String writerSettings) {
    this.lockChainHead = lockChainHead;
    this.writerSettings = writerSettings;
  }

  /** Settings for the rest of a writer's transaction, or null. */
  public String writerSettings() {
    return writerSettings;
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
