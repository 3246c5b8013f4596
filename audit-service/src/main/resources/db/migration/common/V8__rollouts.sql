-- Fleet rollouts (issue 13), from the trigger's rollout.* events (stevedore.rollout.events) and
-- version.blocked (stevedore.fleet.blocklist). Their raw events are in events, with the rollout id
-- in deployment_id (the rollout id is the deployment id of its waves' requests), so a rollout's
-- timeline is an index range of events_deployment. Lists of hosts are JSON arrays in TEXT.

-- One row per rollout.
CREATE TABLE rollouts (
  id            TEXT    NOT NULL PRIMARY KEY,
  environment   TEXT    NOT NULL,
  service       TEXT    NOT NULL,
  version       TEXT    NOT NULL,
  phase         TEXT    NOT NULL,
  strategy      TEXT,
  policy        TEXT,
  supersedes    TEXT,
  superseded_by TEXT,
  requested_by  TEXT,
  reason        TEXT,
  halt_reason   TEXT,
  halted_wave   INTEGER,
  blocked       INTEGER NOT NULL DEFAULT 0,
  unreached     TEXT,
  started_at    BIGINT  NOT NULL,
  finished_at   BIGINT,
  updated_at    BIGINT  NOT NULL
);
CREATE INDEX rollouts_started ON rollouts (started_at, id);
CREATE INDEX rollouts_environment ON rollouts (environment, started_at, id);
CREATE INDEX rollouts_service ON rollouts (service, started_at, id);
CREATE INDEX rollouts_phase ON rollouts (phase, started_at, id);

-- One row per wave of a rollout: planned (rollout.started), started, finished.
CREATE TABLE rollout_waves (
  rollout_id  TEXT    NOT NULL,
  wave        INTEGER NOT NULL,
  canary      INTEGER NOT NULL DEFAULT 0,
  hosts       TEXT    NOT NULL,
  request_id  TEXT,
  started_at  BIGINT,
  finished_at BIGINT,
  succeeded   TEXT,
  failed      TEXT,
  skipped     TEXT,
  unreached   TEXT,
  PRIMARY KEY (rollout_id, wave)
);

-- One row per host of a rollout: its wave and what the rollout events last said about it
-- (planned, in-progress, succeeded, failed, skipped, unreached, rolling-back, rolled-back,
-- rollback-failed); rollback_version is where a halt sent it back.
CREATE TABLE rollout_hosts (
  rollout_id       TEXT    NOT NULL,
  host             TEXT    NOT NULL,
  wave             INTEGER,
  state            TEXT    NOT NULL,
  rollback_version TEXT,
  updated_at       BIGINT  NOT NULL,
  PRIMARY KEY (rollout_id, host)
);
