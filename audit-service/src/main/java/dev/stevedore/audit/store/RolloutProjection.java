package dev.stevedore.audit.store;

import static dev.stevedore.audit.store.Jdbc.intOrNull;
import static dev.stevedore.audit.store.Jdbc.longOrNull;
import static dev.stevedore.audit.store.Jdbc.millis;
import static dev.stevedore.audit.store.Row.Column.bigint;
import static dev.stevedore.audit.store.Row.Column.integer;
import static dev.stevedore.audit.store.Row.Column.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stevedore.common.event.HostVersion;
import dev.stevedore.common.event.RolloutEvent;
import dev.stevedore.common.event.RolloutHalted;
import dev.stevedore.common.event.RolloutRolledBack;
import dev.stevedore.common.event.RolloutStarted;
import dev.stevedore.common.event.RolloutSucceeded;
import dev.stevedore.common.event.RolloutSuperseded;
import dev.stevedore.common.event.RolloutWave;
import dev.stevedore.common.event.RolloutWaveFinished;
import dev.stevedore.common.event.RolloutWaveStarted;
import dev.stevedore.common.event.StevedoreEvent;
import dev.stevedore.common.event.VersionBlocked;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rollout projection ({@code rollouts}, {@code rollout_waves}, {@code rollout_hosts}) folded
 * from the trigger's verified {@code rollout.*} events and {@code version.blocked}, like
 * {@link Projection}: the rows of the batch's rollouts are loaded, the events applied in stream
 * order (one rollout's events share a partition, so that is the order the coordinator wrote
 * them), and the changed rows written back once. Only batches holding such events pay for it.
 */
final class RolloutProjection {
  static final Row.Table ROLLOUTS = new Row.Table("rollouts", 1, List.of(
      text("id"), text("environment"), text("service"), text("version"), text("phase"), text("strategy"),
      text("policy"), text("supersedes"), text("superseded_by"), text("requested_by"), text("reason"),
      text("halt_reason"), integer("halted_wave"), integer("blocked"), text("unreached"), bigint("started_at"),
      bigint("finished_at"), bigint("updated_at")));
  static final Row.Table WAVES = new Row.Table("rollout_waves", 2, List.of(
      text("rollout_id"), integer("wave"), integer("canary"), text("hosts"), text("request_id"),
      bigint("started_at"), bigint("finished_at"), text("succeeded"), text("failed"), text("skipped"),
      text("unreached")));
  static final Row.Table HOSTS = new Row.Table("rollout_hosts", 2, List.of(
      text("rollout_id"), text("host"), integer("wave"), text("state"), text("rollback_version"),
      bigint("updated_at")));

  private final ObjectMapper json;
  private final Map<String, RolloutRow> rollouts = new LinkedHashMap<>();
  private final Map<String, WaveRow> waves = new LinkedHashMap<>();
  private final Map<String, HostRow> hosts = new LinkedHashMap<>();

  private RolloutProjection(ObjectMapper json) {
    this.json = json;
  }

  /** The rollouts the events are about; empty when the batch holds none (the usual case). */
  static Set<String> rolloutIds(List<StevedoreEvent> events) {
    Set<String> ids = null;
    for (StevedoreEvent e : events) {
      String id = e instanceof RolloutEvent r ? r.rolloutId() : e instanceof VersionBlocked b ? b.rolloutId() : null;
      if (id != null) {
        if (ids == null) {
          ids = new LinkedHashSet<>();
        }
        ids.add(id);
      }
    }
    return ids == null ? Set.of() : ids;
  }

  static RolloutProjection load(Connection c, Dialect dialect, ObjectMapper json, Set<String> ids) throws SQLException {
    RolloutProjection p = new RolloutProjection(json);
    Jdbc.selectWhereIn(c, dialect, ROLLOUTS.select(), "id", ids, rs -> {
      RolloutRow r = new RolloutRow(rs);
      p.rollouts.put(r.id, r);
    });
    Jdbc.selectWhereIn(c, dialect, WAVES.select(), "rollout_id", ids, rs -> {
      WaveRow w = new WaveRow(rs);
      p.waves.put(key(w.rolloutId, String.valueOf(w.wave)), w);
    });
    Jdbc.selectWhereIn(c, dialect, HOSTS.select(), "rollout_id", ids, rs -> {
      HostRow h = new HostRow(rs);
      p.hosts.put(key(h.rolloutId, h.host), h);
    });
    return p;
  }

  /** Applies new events in stream order; events other than rollout events and blocks are ignored. */
  void fold(List<StevedoreEvent> events) {
    for (StevedoreEvent e : events) {
      if (e instanceof RolloutEvent r) {
        apply(r);
      } else if (e instanceof VersionBlocked b) {
        // A block belongs to the rollout that halted; it makes no rollout of its own.
        RolloutRow row = rollouts.get(b.rolloutId());
        if (row != null) {
          row.blocked = 1;
          row.updatedAt = Math.max(row.updatedAt, millis(b.time()));
        }
      }
    }
  }

  private void apply(RolloutEvent e) {
    long at = millis(e.time());
    RolloutRow r = rollouts.computeIfAbsent(e.rolloutId(), id -> new RolloutRow(e, at));
    r.updatedAt = Math.max(r.updatedAt, at);
    RolloutPhase phase = RolloutPhase.of(e.type().status()).orElse(RolloutPhase.ROLLING_OUT);
    RolloutPhase before = RolloutPhase.of(r.phase).orElse(RolloutPhase.ROLLING_OUT);
    RolloutPhase after = before.advance(phase);
    r.phase = after.word();
    if (after.finished() && !before.finished()) {
      r.finishedAt = at;
    }
    String id = e.rolloutId();
    if (e instanceof RolloutStarted s) {
      r.startedAt = Math.min(r.startedAt, at);
      r.strategy = s.policy().strategy().word();
      r.policy = write(s.policy());
      r.supersedes = s.supersedes();
      r.requestedBy = s.requestedBy();
      r.reason = s.reason();
      r.unreached = write(s.unreached());
      for (RolloutWave w : s.waves()) {
        WaveRow row = wave(id, w.index());
        row.canary = w.canary() ? 1 : 0;
        row.hosts = write(w.hosts());
        for (String host : w.hosts()) {
          if (!hosts.containsKey(key(id, host))) {
            host(id, host, at, "planned").wave = w.index();
          }
        }
      }
      s.unreached().forEach(host -> host(id, host, at, "unreached"));
    } else if (e instanceof RolloutWaveStarted s) {
      WaveRow row = wave(id, s.wave());
      row.canary = s.canary() ? 1 : 0;
      row.hosts = write(s.hosts());
      row.requestId = s.requestId();
      row.startedAt = at;
      s.hosts().forEach(host -> host(id, host, at, "in-progress").wave = s.wave());
    } else if (e instanceof RolloutWaveFinished f) {
      WaveRow row = wave(id, f.wave());
      row.finishedAt = at;
      row.succeeded = write(f.succeeded());
      row.failed = write(f.failed());
      row.skipped = write(f.skipped());
      row.unreached = write(f.unreached());
      hostStates(id, at, f.wave(), f.succeeded(), f.failed(), f.skipped(), f.unreached());
    } else if (e instanceof RolloutHalted h) {
      r.haltReason = h.reason();
      r.haltedWave = h.wave();
      if (h.blocked()) {
        r.blocked = 1;
      }
      h.failed().forEach(host -> host(id, host, at, "failed"));
      for (HostVersion hv : h.rollbacks()) {
        host(id, hv.host(), at, "rolling-back").rollbackVersion = hv.version();
      }
    } else if (e instanceof RolloutSucceeded s) {
      hostStates(id, at, null, s.succeeded(), s.failed(), s.skipped(), s.unreached());
    } else if (e instanceof RolloutRolledBack b) {
      for (HostVersion hv : b.rolledBack()) {
        host(id, hv.host(), at, "rolled-back").rollbackVersion = hv.version();
      }
      b.failed().forEach(host -> host(id, host, at, "rollback-failed"));
    } else if (e instanceof RolloutSuperseded s) {
      r.supersededBy = s.supersededBy();
    }
    // rollout.state lives on its own topic, which the audit does not read
  }

  private void hostStates(String id, long at, Integer wave, List<String> succeeded, List<String> failed,
                          List<String> skipped, List<String> unreached) {
    for (String host : succeeded) {
      setWave(host(id, host, at, "succeeded"), wave);
    }
    for (String host : failed) {
      setWave(host(id, host, at, "failed"), wave);
    }
    for (String host : skipped) {
      setWave(host(id, host, at, "skipped"), wave);
    }
    for (String host : unreached) {
      setWave(host(id, host, at, "unreached"), wave);
    }
  }

  private static void setWave(HostRow h, Integer wave) {
    if (wave != null) {
      h.wave = wave;
    }
  }

  private WaveRow wave(String rolloutId, int index) {
    return waves.computeIfAbsent(key(rolloutId, String.valueOf(index)), k -> new WaveRow(rolloutId, index));
  }

  private HostRow host(String rolloutId, String host, long at, String state) {
    HostRow h = hosts.computeIfAbsent(key(rolloutId, host), k -> new HostRow(rolloutId, host));
    h.state = state;
    h.updatedAt = at;
    return h;
  }

  private String write(Object value) {
    try {
      return json.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value, e);
    }
  }

  void write(Connection c) throws SQLException {
    Projection.write(c, ROLLOUTS, rollouts.values());
    Projection.write(c, WAVES, waves.values());
    Projection.write(c, HOSTS, hosts.values());
  }

  private static String key(String a, String b) {
    return a + "\n" + b;
  }

  static final class RolloutRow extends Row {
    final String id;
    final String environment;
    final String service;
    final String version;
    String phase;
    String strategy;
    String policy;
    String supersedes;
    String supersededBy;
    String requestedBy;
    String reason;
    String haltReason;
    Integer haltedWave;
    int blocked;
    String unreached;
    long startedAt;
    Long finishedAt;
    long updatedAt;

    /** A rollout first seen through {@code e} (its rollout.started may come later, or never). */
    RolloutRow(RolloutEvent e, long at) {
      id = e.rolloutId();
      environment = e.environment();
      service = e.service();
      version = e.version();
      phase = RolloutPhase.ROLLING_OUT.word();
      startedAt = at;
      updatedAt = at;
    }

    RolloutRow(ResultSet rs) throws SQLException {
      id = rs.getString("id");
      environment = rs.getString("environment");
      service = rs.getString("service");
      version = rs.getString("version");
      phase = rs.getString("phase");
      strategy = rs.getString("strategy");
      policy = rs.getString("policy");
      supersedes = rs.getString("supersedes");
      supersededBy = rs.getString("superseded_by");
      requestedBy = rs.getString("requested_by");
      reason = rs.getString("reason");
      haltReason = rs.getString("halt_reason");
      haltedWave = intOrNull(rs, "halted_wave");
      blocked = rs.getInt("blocked");
      unreached = rs.getString("unreached");
      startedAt = rs.getLong("started_at");
      finishedAt = longOrNull(rs, "finished_at");
      updatedAt = rs.getLong("updated_at");
      markLoaded();
    }

    @Override
    List<Object> values() {
      return Arrays.asList(id, environment, service, version, phase, strategy, policy, supersedes, supersededBy,
          requestedBy, reason, haltReason, haltedWave, blocked, unreached, startedAt, finishedAt, updatedAt);
    }
  }

  static final class WaveRow extends Row {
    final String rolloutId;
    final int wave;
    int canary;
    String hosts = "[]";
    String requestId;
    Long startedAt;
    Long finishedAt;
    String succeeded;
    String failed;
    String skipped;
    String unreached;

    WaveRow(String rolloutId, int wave) {
      this.rolloutId = rolloutId;
      this.wave = wave;
    }

    WaveRow(ResultSet rs) throws SQLException {
      rolloutId = rs.getString("rollout_id");
      wave = rs.getInt("wave");
      canary = rs.getInt("canary");
      hosts = rs.getString("hosts");
      requestId = rs.getString("request_id");
      startedAt = longOrNull(rs, "started_at");
      finishedAt = longOrNull(rs, "finished_at");
      succeeded = rs.getString("succeeded");
      failed = rs.getString("failed");
      skipped = rs.getString("skipped");
      unreached = rs.getString("unreached");
      markLoaded();
    }

    @Override
    List<Object> values() {
      return Arrays.asList(rolloutId, wave, canary, hosts, requestId, startedAt, finishedAt, succeeded, failed,
          skipped, unreached);
    }
  }

  static final class HostRow extends Row {
    final String rolloutId;
    final String host;
    Integer wave;
    String state;
    String rollbackVersion;
    long updatedAt;

    HostRow(String rolloutId, String host) {
      this.rolloutId = rolloutId;
      this.host = host;
    }

    HostRow(ResultSet rs) throws SQLException {
      rolloutId = rs.getString("rollout_id");
      host = rs.getString("host");
      wave = intOrNull(rs, "wave");
      state = rs.getString("state");
      rollbackVersion = rs.getString("rollback_version");
      updatedAt = rs.getLong("updated_at");
      markLoaded();
    }

    @Override
    List<Object> values() {
      return Arrays.asList(rolloutId, host, wave, state, rollbackVersion, updatedAt);
    }
  }
}
