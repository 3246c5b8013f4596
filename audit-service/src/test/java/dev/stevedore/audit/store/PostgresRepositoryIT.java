package dev.stevedore.audit.store;

import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.testing.Postgres;

/** The repository contract on a real PostgreSQL server, one fresh schema per test (dropped after). */
class PostgresRepositoryIT extends RepositoryContract {
  private AuditConfig.Database config;

  @Override
  Database openDatabase() {
    config = Postgres.freshSchema();
    return Database.openBlocking(config);
  }

  @Override
  void dispose() {
    Postgres.dropSchema(config);
  }
}
