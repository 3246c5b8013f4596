package dev.stevedore.audit.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.audit.AuditConfig;
import dev.stevedore.audit.ingest.RecordDecoder;
import dev.stevedore.audit.store.Database;
import dev.stevedore.audit.store.DeploymentFilter;
import dev.stevedore.audit.store.EventWriter;
import dev.stevedore.audit.store.QueryRepository;
import dev.stevedore.audit.store.StoredEvent;
import dev.stevedore.audit.store.Views;
import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.DeploymentIds;
import dev.stevedore.common.event.EventCodec;
import dev.stevedore.common.event.StevedoreEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Audit store benchmark: loads N events through the batched insert path (EventWriter, the one
 * the consumer uses: chain lock, dedupe, hash chain, projections) and reports events/s, then
 * measures filtered deployment pages (the query the list API runs, plus JSON encoding) and
 * reports p50/p99.
 *
 * <p>Beside it, its peer: the same events, batches and database settings, inserted with a plain
 * JDBC batched INSERT (one transaction per batch) into one table of what the store keeps per
 * event at the least (event id primary key, type, time, canonical JSON): no hash chain, no
 * projections, no dedupe beyond the primary key. Passes run A B A B (store, plain, store, plain),
 * each on a fresh database, so a drift of the machine shows; the queries and the chain walk run
 * on the first store pass's data. {@code BENCH_PEER=0}: the store alone, one pass.
 *
 * <pre>java AuditBench sqlite|postgres EVENTS [BATCH] [QUERIES]</pre>
 * PostgreSQL: BENCH_PG_URL (default jdbc:postgresql://127.0.0.1:55432/stevedore), user/password
 * stevedore; each pass uses a fresh schema and drops it afterwards.
 */
public final class AuditBench {
  static final String[] SERVICES = new String[20];
  static final String[] ENVIRONMENTS = {"prod", "staging", "qa", "dev"};
  static final int HOSTS = 200;
  static final String PG_URL = System.getenv().getOrDefault("BENCH_PG_URL", "jdbc:postgresql://127.0.0.1:55432/stevedore");
  static final String PG_DATA = System.getenv().getOrDefault("BENCH_PG_DATA", "/var/lib/stevedore/pg");
  static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
  /** The peer's table: what the store keeps per event at the least. */
  static final String PLAIN_TABLE = "CREATE TABLE plain_events (event_id TEXT NOT NULL PRIMARY KEY, "
      + "type TEXT NOT NULL, event_time BIGINT NOT NULL, payload TEXT NOT NULL)";
  static final String PLAIN_INSERT = "INSERT INTO plain_events (event_id, type, event_time, payload) VALUES (?,?,?,?)";

  static {
    for (int i = 0; i < SERVICES.length; i++) {
      SERVICES[i] = "service-" + i;
    }
  }

  public static void main(String[] args) throws Exception {
    String kind = args.length > 0 ? args[0] : "sqlite";
    long events = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int queries = args.length > 3 ? Integer.parseInt(args[3]) : 500;
    boolean peer = !"0".equals(System.getenv().getOrDefault("BENCH_PEER", "1"));

    System.out.printf("== %s: %,d events, batches of %d, %d queries per filter, load %s ==%n", kind, events, batch,
        queries, load());
    EventCodec codec = new EventCodec();
    decodeRate(codec);
    if (peer) {
      System.out.printf("passes A B A B, each on a fresh %s: A = the audit store (EventWriter.store), B = its peer,"
          + " a plain batched INSERT of the same events into one table (event id primary key, type, time, payload)%n",
          kind.equals("postgres") ? "schema" : "database file");
    }
    List<Pass> passes = new ArrayList<>();
    for (int i = 1; i <= (peer ? 4 : 1); i++) {
      boolean store = i % 2 == 1;
      String label = peer ? (store ? "A" : "B") + i + " " + (store ? "store" : "plain") : "store";
      try (Fresh fresh = Fresh.open(kind, label)) {
        Database db = fresh.db();
        Sink sink;
        if (store) {
          EventWriter writer = new EventWriter(db.writerDataSource(), db.dialect(), codec.mapper(), Clock.systemUTC());
          sink = b -> writer.store(b).stored();
        } else {
          try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute(PLAIN_TABLE);
          }
          sink = b -> plainInsert(db.writerDataSource(), b);
        }
        if (peer) {
          System.out.printf("-- pass %s, load %s%n", label, load());
        }
        Ingest result = ingest(sink, codec, events, batch);
        passes.add(new Pass(label, store, result, load()));
        if (i == 1) {
          QueryRepository repo = new QueryRepository(db.dataSource(), db.dialect(), codec.mapper());
          analyze(db);
          System.out.println("queries (repository + JSON encoding of the page; cpu = this thread's CPU time,"
              + " which for PostgreSQL excludes the server's), load " + load());
          query(repo, queries);
          long t0 = System.nanoTime();
          var report = repo.verifyChain();
          System.out.printf("verify: %s, %,d rows in %.1f s%n", report.ok() ? "ok" : "BROKEN " + report.reason(),
              report.checked(), (System.nanoTime() - t0) / 1e9);
        }
      }
    }
    if (peer) {
      summary(kind, events, batch, passes);
    }
  }

  /** The peer: one plain batched INSERT of the batch's rows, in one transaction. */
  static int plainInsert(DataSource ds, List<StoredEvent> batch) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps = c.prepareStatement(PLAIN_INSERT)) {
        for (StoredEvent e : batch) {
          ps.setString(1, e.event().id());
          ps.setString(2, e.event().type().typeName());
          ps.setLong(3, e.event().time().toEpochMilli());
          ps.setString(4, new String(e.canonical(), StandardCharsets.UTF_8));
          ps.addBatch();
        }
        ps.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
      return batch.size();
    }
  }

  /** A fresh, migrated database: a new SQLite file, or a new PostgreSQL schema; removed on close. */
  record Fresh(String label, Database db, Path sqliteDir, String schema) implements AutoCloseable {
    static Fresh open(String kind, String label) throws Exception {
      if (kind.equals("postgres")) {
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(PG_URL, "stevedore", "stevedore"); Statement st = c.createStatement()) {
          st.execute("CREATE SCHEMA " + schema);
        }
        try {
          return new Fresh(label, Database.openBlocking(new AuditConfig.Database(PG_URL + "?currentSchema=" + schema, null,
              "stevedore", "stevedore", 4, 10000, 0)), null, schema);
        } catch (RuntimeException e) {
          dropSchema(schema);
          throw e;
        }
      }
      Path dir = Files.createTempDirectory("audit-bench");
      return new Fresh(label, Database.openBlocking(new AuditConfig.Database(null, dir.resolve("audit.db").toString(),
          null, null, 4, 10000, 0)), dir, null);
    }

    @Override
    public void close() throws Exception {
      try {
        if (schema != null) {
          try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
               ResultSet rs = st.executeQuery("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                   + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'")) {
            rs.next();
            System.out.printf("database size (%s): %,d MB (tables with their indexes)%n", label, rs.getLong(1) >> 20);
          }
        }
      } finally {
        db.close();
        if (sqliteDir != null) {
          try (var files = Files.walk(sqliteDir)) {
            System.out.printf("database file (%s): %,d MB%n", label, Files.size(sqliteDir.resolve("audit.db")) >> 20);
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
          }
        }
        if (schema != null) {
          dropSchema(schema);
        }
      }
    }

    static void dropSchema(String schema) throws SQLException {
      try (Connection c = DriverManager.getConnection(PG_URL, "stevedore", "stevedore"); Statement st = c.createStatement()) {
        st.execute("DROP SCHEMA " + schema + " CASCADE");
      }
    }
  }

  /** The consumer's CPU work per record before the store: strict decode and canonical bytes. */
  static void decodeRate(EventCodec codec) {
    Generator g = new Generator(7);
    List<byte[]> encoded = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      encoded.add(codec.encode(g.next()));
    }
    RecordDecoder decoder = new RecordDecoder(codec);
    for (byte[] b : encoded.subList(0, 10_000)) {
      decoder.decode(b);
    }
    long t0 = System.nanoTime();
    for (byte[] b : encoded) {
      if (!decoder.decode(b).ok()) {
        throw new IllegalStateException("bench event did not decode");
      }
    }
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf("decode + canonicalize (one thread): %,.0f events/s%n", encoded.size() / s);
  }

  /** Stores one batch and says how many events were new. */
  interface Sink {
    int store(List<StoredEvent> batch) throws Exception;
  }

  /**
   * An ingest pass: store time, CPU of the storing thread and of this whole JVM within the store
   * calls, PostgreSQL server CPU (clock ticks of 10 ms, 0 for SQLite) over the pass.
   */
  record Ingest(long events, long nanos, long threadCpuNanos, long jvmCpuNanos, long serverTicks, long p50Millis,
                long p99Millis) {
    double rate() {
      return events / (nanos / 1e9);
    }
  }

  record Pass(String label, boolean store, Ingest ingest, String loadAfter) {}

  static Ingest ingest(Sink sink, EventCodec codec, long total, int batchSize) throws Exception {
    Generator g = new Generator(42);
    long stored = 0;
    long storeNanos = 0;
    long storeCpuNanos = 0;
    long jvmCpuNanos = 0;
    long serverTicks0 = postgresCpuTicks();
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long windowStart = System.nanoTime();
    long windowStored = 0;
    long[] batchMillis = new long[(int) (total / batchSize) + 1];
    int batches = 0;
    while (stored < total) {
      int n = (int) Math.min(batchSize, total - stored);
      List<StoredEvent> batch = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        StevedoreEvent e = g.next();
        batch.add(new StoredEvent(e, codec.canonicalBytes(e)));
      }
      long p0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      long c0 = threads.getCurrentThreadCpuTime();
      int result = sink.store(batch);
      long dt = System.nanoTime() - t0;
      storeCpuNanos += threads.getCurrentThreadCpuTime() - c0;
      jvmCpuNanos += os.getProcessCpuTime() - p0;
      storeNanos += dt;
      batchMillis[batches++] = dt / 1_000_000;
      if (result != n) {
        throw new IllegalStateException("expected " + n + " new events, stored " + result);
      }
      stored += n;
      windowStored += n;
      if (System.nanoTime() - windowStart > 10_000_000_000L) {
        System.out.printf("  ... %,d stored, last 10 s of wall time (generation included) at %,.0f events/s, load %s%n",
            stored, windowStored / ((System.nanoTime() - windowStart) / 1e9), load());
        windowStart = System.nanoTime();
        windowStored = 0;
      }
    }
    long[] sorted = Arrays.copyOf(batchMillis, batches);
    Arrays.sort(sorted);
    System.out.printf("ingest: %,d events in %.1f s of store time: %,.0f events/s; batch p50 %d ms, p99 %d ms%n",
        stored, storeNanos / 1e9, stored / (storeNanos / 1e9), sorted[batches / 2], sorted[(int) (batches * 0.99)]);
    System.out.printf("ingest CPU of the storing thread (JDBC driver included; not the PostgreSQL server): %.1f s = %,.0f events per CPU-second%n",
        storeCpuNanos / 1e9, stored / (storeCpuNanos / 1e9));
    long serverTicks = postgresCpuTicks() - serverTicks0;
    if (serverTicks > 0) {
      double serverSeconds = serverTicks / 100.0;
      System.out.printf("ingest CPU of all postgres server processes meanwhile: %.1f s; client thread + server: %,.0f events per CPU-second%n",
          serverSeconds, stored / (storeCpuNanos / 1e9 + serverSeconds));
    }
    return new Ingest(stored, storeNanos, storeCpuNanos, jvmCpuNanos, Math.max(0, serverTicks), sorted[batches / 2],
        sorted[(int) (batches * 0.99)]);
  }

  /** Per pass, then store against plain over both pairs of passes, and pair by pair. */
  static void summary(String kind, long events, int batch, List<Pass> passes) {
    boolean server = kind.equals("postgres");
    System.out.printf("summary %s, %,d events, batches of %d (CPU in µs per event: thread = the storing thread,"
        + " jvm = this whole JVM during the store calls%s)%n", kind, events, batch, server ? ", server = all postgres processes over the pass" : "");
    System.out.printf("  %-9s %10s %9s %9s %7s %7s%s  %s%n", "pass", "events/s", "p50 ms", "p99 ms", "thread", "jvm",
        server ? String.format(" %7s", "server") : "", "load after");
    for (Pass p : passes) {
      Ingest r = p.ingest();
      System.out.printf("  %-9s %,10.0f %9d %9d %7.1f %7.1f%s  %s%n", p.label(), r.rate(), r.p50Millis(), r.p99Millis(),
          perEvent(r.threadCpuNanos(), r.events()), perEvent(r.jvmCpuNanos(), r.events()),
          server ? String.format(" %7.1f", perEvent(r.serverTicks() * 10_000_000L, r.events())) : "", p.loadAfter());
    }
    Ingest store = total(passes, true);
    Ingest plain = total(passes, false);
    StringBuilder pairs = new StringBuilder();
    for (int i = 0; i + 1 < passes.size(); i += 2) {
      pairs.append(pairs.length() == 0 ? "" : ", ").append(String.format("%.2f", passes.get(i).ingest().rate()
          / passes.get(i + 1).ingest().rate()));
    }
    System.out.printf("summary %s: store %,.0f events/s, plain INSERT %,.0f events/s (store time over both passes);"
        + " store/plain %.2f (pairs %s); CPU per event store/plain: thread %.1f/%.1f µs (x%.1f), jvm %.1f/%.1f µs (x%.1f)%s%n",
        kind, store.rate(), plain.rate(), store.rate() / plain.rate(), pairs,
        perEvent(store.threadCpuNanos(), store.events()), perEvent(plain.threadCpuNanos(), plain.events()),
        (double) store.threadCpuNanos() / plain.threadCpuNanos(),
        perEvent(store.jvmCpuNanos(), store.events()), perEvent(plain.jvmCpuNanos(), plain.events()),
        (double) store.jvmCpuNanos() / plain.jvmCpuNanos(),
        server ? String.format(", server %.1f/%.1f µs (x%.1f)", perEvent(store.serverTicks() * 10_000_000L, store.events()),
            perEvent(plain.serverTicks() * 10_000_000L, plain.events()), (double) store.serverTicks() / plain.serverTicks()) : "");
  }

  static Ingest total(List<Pass> passes, boolean store) {
    long events = 0, nanos = 0, thread = 0, jvm = 0, ticks = 0;
    for (Pass p : passes) {
      if (p.store() == store) {
        Ingest r = p.ingest();
        events += r.events();
        nanos += r.nanos();
        thread += r.threadCpuNanos();
        jvm += r.jvmCpuNanos();
        ticks += r.serverTicks();
      }
    }
    return new Ingest(events, nanos, thread, jvm, ticks, 0, 0);
  }

  static double perEvent(long nanos, long events) {
    return nanos / 1e3 / events;
  }

  static void analyze(Database db) throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
      st.execute("ANALYZE");
    }
  }

  static void query(QueryRepository repo, int n) throws Exception {
    ObjectMapper json = new ObjectMapper();
    Random r = new Random(1);
    long span = Duration.ofDays(365).toMillis();
    Map<String, Supplier<DeploymentFilter>> filters = new LinkedHashMap<>();
    filters.put("no filter, first page", () -> DeploymentFilter.all(50));
    filters.put("service", () -> new DeploymentFilter(pick(r, SERVICES), null, null, null, null, null, 50, null));
    filters.put("service + environment", () -> new DeploymentFilter(pick(r, SERVICES), pick(r, ENVIRONMENTS), null, null, null, null, 50, null));
    filters.put("status=failed", () -> new DeploymentFilter(null, null, null, "failed", null, null, 50, null));
    filters.put("service + status=rolled-back", () -> new DeploymentFilter(pick(r, SERVICES), null, null, "rolled-back", null, null, 50, null));
    filters.put("host", () -> new DeploymentFilter(null, null, "host-" + r.nextInt(HOSTS), null, null, null, 50, null));
    filters.put("since/until (7 days)", () -> {
      long since = START.toEpochMilli() + (long) (r.nextDouble() * (span - Duration.ofDays(7).toMillis()));
      return new DeploymentFilter(null, null, null, null, since, since + Duration.ofDays(7).toMillis(), 50, null);
    });
    filters.put("service + environment + status + 30 days", () -> {
      long since = START.toEpochMilli() + (long) (r.nextDouble() * (span - Duration.ofDays(30).toMillis()));
      return new DeploymentFilter(pick(r, SERVICES), pick(r, ENVIRONMENTS), null, "succeeded", since,
          since + Duration.ofDays(30).toMillis(), 50, null);
    });
    filters.put("service, page 20 via cursor", () -> new DeploymentFilter(pick(r, SERVICES), null, null, null, null, null, 50,
        new Views.Position(START.toEpochMilli() + (long) (r.nextDouble() * span), "~")));
    for (var e : filters.entrySet()) {
      for (int i = 0; i < 50; i++) {
        json.writeValueAsBytes(repo.deployments(e.getValue().get()));
      }
      long[] lat = new long[n];
      long[] cpu = new long[n];
      var threads = java.lang.management.ManagementFactory.getThreadMXBean();
      long rows = 0;
      for (int i = 0; i < n; i++) {
        DeploymentFilter f = e.getValue().get();
        long t0 = System.nanoTime();
        long c0 = threads.getCurrentThreadCpuTime();
        var page = repo.deployments(f);
        json.writeValueAsBytes(page.items());
        cpu[i] = threads.getCurrentThreadCpuTime() - c0;
        lat[i] = System.nanoTime() - t0;
        rows += page.items().size();
      }
      Arrays.sort(lat);
      Arrays.sort(cpu);
      System.out.printf("query %-42s wall p50 %6.2f p99 %6.2f max %6.2f ms | cpu p50 %5.2f p99 %5.2f ms | %.0f rows%n",
          e.getKey(), lat[n / 2] / 1e6, lat[(int) (n * 0.99)] / 1e6, lat[n - 1] / 1e6, cpu[n / 2] / 1e6,
          cpu[(int) (n * 0.99)] / 1e6, (double) rows / n);
    }
  }

  /**
   * utime + stime (clock ticks, 100/s) of the processes of the benchmark's PostgreSQL cluster
   * (named postgres, working directory BENCH_PG_DATA, default /var/lib/stevedore/pg), from /proc.
   */
  static long postgresCpuTicks() {
    long total = 0;
    java.io.File[] procs = new java.io.File("/proc").listFiles((d, n) -> n.chars().allMatch(Character::isDigit));
    if (procs == null) {
      return 0;
    }
    for (java.io.File p : procs) {
      try {
        String stat = java.nio.file.Files.readString(p.toPath().resolve("stat"));
        int close = stat.lastIndexOf(')');
        if (!stat.substring(stat.indexOf('(') + 1, close).equals("postgres")
            || !java.nio.file.Files.readSymbolicLink(p.toPath().resolve("cwd")).toString().equals(PG_DATA)) {
          continue;
        }
        String[] f = stat.substring(close + 2).split(" ");
        total += Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (java.io.IOException | RuntimeException gone) {
        // the process ended meanwhile
      }
    }
    return total;
  }

  static String load() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).substring(0, 14).trim();
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  static <T> T pick(Random r, T[] values) {
    return values[r.nextInt(values.length)];
  }

  /** A realistic stream: deployments of 6 events (request, start, 3 steps, outcome) and heartbeats. */
  static final class Generator {
    private final Random random;
    private final List<StevedoreEvent> pending = new ArrayList<>();
    private long deployment;

    Generator(long seed) {
      random = new Random(seed);
    }

    StevedoreEvent next() {
      if (pending.isEmpty()) {
        fill();
      }
      return pending.remove(pending.size() - 1);
    }

    private void fill() {
      long n = deployment++;
      String id = DeploymentIds.of("bench", Long.toString(n) + "-" + random.nextLong());
      String service = pick(random, SERVICES);
      String env = pick(random, ENVIRONMENTS);
      String host = "host-" + random.nextInt(HOSTS);
      String version = "v" + n;
      // one deployment every ~3 minutes: 1,000,000 events span about a year
      Instant at = START.plusMillis((long) (n * 190_000L + random.nextInt(60_000)));
      String src = "stevedore://agent/" + host;
      List<StevedoreEvent> events = new ArrayList<>();
      events.add(new DeployRequested(DeploymentIds.eventId(id, "-", "requested"), "stevedore://trigger/bench", at, id,
          service, env, version, Long.toHexString(random.nextLong()), "main", "acme/" + service, "ci", "github", null,
          null, "k1", "c2lnbmF0dXJl"));
      events.add(new DeployStarted(DeploymentIds.eventId(id, host, "started"), src, at.plusSeconds(1), id, host,
          service, env, "v" + (n - 1), version, "pull-up"));
      for (String step : List.of("pull", "up", "health")) {
        events.add(new DeployStep(DeploymentIds.eventId(id, host, step), src, at.plusSeconds(2), id, host, service,
            step, true, 100 + random.nextInt(2000), step.equals("health") ? null : 0, "ok: " + step + " done\n"));
      }
      int p = random.nextInt(100);
      Instant end = at.plusSeconds(20 + random.nextInt(100));
      String outcomeId = DeploymentIds.eventId(id, host, "outcome");
      if (p < 85) {
        events.add(new DeploySucceeded(outcomeId, src, end, id, host, service, env, version, null, 5000));
      } else if (p < 93) {
        events.add(new DeployFailed(outcomeId, src, end, id, host, service, env, version, "pull", 1, "error", "pull failed",
            "v" + (n - 1), 3000));
      } else if (p < 98) {
        events.add(new DeployRolledBack(outcomeId, src, end, id, host, service, env, version, "v" + (n - 1), "health",
            "unhealthy", true, 9000));
      } else {
        events.add(new DeploySkipped(outcomeId, src, end, id, host, service, env, version, "superseded"));
      }
      if (n % 10 == 0) {
        events.add(new AgentHeartbeat("hb-" + n, src, end, host, env, Map.of("zone", "a"),
            List.of(new AgentHeartbeat.ServiceState(service, version, null, "running")), "idle", "0.1.0"));
      }
      java.util.Collections.reverse(events);
      pending.addAll(events);
    }
  }
}
