-- Audit schema, portable between SQLite and PostgreSQL: times are epoch milliseconds (BIGINT),
-- booleans are 0/1 INTEGERs, text is TEXT.

-- Raw events: append-only, one row per event id, linked by a hash chain in seq order:
-- hash = sha256(prev_hash || payload), payload = EventCodec.canonicalBytes(event) as UTF-8.
CREATE TABLE events (
  seq           BIGINT  NOT NULL PRIMARY KEY,
  event_id      TEXT    NOT NULL,
  type          TEXT    NOT NULL,
  event_time    BIGINT  NOT NULL,
  stored_at     BIGINT  NOT NULL,
  deployment_id TEXT,
  host          TEXT,
  service       TEXT,
  environment   TEXT,
  payload       TEXT    NOT NULL,
  prev_hash     TEXT    NOT NULL,
  hash          TEXT    NOT NULL
);
CREATE UNIQUE INDEX events_event_id ON events (event_id);
CREATE INDEX events_deployment ON events (deployment_id, seq);
CREATE INDEX events_time ON events (event_time, seq);

-- The chain's head: one row, locked by every appender (SELECT ... FOR UPDATE in PostgreSQL,
-- the single writer in SQLite), so appends from several instances form one chain.
CREATE TABLE chain_head (
  id   INTEGER NOT NULL PRIMARY KEY,
  seq  BIGINT  NOT NULL,
  hash TEXT    NOT NULL
);
INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Projection: one row per deployment.
CREATE TABLE deployments (
  id            TEXT    NOT NULL PRIMARY KEY,
  service       TEXT,
  environment   TEXT,
  version       TEXT,
  commit_sha    TEXT,
  branch        TEXT,
  repository    TEXT,
  requested_by  TEXT,
  trigger_kind  TEXT,
  source        TEXT,
  reason        TEXT,
  has_request   INTEGER NOT NULL DEFAULT 0,
  requested_at  BIGINT  NOT NULL,
  cancelled_at  BIGINT,
  status        TEXT    NOT NULL,
  finished_at   BIGINT
);
CREATE INDEX deployments_requested ON deployments (requested_at, id);
CREATE INDEX deployments_service ON deployments (service, requested_at, id);
CREATE INDEX deployments_environment ON deployments (environment, requested_at, id);
CREATE INDEX deployments_status ON deployments (status, requested_at, id);

-- Projection: one row per host taking part in a deployment.
CREATE TABLE deployment_hosts (
  deployment_id    TEXT    NOT NULL,
  host             TEXT    NOT NULL,
  service          TEXT,
  environment      TEXT,
  status           TEXT    NOT NULL,
  from_version     TEXT,
  version          TEXT,
  running_version  TEXT,
  restored_version TEXT,
  restored_healthy INTEGER,
  digest           TEXT,
  failed_step      TEXT,
  exit_code        INTEGER,
  reason           TEXT,
  started_at       BIGINT,
  finished_at      BIGINT,
  duration_ms      BIGINT,
  PRIMARY KEY (deployment_id, host)
);
CREATE INDEX deployment_hosts_host ON deployment_hosts (host, deployment_id);

-- Projection: the steps of each host's cycle, in stored order.
CREATE TABLE deployment_steps (
  event_id      TEXT    NOT NULL PRIMARY KEY,
  seq           BIGINT  NOT NULL,
  deployment_id TEXT    NOT NULL,
  host          TEXT    NOT NULL,
  step          TEXT    NOT NULL,
  ok            INTEGER NOT NULL,
  duration_ms   BIGINT  NOT NULL,
  exit_code     INTEGER,
  output_tail   TEXT,
  step_time     BIGINT  NOT NULL
);
CREATE INDEX deployment_steps_deployment ON deployment_steps (deployment_id, host, seq);

-- Projection: fleet inventory, the latest heartbeat per host.
CREATE TABLE hosts (
  host          TEXT    NOT NULL PRIMARY KEY,
  environment   TEXT    NOT NULL,
  state         TEXT    NOT NULL,
  agent_version TEXT,
  labels        TEXT    NOT NULL,
  services      TEXT    NOT NULL,
  last_seen     BIGINT  NOT NULL,
  heartbeat_id  TEXT    NOT NULL
);
