package dev.stevedore.audit.store;

import dev.stevedore.audit.testing.Postgres;

/** The repository contract on a real PostgreSQL server, one fresh schema per test. */
class PostgresRepositoryIT extends RepositoryContract {
  @Override
  Database openDatabase() {
    return Database.openBlocking(Postgres.freshSchema());
  }
}
