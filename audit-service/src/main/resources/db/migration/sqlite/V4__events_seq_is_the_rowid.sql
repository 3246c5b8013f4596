-- SQLite only. events.seq was declared BIGINT PRIMARY KEY, which SQLite keeps as a second B-tree
-- next to the table's own rowid. Declared INTEGER PRIMARY KEY it is the rowid itself: one B-tree
-- less to write for every event (bench/audit). Rows, values and the hash chain are unchanged.
CREATE TABLE events_v4 (
  seq           INTEGER NOT NULL PRIMARY KEY,
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
INSERT INTO events_v4 (seq, event_id, type, event_time, stored_at, deployment_id, host, service, environment,
                       payload, prev_hash, hash)
  SELECT seq, event_id, type, event_time, stored_at, deployment_id, host, service, environment, payload, prev_hash, hash
  FROM events ORDER BY seq;
DROP TABLE events;
ALTER TABLE events_v4 RENAME TO events;
CREATE UNIQUE INDEX events_event_id ON events (event_id);
CREATE INDEX events_deployment ON events (deployment_id, seq);
