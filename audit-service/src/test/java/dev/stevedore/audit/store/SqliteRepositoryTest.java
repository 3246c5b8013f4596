package dev.stevedore.audit.store;

import dev.stevedore.audit.AuditConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The repository contract on a SQLite file. */
class SqliteRepositoryTest extends RepositoryContract {
  @TempDir
  Path dir;

  @Override
  Database openDatabase() {
    return Database.openBlocking(new AuditConfig.Database(null, dir.resolve("audit.db").toString(), null, null, 4, 0, 0));
  }
}
