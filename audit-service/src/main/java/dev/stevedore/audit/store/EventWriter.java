package dev.stevedore.audit.store;

import static dev.stevedore.audit.store.Jdbc.integer;
import static dev.stevedore.audit.store.Jdbc.lng;
import static dev.stevedore.audit.store.Jdbc.millis;
import static dev.stevedore.audit.store.Jdbc.str;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.common.event.AgentEvent;
import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.DeployCancelled;
import dev.stevedore.common.event.DeployEvent;
import dev.stevedore.common.event.DeployFailed;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployRolledBack;
import dev.stevedore.common.event.DeploySkipped;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.DeploySucceeded;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.StevedoreEvent;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Appends a batch of events in one transaction: takes the chain lock, drops events already stored
 * (by event id, also within the batch), appends the rest to the hash chain, updates the
 * projections, moves the chain head, commits. Idempotent: storing a batch twice stores it once.
 * Blocking; call it on a worker thread.
 */
public final class EventWriter {
  private static final String INSERT_EVENT = "INSERT INTO events (seq, event_id, type, event_time, stored_at, "
      + "deployment_id, host, service, environment, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";
  private static final String UPSERT_REQUEST = "INSERT INTO deployments (id, service, environment, version, "
      + "commit_sha, branch, repository, requested_by, trigger_kind, source, reason, has_request, requested_at, status) "
      + "VALUES (?,?,?,?,?,?,?,?,?,?,?,1,?,'requested') ON CONFLICT (id) DO UPDATE SET service = excluded.service, "
      + "environment = excluded.environment, version = excluded.version, commit_sha = excluded.commit_sha, "
      + "branch = excluded.branch, repository = excluded.repository, requested_by = excluded.requested_by, "
      + "trigger_kind = excluded.trigger_kind, source = excluded.source, reason = excluded.reason, has_request = 1, "
      + "requested_at = excluded.requested_at";
  private static final String UPSERT_CANCEL = "INSERT INTO deployments (id, service, environment, requested_at, "
      + "cancelled_at, status) VALUES (?,?,?,?,?,'requested') ON CONFLICT (id) DO UPDATE SET "
      + "cancelled_at = excluded.cancelled_at";
  private static final String ENSURE_DEPLOYMENT = "INSERT INTO deployments (id, service, environment, version, "
      + "requested_at, status) VALUES (?,?,?,?,?,'running') ON CONFLICT (id) DO UPDATE SET "
      + "environment = COALESCE(deployments.environment, excluded.environment), "
      + "version = COALESCE(deployments.version, excluded.version), "
      + "requested_at = CASE WHEN deployments.has_request = 0 AND excluded.requested_at < deployments.requested_at "
      + "THEN excluded.requested_at ELSE deployments.requested_at END "
      // No new row version when nothing changes (the usual case once the request is stored).
      + "WHERE (deployments.environment IS NULL AND excluded.environment IS NOT NULL) "
      + "OR (deployments.version IS NULL AND excluded.version IS NOT NULL) "
      + "OR (deployments.has_request = 0 AND excluded.requested_at < deployments.requested_at)";
  private static final String UPSERT_HOST_STARTED = "INSERT INTO deployment_hosts (deployment_id, host, service, "
      + "environment, status, from_version, version, started_at) VALUES (?,?,?,?,'running',?,?,?) "
      + "ON CONFLICT (deployment_id, host) DO UPDATE SET environment = COALESCE(excluded.environment, "
      + "deployment_hosts.environment), from_version = excluded.from_version, "
      + "version = COALESCE(deployment_hosts.version, excluded.version), started_at = excluded.started_at";
  private static final String ENSURE_HOST = "INSERT INTO deployment_hosts (deployment_id, host, service, status) "
      + "VALUES (?,?,?,'running') ON CONFLICT (deployment_id, host) DO NOTHING";
  private static final String UPSERT_HOST_OUTCOME = "INSERT INTO deployment_hosts (deployment_id, host, service, "
      + "environment, status, version, running_version, restored_version, restored_healthy, digest, failed_step, "
      + "exit_code, reason, finished_at, duration_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
      + "ON CONFLICT (deployment_id, host) DO UPDATE SET status = excluded.status, "
      + "environment = excluded.environment, version = excluded.version, running_version = excluded.running_version, "
      + "restored_version = excluded.restored_version, restored_healthy = excluded.restored_healthy, "
      + "digest = excluded.digest, failed_step = excluded.failed_step, exit_code = excluded.exit_code, "
      + "reason = excluded.reason, finished_at = excluded.finished_at, duration_ms = excluded.duration_ms";
  private static final String INSERT_STEP = "INSERT INTO deployment_steps (event_id, seq, deployment_id, host, step, "
      + "ok, duration_ms, exit_code, output_tail, step_time) VALUES (?,?,?,?,?,?,?,?,?,?)";
  private static final String UPSERT_INVENTORY = "INSERT INTO hosts (host, environment, state, agent_version, labels, "
      + "services, last_seen, heartbeat_id) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (host) DO UPDATE SET "
      + "environment = excluded.environment, state = excluded.state, agent_version = excluded.agent_version, "
      + "labels = excluded.labels, services = excluded.services, last_seen = excluded.last_seen, "
      + "heartbeat_id = excluded.heartbeat_id WHERE excluded.last_seen >= hosts.last_seen";

  private final DataSource dataSource;
  private final Dialect dialect;
  private final ObjectMapper json;
  private final Clock clock;

  public EventWriter(DataSource dataSource, Dialect dialect, ObjectMapper json, Clock clock) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.json = json;
    this.clock = clock;
  }

  public StoreResult store(List<StoredEvent> batch) throws SQLException {
    LinkedHashMap<String, StoredEvent> unique = new LinkedHashMap<>();
    for (StoredEvent e : batch) {
      unique.putIfAbsent(e.event().id(), e);
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        long headSeq;
        String headHash;
        try (PreparedStatement ps = c.prepareStatement(dialect.lockChainHead()); ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("chain_head row missing: the schema was not migrated");
          }
          headSeq = rs.getLong(1);
          headHash = rs.getString(2);
        }
        Set<String> existing = existingIds(c, unique.keySet());
        List<StoredEvent> fresh = new ArrayList<>(unique.size());
        unique.values().forEach(e -> {
          if (!existing.contains(e.event().id())) {
            fresh.add(e);
          }
        });
        if (fresh.isEmpty()) {
          c.rollback();
          return new StoreResult(0, batch.size(), headSeq);
        }
        long now = clock.millis();
        long[] seqs = new long[fresh.size()];
        try (PreparedStatement ps = c.prepareStatement(INSERT_EVENT)) {
          for (int i = 0; i < fresh.size(); i++) {
            StoredEvent e = fresh.get(i);
            String hash = HashChain.next(headHash, e.canonical());
            seqs[i] = ++headSeq;
            bindEvent(ps, seqs[i], e, now, headHash, hash);
            ps.addBatch();
            headHash = hash;
          }
          ps.executeBatch();
        }
        project(c, fresh, seqs);
        try (PreparedStatement ps = c.prepareStatement("UPDATE chain_head SET seq = ?, hash = ? WHERE id = 1")) {
          ps.setLong(1, headSeq);
          ps.setString(2, headHash);
          ps.executeUpdate();
        }
        c.commit();
        return new StoreResult(fresh.size(), batch.size() - fresh.size(), headSeq);
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }

  private static Set<String> existingIds(Connection c, Set<String> ids) throws SQLException {
    Set<String> found = new HashSet<>();
    for (List<String> chunk : Jdbc.chunks(ids, Jdbc.IN_CHUNK)) {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT event_id FROM events WHERE event_id IN (" + Jdbc.placeholders(chunk.size()) + ")")) {
        for (int i = 0; i < chunk.size(); i++) {
          ps.setString(i + 1, chunk.get(i));
        }
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            found.add(rs.getString(1));
          }
        }
      }
    }
    return found;
  }

  private static void bindEvent(PreparedStatement ps, long seq, StoredEvent stored, long now, String prev, String hash)
      throws SQLException {
    StevedoreEvent e = stored.event();
    ps.setLong(1, seq);
    ps.setString(2, e.id());
    ps.setString(3, e.type().typeName());
    ps.setLong(4, millis(e.time()));
    ps.setLong(5, now);
    String deploymentId = null;
    String host = null;
    String service = null;
    String environment = null;
    if (e instanceof AgentHeartbeat h) {
      host = h.host();
      environment = h.environment();
    } else if (e instanceof DeployRequested r) {
      deploymentId = r.deploymentId();
      service = r.service();
      environment = r.environment();
    } else if (e instanceof DeployCancelled x) {
      deploymentId = x.deploymentId();
      service = x.service();
      environment = x.environment();
    } else if (e instanceof DeployStarted s) {
      deploymentId = s.deploymentId();
      host = s.host();
      service = s.service();
      environment = s.environment();
    } else if (e instanceof DeployStep s) {
      deploymentId = s.deploymentId();
      host = s.host();
      service = s.service();
    } else if (e instanceof Outcome o) {
      deploymentId = o.deploymentId();
      host = o.host();
      service = o.service();
      environment = o.environment();
    }
    str(ps, 6, deploymentId);
    str(ps, 7, host);
    str(ps, 8, service);
    str(ps, 9, environment);
    ps.setString(10, new String(stored.canonical(), StandardCharsets.UTF_8));
    ps.setString(11, prev);
    ps.setString(12, hash);
  }

  /**
   * Updates the projections. Rows are folded per key first (one upsert per deployment, host
   * result or inventory host per batch): PostgreSQL refuses a multi-row upsert that touches one
   * row twice, and it is less work for both databases.
   */
  private void project(Connection c, List<StoredEvent> fresh, long[] seqs) throws SQLException {
    Map<String, DeployRequested> requests = new LinkedHashMap<>();
    Map<String, DeployCancelled> cancels = new LinkedHashMap<>();
    Map<String, AgentSeen> seen = new LinkedHashMap<>();
    Map<String, DeployStarted> starts = new LinkedHashMap<>();
    Map<String, DeployStep> hostsFromSteps = new LinkedHashMap<>();
    Map<String, Outcome> outcomes = new LinkedHashMap<>();
    Map<String, AgentHeartbeat> heartbeats = new LinkedHashMap<>();
    Set<String> affected = new LinkedHashSet<>();
    try (PreparedStatement step = c.prepareStatement(INSERT_STEP)) {
      boolean steps = false;
      for (int i = 0; i < fresh.size(); i++) {
        StevedoreEvent e = fresh.get(i).event();
        if (e instanceof DeployEvent d) {
          affected.add(d.deploymentId());
        }
        if (e instanceof AgentEvent a) {
          seen.computeIfAbsent(a.deploymentId(), k -> new AgentSeen(a)).add(a);
        }
        if (e instanceof DeployRequested r) {
          requests.merge(r.deploymentId(), r, (x, y) -> y.time().isBefore(x.time()) ? x : y);
        } else if (e instanceof DeployCancelled x) {
          cancels.put(x.deploymentId(), x);
        } else if (e instanceof DeployStarted s) {
          starts.merge(s.deploymentId() + "\n" + s.host(), s, (x, y) -> y.time().isBefore(x.time()) ? x : y);
        } else if (e instanceof DeployStep s) {
          hostsFromSteps.putIfAbsent(s.deploymentId() + "\n" + s.host(), s);
          bindStep(step, s, seqs[i]);
          step.addBatch();
          steps = true;
        } else if (e instanceof Outcome o) {
          outcomes.put(o.deploymentId() + "\n" + o.host(), o);
        } else if (e instanceof AgentHeartbeat h) {
          heartbeats.merge(h.host(), h, (x, y) -> y.time().isBefore(x.time()) ? x : y);
        }
      }
      // Fixed order: deployments exist before their hosts; a started never downgrades an outcome.
      run(c, UPSERT_REQUEST, requests.values(), EventWriter::bindRequest);
      run(c, UPSERT_CANCEL, cancels.values(), (ps, x) -> {
        str(ps, 1, x.deploymentId());
        str(ps, 2, x.service());
        str(ps, 3, x.environment());
        ps.setLong(4, millis(x.time()));
        ps.setLong(5, millis(x.time()));
      });
      run(c, ENSURE_DEPLOYMENT, seen.values(), (ps, a) -> {
        str(ps, 1, a.deploymentId);
        str(ps, 2, a.service);
        str(ps, 3, a.environment);
        str(ps, 4, a.version);
        ps.setLong(5, a.firstSeen);
      });
      run(c, UPSERT_HOST_STARTED, starts.values(), (ps, s) -> {
        str(ps, 1, s.deploymentId());
        str(ps, 2, s.host());
        str(ps, 3, s.service());
        str(ps, 4, s.environment());
        str(ps, 5, s.fromVersion());
        str(ps, 6, s.toVersion());
        ps.setLong(7, millis(s.time()));
      });
      run(c, ENSURE_HOST, hostsFromSteps.values(), (ps, s) -> {
        str(ps, 1, s.deploymentId());
        str(ps, 2, s.host());
        str(ps, 3, s.service());
      });
      run(c, UPSERT_HOST_OUTCOME, outcomes.values(), EventWriter::bindOutcome);
      if (steps) {
        step.executeBatch();
      }
      run(c, UPSERT_INVENTORY, heartbeats.values(), this::bindHeartbeat);
    }
    updateStatuses(c, affected);
  }

  @FunctionalInterface
  private interface Binder<T> {
    void bind(PreparedStatement ps, T value) throws SQLException;
  }

  private static <T> void run(Connection c, String sql, java.util.Collection<T> rows, Binder<T> binder)
      throws SQLException {
    if (rows.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (T row : rows) {
        binder.bind(ps, row);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** What the agents' events say about a deployment whose request may not be stored yet. */
  private static final class AgentSeen {
    final String deploymentId;
    final String service;
    String environment;
    String version;
    long firstSeen;

    AgentSeen(AgentEvent first) {
      this.deploymentId = first.deploymentId();
      this.service = first.service();
      this.firstSeen = millis(first.time());
    }

    void add(AgentEvent a) {
      firstSeen = Math.min(firstSeen, millis(a.time()));
      if (a instanceof DeployStarted s) {
        environment = environment == null ? s.environment() : environment;
        version = version == null ? s.toVersion() : version;
      } else if (a instanceof Outcome o) {
        environment = environment == null ? o.environment() : environment;
        version = version == null ? o.version() : version;
      }
    }
  }

  private static void bindRequest(PreparedStatement ps, DeployRequested r) throws SQLException {
    str(ps, 1, r.deploymentId());
    str(ps, 2, r.service());
    str(ps, 3, r.environment());
    str(ps, 4, r.version());
    str(ps, 5, r.commit());
    str(ps, 6, r.branch());
    str(ps, 7, r.repository());
    str(ps, 8, r.requestedBy());
    str(ps, 9, r.trigger());
    str(ps, 10, r.source());
    str(ps, 11, r.reason());
    ps.setLong(12, millis(r.time()));
  }

  private static void bindStep(PreparedStatement ps, DeployStep s, long seq) throws SQLException {
    ps.setString(1, s.id());
    ps.setLong(2, seq);
    str(ps, 3, s.deploymentId());
    str(ps, 4, s.host());
    str(ps, 5, s.step());
    ps.setInt(6, s.ok() ? 1 : 0);
    ps.setLong(7, s.durationMs());
    integer(ps, 8, s.exitCode());
    str(ps, 9, s.outputTail());
    ps.setLong(10, millis(s.time()));
  }

  private static void bindOutcome(PreparedStatement ps, Outcome o) throws SQLException {
    String runningVersion = null;
    String restoredVersion = null;
    Integer restoredHealthy = null;
    String digest = null;
    String failedStep = null;
    Integer exitCode = null;
    String reason = null;
    long duration = 0;
    if (o instanceof DeploySucceeded s) {
      digest = s.digest();
      runningVersion = s.version();
      duration = s.durationMs();
    } else if (o instanceof DeployFailed f) {
      failedStep = f.step();
      exitCode = f.exitCode();
      reason = f.reason();
      runningVersion = f.runningVersion();
      duration = f.durationMs();
    } else if (o instanceof DeployRolledBack r) {
      restoredVersion = r.restoredVersion();
      restoredHealthy = r.restoredHealthy() ? 1 : 0;
      runningVersion = r.restoredVersion();
      failedStep = r.failedStep();
      reason = r.reason();
      duration = r.durationMs();
    } else if (o instanceof DeploySkipped k) {
      reason = k.reason();
    }
    str(ps, 1, o.deploymentId());
    str(ps, 2, o.host());
    str(ps, 3, o.service());
    str(ps, 4, o.environment());
    str(ps, 5, o.status());
    str(ps, 6, o.version());
    str(ps, 7, runningVersion);
    str(ps, 8, restoredVersion);
    integer(ps, 9, restoredHealthy);
    str(ps, 10, digest);
    str(ps, 11, failedStep);
    integer(ps, 12, exitCode);
    str(ps, 13, reason);
    ps.setLong(14, millis(o.time()));
    ps.setLong(15, duration);
  }

  private void bindHeartbeat(PreparedStatement ps, AgentHeartbeat h) throws SQLException {
    str(ps, 1, h.host());
    str(ps, 2, h.environment());
    str(ps, 3, h.state());
    str(ps, 4, h.agentVersion());
    try {
      str(ps, 5, json.writeValueAsString(h.labels()));
      str(ps, 6, json.writeValueAsString(h.services()));
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new IllegalStateException("cannot encode heartbeat " + h.id(), ex);
    }
    ps.setLong(7, millis(h.time()));
    str(ps, 8, h.id());
  }

  /** Re-derives the status and finish time of every deployment the batch touched. */
  private static void updateStatuses(Connection c, Set<String> deploymentIds) throws SQLException {
    if (deploymentIds.isEmpty()) {
      return;
    }
    Map<String, List<String>> hostStatuses = new HashMap<>();
    Map<String, Long> lastFinish = new HashMap<>();
    Map<String, Long> cancelledAt = new HashMap<>();
    Map<String, String> currentStatus = new HashMap<>();
    Map<String, Long> currentFinish = new HashMap<>();
    for (List<String> chunk : Jdbc.chunks(deploymentIds, Jdbc.IN_CHUNK)) {
      String in = Jdbc.placeholders(chunk.size());
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT deployment_id, status, finished_at FROM deployment_hosts WHERE deployment_id IN (" + in + ")")) {
        bindAll(ps, chunk);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            String id = rs.getString(1);
            hostStatuses.computeIfAbsent(id, k -> new ArrayList<>()).add(rs.getString(2));
            long finished = rs.getLong(3);
            if (!rs.wasNull()) {
              lastFinish.merge(id, finished, Math::max);
            }
          }
        }
      }
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT id, cancelled_at, status, finished_at FROM deployments WHERE id IN (" + in + ")")) {
        bindAll(ps, chunk);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            long cancelled = rs.getLong(2);
            if (!rs.wasNull()) {
              cancelledAt.put(rs.getString(1), cancelled);
            }
            currentStatus.put(rs.getString(1), rs.getString(3));
            long finished = rs.getLong(4);
            if (!rs.wasNull()) {
              currentFinish.put(rs.getString(1), finished);
            }
          }
        }
      }
    }
    // Host rows carry their deployment's request time (host-filtered pages); it changes when a
    // request arrives after the agents' first events.
    for (List<String> chunk : Jdbc.chunks(deploymentIds, Jdbc.IN_CHUNK)) {
      try (PreparedStatement ps = c.prepareStatement("UPDATE deployment_hosts SET requested_at = "
          + "(SELECT d.requested_at FROM deployments d WHERE d.id = deployment_hosts.deployment_id) "
          + "WHERE deployment_id IN (" + Jdbc.placeholders(chunk.size()) + ") AND (requested_at IS NULL OR "
          + "requested_at <> (SELECT d.requested_at FROM deployments d WHERE d.id = deployment_hosts.deployment_id))")) {
        bindAll(ps, chunk);
        ps.executeUpdate();
      }
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE deployments SET status = ?, finished_at = ? WHERE id = ?")) {
      boolean any = false;
      for (String id : deploymentIds) {
        List<String> statuses = hostStatuses.getOrDefault(id, List.of());
        String status = DeploymentStatus.derive(statuses, cancelledAt.containsKey(id));
        Long finished = !DeploymentStatus.terminal(status) ? null
            : DeploymentStatus.CANCELLED.equals(status) ? cancelledAt.get(id) : lastFinish.get(id);
        if (status.equals(currentStatus.get(id)) && java.util.Objects.equals(finished, currentFinish.get(id))) {
          continue; // unchanged: no new row version
        }
        ps.setString(1, status);
        lng(ps, 2, finished);
        ps.setString(3, id);
        ps.addBatch();
        any = true;
      }
      if (any) {
        ps.executeBatch();
      }
    }
  }

  private static void bindAll(PreparedStatement ps, List<String> values) throws SQLException {
    for (int i = 0; i < values.size(); i++) {
      ps.setString(i + 1, values.get(i));
    }
  }
}
