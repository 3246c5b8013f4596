package dev.stevedore.audit.store;

import static dev.stevedore.audit.store.Jdbc.intOrNull;
import static dev.stevedore.audit.store.Jdbc.longOrNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The read side: deployment list (keyset pagination), one deployment's timeline, fleet
 * inventory, export pages, DORA rows and the chain walk. Every value is a bound parameter.
 * Blocking; call it on a worker thread.
 */
public final class QueryRepository {
  private static final String DEPLOYMENT_COLUMNS = "d.id, d.service, d.environment, d.version, d.commit_sha, "
      + "d.branch, d.repository, d.requested_by, d.trigger_kind, d.source, d.reason, d.requested_at, d.status, "
      + "d.finished_at, d.cancelled_at, d.has_request";

  private final DataSource dataSource;
  private final Dialect dialect;
  private final ObjectMapper json;

  public QueryRepository(DataSource dataSource, Dialect dialect, ObjectMapper json) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.json = json;
  }

  public Views.Page<Views.Deployment> deployments(DeploymentFilter f) throws SQLException {
    // With a host, the page is a range scan of that host's rows (deployment_hosts carries the
    // request time); without, a range scan of deployments. Same order, same cursor either way.
    boolean byHost = f.host() != null;
    String time = byHost ? "h.requested_at" : "d.requested_at";
    String id = byHost ? "h.deployment_id" : "d.id";
    StringBuilder sql = new StringBuilder("SELECT ").append(DEPLOYMENT_COLUMNS)
        .append(byHost ? " FROM deployment_hosts h JOIN deployments d ON d.id = h.deployment_id WHERE h.host = ?"
            : " FROM deployments d WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (byHost) {
      args.add(f.host());
    }
    if (f.service() != null) {
      sql.append(" AND d.service = ?");
      args.add(f.service());
    }
    if (f.environment() != null) {
      sql.append(" AND d.environment = ?");
      args.add(f.environment());
    }
    if (f.status() != null) {
      sql.append(" AND d.status = ?");
      args.add(f.status());
    }
    if (f.since() != null) {
      sql.append(" AND ").append(time).append(" >= ?");
      args.add(f.since());
    }
    if (f.until() != null) {
      sql.append(" AND ").append(time).append(" < ?");
      args.add(f.until());
    }
    if (f.after() != null) {
      sql.append(" AND (").append(time).append(" < ? OR (").append(time).append(" = ? AND ").append(id).append(" < ?))");
      args.add(f.after().requestedAt());
      args.add(f.after().requestedAt());
      args.add(f.after().id());
    }
    sql.append(" ORDER BY ").append(time).append(" DESC, ").append(id).append(" DESC LIMIT ?");
    args.add(f.limit() + 1);
    List<Views.Deployment> items = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          items.add(deployment(rs));
          times.add(rs.getLong("requested_at"));
        }
      }
    }
    Views.Position next = null;
    if (items.size() > f.limit()) {
      items.remove(items.size() - 1);
      Views.Deployment last = items.get(items.size() - 1);
      next = new Views.Position(times.get(items.size() - 1), last.id());
    }
    return new Views.Page<>(items, next);
  }

  public Optional<Views.DeploymentDetail> deployment(String id) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      Views.Deployment deployment;
      try (PreparedStatement ps = c.prepareStatement("SELECT " + DEPLOYMENT_COLUMNS + " FROM deployments d WHERE d.id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          deployment = deployment(rs);
        }
      }
      Map<String, List<Views.Step>> steps = new LinkedHashMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT host, step, ok, duration_ms, exit_code, output_tail, "
          + "step_time FROM deployment_steps WHERE deployment_id = ? ORDER BY host, seq")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            steps.computeIfAbsent(rs.getString("host"), k -> new ArrayList<>()).add(new Views.Step(
                rs.getString("step"), rs.getInt("ok") == 1, rs.getLong("duration_ms"), intOrNull(rs, "exit_code"),
                rs.getString("output_tail"), iso(rs.getLong("step_time"))));
          }
        }
      }
      List<Views.HostResult> hosts = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM deployment_hosts WHERE deployment_id = ? ORDER BY host")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String host = rs.getString("host");
            Integer healthy = intOrNull(rs, "restored_healthy");
            hosts.add(new Views.HostResult(host, rs.getString("service"), rs.getString("environment"),
                rs.getString("status"), rs.getString("from_version"), rs.getString("version"),
                rs.getString("running_version"), rs.getString("restored_version"),
                healthy == null ? null : healthy == 1, rs.getString("digest"), rs.getString("failed_step"),
                intOrNull(rs, "exit_code"), rs.getString("reason"), iso(longOrNull(rs, "started_at")),
                iso(longOrNull(rs, "finished_at")), longOrNull(rs, "duration_ms"),
                steps.getOrDefault(host, List.of())));
          }
        }
      }
      List<Views.TimelineEntry> timeline = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT seq, event_id, type, event_time, host FROM events "
          + "WHERE deployment_id = ? ORDER BY event_time, seq LIMIT 10000")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            timeline.add(new Views.TimelineEntry(rs.getLong("seq"), rs.getString("event_id"), rs.getString("type"),
                iso(rs.getLong("event_time")), rs.getString("host")));
          }
        }
      }
      return Optional.of(new Views.DeploymentDetail(deployment, hosts, timeline));
    }
  }

  /** The fleet inventory: the latest heartbeat per host, stale when older than {@code staleBefore}. */
  public List<Views.Host> hosts(String environment, long staleBefore, int limit) throws SQLException {
    String sql = "SELECT host, environment, state, agent_version, labels, services, last_seen FROM hosts"
        + (environment == null ? "" : " WHERE environment = ?") + " ORDER BY host LIMIT ?";
    List<Views.Host> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      int i = 1;
      if (environment != null) {
        ps.setString(i++, environment);
      }
      ps.setInt(i, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long lastSeen = rs.getLong("last_seen");
          out.add(new Views.Host(rs.getString("host"), rs.getString("environment"), rs.getString("state"),
              rs.getString("agent_version"), readJson(rs.getString("labels"), new TypeReference<Map<String, String>>() {}),
              readJson(rs.getString("services"), new TypeReference<List<Views.ServiceState>>() {}),
              iso(lastSeen), lastSeen < staleBefore));
        }
      }
    }
    return out;
  }

  /** Raw events after {@code afterSeq}, in chain order, for the export. */
  public List<Views.RawEvent> events(long afterSeq, Long since, Long until, int limit) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT seq, event_id, type, event_time, deployment_id, host, service, "
        + "environment, payload, hash FROM events WHERE seq > ?");
    List<Object> args = new ArrayList<>(List.of(afterSeq));
    if (since != null) {
      sql.append(" AND event_time >= ?");
      args.add(since);
    }
    if (until != null) {
      sql.append(" AND event_time < ?");
      args.add(until);
    }
    sql.append(" ORDER BY seq LIMIT ?");
    args.add(limit);
    List<Views.RawEvent> out = new ArrayList<>(limit);
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
      bind(ps, args);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Views.RawEvent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5),
              rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10)));
        }
      }
    }
    return out;
  }

  /** A deployment row for the DORA figures. */
  public record DoraRow(String service, String environment, long requestedAt, String status, Long finishedAt) {}

  /** Streams the deployments requested in [{@code since}, {@code until}), oldest first. */
  public void doraRows(String service, String environment, long since, long until, Consumer<DoraRow> sink)
      throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT service, environment, requested_at, status, finished_at "
        + "FROM deployments WHERE requested_at >= ? AND requested_at < ?");
    List<Object> args = new ArrayList<>(List.of(since, until));
    if (service != null) {
      sql.append(" AND service = ?");
      args.add(service);
    }
    if (environment != null) {
      sql.append(" AND environment = ?");
      args.add(environment);
    }
    sql.append(" ORDER BY requested_at, id");
    try (Connection c = dataSource.getConnection()) {
      boolean streaming = dialect == Dialect.POSTGRESQL;
      if (streaming) {
        c.setAutoCommit(false);
      }
      try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
        ps.setFetchSize(1000);
        bind(ps, args);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sink.accept(new DoraRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4),
                longOrNull(rs, "finished_at")));
          }
        }
      } finally {
        if (streaming) {
          c.rollback();
          c.setAutoCommit(true);
        }
      }
    }
  }

  /**
   * Walks the hash chain from the first stored event to the chain head and reports the first
   * broken link: a missing row (a gap in seq or rows missing at the end), a row whose
   * prev_hash is not its predecessor's hash, or a row whose hash does not match its content.
   */
  public ChainReport verifyChain() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      long headSeq;
      String headHash;
      try (PreparedStatement ps = c.prepareStatement("SELECT seq, hash FROM chain_head WHERE id = 1");
           ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return ChainReport.broken(0, 0, null, 0, null, "chain head row missing");
        }
        headSeq = rs.getLong(1);
        headHash = rs.getString(2);
      }
      boolean streaming = dialect == Dialect.POSTGRESQL;
      if (streaming) {
        c.setAutoCommit(false);
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT seq, event_id, payload, prev_hash, hash FROM events WHERE seq <= ? ORDER BY seq")) {
        ps.setFetchSize(2000);
        ps.setLong(1, headSeq);
        long expectedSeq = 1;
        String previous = HashChain.GENESIS;
        long checked = 0;
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long seq = rs.getLong(1);
            String eventId = rs.getString(2);
            if (seq != expectedSeq) {
              return ChainReport.broken(checked, headSeq, headHash, expectedSeq, null,
                  "event seq " + expectedSeq + (seq - expectedSeq > 1 ? " to " + (seq - 1) : "")
                      + " missing (deleted); next stored is seq " + seq);
            }
            if (!previous.equals(rs.getString(4))) {
              return ChainReport.broken(checked, headSeq, headHash, seq, eventId,
                  "prev_hash does not match the hash of seq " + (seq - 1));
            }
            String actual = HashChain.next(previous, rs.getString(3).getBytes(StandardCharsets.UTF_8));
            if (!actual.equals(rs.getString(5))) {
              return ChainReport.broken(checked, headSeq, headHash, seq, eventId,
                  "content does not match its hash (row edited)");
            }
            previous = actual;
            expectedSeq++;
            checked++;
          }
        }
        if (expectedSeq - 1 != headSeq) {
          return ChainReport.broken(checked, headSeq, headHash, expectedSeq, null,
              "chain head is seq " + headSeq + " but the last stored event is seq " + (expectedSeq - 1)
                  + " (events deleted at the end)");
        }
        if (!previous.equals(headHash)) {
          return ChainReport.broken(checked, headSeq, headHash, headSeq, null,
              "chain head hash does not match the last event's hash");
        }
        return ChainReport.intact(checked, headSeq, headHash);
      } finally {
        if (streaming) {
          c.rollback();
          c.setAutoCommit(true);
        }
      }
    }
  }

  public long countEvents() throws SQLException {
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM events");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private Views.Deployment deployment(ResultSet rs) throws SQLException {
    return new Views.Deployment(rs.getString("id"), rs.getString("service"), rs.getString("environment"),
        rs.getString("version"), rs.getString("commit_sha"), rs.getString("branch"), rs.getString("repository"),
        rs.getString("requested_by"), rs.getString("trigger_kind"), rs.getString("source"), rs.getString("reason"),
        iso(rs.getLong("requested_at")), rs.getString("status"), iso(longOrNull(rs, "finished_at")),
        iso(longOrNull(rs, "cancelled_at")), rs.getInt("has_request") == 1);
  }

  private <T> T readJson(String text, TypeReference<T> type) {
    try {
      return json.readValue(text, type);
    } catch (IOException e) {
      throw new IllegalStateException("stored JSON is unreadable: " + e.getMessage(), e);
    }
  }

  static String iso(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis).toString();
  }

  private static void bind(PreparedStatement ps, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object a = args.get(i);
      if (a instanceof String s) {
        ps.setString(i + 1, s);
      } else if (a instanceof Long l) {
        ps.setLong(i + 1, l);
      } else if (a instanceof Integer n) {
        ps.setInt(i + 1, n);
      } else {
        throw new IllegalArgumentException("unsupported bind type " + a);
      }
    }
  }
}
