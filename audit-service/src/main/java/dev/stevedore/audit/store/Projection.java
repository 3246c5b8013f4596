package dev.stevedore.audit.store;

import static dev.stevedore.audit.store.Jdbc.intOrNull;
import static dev.stevedore.audit.store.Jdbc.longOrNull;
import static dev.stevedore.audit.store.Jdbc.millis;
import static dev.stevedore.audit.store.Row.Column.bigint;
import static dev.stevedore.audit.store.Row.Column.integer;
import static dev.stevedore.audit.store.Row.Column.text;
import static dev.stevedore.audit.store.Row.coalesce;

import dev.stevedore.common.event.AgentEvent;
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
import dev.stevedore.common.event.VersionUnblocked;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The deployments and per-host results a batch touches: loaded once, folded in memory, written
 * back once each (an INSERT for a new row, an UPDATE by key for a changed one, nothing for an
 * unchanged one). The batch is applied in a fixed order whatever the order of its events:
 * requests, cancellations, what agents say about deployments, starts, hosts known from steps,
 * outcomes; then every touched deployment's status is derived from its hosts. The result does
 * not depend on how the stream was cut into batches (RepositoryContract checks that).
 *
 * <p>Read-modify-write is safe because every writer holds the chain lock for its whole
 * transaction (EventWriter), so no other writer changes these rows in between.
 */
final class Projection {
  static final Row.Table DEPLOYMENTS = new Row.Table("deployments", 1, List.of(
      text("id"), text("service"), text("environment"), text("version"), text("commit_sha"), text("branch"),
      text("repository"), text("requested_by"), text("trigger_kind"), text("source"), text("reason"),
      integer("has_request"), bigint("requested_at"), bigint("cancelled_at"), text("status"), bigint("finished_at")));
  static final Row.Table HOSTS = new Row.Table("deployment_hosts", 2, List.of(
      text("deployment_id"), text("host"), text("service"), text("environment"), text("status"),
      text("from_version"), text("version"), text("running_version"), text("restored_version"),
      integer("restored_healthy"), text("digest"), text("failed_step"), integer("exit_code"), text("reason"),
      bigint("started_at"), bigint("finished_at"), bigint("duration_ms"), bigint("requested_at"),
      integer("attempts"), bigint("waited_ms")));

  private final Map<String, DeploymentRow> deployments = new LinkedHashMap<>();
  private final Map<String, HostRow> hosts = new LinkedHashMap<>();

  /** The rows of the given deployments as stored now. */
  static Projection load(Connection c, Dialect dialect, Set<String> deploymentIds) throws SQLException {
    Projection p = new Projection();
    Jdbc.selectWhereIn(c, dialect, DEPLOYMENTS.select(), "id", deploymentIds, rs -> {
      DeploymentRow d = new DeploymentRow(rs);
      p.deployments.put(d.id, d);
    });
    Jdbc.selectWhereIn(c, dialect, HOSTS.select(), "deployment_id", deploymentIds, rs -> {
      HostRow h = new HostRow(rs);
      p.hosts.put(key(h.deploymentId, h.host), h);
    });
    return p;
  }

  /** The deployments the events are about (an unblock is stored as an event only: no deployment runs under its id). */
  static Set<String> deploymentIds(List<StevedoreEvent> events) {
    Set<String> ids = new LinkedHashSet<>();
    for (StevedoreEvent e : events) {
      if (e instanceof DeployEvent d && !(e instanceof VersionUnblocked)) {
        ids.add(d.deploymentId());
      }
    }
    return ids;
  }

  /** Applies a batch of new events (none of them applied before). */
  void fold(List<StevedoreEvent> events) {
    Map<String, DeployRequested> requests = new LinkedHashMap<>();
    Map<String, DeployCancelled> cancels = new LinkedHashMap<>();
    Map<String, AgentSeen> seen = new LinkedHashMap<>();
    Map<String, DeployStarted> starts = new LinkedHashMap<>();
    Map<String, DeployStep> hostsFromSteps = new LinkedHashMap<>();
    Map<String, Outcome> outcomes = new LinkedHashMap<>();
    for (StevedoreEvent e : events) {
      if (e instanceof AgentEvent a) {
        seen.computeIfAbsent(a.deploymentId(), k -> new AgentSeen(a)).add(a);
      }
      // Of two events for one key, the later one counts; an outcome is final, the last one counts.
      if (e instanceof DeployRequested r) {
        requests.merge(r.deploymentId(), r, (x, y) -> y.time().isBefore(x.time()) ? x : y);
      } else if (e instanceof DeployCancelled x) {
        cancels.put(x.deploymentId(), x);
      } else if (e instanceof DeployStarted s) {
        starts.merge(key(s.deploymentId(), s.host()), s, (x, y) -> y.time().isBefore(x.time()) ? x : y);
      } else if (e instanceof DeployStep s) {
        hostsFromSteps.putIfAbsent(key(s.deploymentId(), s.host()), s);
      } else if (e instanceof Outcome o) {
        outcomes.put(key(o.deploymentId(), o.host()), o);
      }
    }
    requests.values().forEach(this::request);
    cancels.values().forEach(this::cancel);
    seen.values().forEach(this::agentSeen);
    starts.values().forEach(this::start);
    hostsFromSteps.values().forEach(s ->
        hosts.computeIfAbsent(key(s.deploymentId(), s.host()), k -> new HostRow(s.deploymentId(), s.host(), s.service())));
    outcomes.values().forEach(this::outcome);
    deriveStatuses(deploymentIds(events));
  }

  private void request(DeployRequested r) {
    DeploymentRow d = deployments.computeIfAbsent(r.deploymentId(),
        id -> new DeploymentRow(id, DeploymentStatus.REQUESTED));
    d.service = r.service();
    d.environment = r.environment();
    d.version = r.version();
    d.commitSha = r.commit();
    d.branch = r.branch();
    d.repository = r.repository();
    d.requestedBy = r.requestedBy();
    d.triggerKind = r.trigger();
    d.source = r.source();
    d.reason = r.reason();
    d.hasRequest = true;
    d.requestedAt = millis(r.time());
  }

  private void cancel(DeployCancelled x) {
    DeploymentRow d = deployments.get(x.deploymentId());
    if (d == null) {
      d = new DeploymentRow(x.deploymentId(), DeploymentStatus.REQUESTED);
      d.service = x.service();
      d.environment = x.environment();
      d.requestedAt = millis(x.time());
      deployments.put(d.id, d);
    }
    d.cancelledAt = millis(x.time());
  }

  /** A deployment known from its agents' events; its request may come later or never. */
  private void agentSeen(AgentSeen a) {
    DeploymentRow d = deployments.get(a.deploymentId);
    if (d == null) {
      d = new DeploymentRow(a.deploymentId, DeploymentStatus.RUNNING);
      d.service = a.service;
      d.environment = a.environment;
      d.version = a.version;
      d.triggerKind = a.trigger;
      d.source = a.source;
      d.requestedAt = a.firstSeen;
      deployments.put(d.id, d);
      return;
    }
    if (!d.hasRequest) {
      d.triggerKind = coalesce(d.triggerKind, a.trigger);
      d.source = coalesce(d.source, a.source);
    }
    d.environment = coalesce(d.environment, a.environment);
    d.version = coalesce(d.version, a.version);
    if (!d.hasRequest && a.firstSeen < d.requestedAt) {
      d.requestedAt = a.firstSeen;
    }
  }

  private void start(DeployStarted s) {
    HostRow h = hosts.get(key(s.deploymentId(), s.host()));
    if (h == null) {
      h = new HostRow(s.deploymentId(), s.host(), s.service());
      h.environment = s.environment();
      h.version = s.toVersion();
      hosts.put(key(h.deploymentId, h.host), h);
    } else {
      // A start never downgrades an outcome that arrived first, nor the version it reported.
      h.environment = coalesce(s.environment(), h.environment);
      h.version = coalesce(h.version, s.toVersion());
    }
    h.fromVersion = s.fromVersion();
    h.startedAt = millis(s.time());
  }

  private void outcome(Outcome o) {
    HostRow h = hosts.computeIfAbsent(key(o.deploymentId(), o.host()),
        k -> new HostRow(o.deploymentId(), o.host(), o.service()));
    h.status = o.status();
    h.environment = o.environment();
    h.version = o.version();
    h.runningVersion = null;
    h.restoredVersion = null;
    h.restoredHealthy = null;
    h.digest = null;
    h.failedStep = null;
    h.exitCode = null;
    h.reason = null;
    h.durationMs = 0L;
    h.attempts = null;
    h.waitedMs = null;
    if (o instanceof DeploySucceeded s) {
      h.digest = s.digest();
      h.runningVersion = s.version();
      h.durationMs = s.durationMs();
      h.attempts = s.attempts();
      h.waitedMs = s.waitedMs();
    } else if (o instanceof DeployFailed f) {
      h.failedStep = f.step();
      h.exitCode = f.exitCode();
      h.reason = f.reason();
      h.runningVersion = f.runningVersion();
      h.durationMs = f.durationMs();
      h.attempts = f.attempts();
      h.waitedMs = f.waitedMs();
    } else if (o instanceof DeployRolledBack r) {
      h.restoredVersion = r.restoredVersion();
      h.restoredHealthy = r.restoredHealthy() ? 1 : 0;
      h.runningVersion = r.restoredVersion();
      h.failedStep = r.failedStep();
      h.reason = r.reason();
      h.durationMs = r.durationMs();
      h.attempts = r.attempts();
      h.waitedMs = r.waitedMs();
    } else if (o instanceof DeploySkipped k) {
      h.reason = k.reason();
    }
    h.finishedAt = millis(o.time());
  }

  /**
   * Each deployment's status and finish time from its hosts and cancellation; each host row
   * carries its deployment's request time (host-filtered pages are ordered by it).
   */
  private void deriveStatuses(Set<String> deploymentIds) {
    Map<String, List<HostRow>> byDeployment = new LinkedHashMap<>();
    for (HostRow h : hosts.values()) {
      byDeployment.computeIfAbsent(h.deploymentId, k -> new ArrayList<>()).add(h);
    }
    for (String id : deploymentIds) {
      DeploymentRow d = deployments.get(id);
      List<HostRow> rows = byDeployment.getOrDefault(id, List.of());
      List<String> statuses = new ArrayList<>(rows.size());
      Long lastFinish = null;
      for (HostRow h : rows) {
        statuses.add(h.status);
        if (h.finishedAt != null) {
          lastFinish = lastFinish == null ? h.finishedAt : Math.max(lastFinish, h.finishedAt);
        }
        h.requestedAt = d.requestedAt;
      }
      d.status = DeploymentStatus.derive(statuses, d.cancelledAt != null);
      d.finishedAt = !DeploymentStatus.terminal(d.status) ? null
          : DeploymentStatus.CANCELLED.equals(d.status) ? d.cancelledAt : lastFinish;
    }
  }

  /** Writes the new and changed rows: deployments first, then their hosts. */
  void write(Connection c) throws SQLException {
    write(c, DEPLOYMENTS, deployments.values());
    write(c, HOSTS, hosts.values());
  }

  static void write(Connection c, Row.Table table, Iterable<? extends Row> rows) throws SQLException {
    List<List<Object>> inserts = new ArrayList<>();
    List<List<Object>> updates = new ArrayList<>();
    for (Row row : rows) {
      if (row.isNew()) {
        inserts.add(row.values());
      } else if (row.changed()) {
        updates.add(row.values());
      }
    }
    if (!inserts.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(table.insert())) {
        for (List<Object> values : inserts) {
          table.bindInsert(ps, values);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
    if (!updates.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(table.update())) {
        for (List<Object> values : updates) {
          table.bindUpdate(ps, values);
          ps.addBatch();
        }
        ps.executeBatch();
      }
    }
  }

  private static String key(String deploymentId, String host) {
    return deploymentId + "\n" + host;
  }

  /** What the agents' events of one batch say about a deployment whose request may not be stored yet. */
  private static final class AgentSeen {
    final String deploymentId;
    final String service;
    String environment;
    String version;
    /** {@code push} for a push deploy over SSH (no request exists: the agent's events say so by their source). */
    String trigger;
    /** For a push deploy: the agent's source ({@code stevedore://agent/<host>/push}), shown as the deployment's. */
    String source;
    long firstSeen;

    AgentSeen(AgentEvent first) {
      this.deploymentId = first.deploymentId();
      this.service = first.service();
      this.firstSeen = millis(first.time());
    }

    void add(AgentEvent a) {
      firstSeen = Math.min(firstSeen, millis(a.time()));
      if (trigger == null && a.source() != null && a.source().endsWith("/push")) {
        trigger = "push";
        source = a.source();
      }
      if (a instanceof DeployStarted s) {
        environment = coalesce(environment, s.environment());
        version = coalesce(version, s.toVersion());
      } else if (a instanceof Outcome o) {
        environment = coalesce(environment, o.environment());
        version = coalesce(version, o.version());
      }
    }
  }

  static final class DeploymentRow extends Row {
    final String id;
    String service;
    String environment;
    String version;
    String commitSha;
    String branch;
    String repository;
    String requestedBy;
    String triggerKind;
    String source;
    String reason;
    boolean hasRequest;
    long requestedAt;
    Long cancelledAt;
    String status;
    Long finishedAt;

    DeploymentRow(String id, String status) {
      this.id = id;
      this.status = status;
    }

    /** The row as stored, from a result set of {@code DEPLOYMENTS.select()}. */
    DeploymentRow(ResultSet rs) throws SQLException {
      id = rs.getString("id");
      service = rs.getString("service");
      environment = rs.getString("environment");
      version = rs.getString("version");
      commitSha = rs.getString("commit_sha");
      branch = rs.getString("branch");
      repository = rs.getString("repository");
      requestedBy = rs.getString("requested_by");
      triggerKind = rs.getString("trigger_kind");
      source = rs.getString("source");
      reason = rs.getString("reason");
      hasRequest = rs.getInt("has_request") == 1;
      requestedAt = rs.getLong("requested_at");
      cancelledAt = longOrNull(rs, "cancelled_at");
      status = rs.getString("status");
      finishedAt = longOrNull(rs, "finished_at");
      markLoaded();
    }

    @Override
    List<Object> values() {
      return Arrays.asList(id, service, environment, version, commitSha, branch, repository, requestedBy, triggerKind,
          source, reason, hasRequest ? 1 : 0, requestedAt, cancelledAt, status, finishedAt);
    }
  }

  static final class HostRow extends Row {
    final String deploymentId;
    final String host;
    final String service;
    String environment;
    String status = DeploymentStatus.RUNNING;
    String fromVersion;
    String version;
    String runningVersion;
    String restoredVersion;
    Integer restoredHealthy;
    String digest;
    String failedStep;
    Integer exitCode;
    String reason;
    Long startedAt;
    Long finishedAt;
    Long durationMs;
    Long requestedAt;
    Integer attempts;
    Long waitedMs;

    HostRow(String deploymentId, String host, String service) {
      this.deploymentId = deploymentId;
      this.host = host;
      this.service = service;
    }

    /** The row as stored, from a result set of {@code HOSTS.select()}. */
    HostRow(ResultSet rs) throws SQLException {
      deploymentId = rs.getString("deployment_id");
      host = rs.getString("host");
      service = rs.getString("service");
      environment = rs.getString("environment");
      status = rs.getString("status");
      fromVersion = rs.getString("from_version");
      version = rs.getString("version");
      runningVersion = rs.getString("running_version");
      restoredVersion = rs.getString("restored_version");
      restoredHealthy = intOrNull(rs, "restored_healthy");
      digest = rs.getString("digest");
      failedStep = rs.getString("failed_step");
      exitCode = intOrNull(rs, "exit_code");
      reason = rs.getString("reason");
      startedAt = longOrNull(rs, "started_at");
      finishedAt = longOrNull(rs, "finished_at");
      durationMs = longOrNull(rs, "duration_ms");
      requestedAt = longOrNull(rs, "requested_at");
      attempts = intOrNull(rs, "attempts");
      waitedMs = longOrNull(rs, "waited_ms");
      markLoaded();
    }

    @Override
    List<Object> values() {
      return Arrays.asList(deploymentId, host, service, environment, status, fromVersion, version, runningVersion,
          restoredVersion, restoredHealthy, digest, failedStep, exitCode, reason, startedAt, finishedAt, durationMs,
          requestedAt, attempts, waitedMs);
    }
  }
}
