package dev.stevedore.audit.store;

import static dev.stevedore.audit.store.Jdbc.intOrNull;
import static dev.stevedore.audit.store.Jdbc.longOrNull;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
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
 * inventory, export pages, DORA rows; the chain walk is {@link ChainVerifier}'s. Filters are
 * {@link Where} conditions; every value is a bound parameter.
 * Blocking; call it on a worker thread.
 */
public final class QueryRepository {
  private static final String DEPLOYMENT_COLUMNS = "d.id, d.service, d.environment, d.version, d.commit_sha, "
      + "d.branch, d.repository, d.requested_by, d.trigger_kind, d.source, d.reason, d.requested_at, d.status, "
      + "d.finished_at, d.cancelled_at, d.has_request";
  /** A deployment's attempts and waiting time: the most any of its hosts reported (primary-key lookups). */
  private static final String MOST_ATTEMPTS =
      ", (SELECT MAX(x.attempts) FROM deployment_hosts x WHERE x.deployment_id = d.id) AS attempts"
      + ", (SELECT MAX(x.waited_ms) FROM deployment_hosts x WHERE x.deployment_id = d.id) AS waited_ms";

  private final DataSource dataSource;
  private final Dialect dialect;
  private final ObjectMapper json;

  public QueryRepository(DataSource dataSource, Dialect dialect, ObjectMapper json) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.json = json;
  }

  /**
   * How a deployment page is read: with a host, a range scan of that host's rows
   * (deployment_hosts carries the request time); without, a range scan of deployments. Same
   * order, same cursor either way.
   */
  private enum Keyset {
    DEPLOYMENTS(" FROM deployments d", "d.requested_at", "d.id", MOST_ATTEMPTS),
    HOST(" FROM deployment_hosts h JOIN deployments d ON d.id = h.deployment_id", "h.requested_at", "h.deployment_id",
        ", h.attempts AS attempts, h.waited_ms AS waited_ms");

    final String from;
    final String time;
    final String id;
    /** The attempts and waiting time shown with each deployment: the host's, or the most of any host. */
    final String attempts;

    Keyset(String from, String time, String id, String attempts) {
      this.from = from;
      this.time = time;
      this.id = id;
      this.attempts = attempts;
    }
  }

  public Views.Page<Views.Deployment> deployments(DeploymentFilter f) throws SQLException {
    Keyset keyset = f.host() != null ? Keyset.HOST : Keyset.DEPLOYMENTS;
    Where where = new Where()
        .andIfSet("h.host = ?", f.host())
        .andIfSet("d.service = ?", f.service())
        .andIfSet("d.environment = ?", f.environment())
        .andIfSet("d.status = ?", f.status())
        .andIfSet(keyset.time + " >= ?", f.since())
        .andIfSet(keyset.time + " < ?", f.until());
    if (f.after() != null) {
      where.and("(" + keyset.time + " < ? OR (" + keyset.time + " = ? AND " + keyset.id + " < ?))",
          f.after().requestedAt(), f.after().requestedAt(), f.after().id());
    }
    String sql = "SELECT " + DEPLOYMENT_COLUMNS + keyset.attempts + keyset.from + where.sql()
        + " ORDER BY " + keyset.time + " DESC, " + keyset.id + " DESC LIMIT ?";
    List<Views.Deployment> items = new ArrayList<>();
    List<Long> times = new ArrayList<>();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(where.bind(ps), f.limit() + 1);
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
      try (PreparedStatement ps = c.prepareStatement("SELECT " + DEPLOYMENT_COLUMNS + MOST_ATTEMPTS
          + " FROM deployments d WHERE d.id = ?")) {
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
                iso(longOrNull(rs, "finished_at")), longOrNull(rs, "duration_ms"), intOrNull(rs, "attempts"),
                longOrNull(rs, "waited_ms"), steps.getOrDefault(host, List.of())));
          }
        }
      }
      List<Views.TimelineEntry> timeline = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT seq, event_id, type, event_time, host, unverified FROM events "
          + "WHERE deployment_id = ? ORDER BY event_time, seq LIMIT 10000")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            timeline.add(new Views.TimelineEntry(rs.getLong("seq"), rs.getString("event_id"), rs.getString("type"),
                iso(rs.getLong("event_time")), rs.getString("host"), rs.getString("unverified")));
          }
        }
      }
      return Optional.of(new Views.DeploymentDetail(deployment, hosts, timeline));
    }
  }

  private static final String ROLLOUT_COLUMNS = "id, environment, service, version, phase, strategy, started_at, "
      + "finished_at, updated_at, supersedes, superseded_by, requested_by, reason, halt_reason, halted_wave, blocked";
  /** Most hosts a rollout detail lists (the rollout's own hosts and any other host that reported an outcome). */
  static final int MAX_ROLLOUT_HOSTS = 20_000;

  /** Rollouts, newest first (start time, then id). */
  public List<Views.Rollout> rollouts(RolloutFilter f) throws SQLException {
    Where where = new Where()
        .andIfSet("environment = ?", f.environment())
        .andIfSet("service = ?", f.service())
        .andIfSet("phase = ?", f.phase() == null ? null : f.phase().word());
    String sql = "SELECT " + ROLLOUT_COLUMNS + " FROM rollouts" + where.sql()
        + " ORDER BY started_at DESC, id DESC LIMIT ?";
    List<Views.Rollout> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(where.bind(ps), f.limit());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rollout(rs));
        }
      }
    }
    return out;
  }

  /**
   * One rollout with its waves, its hosts (state from the rollout events, outcomes from the
   * agents' events of the rollout's deployment and of its rollbacks) and the timeline of its
   * rollout events (at most 10,000).
   */
  public Optional<Views.RolloutDetail> rollout(String id) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      Views.Rollout rollout;
      String policy;
      String unreached;
      try (PreparedStatement ps = c.prepareStatement("SELECT " + ROLLOUT_COLUMNS + ", policy, unreached FROM rollouts "
          + "WHERE id = ?")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          rollout = rollout(rs);
          policy = rs.getString("policy");
          unreached = rs.getString("unreached");
        }
      }
      List<Views.RolloutWave> waves = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT * FROM rollout_waves WHERE rollout_id = ? ORDER BY wave")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            waves.add(new Views.RolloutWave(rs.getInt("wave"), rs.getInt("canary") == 1, hostList(rs.getString("hosts")),
                rs.getString("request_id"), iso(longOrNull(rs, "started_at")), iso(longOrNull(rs, "finished_at")),
                hostList(rs.getString("succeeded")), hostList(rs.getString("failed")),
                hostList(rs.getString("skipped")), hostList(rs.getString("unreached"))));
          }
        }
      }
      Map<String, String[]> states = new java.util.TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT host, wave, state, rollback_version FROM rollout_hosts "
          + "WHERE rollout_id = ? ORDER BY host LIMIT " + MAX_ROLLOUT_HOSTS)) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            Integer wave = intOrNull(rs, "wave");
            states.put(rs.getString("host"), new String[] {wave == null ? null : String.valueOf(wave),
                rs.getString("state"), rs.getString("rollback_version")});
          }
        }
      }
      Map<String, Views.HostOutcome> outcomes = outcomes(c, id);
      java.util.Set<String> rollbackVersions = new java.util.TreeSet<>();
      states.values().forEach(s -> {
        if (s[2] != null) {
          rollbackVersions.add(s[2]);
        }
      });
      Map<String, Map<String, Views.HostOutcome>> rollbackOutcomes = new LinkedHashMap<>();
      for (String version : rollbackVersions) {
        rollbackOutcomes.put(version, outcomes(c, rollbackDeploymentId(id, version)));
      }
      java.util.Set<String> hostNames = new java.util.TreeSet<>(states.keySet());
      hostNames.addAll(outcomes.keySet());
      List<Views.RolloutHost> hosts = new ArrayList<>();
      for (String host : hostNames) {
        if (hosts.size() >= MAX_ROLLOUT_HOSTS) {
          break;
        }
        String[] s = states.get(host);
        String rollbackVersion = s == null ? null : s[2];
        hosts.add(new Views.RolloutHost(host, s == null || s[0] == null ? null : Integer.valueOf(s[0]),
            s == null ? null : s[1], rollbackVersion, outcomes.get(host),
            rollbackVersion == null ? null : rollbackOutcomes.get(rollbackVersion).get(host)));
      }
      List<Views.TimelineEntry> timeline = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT seq, event_id, type, event_time, host, unverified FROM events "
          + "WHERE deployment_id = ? AND (type LIKE 'rollout.%' OR type = 'version.blocked') "
          + "ORDER BY event_time, seq LIMIT 10000")) {
        ps.setString(1, id);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            timeline.add(new Views.TimelineEntry(rs.getLong("seq"), rs.getString("event_id"), rs.getString("type"),
                iso(rs.getLong("event_time")), rs.getString("host"), rs.getString("unverified")));
          }
        }
      }
      return Optional.of(new Views.RolloutDetail(rollout, policy == null ? null : readJson(policy,
          new TypeReference<com.fasterxml.jackson.databind.JsonNode>() {}), hostList(unreached), waves, hosts, timeline));
    }
  }

  /** The deployment id of the requests that send a halted rollout's hosts back to {@code version}. */
  public static String rollbackDeploymentId(String rolloutId, String version) {
    return dev.stevedore.common.event.DeploymentIds.of("rollout-rollback", rolloutId + "/" + version);
  }

  private static Map<String, Views.HostOutcome> outcomes(Connection c, String deploymentId) throws SQLException {
    Map<String, Views.HostOutcome> out = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT host, status, version, running_version, reason, finished_at "
        + "FROM deployment_hosts WHERE deployment_id = ? ORDER BY host LIMIT " + MAX_ROLLOUT_HOSTS)) {
      ps.setString(1, deploymentId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString("host"), new Views.HostOutcome(deploymentId, rs.getString("status"),
              rs.getString("version"), rs.getString("running_version"), rs.getString("reason"),
              iso(longOrNull(rs, "finished_at"))));
        }
      }
    }
    return out;
  }

  private Views.Rollout rollout(ResultSet rs) throws SQLException {
    return new Views.Rollout(rs.getString("id"), rs.getString("environment"), rs.getString("service"),
        rs.getString("version"), rs.getString("phase"), rs.getString("strategy"), iso(rs.getLong("started_at")),
        iso(longOrNull(rs, "finished_at")), iso(rs.getLong("updated_at")), rs.getString("supersedes"),
        rs.getString("superseded_by"), rs.getString("requested_by"), rs.getString("reason"),
        rs.getString("halt_reason"), intOrNull(rs, "halted_wave"), rs.getInt("blocked") == 1);
  }

  private List<String> hostList(String text) {
    return text == null ? null : readJson(text, new TypeReference<List<String>>() {});
  }

  /** The fleet inventory: the latest heartbeat per host, stale when older than {@code staleBefore}. */
  public List<Views.Host> hosts(String environment, long staleBefore, int limit) throws SQLException {
    Where where = new Where().andIfSet("environment = ?", environment);
    String sql = "SELECT host, environment, state, agent_version, labels, services, last_seen FROM hosts" + where.sql()
        + " ORDER BY host LIMIT ?";
    List<Views.Host> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(where.bind(ps), limit);
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
    Where where = new Where().and("seq > ?", afterSeq)
        .andIfSet("event_time >= ?", since)
        .andIfSet("event_time < ?", until);
    String sql = "SELECT seq, event_id, type, event_time, deployment_id, host, service, environment, payload, hash "
        + "FROM events" + where.sql() + " ORDER BY seq LIMIT ?";
    List<Views.RawEvent> out = new ArrayList<>(limit);
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(where.bind(ps), limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Views.RawEvent(rs.getLong("seq"), rs.getString("event_id"), rs.getString("type"),
              rs.getLong("event_time"), rs.getString("deployment_id"), rs.getString("host"), rs.getString("service"),
              rs.getString("environment"), rs.getString("payload"), rs.getString("hash")));
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
    Where where = new Where().and("requested_at >= ? AND requested_at < ?", since, until)
        .andIfSet("service = ?", service)
        .andIfSet("environment = ?", environment);
    String sql = "SELECT service, environment, requested_at, status, finished_at FROM deployments" + where.sql()
        + " ORDER BY requested_at, id";
    try (Connection c = dataSource.getConnection()) {
      boolean streaming = dialect == Dialect.POSTGRESQL;
      if (streaming) {
        c.setAutoCommit(false);
      }
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setFetchSize(1000);
        where.bind(ps);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            sink.accept(new DoraRow(rs.getString("service"), rs.getString("environment"), rs.getLong("requested_at"),
                rs.getString("status"), longOrNull(rs, "finished_at")));
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

  /** Most buckets one DORA series has (a year of days, or 42 days of hours). */
  public static final int MAX_BUCKETS = 1008;
  private static final String FINISHED = "status IN ('succeeded', 'failed', 'rolled-back')";

  /**
   * The DORA figures per bucket of {@code bucketMs}, over the deployments requested in
   * [{@code since}, {@code until}): buckets are aligned to multiples of {@code bucketMs} since the
   * epoch (UTC hours and days) and every bucket of the range is listed, empty ones too. Aggregated
   * in SQL (the same statements on SQLite and PostgreSQL): counts and the mean lead time by
   * GROUP BY; times to restore with window functions, each failure streak of a service and
   * environment (the failed or rolled-back deployments between two succeeded ones, in request
   * order) restored by the succeeded deployment after it, counted in that deployment's bucket.
   */
  public List<Views.DoraBucket> doraSeries(String service, String environment, long since, long until, long bucketMs)
      throws SQLException {
    if (bucketMs <= 0 || until <= since) {
      throw new IllegalArgumentException("a DORA series needs a positive bucket and a non-empty range");
    }
    long first = Math.floorDiv(since, bucketMs) * bucketMs;
    int count = (int) Math.min(Integer.MAX_VALUE, (until - first + bucketMs - 1) / bucketMs);
    if (count > MAX_BUCKETS) {
      throw new IllegalArgumentException("at most " + MAX_BUCKETS + " buckets; take a larger bucket or a shorter window");
    }
    long[][] counts = new long[count][3];
    Long[] lead = new Long[count];
    long[] restored = new long[count];
    Long[] restore = new Long[count];
    Where range = new Where().and("requested_at >= ? AND requested_at < ?", since, until)
        .andIfSet("service = ?", service)
        .andIfSet("environment = ?", environment);
    String perBucket = "SELECT (requested_at - ?) / ? AS bucket, COUNT(*) AS deployments, "
        + "SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) AS succeeded, "
        + "SUM(CASE WHEN status IN ('failed', 'rolled-back') THEN 1 ELSE 0 END) AS failed, "
        + "AVG(CASE WHEN status = 'succeeded' AND finished_at IS NOT NULL "
        + "THEN CASE WHEN finished_at > requested_at THEN finished_at - requested_at ELSE 0 END END) AS lead_ms "
        + "FROM deployments" + range.sql() + " GROUP BY 1";
    String restores = "WITH f AS (SELECT COALESCE(service, '') AS s, COALESCE(environment, '') AS e, requested_at, "
        + "status, COALESCE(finished_at, requested_at) AS ended, SUM(CASE WHEN status = 'succeeded' THEN 1 ELSE 0 END) "
        + "OVER (PARTITION BY COALESCE(service, ''), COALESCE(environment, '') ORDER BY requested_at, id "
        + "ROWS UNBOUNDED PRECEDING) AS streak FROM deployments" + range.sql() + " AND " + FINISHED + "), "
        + "broken AS (SELECT s, e, streak, MIN(ended) AS since FROM f WHERE status <> 'succeeded' GROUP BY s, e, streak) "
        + "SELECT (f.requested_at - ?) / ? AS bucket, COUNT(*) AS restored, "
        + "AVG(CASE WHEN f.ended > b.since THEN f.ended - b.since ELSE 0 END) AS restore_ms "
        + "FROM broken b JOIN f ON f.s = b.s AND f.e = b.e AND f.streak = b.streak + 1 AND f.status = 'succeeded' "
        + "GROUP BY 1";
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement ps = c.prepareStatement(perBucket)) {
        ps.setLong(1, first);
        ps.setLong(2, bucketMs);
        range.bindFrom(ps, 3);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            int b = rs.getInt("bucket");
            counts[b][0] = rs.getLong("deployments");
            counts[b][1] = rs.getLong("succeeded");
            counts[b][2] = rs.getLong("failed");
            lead[b] = roundedOrNull(rs, "lead_ms");
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(restores)) {
        int next = range.bind(ps);
        ps.setLong(next, first);
        ps.setLong(next + 1, bucketMs);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            int b = rs.getInt("bucket");
            restored[b] = rs.getLong("restored");
            restore[b] = roundedOrNull(rs, "restore_ms");
          }
        }
      }
    }
    List<Views.DoraBucket> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      long finished = counts[i][1] + counts[i][2];
      out.add(new Views.DoraBucket(iso(first + i * bucketMs), counts[i][0], counts[i][1], counts[i][2],
          finished == 0 ? null : Math.round(10_000.0 * counts[i][2] / finished) / 10_000.0, lead[i], restored[i],
          restore[i]));
    }
    return out;
  }

  private static Long roundedOrNull(ResultSet rs, String column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? null : Math.round(v);
  }

  /** How many recent requests of a service and environment are searched for one that targets a host. */
  static final int DESIRED_DEPTH = 20;

  /**
   * Every service each host reports against the version last asked of it there ({@link
   * Views.FleetVersion}). The desired version of a host's service is the newest of: the newest of
   * the {@value #DESIRED_DEPTH} most recent verified, not cancelled requests of the service and
   * environment whose target (environment, hosts, labels) takes in the host, and an active
   * (rolling-out or halted) rollout of the service and environment that plans the host. Requests
   * and rollouts are read once per service and environment.
   */
  public List<Views.FleetVersion> fleetVersions(String environment, long staleBefore, int limit) throws SQLException {
    List<Views.Host> hosts = hosts(environment, staleBefore, limit);
    Map<String, List<Asked>> asked = new java.util.HashMap<>();
    List<Views.FleetVersion> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      for (Views.Host h : hosts) {
        for (Views.ServiceState s : h.services() == null ? List.<Views.ServiceState>of() : h.services()) {
          if (s == null || s.name() == null) {
            continue;
          }
          String key = s.name() + "\u0000" + h.environment();
          List<Asked> candidates = asked.get(key);
          if (candidates == null) {
            candidates = askedOf(c, s.name(), h.environment());
            asked.put(key, candidates);
          }
          Asked desired = null;
          for (Asked a : candidates) {
            if (a.takesIn(h) && (desired == null || a.at() > desired.at())) {
              desired = a;
            }
          }
          out.add(new Views.FleetVersion(h.host(), h.environment(), s.name(), s.version(), s.state(), h.stale(),
              desired == null ? null : desired.version(), desired == null ? null : desired.id(),
              desired == null ? null : iso(desired.at()),
              desired != null && !desired.version().equals(s.version())));
        }
      }
    }
    return out;
  }

  /** What was asked of a service and environment: a request (its targets) or an active rollout (its hosts). */
  private record Asked(String id, String version, long at, List<dev.stevedore.common.event.Target> targets,
                       java.util.Set<String> rolloutHosts) {
    boolean takesIn(Views.Host h) {
      if (rolloutHosts != null) {
        return rolloutHosts.contains(h.host());
      }
      Map<String, String> labels = h.labels() == null ? Map.of() : h.labels();
      return targets.stream().anyMatch(t -> t.matches(h.environment(), h.host(), labels));
    }
  }

  private List<Asked> askedOf(Connection c, String service, String environment) throws SQLException {
    List<Asked> out = new ArrayList<>();
    List<Object[]> requests = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id, version, requested_at FROM deployments "
        + "WHERE service = ? AND environment = ? AND has_request = 1 AND status <> 'cancelled' AND version IS NOT NULL "
        + "ORDER BY requested_at DESC, id DESC LIMIT " + DESIRED_DEPTH)) {
      ps.setString(1, service);
      ps.setString(2, environment);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          requests.add(new Object[] {rs.getString("id"), rs.getString("version"), rs.getLong("requested_at")});
        }
      }
    }
    for (Object[] r : requests) {
      List<dev.stevedore.common.event.Target> targets = new ArrayList<>();
      // a rollout's waves are requests under one deployment id: each brings its own target
      try (PreparedStatement ps = c.prepareStatement("SELECT payload FROM events WHERE deployment_id = ? "
          + "AND type = 'deploy.requested' AND unverified IS NULL ORDER BY seq LIMIT 1000")) {
        ps.setString(1, (String) r[0]);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            dev.stevedore.common.event.Target target = target(rs.getString("payload"), environment);
            if (target != null) {
              targets.add(target);
            }
          }
        }
      }
      out.add(new Asked((String) r[0], (String) r[1], (Long) r[2], targets, null));
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT id, version, started_at FROM rollouts "
        + "WHERE service = ? AND environment = ? AND phase IN ('rolling-out', 'halted') "
        + "ORDER BY started_at DESC, id DESC LIMIT 1")) {
      ps.setString(1, service);
      ps.setString(2, environment);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          String id = rs.getString("id");
          java.util.Set<String> planned = new java.util.HashSet<>();
          try (PreparedStatement hs = c.prepareStatement("SELECT host FROM rollout_hosts WHERE rollout_id = ? "
              + "AND state NOT IN ('rolling-back', 'rolled-back', 'rollback-failed') LIMIT " + MAX_ROLLOUT_HOSTS)) {
            hs.setString(1, id);
            try (ResultSet hr = hs.executeQuery()) {
              while (hr.next()) {
                planned.add(hr.getString("host"));
              }
            }
          }
          out.add(new Asked(id, rs.getString("version"), rs.getLong("started_at"), List.of(), planned));
        }
      }
    }
    return out;
  }

  /**
   * The target of a stored request (absent on the wire: the whole environment); null when the
   * stored request cannot be read as one (it then targets no host: the fleet view still answers).
   */
  private dev.stevedore.common.event.Target target(String payload, String environment) {
    try {
      com.fasterxml.jackson.databind.JsonNode t = json.readTree(payload).path("data").path("target");
      if (!t.isObject()) {
        return dev.stevedore.common.event.Target.environment(environment);
      }
      List<String> hosts = new ArrayList<>();
      t.path("hosts").forEach(n -> hosts.add(n.asText()));
      Map<String, String> labels = new LinkedHashMap<>();
      t.path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      return new dev.stevedore.common.event.Target(t.path("environment").asText(environment), hosts, labels);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Walks the hash chain: see {@link ChainVerifier}. */
  public ChainReport verifyChain() throws SQLException {
    return new ChainVerifier(dataSource, dialect).verify().withFindings(countConflicts(), countUnverified());
  }

  /** Stored events whose agent signature did not verify, newest first: what a forger published. */
  public List<Views.UnverifiedEvent> unverified(int limit) throws SQLException {
    String sql = "SELECT seq, event_id, type, event_time, deployment_id, host, service, environment, unverified, payload "
        + "FROM events WHERE unverified IS NOT NULL ORDER BY seq DESC LIMIT ?";
    List<Views.UnverifiedEvent> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Views.UnverifiedEvent(rs.getLong("seq"), rs.getString("event_id"), rs.getString("type"),
              iso(rs.getLong("event_time")), rs.getString("deployment_id"), rs.getString("host"),
              rs.getString("service"), rs.getString("environment"), rs.getString("unverified"),
              rs.getString("payload")));
        }
      }
    }
    return out;
  }

  public long countUnverified() throws SQLException {
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM events WHERE unverified IS NOT NULL");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Events that arrived under a stored event id with different bytes, newest first. */
  public List<Views.Conflict> conflicts(int limit) throws SQLException {
    String sql = "SELECT x.event_id, x.type, x.received_at, e.seq, e.payload AS stored_payload, x.payload "
        + "FROM event_conflicts x LEFT JOIN events e ON e.event_id = x.event_id "
        + "ORDER BY x.received_at DESC, x.event_id, x.payload_hash LIMIT ?";
    List<Views.Conflict> out = new ArrayList<>();
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setInt(1, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Views.Conflict(rs.getString("event_id"), rs.getString("type"), iso(rs.getLong("received_at")),
              longOrNull(rs, "seq"), rs.getString("stored_payload"), rs.getString("payload")));
        }
      }
    }
    return out;
  }

  public long countConflicts() throws SQLException {
    try (Connection c = dataSource.getConnection();
         PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM event_conflicts");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
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
        iso(longOrNull(rs, "cancelled_at")), rs.getInt("has_request") == 1, intOrNull(rs, "attempts"),
        longOrNull(rs, "waited_ms"));
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
}
