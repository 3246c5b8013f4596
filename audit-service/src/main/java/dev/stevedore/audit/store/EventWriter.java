package dev.stevedore.audit.store;

import static dev.stevedore.audit.store.Jdbc.integer;
import static dev.stevedore.audit.store.Jdbc.millis;
import static dev.stevedore.audit.store.Jdbc.str;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.stevedore.common.event.AgentHeartbeat;
import dev.stevedore.common.event.DeployCancelled;
import dev.stevedore.common.event.DeployRequested;
import dev.stevedore.common.event.DeployStarted;
import dev.stevedore.common.event.DeployStep;
import dev.stevedore.common.event.Outcome;
import dev.stevedore.common.event.RolloutEvent;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.VersionBlocked;
import dev.stevedore.common.event.VersionUnblocked;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Appends a batch of events in one transaction: takes the chain lock, drops events already stored
 * (by event id, also within the batch), appends the rest to the hash chain, updates the
 * projections, moves the chain head, commits. Idempotent: storing a batch twice stores it once.
 * An event whose id is already stored (or earlier in the batch) with different bytes is a
 * conflict, not a duplicate: it is kept in {@code event_conflicts}, once per distinct payload,
 * and never replaces the first one. Blocking; call it on a worker thread.
 */
public final class EventWriter {
  private static final String INSERT_EVENT = "INSERT INTO events (seq, event_id, type, event_time, stored_at, "
      + "deployment_id, host, service, environment, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)";
  /** For a batch with unverified agent events: the same plus the reason (NULL for the others). */
  private static final String INSERT_EVENT_FLAGGED = "INSERT INTO events (seq, event_id, type, event_time, "
      + "stored_at, deployment_id, host, service, environment, payload, prev_hash, hash, unverified) "
      + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)";
  private static final String INSERT_STEP = "INSERT INTO deployment_steps (event_id, seq, deployment_id, host, step, "
      + "ok, duration_ms, exit_code, output_tail, step_time) VALUES (?,?,?,?,?,?,?,?,?,?)";
  private static final String UPSERT_INVENTORY = "INSERT INTO hosts (host, environment, state, agent_version, labels, "
      + "services, last_seen, heartbeat_id) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (host) DO UPDATE SET "
      + "environment = excluded.environment, state = excluded.state, agent_version = excluded.agent_version, "
      + "labels = excluded.labels, services = excluded.services, last_seen = excluded.last_seen, "
      + "heartbeat_id = excluded.heartbeat_id WHERE excluded.last_seen >= hosts.last_seen";
  private static final String INSERT_CONFLICT = "INSERT INTO event_conflicts (event_id, payload_hash, type, "
      + "received_at, stored_seq, payload) VALUES (?,?,?,?,?,?) ON CONFLICT (event_id, payload_hash) DO NOTHING";

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
    List<StoredEvent> collisions = new ArrayList<>();
    for (StoredEvent e : batch) {
      StoredEvent first = unique.putIfAbsent(e.event().id(), e);
      if (first != null && !java.util.Arrays.equals(first.canonical(), e.canonical())) {
        collisions.add(e);
      }
    }
    try (Connection c = dataSource.getConnection()) {
      try {
        c.setAutoCommit(false);
        long headSeq;
        String headHash;
        try (PreparedStatement ps = c.prepareStatement(dialect.lockChainHead()); ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw new SQLException("chain_head row missing: the schema was not migrated");
          }
          headSeq = rs.getLong(1);
          headHash = rs.getString(2);
        }
        if (dialect.writerSettings() != null) {
          try (var st = c.createStatement()) {
            st.execute(dialect.writerSettings());
          }
        }
        Map<String, Existing> existing = existing(c, unique.keySet());
        List<StoredEvent> fresh = new ArrayList<>(unique.size());
        List<Conflict> conflicts = new ArrayList<>();
        unique.values().forEach(e -> {
          Existing stored = existing.get(e.event().id());
          if (stored == null) {
            fresh.add(e);
          } else if (!stored.payload().equals(payload(e))) {
            conflicts.add(new Conflict(e, stored.seq()));
          }
        });
        for (StoredEvent e : collisions) {
          Existing stored = existing.get(e.event().id());
          if (stored == null || !stored.payload().equals(payload(e))) {
            conflicts.add(new Conflict(e, stored == null ? null : stored.seq()));
          }
        }
        long now = clock.millis();
        if (fresh.isEmpty()) {
          if (conflicts.isEmpty()) {
            c.rollback();
            return new StoreResult(0, batch.size(), headSeq);
          }
          storeConflicts(c, conflicts, now);
          c.commit();
          return new StoreResult(0, batch.size() - conflicts.size(), headSeq, conflicts.size());
        }
        long[] seqs = new long[fresh.size()];
        boolean flagged = fresh.stream().anyMatch(e -> e.unverified() != null);
        try (PreparedStatement ps = c.prepareStatement(flagged ? INSERT_EVENT_FLAGGED : INSERT_EVENT)) {
          for (int i = 0; i < fresh.size(); i++) {
            StoredEvent e = fresh.get(i);
            String hash = HashChain.next(headHash, e.canonical());
            seqs[i] = ++headSeq;
            bindEvent(ps, seqs[i], e, now, headHash, hash);
            if (flagged) {
              str(ps, 13, e.unverified());
            }
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
        storeConflicts(c, conflicts, now);
        c.commit();
        return new StoreResult(fresh.size(), batch.size() - fresh.size() - conflicts.size(), headSeq,
            conflicts.size());
      } catch (SQLException | RuntimeException e) {
        abandon(c, e);
        throw e;
      }
    }
  }

  /**
   * Rolls back after a failure and, unless the data was at fault, takes the connection out of
   * the pool: its state is unknown. sqlite-jdbc, for one, leaves a connection whose BEGIN
   * IMMEDIATE failed with SQLITE_BUSY out of autocommit with no transaction open; the pool,
   * which saw setAutoCommit fail, would hand it out again as it is, and every later
   * transaction on it would fail (or, worse, run statement by statement).
   */
  private void abandon(Connection c, Exception failure) {
    try {
      c.rollback();
    } catch (SQLException suppressed) {
      failure.addSuppressed(suppressed);
    }
    if (!Refusals.isRefusal(failure) && dataSource instanceof HikariDataSource pool) {
      pool.evictConnection(c);
    }
  }

  /**
   * Takes the writer's locks and writes the chain head back unchanged, then rolls back: fails as
   * a batch would while the database is read-only or locked, succeeds when it takes writes.
   */
  public void probe() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      try {
        c.setAutoCommit(false);
        try (PreparedStatement lock = c.prepareStatement(dialect.lockChainHead());
             ResultSet rs = lock.executeQuery();
             PreparedStatement touch = c.prepareStatement("UPDATE chain_head SET seq = seq WHERE id = 1")) {
          touch.setQueryTimeout(5);
          touch.executeUpdate();
        }
        c.rollback();
      } catch (SQLException | RuntimeException e) {
        abandon(c, e);
        throw e;
      }
    }
  }

  /** A stored event as a newcomer with the same id is compared to it. */
  private record Existing(long seq, String payload) {}

  /** An event that collided with a stored one (or one earlier in the batch: seq still unknown). */
  private record Conflict(StoredEvent event, Long storedSeq) {}

  private Map<String, Existing> existing(Connection c, Set<String> ids) throws SQLException {
    Map<String, Existing> found = new HashMap<>();
    Jdbc.selectWhereIn(c, dialect, "SELECT event_id, seq, payload FROM events", "event_id", ids,
        rs -> found.put(rs.getString(1), new Existing(rs.getLong(2), rs.getString(3))));
    return found;
  }

  private static String payload(StoredEvent e) {
    return new String(e.canonical(), StandardCharsets.UTF_8);
  }

  private static void storeConflicts(Connection c, List<Conflict> conflicts, long now) throws SQLException {
    if (conflicts.isEmpty()) {
      return;
    }
    Map<String, Conflict> distinct = new LinkedHashMap<>();
    for (Conflict conflict : conflicts) {
      distinct.putIfAbsent(conflict.event().event().id() + ' ' + payload(conflict.event()), conflict);
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT_CONFLICT)) {
      for (Conflict conflict : distinct.values()) {
        StoredEvent e = conflict.event();
        ps.setString(1, e.event().id());
        ps.setString(2, HashChain.next(HashChain.GENESIS, e.canonical()));
        ps.setString(3, e.event().type().typeName());
        ps.setLong(4, now);
        if (conflict.storedSeq() == null) {
          ps.setNull(5, java.sql.Types.BIGINT);
        } else {
          ps.setLong(5, conflict.storedSeq());
        }
        ps.setString(6, payload(e));
        ps.addBatch();
      }
      ps.executeBatch();
    }
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
    } else if (e instanceof VersionUnblocked u) {
      deploymentId = u.deploymentId();
      service = u.service();
      environment = u.environment();
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
    } else if (e instanceof RolloutEvent r) {
      // the rollout id is the deployment id of its waves: one index range holds the rollout's events
      deploymentId = r.rolloutId();
      service = r.service();
      environment = r.environment();
    } else if (e instanceof VersionBlocked b) {
      deploymentId = b.rolloutId();
      service = b.service();
      environment = b.environment();
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
   * Updates the projections: the steps and the fleet inventory by insert/upsert, the deployments
   * and their hosts through {@link Projection} (loaded, folded, written back once per row), the
   * rollouts through {@link RolloutProjection} (only for a batch that holds rollout events).
   */
  private void project(Connection c, List<StoredEvent> fresh, long[] seqs) throws SQLException {
    List<StevedoreEvent> events = new ArrayList<>(fresh.size());
    Map<String, AgentHeartbeat> heartbeats = new LinkedHashMap<>();
    try (PreparedStatement step = c.prepareStatement(INSERT_STEP)) {
      boolean steps = false;
      for (int i = 0; i < fresh.size(); i++) {
        if (fresh.get(i).unverified() != null) {
          continue; // stored and chained, flagged; never what the projections say ran
        }
        StevedoreEvent e = fresh.get(i).event();
        events.add(e);
        if (e instanceof DeployStep s) {
          bindStep(step, s, seqs[i]);
          step.addBatch();
          steps = true;
        } else if (e instanceof AgentHeartbeat h) {
          heartbeats.merge(h.host(), h, (x, y) -> y.time().isBefore(x.time()) ? x : y);
        }
      }
      Projection projection = Projection.load(c, dialect, Projection.deploymentIds(events));
      projection.fold(events);
      projection.write(c);
      Set<String> rollouts = RolloutProjection.rolloutIds(events);
      if (!rollouts.isEmpty()) {
        RolloutProjection rolloutProjection = RolloutProjection.load(c, dialect, json, rollouts);
        rolloutProjection.fold(events);
        rolloutProjection.write(c);
      }
      if (steps) {
        step.executeBatch();
      }
    }
    if (!heartbeats.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(UPSERT_INVENTORY)) {
        for (AgentHeartbeat h : heartbeats.values()) {
          bindHeartbeat(ps, h);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
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
}
