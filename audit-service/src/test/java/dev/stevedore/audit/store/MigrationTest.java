package dev.stevedore.audit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.Events;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database created by an older release upgrades in place and keeps its rows. */
class MigrationTest {
  @TempDir
  Path dir;

  @Test
  void upgradesAVersion1DatabaseKeepingItsSteps() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("old.db");
    Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration/common").target("1").load().migrate();
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute("INSERT INTO deployments (id, service, environment, requested_at, status) VALUES ('d-1', 'web', 'prod', 0, 'running')");
      st.execute("INSERT INTO deployment_hosts (deployment_id, host, status) VALUES ('d-1', 'h-1', 'running')");
      st.execute("INSERT INTO deployment_steps (event_id, seq, deployment_id, host, step, ok, duration_ms, step_time) "
          + "VALUES ('e-1', 1, 'd-1', 'h-1', 'pull', 1, 5, 0)");
    }

    try (Database db = Database.openBlocking(new AuditConfig.Database(url, null, null, null, 2, 0, 0))) {
      var queries = new QueryRepository(db.dataSource(), db.dialect(), Events.CODEC.mapper());
      Views.DeploymentDetail d = queries.deployment("d-1").orElseThrow();
      assertThat(d.hosts()).singleElement().satisfies(h ->
          assertThat(h.steps()).extracting(Views.Step::name).containsExactly("pull"));
    }
  }

  @Test
  void upgradesAVersion3DatabaseToSeqAsTheRowidKeepingTheChain() throws Exception {
    String url = "jdbc:sqlite:" + dir.resolve("v3.db");
    Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration/common").target("3").load()
        .migrate();
    var ds = new org.sqlite.SQLiteDataSource();
    ds.setUrl(url);
    EventWriter v3 = new EventWriter(ds, Dialect.SQLITE, Events.CODEC.mapper(), java.time.Clock.systemUTC());
    String first = Events.deploymentId("before-upgrade");
    // Today's writer also fills the columns V5 adds: lend them for the old rows, then take them away again,
    // which leaves the version 3 schema with version 3 rows (attempts and waiting time unknown).
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      st.execute("ALTER TABLE deployment_hosts ADD COLUMN attempts INTEGER");
      st.execute("ALTER TABLE deployment_hosts ADD COLUMN waited_ms BIGINT");
    }
    v3.store(Events.stored(Events.successfulDeployment(first, "h-1", "web", "prod", "v1", java.time.Instant.EPOCH)));
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      st.execute("ALTER TABLE deployment_hosts DROP COLUMN attempts");
      st.execute("ALTER TABLE deployment_hosts DROP COLUMN waited_ms");
    }

    try (Database db = Database.openBlocking(new AuditConfig.Database(url, null, null, null, 2, 0, 0))) {
      try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
           var rs = st.executeQuery("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).contains("seq           INTEGER NOT NULL PRIMARY KEY");
      }
      EventWriter writer = new EventWriter(db.writerDataSource(), db.dialect(), Events.CODEC.mapper(),
          java.time.Clock.systemUTC());
      String second = Events.deploymentId("after-upgrade");
      var result = writer.store(Events.stored(Events.successfulDeployment(second, "h-1", "web", "prod", "v2",
          java.time.Instant.EPOCH.plusSeconds(60))));
      assertThat(result.stored()).isEqualTo(5);
      assertThat(result.headSeq()).isEqualTo(10);
      var queries = new QueryRepository(db.dataSource(), db.dialect(), Events.CODEC.mapper());
      ChainReport report = queries.verifyChain();
      assertThat(report.ok()).isTrue();
      assertThat(report.checked()).isEqualTo(10);
      assertThat(queries.deployment(first).orElseThrow().timeline()).hasSize(5);
      assertThat(queries.deployment(first).orElseThrow().hosts()).singleElement().satisfies(h -> {
        assertThat(h.attempts()).isNull();
        assertThat(h.waitedMs()).isNull();
      });
    }
  }
}
